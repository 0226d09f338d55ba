# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The health gate of an upgrade (private API): openclaw_facts readings over an observation window, judged at once.

A release passes when every reading says ready (no failing check, channels included), the gateway's process stayed
the same one (no crash, no restart by systemd) and its event-loop p99 did not stay above the threshold: a breach
counts from the second reading in a row, because a freshly started gateway has CPU bursts (compiling, loading
plugins) that are not stalls. Standard library only."""

P99_BREACHES_IN_A_ROW = 2


def _p99(ready):
    value = (ready.get("event_loop") or {}).get("delay_p99_ms")
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def judge(readings, pid, restarts, p99_max_ms):
    """dict(ok, reasons, readings, not_ready, worst_p99_ms): the verdict on READINGS (openclaw facts, oldest first).

    pid, restarts: the service's main process and systemd's restart count when the window opened (right after the
    gateway became ready on the new release); p99_max_ms: the event-loop p99 (ms) the gateway may not stay above.
    Each cause is reported once, at the first reading that showed it."""
    first = {}
    not_ready, worst_p99, in_a_row, pids = 0, None, 0, []
    for number, facts in enumerate(readings or [], 1):
        ready = (facts or {}).get("ready") or {}
        service = (facts or {}).get("service") or {}
        if not ready.get("ok"):
            not_ready += 1
            failing = ready.get("failing") or []
            why = ("failing: %s" % ", ".join(str(f) for f in failing)) if failing else (ready.get("error") or "status %s" % ready.get("status"))
            first.setdefault("not_ready", "reading %d: not ready (%s)" % (number, why))
        p99 = _p99(ready)
        if p99 is not None:
            worst_p99 = p99 if worst_p99 is None else max(worst_p99, p99)
        in_a_row = in_a_row + 1 if p99 is not None and p99 > p99_max_ms else 0
        if in_a_row >= P99_BREACHES_IN_A_ROW:
            first.setdefault("p99", "readings %d-%d: event-loop p99 stayed over %g ms (%g ms)" % (number - in_a_row + 1, number, p99_max_ms, p99))
        now_pid = service.get("pid")
        if now_pid != pid and now_pid not in pids:
            pids.append(now_pid)
        extra = (service.get("restarts") or 0) - (restarts or 0)
        if extra > 0:
            first.setdefault("restarts", "reading %d: systemd restarted the gateway %d time(s)" % (number, extra))
    reasons = [first[key] for key in ("not_ready", "restarts", "p99") if key in first]
    if pids:
        reasons.append("the gateway's process changed during the window (pid %s, then %s): it exited or was restarted"
                       % (pid, ", ".join(str(p) for p in pids)))
    if not readings:
        reasons.append("no reading was taken")
    return dict(ok=not reasons, reasons=reasons, readings=len(readings or []), not_ready=not_ready, worst_p99_ms=worst_p99)
