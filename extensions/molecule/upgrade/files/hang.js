// A fault for the upgrade scenario, put at the top of a release's dist/index.js on the canary: ten
// seconds after the gateway first answered /ready 200, its event loop blocks for good (a hung
// gateway that still holds its port). Only the gateway process (gateway --port) is affected.
import __clawopsHttp from "node:http";
if (process.argv.includes("gateway") && process.argv.includes("--port")) {
	const emit = __clawopsHttp.Server.prototype.emit;
	let armed = false;
	__clawopsHttp.Server.prototype.emit = function (event, req, res) {
		if (event === "request" && !armed && req && typeof req.url === "string" && req.url.startsWith("/ready")) {
			res.on("finish", () => {
				if (!armed && res.statusCode === 200) {
					armed = true;
					setTimeout(() => { for (;;) {} }, 10000);
				}
			});
		}
		return emit.apply(this, arguments);
	};
}
