"""What each test costs in CPU seconds, printed after the scenario's tests (pytest hooks every scenario's conftest takes).

The suite is CPU-bound on two cores (docs/testing.md), so a test's wall time says little about what it costs the
others: its CPU does. Controller: this pytest process and everything it waited for (ansible-playbook, ansible, the
docker clients of testinfra). Nodes: the cgroups of the scenario's containers (the gateway, the modules, the CLI).
"""

import os
import resource
import subprocess
import time

import pytest

COSTS = []  # (nodeid, wall s, controller CPU s, nodes CPU s)


def _controller_cpu():
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _cgroup_seconds(container_id):
    for path, scale, key in (("/sys/fs/cgroup/cpuacct/docker/%s/cpuacct.usage" % container_id, 1e9, None),
                             ("/sys/fs/cgroup/system.slice/docker-%s.scope/cpu.stat" % container_id, 1e6, "usage_usec")):
        try:
            with open(path) as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if key is None:
                return int(fields[0]) / scale
            if fields[0] == key:
                return int(fields[1]) / scale
    return None


def _nodes_cpu():
    """{container id: CPU seconds} of this scenario's containers (none readable: {})."""
    prefix = "clawops-%s-%s-" % (os.environ.get("CLAWOPS_CHECKOUT_ID", "local"), os.environ.get("MOLECULE_SCENARIO_NAME", ""))
    try:
        listing = subprocess.run(["docker", "ps", "--no-trunc", "--filter", "name=^" + prefix, "--format", "{{.ID}} {{.Names}}"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found = {}
    # The node's own name has no dash: remediation's prefix also matches remediation-config's containers.
    for container_id in [fields[0] for fields in (line.split() for line in listing.splitlines())
                         if len(fields) == 2 and "-" not in fields[1][len(prefix):]]:
        seconds = _cgroup_seconds(container_id)
        if seconds is not None:
            found[container_id] = seconds
    return found


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    wall, controller, nodes = time.time(), _controller_cpu(), _nodes_cpu()
    yield
    after = _nodes_cpu()
    # A container made or removed during the test counts from zero or is left out.
    node_seconds = sum(seconds - nodes.get(container_id, 0.0) for container_id, seconds in after.items())
    COSTS.append((item.nodeid, time.time() - wall, _controller_cpu() - controller, node_seconds))


def pytest_terminal_summary(terminalreporter):
    if not COSTS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("CPU seconds per test (controller + nodes), most first")
    write("%8s %8s %8s %8s  %s" % ("total", "ctrl", "nodes", "wall", "test"))
    for nodeid, wall, controller, nodes in sorted(COSTS, key=lambda cost: -(cost[2] + cost[3])):
        write("%8.1f %8.1f %8.1f %8.1f  %s" % (controller + nodes, controller, nodes, wall, nodeid))
    totals = [sum(cost[i] for cost in COSTS) for i in (1, 2, 3)]
    write("%8.1f %8.1f %8.1f %8.1f  all %d tests" % (totals[1] + totals[2], totals[1], totals[2], totals[0], len(COSTS)))
