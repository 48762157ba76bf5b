#!/usr/bin/env bash
# make demo: the fleet upgrade playbook against four simulated arrays, with
# progress, then the report. Usage: tests/demo/run_demo.sh VENV BUILD_DIR
set -euo pipefail
venv=$1
build=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
demo=$build/demo
rm -rf "$demo"
mkdir -p "$demo/host_vars" "$demo/packages"
cp "$here/host_vars_array-4.yml" "$demo/host_vars/array-4.yml"

# A small but well-formed upgrade package (the simulator checks name and signature byte).
PYTHONPATH=$repo/tests "$venv/bin/python" -c \
  'import sys, unity_sim.packages as p; print(p.write_candidate(sys.argv[1], "5.3.0.0.5.120", 32 << 20))' \
  "$demo/packages" >/dev/null
package=$demo/packages/Unity-5.3.0.0.5.120.tgz.bin.gpg
checksum=sha256:$(sha256sum "$package" | cut -d' ' -f1)

set +e
"$venv/bin/python" "$repo/tests/utils/with_simulator.py" --arrays 4 --time-scale "${DEMO_TIME_SCALE:-30}" \
  --scenario "$here/scenario.yml" --inventory "$demo/inventory.yml" --log "$build/unity_sim-demo.log" \
  --expected-status 2 \
  -- env PATH="$venv/bin:$PATH" ANSIBLE_PYTHON_INTERPRETER="$venv/bin/python" ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-1}" \
  "$venv/bin/ansible-playbook" -i "$demo/inventory.yml" unity.upgrade.upgrade \
    -e unity_upgrade_target_version=5.3.0.0.5.120 \
    -e "unity_upgrade_candidate_src=$package" \
    -e "unity_upgrade_candidate_checksum=$checksum" \
    -e unity_upgrade_serial=2 \
    -e unity_upgrade_max_fail_percentage=50 \
    -e unity_upgrade_poll_interval=1 \
    -e unity_upgrade_progress_interval=5 \
    -e unity_upgrade_outage_tolerance=120 \
    -e "unity_upgrade_report_dir=$demo/report"
rc=$?
set -e

report=$demo/report/report.json
if [ ! -f "$report" ]; then
  echo "demo: no report was written (ansible-playbook exit $rc)" >&2
  exit 1
fi
"$venv/bin/python" - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print("\n%-9s %-12s %-15s %-15s %-9s %s" % ("array", "model", "before", "after", "outcome", "messages"))
for row in report["arrays"]:
    print("%-9s %-12s %-15s %-15s %-9s %s" % (row["array"], row.get("model", ""), row.get("version_before", ""),
          row.get("version_after", ""), row["outcome"], "; ".join(row.get("messages", []))[:90]))
PY
echo
echo "Fleet report: $demo/report/report.html"
# The blocked array is the demo's point: ansible-playbook exits 2 for it. Any other failure is real.
expected='array-1=upgraded array-2=current array-3=blocked array-4=paused'
got=$("$venv/bin/python" -c 'import json,sys; print(" ".join("%s=%s" % (r["array"], r["outcome"]) for r in json.load(open(sys.argv[1]))["arrays"]))' "$report")
if [ "$got" != "$expected" ]; then
  echo "demo: unexpected outcomes: $got (expected $expected; ansible-playbook exit $rc)" >&2
  echo "demo: the simulator's log is $build/unity_sim-demo.log" >&2
  exit 1
fi
cat <<END
The demo ran as intended. ansible-playbook exited $rc, as it should: array-3 (UNITY-DR-01) is
blocked by the array's own eligibility check (a host without redundant paths), so the run fails
that array and nothing was started on it. array-1 was upgraded through both SP reboots, array-2
already ran the target, and array-4 paused before its reboots for a later maintenance window
(run again with -e unity_upgrade_continue_after_pause=true to finish it).
END
