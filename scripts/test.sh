#!/usr/bin/env bash
# The whole test suite: unit tests, ansible-test sanity, ansible-lint, molecule.
#   scripts/test.sh                 everything (what `make test` and CI run), in parallel lanes
#   scripts/test.sh unit|sanity|lint|molecule [scenario...]   one stage, in the foreground
#   TEST_PROFILE=1 scripts/test.sh  everything, then its CPU by command (the kernel's process accounting; root, alone)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/test-deps.sh"
. "$here/scripts/env.sh"
cd "$here"

stage() { printf '\n==== %s ====\n' "$*"; }

# ansible-test only works on a real copy at ansible_collections/<ns>/<name>: copy the
# tracked and not-ignored files, as a clean checkout would have them.
collection_copy() {
  local root="$CACHE_DIR/ansible-test/$CLAWOPS_CHECKOUT_ID"
  rm -rf "$root" && mkdir -p "$root/ansible_collections/clawops/openclaw"
  git ls-files -co --exclude-standard -z | xargs -0 tar -cf - | tar -C "$root/ansible_collections/clawops/openclaw" -xf -
  (cd "$root/ansible_collections/clawops/openclaw" && git init -q && git add -A)
  echo "$root/ansible_collections/clawops/openclaw"
}

run_unit() {
  stage "unit tests (coverage of plugins/, per file)"
  # Floors (docs/testing.md): 90 % of plugins/ overall, 85 % of each facts collector.
  local data="$CACHE_DIR/unit-$CLAWOPS_CHECKOUT_ID.coverage"
  COVERAGE_FILE="$data" PYTHONPATH="${ANSIBLE_COLLECTIONS_PATH%%:*}" python -m pytest -q -p no:cacheprovider \
    --cov=plugins --cov-report=term --cov-fail-under=90 tests/unit
  COVERAGE_FILE="$data" python -m coverage json -q -o "$data.json"
  python - "$data.json" <<'PY'
import json, sys
files = json.load(open(sys.argv[1]))["files"]
low = {f: round(d["summary"]["percent_covered"], 1) for f, d in files.items()
       if "module_utils/_collect_" in f and d["summary"]["percent_covered"] < 85}
print("collectors under 85 %%: %s" % (low or "none"))
sys.exit(1 if low else 0)
PY
}

# Galaxy's own import checks on the tarball `ansible-galaxy collection build` makes of a clean copy:
# documentation of every plugin and role (ansible-doc), role READMEs, changelog, metadata.
run_gates() {
  stage "alert rules (promtool check rules, promtool test rules)"
  promtool check rules "$here"/roles/watchdog/files/prometheus/*.rules.yml
  promtool test rules "$here"/tests/prometheus/*.test.yml
  stage "galaxy-importer"
  local copy out log
  copy=$(collection_copy)
  out="$CACHE_DIR/galaxy-importer/$CLAWOPS_CHECKOUT_ID"
  rm -rf "$out" && mkdir -p "$out"
  ansible-galaxy collection build --force --output-path "$out" "$copy"
  log="$out/import.log"
  # From $out: the importer writes importer_result.json into its working directory.
  (cd "$out" && GALAXY_IMPORTER_CONFIG="$here/.config/galaxy-importer.cfg" python -m galaxy_importer.main clawops-openclaw-*.tar.gz) 2>&1 | tee "$log"
  # The importer logs some refusals (a plugin ansible-doc cannot document) as ERROR and still exits 0.
  if [ "${PIPESTATUS[0]}" != 0 ] || grep -q '^ERROR' "$log"; then
    echo "galaxy-importer refused the collection (log: $log)" >&2
    return 1
  fi
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

# These start from the base image: default proves the fresh converge, node-image is the recipe of the
# cached converged node (scripts/node-image.sh) every other scenario starts from (egress: its gateway
# node; its relay and upstream are plain Debian). They never wait for the image.
FRESH_SCENARIOS=" default node-image "

run_molecule() {
  stage "molecule ${*:-all scenarios}"
  local scenario scenarios=("$@") status=0 image
  if [ $# -eq 0 ]; then
    for scenario in extensions/molecule/*/molecule.yml; do
      scenario=$(basename "$(dirname "$scenario")")
      [ "$scenario" = node-image ] || scenarios+=("$scenario")
    done
  fi
  # Every ansible run of the scenarios (molecule's, the tests' playbooks, testinfra's module calls, the node
  # image's converge) reuses the module payloads the others built from the same code: the callback
  # extensions/molecule/shared/callback_plugins/clawops_module_cache.py keys them by that code. Unused for a week: gone.
  export ANSIBLE_CALLBACK_PLUGINS="$here/extensions/molecule/shared/callback_plugins"
  export CLAWOPS_ANSIBALLZ_CACHE="$CACHE_DIR/ansiballz"
  export ANSIBLE_LOAD_CALLBACK_PLUGINS=1   # ad-hoc runs (testinfra's host.ansible) load it too
  mkdir -p "$CLAWOPS_ANSIBALLZ_CACHE"
  find "$CLAWOPS_ANSIBALLZ_CACHE" -mindepth 1 -maxdepth 1 -type d -mtime +7 -exec rm -rf {} +
  for scenario in "${scenarios[@]}"; do
    image=$BASE_IMAGE
    if [[ $FRESH_SCENARIOS != *" $scenario "* ]]; then
      image=$("$here/scripts/node-image.sh") || { status=1; continue; }
    fi
    echo "[molecule] $scenario starts from $image"
    # molecule keys its state by the checkout directory's NAME: two checkouts called the same would share it.
    CLAWOPS_SCENARIO_IMAGE=$image MOLECULE_EPHEMERAL_DIRECTORY="$CACHE_DIR/molecule/$CLAWOPS_CHECKOUT_ID/$scenario" \
      molecule test -s "$scenario" || status=$?
  done
  return $status
}

