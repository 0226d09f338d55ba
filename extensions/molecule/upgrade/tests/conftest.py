import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "tests"))

import clawops_cost  # noqa: E402 - after the path above
import clawops_failure  # noqa: E402 - after the path above

# The failed tasks and the node's state in every failure report.
pytest_runtest_makereport = clawops_failure.pytest_runtest_makereport
# What each test costs in CPU seconds, after the scenario's tests.
pytest_runtest_protocol = clawops_cost.pytest_runtest_protocol
pytest_terminal_summary = clawops_cost.pytest_terminal_summary
