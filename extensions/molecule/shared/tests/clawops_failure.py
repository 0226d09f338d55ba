"""What a node looked like when a test on it failed, in the failure report (a pytest hook every scenario's conftest imports).

CI keeps the output of a run, not its containers: without this, a gateway that did not become ready leaves only the
assertion message behind. The failed tasks of the test's last playbook runs (clawops_testlib.playbook), and for every
testinfra host the failed test used: the unit's state, and the user manager's and the gateway's journal lines about it.
"""

import pytest

import clawops_testlib

USER_UNIT = "openclaw-gateway.service"
COMMANDS = (
    ("unit", "systemctl --user --machine=openclaw@ show -p ActiveState,SubState,Result,ExecMainStatus,NRestarts,MainPID %s" % USER_UNIT),
    # The gateway's own output (OpenClaw logs to stdout as well as to its file) and what systemd says about the unit.
    ("journal", "journalctl --no-pager -o short-iso -n 60 _SYSTEMD_USER_UNIT=%s + USER_UNIT=%s | cut -c1-300" % (USER_UNIT, USER_UNIT)),
)


def _hosts(item):
    """The testinfra hosts among the test's fixtures (a host, or a list of them)."""
    found = []
    for value in getattr(item, "funcargs", {}).values():
        for candidate in value if isinstance(value, (list, tuple)) else [value]:
            if hasattr(candidate, "run") and hasattr(candidate, "backend") and candidate not in found:
                found.append(candidate)
    return found


def node_state(host):
    """The COMMANDS' output on host, as one text; a command that fails says so instead of failing the report."""
    parts = []
    for title, command in COMMANDS:
        try:
            out = host.run(command)
            text = (out.stdout + out.stderr).rstrip()
        except Exception as error:  # noqa: BLE001 - the report must not hide the test's own failure
            text = "(not read: %s)" % error
        parts.append("--- %s\n%s" % (title, text))
    return "\n".join(parts)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    if call.when == "setup":
        del clawops_testlib.RUNS[:]
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        runs = ["%s (rc %d):\n%s" % (name, rc, "\n".join(failed_tasks) or "  no failed task")
                for name, rc, failed_tasks in ((n, rc, clawops_testlib.failed_tasks(out)) for n, rc, out in clawops_testlib.RUNS)]
        if runs:
            report.sections.append(("failed tasks of the test's playbook runs", "\n".join(runs[-4:])))
        for host in _hosts(item):
            report.sections.append(("node %s when the test failed" % getattr(host.backend, "host", host), node_state(host)))