# The whole suite in lanes that run side by side. A scenario also waits on the gateway (start-up,
# stop timeouts, cooldowns) and the lanes fill those waits; past that the suite is CPU-bound on two
# cores (docs/testing.md), so more lanes do not make it faster. Each scenario has its own containers and networks. The lanes that start with a
# scenario needing the cached node wait for its one build while default (fresh converge) and the unit
# stages run. upgrade follows watchdog, the shortest lane: after remediation-config it ran alone for the
# last three minutes of a run (one core idle). TEST_LANES overrides the split ("step step|step ...").
# See docs/testing.md.
TEST_LANES=${TEST_LANES:-"molecule:remediation|molecule:default molecule:auth|unit sanity lint gates molecule:boundary molecule:egress|molecule:remediation-config|molecule:watchdog molecule:upgrade"}

run_step() {
  case "$1" in
    unit|sanity|lint|gates) "run_$1" ;;
    molecule:*) run_molecule "${1#molecule:}" ;;
    *) echo "unknown step: $1" >&2; return 2 ;;
  esac
}

# run_lane NUMBER STEP...: the steps in order, each one's output into its own log; a failed step
# does not stop the lane (one CI run reports every failure). Progress lines go to stdout.
run_lane() {
  local lane=$1 step log start rc status=0; shift
  for step in "$@"; do
    log="$LOG_DIR/${step/:/-}.log"
    start=$SECONDS
    echo "[lane $lane] $step: started $(date -u +%H:%M:%S)"
    # In a subshell whose `times` (the CPU of every process it waited for: ansible, molecule, pytest) is the
    # step's controller CPU.
    if (run_step "$step" && times >"$log.times") >"$log" 2>&1; then rc=0; else rc=$?; status=1; fi
    echo "[lane $lane] $step: $([ "$rc" = 0 ] && echo passed || echo "FAILED (exit $rc)") in $((SECONDS - start)) s"
    echo "$step $rc $((SECONDS - start)) $(controller_cpu "$log.times") $(node_cpu "$step")" >>"$LOG_DIR/summary"
  done
  return $status
}

# controller_cpu FILE: CPU seconds of the processes a step waited for, from `times` (its second line:
# children's user and system time, e.g. "1m2.500s 0m3.250s"); "-" when the step failed before it.
controller_cpu() {
  [ -s "$1" ] || { echo -; return; }
  sed -n 2p "$1" | awk '{t = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); t += a[1] * 60 + a[2]}; printf "%d", t}'
}

# The nodes' CPU: every 5 s the CPU each of this checkout's containers has used so far (its cgroup),
# the last reading kept per container; a container's scenario is its name without the
# "clawops-<checkout>-" prefix and the "-<node>" suffix. Readings of the last seconds before a
# container is destroyed are lost: the figure is a floor.
sample_node_cpu() {
  local out=$1 name id usage rest
  # A container can go between `docker ps` and the read of its cgroup: nothing here may stop the sampler.
  set +e
  mkdir -p "$out"
  while [ -e "$out/.running" ]; do
    docker ps --no-trunc --filter "name=^clawops-$CLAWOPS_CHECKOUT_ID-" --format '{{.ID}} {{.Names}}' 2>/dev/null |
      while read -r id name; do
        usage=""
        if [ -r "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage" ]; then          # cgroup v1: nanoseconds
          usage=$(awk '{printf "%d", $1 / 1000}' "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage" 2>/dev/null)
        elif [ -r "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat" ]; then  # cgroup v2: microseconds
          usage=$(awk '$1 == "usage_usec" {print $2}' "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat" 2>/dev/null)
        fi
        rest=${name#"clawops-$CLAWOPS_CHECKOUT_ID-"}
        if [ -n "$usage" ]; then echo "${rest%-*} $usage" >"$out/$id"; fi
      done
    sleep 5
  done
}

# node_cpu STEP: CPU seconds the containers of a molecule step's scenario used; "-" for other steps.
node_cpu() {
  case "$1" in
    molecule:*) cat "$LOG_DIR/node-cpu/"* 2>/dev/null | awk -v s="${1#molecule:}" '$1 == s {t += $2} END {printf "%d", t / 1e6}' ;;
    *) echo - ;;
  esac
}

