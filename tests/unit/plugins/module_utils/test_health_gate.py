# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.clawops.openclaw.plugins.filter.health_gate import health_gate
from ansible_collections.clawops.openclaw.plugins.module_utils._health_gate import judge


def reading(ok=True, p99=4.0, pid=100, restarts=0, failing=None, error=None, status=200):
    return dict(ready=dict(ok=ok, status=status, error=error, failing=failing or [], event_loop=dict(delay_p99_ms=p99)),
                service=dict(pid=pid, restarts=restarts))


def test_a_steady_ready_gateway_passes():
    verdict = judge([reading(), reading(p99=12.5), reading()], 100, 0, 50)
    assert verdict == dict(ok=True, reasons=[], readings=3, not_ready=0, worst_p99_ms=12.5)


def test_a_hang_fails_once_per_cause_at_its_first_reading():
    hung = dict(ok=False, status=None, error="timed out", p99=None)
    verdict = judge([reading(), reading(**hung), reading(**hung)], 100, 0, 50)
    assert not verdict["ok"] and verdict["not_ready"] == 2
    assert verdict["reasons"] == ["reading 2: not ready (timed out)"]


def test_a_crash_loop_and_a_changed_process_fail():
    verdict = judge([reading(), reading(pid=230, restarts=1), reading(pid=231, restarts=2)], 100, 0, 50)
    assert verdict["reasons"] == ["reading 2: systemd restarted the gateway 1 time(s)",
                                  "the gateway's process changed during the window (pid 100, then 230, 231): it exited or was restarted"]


def test_a_failing_channel_fails_with_its_name():
    verdict = judge([reading(), reading(ok=False, status=503, failing=["channel:telegram"])], 100, 0, 50)
    assert verdict["reasons"] == ["reading 2: not ready (failing: channel:telegram)"]


def test_one_slow_reading_is_a_start_burst_two_in_a_row_a_stall():
    assert judge([reading(p99=80), reading(), reading(p99=90), reading()], 100, 0, 50)["ok"]
    verdict = judge([reading(), reading(p99=80), reading(p99=95)], 100, 0, 50)
    assert verdict["reasons"] == ["readings 2-3: event-loop p99 stayed over 50 ms (95 ms)"] and verdict["worst_p99_ms"] == 95


def test_no_reading_is_no_pass():
    assert judge([], 100, 0, 50)["reasons"] == ["no reading was taken"]


def test_the_filter_takes_ansible_values_and_refuses_nonsense():
    assert health_gate([reading()], "100", "0", "50")["ok"]
    assert not health_gate([reading(pid=101)], 100, 0, 50)["ok"]
    with pytest.raises(AnsibleFilterError, match="list of openclaw facts"):
        health_gate({"ready": {}}, 100, 0, 50)
    with pytest.raises(AnsibleFilterError, match="must be numbers"):
        health_gate([reading()], 100, 0, "fast")
