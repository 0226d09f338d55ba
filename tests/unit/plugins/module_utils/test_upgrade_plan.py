# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.clawops.openclaw.plugins.filter.step_durations import step_durations as step_durations_filter
from ansible_collections.clawops.openclaw.plugins.filter.upgrade_plan import upgrade_plan
from ansible_collections.clawops.openclaw.plugins.module_utils._upgrade import archive_name, newest_archive, plan, step_durations


def facts(running="2026.9.5", active=None, ready=True, written_by="2026.9.5", restart_pending=False, version=None):
    return dict(version=version or active or running, release=dict(running=running, active=active or running, restart_pending=restart_pending),
                config=dict(last_touched_version=written_by), ready=dict(ok=ready, status=200 if ready else None, error=None if ready else "timed out"))


def test_an_older_ready_node_is_upgraded_from_the_release_it_runs():
    result = plan(facts(), "2026.9.6")
    assert result == dict(action="upgrade", from_version="2026.9.5", to="2026.9.6", reason="openclaw@2026.9.5 -> openclaw@2026.9.6", archive=None)


def test_a_node_on_the_target_is_left_alone():
    assert plan(facts(running="2026.9.6", written_by="2026.9.6"), "2026.9.6")["action"] == "nothing"


def test_a_switched_but_not_restarted_gateway_still_counts_as_the_old_release():
    result = plan(facts(running="2026.9.5", active="2026.9.6", restart_pending=True), "2026.9.6")
    assert result["action"] == "upgrade" and result["from_version"] == "2026.9.5"
    result = plan(facts(running="2026.9.6", active="2026.9.6", restart_pending=True), "2026.9.6")
    assert result["action"] == "upgrade" and "restart onto it" in result["reason"]


def test_a_gateway_that_is_not_ready_is_not_upgraded():
    result = plan(facts(ready=False), "2026.9.6")
    assert result["action"] == "refuse" and "not ready" in result["reason"] and "doctor" in result["reason"]


@pytest.mark.parametrize("to", ["latest", "2026.9", "", None, "2026.9.6; rm -rf /"])
def test_a_target_that_is_not_a_version_is_refused(to):
    assert plan(facts(), to)["action"] == "refuse"


def test_a_node_without_openclaw_is_refused():
    assert "site.yml" in plan(dict(release={}, config={}, ready={}), "2026.9.6")["reason"]


def test_a_downgrade_below_the_config_writer_needs_consent_and_an_archive_of_the_target():
    node = facts(running="2026.9.6", written_by="2026.9.6")
    archives = [archive_name("2026.9.5", "20261201T000000Z"), archive_name("2026.9.5", "20261205T101010Z"),
                archive_name("2026.9.6", "20261206T000000Z"), "notes.txt"]
    refused = plan(node, "2026.9.5", archives=archives)
    assert refused["action"] == "refuse" and "openclaw_upgrade_restore_backup=true" in refused["reason"]
    assert "openclaw-2026.9.5-20261205T101010Z.tar.gz" in refused["reason"]
    consented = plan(node, "2026.9.5", restore_backup=True, archives=archives)
    assert consented["action"] == "downgrade_restore" and consented["archive"] == "openclaw-2026.9.5-20261205T101010Z.tar.gz"
    none_left = plan(node, "2026.9.5", restore_backup=True, archives=archives[2:])
    assert none_left["action"] == "refuse" and "no backup written by openclaw@2026.9.5" in none_left["reason"]


def test_a_downgrade_the_older_release_can_read_needs_no_restore():
    assert plan(facts(running="2026.9.6", written_by="2026.9.5"), "2026.9.5")["action"] == "downgrade"


def test_newest_archive_compares_times_not_names_of_other_versions():
    assert newest_archive(["openclaw-2026.9.5-20261205T000000Z.tar.gz", "openclaw-2026.9.50-20261206T000000Z.tar.gz"], "2026.9.5") \
        == "openclaw-2026.9.5-20261205T000000Z.tar.gz"
    assert newest_archive(["openclaw-2026.9.5-20261205T000000Z.tar.gz.partial"], "2026.9.5") is None


def test_the_filter_refuses_what_is_not_facts():
    assert upgrade_plan(facts(), "2026.9.6")["action"] == "upgrade"
    with pytest.raises(AnsibleFilterError, match="openclaw facts"):
        upgrade_plan("2026.9.5", "2026.9.6")


def test_with_consent_a_downgrade_restores_the_archive_even_when_the_config_would_not_stop_it():
    """The state database may be newer than the older release reads, whatever the config says."""
    archives = [archive_name("2026.9.5", "20261205T101010Z")]
    result = plan(facts(running="2026.9.6", written_by="2026.9.5"), "2026.9.5", restore_backup=True, archives=archives)
    assert result["action"] == "downgrade_restore" and result["archive"] == archives[0]
    assert plan(facts(running="2026.9.6", written_by="2026.9.5"), "2026.9.5", restore_backup=True)["action"] == "downgrade"


def test_step_durations_split_the_total_between_the_marks():
    took = step_durations(["100.0", 100.5, "100.84", 103.5, 113.04], ["stop", "activate", "restore", "start_to_ready"])
    assert took == {"total": 13.0, "steps": {"stop": 0.5, "activate": 0.3, "restore": 2.7, "start_to_ready": 9.5}}


@pytest.mark.parametrize("marks, names, message", [
    ([1.0, 2.0], ["a", "b"], "2 step names need 3 time marks"),
    ([1.0], [], "0 step names need 1 time marks"),
    ([1.0, "soon"], ["a"], "must be numbers"),
    ([1.0, None], ["a"], "must be numbers"),
    ([2.0, 1.0], ["a"], "the mark ending 'a' is earlier"),
])
def test_step_durations_refuse_marks_that_do_not_bound_the_steps(marks, names, message):
    with pytest.raises(AnsibleFilterError, match=message):
        step_durations_filter(marks, names)
