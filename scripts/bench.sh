#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): see benchmarks/*.py and docs/performance.md.
#   scripts/bench.sh [converge|recovery|upgrade|watchdog|all]      (default: all)
#   scripts/bench.sh recovery FAULT...             (only these fault classes, see benchmarks/recovery.py)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/test-deps.sh"
. "$here/scripts/env.sh"
what=${1:-all}
shift || true
case "$what" in
  converge|recovery|upgrade|watchdog) python3 -u "$here/benchmarks/$what.py" "$@" ;;
  all) python3 -u "$here/benchmarks/converge.py"; python3 -u "$here/benchmarks/recovery.py"; python3 -u "$here/benchmarks/upgrade.py"; python3 -u "$here/benchmarks/watchdog.py" ;;
  *) echo "usage: $0 [converge|recovery|upgrade|watchdog|all]" >&2; exit 2 ;;
esac
