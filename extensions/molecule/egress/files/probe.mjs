// Egress probe: connects the way OpenClaw's env-proxy mode does (undici's EnvHttpProxyAgent:
// HTTP(S)_PROXY, lowercase first, NO_PROXY suffixes) and prints what the upstream saw.
//   node probe.mjs https URL                 -> {"ok":true,"source":...} or {"ok":false,"error":...}
//   node probe.mjs wss URL HOLD_SECONDS      -> opens a WebSocket, sends a message, then keeps
//        sending one per second for HOLD_SECONDS, printing one JSON line per answer.
// Run it with the gateway process's own environment (tests read /proc/PID/environ).
import { createRequire } from "node:module";
const require = createRequire("/opt/openclaw/current/lib/node_modules/openclaw/package.json");
const { EnvHttpProxyAgent, fetch, WebSocket } = require("undici");

const [mode, url, hold] = process.argv.slice(2);
const dispatcher = new EnvHttpProxyAgent();
const print = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

if (mode === "https") {
  try {
    const res = await fetch(url, { dispatcher, signal: AbortSignal.timeout(8000) });
    print({ ok: res.ok, status: res.status, ...(await res.json()) });
  } catch (err) {
    print({ ok: false, error: String(err?.cause?.message ?? err?.message ?? err) });
  }
  process.exit(0);
} else if (mode === "wss") {
  const seconds = Number(hold || 0);
  const ws = new WebSocket(url, { dispatcher });
  const timer = setTimeout(() => { print({ ok: false, error: "timeout" }); process.exit(0); }, (seconds + 10) * 1000);
  let sent = 0;
  ws.addEventListener("open", () => { ws.send("hello " + sent++); });
  ws.addEventListener("message", (event) => {
    print({ ok: true, ...JSON.parse(event.data) });
    if (sent > seconds) { clearTimeout(timer); ws.close(); process.exit(0); }
    setTimeout(() => ws.send("hello " + sent++), 1000);
  });
  ws.addEventListener("error", (event) => { print({ ok: false, error: String(event.message ?? event.error ?? "error") }); process.exit(0); });
  ws.addEventListener("close", () => { if (sent <= seconds) { print({ ok: false, error: "closed" }); process.exit(0); } });
}
