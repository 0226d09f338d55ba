#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): see benchmarks/*.py and docs/performance.md.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/test-deps.sh"
. "$here/scripts/env.sh"
python3 "$here/benchmarks/converge.py"
