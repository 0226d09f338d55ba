#!/usr/bin/env bash
# The whole test suite: unit tests, ansible-test sanity, ansible-lint, molecule.
#   scripts/test.sh                 everything (what `make test` and CI run)
#   scripts/test.sh unit|sanity|lint|molecule [scenario...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/test-deps.sh"
. "$here/scripts/env.sh"
cd "$here"

stage() { printf '\n==== %s ====\n' "$*"; }

# ansible-test only works on a real copy at ansible_collections/<ns>/<name>: copy the
# tracked and not-ignored files, as a clean checkout would have them.
collection_copy() {
  local root="$CACHE_DIR/ansible-test"
  rm -rf "$root" && mkdir -p "$root/ansible_collections/clawops/openclaw"
  git ls-files -co --exclude-standard -z | xargs -0 tar -cf - | tar -C "$root/ansible_collections/clawops/openclaw" -xf -
  (cd "$root/ansible_collections/clawops/openclaw" && git init -q && git add -A)
  echo "$root/ansible_collections/clawops/openclaw"
}

run_unit() {
  stage "unit tests"
  PYTHONPATH="$CACHE_DIR/collections" python -m pytest -q -p no:cacheprovider tests/unit
}

run_sanity() {
  stage "ansible-test sanity"
  mkdir -p "$HOME/.ansible/test/cache"
  for version in 24_2 25_1; do
    cp "$here/scripts/ansible-test-get-pip.py" "$HOME/.ansible/test/cache/get_pip_$version.py"
  done
  local copy; copy=$(collection_copy)
  (cd "$copy" && ansible-test sanity --python "$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" --color no)
}

run_lint() {
  stage "ansible-lint (production profile)"
  # A copy of this collection installed under ~/.ansible (e.g. by an earlier ansible-lint run from
  # another checkout) would shadow the tree under test.
  rm -rf "$HOME/.ansible/collections/ansible_collections/clawops"
  ansible-lint --profile production --offline
}

run_molecule() {
  stage "molecule ${*:-all scenarios}"
  if [ $# -eq 0 ]; then
    molecule test --all
  else
    for scenario in "$@"; do molecule test -s "$scenario"; done
  fi
}

what=${1:-all}
[ $# -gt 0 ] && shift
case "$what" in
  unit) run_unit ;;
  sanity) run_sanity ;;
  lint) run_lint ;;
  molecule) run_molecule "$@" ;;
  all) run_unit; run_sanity; run_lint; run_molecule ;;
  *) echo "usage: $0 [all|unit|sanity|lint|molecule [scenario...]]" >&2; exit 2 ;;
esac
