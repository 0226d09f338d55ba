# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: the gateway's HTTP endpoints, /health and /ready (with the event-loop figures), and the
wait for /ready."""

import json
import threading
import time
from urllib.error import HTTPError
from urllib.request import ProxyHandler, build_opener

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems

DEFAULT_PORT = 18789
# The first minute after a start does not count towards a degraded event loop.
STARTUP_GRACE_MS = 60000
# OpenClaw's figures cover one window of about a second. One slow window is a burst (a config reload, a GC, a
# neighbour on a shared vCPU); a stall lasts: the delay must stay above the threshold in readings a second apart
# for this long before the gateway counts as degraded (and remediate restarts it).
EVENT_LOOP_CONFIRM_S = 5.0
EVENT_LOOP_REREAD_S = 1.0


def http_probe(url, timeout):
    """GET url without any proxy (env proxies would send a loopback probe elsewhere)."""
    opener = build_opener(ProxyHandler({}))
    started = time.time()
    result = dict(url=url, status=None, ok=False, error=None)
    try:
        response = opener.open(url, timeout=timeout)
        result["status"] = response.getcode()
        body = response.read(65536)
    except HTTPError as exc:
        result["status"] = exc.code
        body = exc.read(65536)
    except Exception as exc:  # pylint: disable=broad-except
        result["error"] = str(getattr(exc, "reason", exc))
        if "timed out" not in result["error"] and time.time() - started >= timeout * 0.95:
            result["error"] = "timed out: %s" % result["error"]
        body = b""
    result["elapsed_ms"] = round((time.time() - started) * 1000, 1)
    try:
        result["json"] = json.loads(body.decode("utf-8")) if body else None
    except ValueError:
        result["json"] = None
    result["ok"] = result["status"] == 200
    return result


def gateway_port(port_option, service, config):
    """The port option, else the unit's --port, else gateway.port in the config, else OpenClaw's default."""
    return port_option or service.get("exec_port") or (config["port"] if isinstance(config.get("port"), int) else None) or DEFAULT_PORT


def base_url(config, port):
    """Where the gateway answers: loopback unless the config binds a custom host."""
    host = "127.0.0.1"
    if config.get("bind") == "custom" and config.get("custom_bind_host") not in (None, "", "0.0.0.0"):
        host = config["custom_bind_host"]
    return "http://%s:%d" % ("[%s]" % host if ":" in host else host, port)


def wait_ready(url, seconds, timeout, unit_failed):
    """Seconds until url answered 200, polled every quarter second; None when it did not within `seconds` or when
    unit_failed() (asked at most once a second; None: not asked) says the unit failed meanwhile."""
    started = time.time()
    deadline = started + seconds
    checked_unit = started
    while True:
        if http_probe(url, min(timeout, 1.0))["ok"]:
            return round(time.time() - started, 2)
        now = time.time()
        if now >= deadline:
            return None
        if unit_failed and now - checked_unit >= 1:
            checked_unit = now
            if unit_failed():
                return None
        time.sleep(min(0.25, max(deadline - now, 0)))


def ready_fact(probe):
    """The ready fact from the /ready probe: OpenClaw's verdict, failing checks and event-loop figures."""
    ready = dict(probe)
    body = ready.pop("json", None) or {}
    loop = body.get("eventLoop") if isinstance(body.get("eventLoop"), dict) else {}
    ready.update(ready=body.get("ready"), failing=body.get("failing", []), uptime_ms=body.get("uptimeMs"),
                 event_loop=dict(degraded=loop.get("degraded"), delay_p99_ms=loop.get("delayP99Ms"),
                                 delay_max_ms=loop.get("delayMaxMs"), utilization=loop.get("utilization"), reasons=loop.get("reasons", []),
                                 readings_ms=[loop.get("delayP99Ms")]))
    ready["ok"] = ready.get("status") == 200 and body.get("ready") is True
    return ready


def _above(delay, threshold):
    return isinstance(delay, (int, float)) and delay > threshold