# failure_excerpt LOG: pytest's failure reports and summary (verify), ansible's failed tasks
# (converge, idempotence, a playbook), then the last lines of the log.
failure_excerpt() {
  awk '/=+ FAILURES =+/ {p = 1} p && n++ < 250 {print} /=+ short test summary info =+/ {p = 0}' "$1"
  grep -E '(^|[^a-z])(fatal|failed): \[|FAILED |CRITICAL |ERROR ' "$1" | grep -v 'RETRYING' | head -n 40
  echo "--- last 30 lines"
  tail -n 30 "$1"
}

run_all() {
  LOG_DIR="$CACHE_DIR/logs/$(date -u +%Y%m%dT%H%M%S)"
  mkdir -p "$LOG_DIR/node-cpu"
  export LOG_DIR
  stage "all stages in lanes (logs: $LOG_DIR)"
  local lane=0 pids=() steps start=$SECONDS status=0 pid
  IFS='|' read -r -a lanes <<<"$TEST_LANES"
  touch "$LOG_DIR/node-cpu/.running"
  sample_node_cpu "$LOG_DIR/node-cpu" &
  local sampler=$!
  # TEST_PROFILE=1: the kernel's process accounting for the whole run, reported by command at the end.
  local profile=""
  if [ "${TEST_PROFILE:-0}" = 1 ]; then
    profile="$LOG_DIR/cpu-profile.acct"
    if python "$here/scripts/cpu-profile.py" start "$profile"; then
      export CLAWOPS_CPU_PROFILE=$profile
      # An interrupted run must not leave the machine recording every process into the log dir for good: a
      # trapped INT or TERM ends the `wait` below at once, and `exit` runs the EXIT trap.
      trap 'python "$here/scripts/cpu-profile.py" stop || true' EXIT
      trap 'exit 130' INT
      trap 'exit 143' TERM
    else
      echo "TEST_PROFILE: no process accounting here; the run goes on without the profile" >&2
      profile=""
    fi
  fi
  for steps in "${lanes[@]}"; do
    lane=$((lane + 1))
    # shellcheck disable=SC2086 # steps are words
    run_lane "$lane" $steps &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
  [ -z "$profile" ] || python "$here/scripts/cpu-profile.py" stop || echo "TEST_PROFILE: could not stop the accounting" >&2
  rm -f "$LOG_DIR/node-cpu/.running"
  wait "$sampler" || true
  # Every log in full, in lane order, so that CI output shows each failure with its context.
  for steps in "${lanes[@]}"; do
    for step in $steps; do stage "$step (log)"; cat "$LOG_DIR/${step/:/-}.log"; done
  done
  # What failed in each failed step again, next to the summary: CI keeps the end of the output, and
  # the last lines of a molecule log are its destroy stage, not the failure.
  awk '$2 != 0 {print $1}' "$LOG_DIR/summary" | while read -r step; do
    stage "$step FAILED ($LOG_DIR/${step/:/-}.log)"; failure_excerpt "$LOG_DIR/${step/:/-}.log"
  done
  stage "summary (wall time $((SECONDS - start)) s)"
  # CPU: the controller's (ansible, molecule, pytest) and the step's containers' (a floor, sampled).
  printf '  %-28s %-7s %7s %15s %10s\n' step result wall "controller CPU" "nodes CPU"
  awk '{printf "  %-28s %-7s %5d s %15s %10s\n", $1, ($2 == 0 ? "passed" : "FAILED"), $3, $4 ($4 == "-" ? "" : " s"), $5 ($5 == "-" ? "" : " s");
        c += $4; n += $5}
       END {printf "  %-28s %-7s %5s   %13d s %8d s\n", "all steps (CPU summed)", "", "", c, n}' "$LOG_DIR/summary"
  if [ -n "$profile" ]; then
    stage "CPU by command, every process that ended during the run (process accounting)"
    python "$here/scripts/cpu-profile.py" report "$profile" | tee "$LOG_DIR/cpu-profile.txt"
  fi
  return $status
}

what=${1:-all}
[ $# -gt 0 ] && shift
case "$what" in
  unit) run_unit ;;
  sanity) run_sanity ;;
  lint) run_lint ;;
  gates) run_gates ;;
  molecule) run_molecule "$@" ;;
  all) run_all ;;
  *) echo "usage: $0 [all|unit|sanity|lint|gates|molecule [scenario...]]" >&2; exit 2 ;;
esac