def confirm_event_loop(url, timeout, ready, threshold, confirm_s=EVENT_LOOP_CONFIRM_S):
    """Re-read /ready a second apart until confirm_s have passed or a reading is back under the threshold;
    the p99 figures end up in ready["event_loop"]["readings_ms"]. A reading without figures (a probe that failed)
    neither confirms nor clears the stall."""
    readings = ready["event_loop"]["readings_ms"]
    deadline = time.time() + confirm_s
    while time.time() < deadline:
        time.sleep(EVENT_LOOP_REREAD_S)
        delay = ready_fact(http_probe(url + "/ready", timeout))["event_loop"]["delay_p99_ms"]
        readings.append(delay)
        if isinstance(delay, (int, float)) and not _above(delay, threshold):
            return


def event_loop_problems(ready, threshold, problems, confirm=None):
    """The event-loop finding from the ready fact. confirm(ready): the re-reading that tells a stall from a burst
    (confirm_event_loop); without it the first reading decides."""
    loop = ready["event_loop"]
    delay = loop.get("delay_p99_ms")
    starting = isinstance(ready.get("uptime_ms"), (int, float)) and ready["uptime_ms"] < STARTUP_GRACE_MS
    if _above(delay, threshold) and starting:
        # A freshly started Node process compiles and loads plugins: a CPU burst, not a stall.
        problems.problem("event_loop_busy", "event loop p99 delay %s ms %.0f s after start (reasons %s)"
                         % (delay, ready["uptime_ms"] / 1000.0, loop.get("reasons")))
        return
    if _above(delay, threshold) and confirm:
        confirm(ready)
    readings = ", ".join("%s" % r for r in loop["readings_ms"])
    if _above(delay, threshold) and any(isinstance(r, (int, float)) and not _above(r, threshold) for r in loop["readings_ms"]):
        problems.problem("event_loop_busy", "event loop p99 delay above %s ms for a moment, not lasting (readings %s ms, reasons %s)"
                         % (threshold, readings, loop.get("reasons")))
    elif _above(delay, threshold):
        problems.problem("event_loop_degraded", "event loop p99 delay %s ms is above %s ms in every reading a second apart (%s ms): "
                         "requests stall (reasons %s)" % (delay, threshold, readings, loop.get("reasons")))
    elif loop.get("degraded"):
        # OpenClaw flags short CPU bursts (e.g. right after start) too: worth seeing, not an outage.
        problems.problem("event_loop_busy", "OpenClaw reports its event loop degraded (p99 %s ms, reasons %s)"
                         % (delay, loop.get("reasons")))


def collect_probes(url, timeout, service, port, listeners, threshold, confirm_s=EVENT_LOOP_CONFIRM_S):
    """(health fact; ready fact; Problems).

    url: the gateway's base URL; timeout: seconds per probe; service: the service fact (its state and main process);
    port and listeners: from collect_listeners; threshold: the event_loop_delay_threshold_ms option; confirm_s: how
    long a delay above it must last in re-readings to count as a stall (the watchdog shortens it for a stall it
    already confirmed in its previous check)."""
    problems = Problems()
    # Both at once: a hung gateway lets each run into the timeout.
    probes = {}
    threads = [threading.Thread(target=lambda path: probes.__setitem__(path, http_probe(url + path, timeout)), args=(path,))
               for path in ("/health", "/ready")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    health = probes["/health"]
    ready = ready_fact(probes["/ready"])
    health.pop("json", None)

    if service.get("active_state") == "active" and not ready["ok"]:
        if ready.get("error") and "timed out" in ready["error"]:
            problems.problem("gateway_hung", "the process is alive but /ready timed out after %gs" % timeout)
        elif service.get("pid") and not listeners:
            problems.problem("gateway_starting", "the service runs but nothing listens on port %d yet" % port)
        else:
            problems.problem("not_ready", "/ready answered %s: failing %s" % (ready.get("status") or ready.get("error"), ready.get("failing")))
    event_loop_problems(ready, threshold, problems, confirm=lambda fact: confirm_event_loop(url, timeout, fact, threshold, confirm_s))
    return health, ready, problems
