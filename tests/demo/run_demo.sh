#!/usr/bin/env bash
# make demo: a night of five simulated arrays: stage the package ahead, then
# the fleet upgrade playbook with progress, then the reports. Usage: tests/demo/run_demo.sh VENV BUILD_DIR
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

# array-5's maintenance window closes as the demo starts: by the night's run no upgrade fits in it
# any more (the stage run ignores windows: it starts nothing), so it is deferred.
printf -- '---\n# The window of array-5 has closed: its upgrade is deferred to the next one.\nunity_upgrade_window_end: "%s"\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$demo/host_vars/array-5.yml"

# The night's work against one simulator: stage the package ahead, then upgrade in the window.
cat >"$demo/night.sh" <<NIGHT
#!/usr/bin/env bash
common=(-i "$demo/inventory.yml" -e unity_upgrade_target_version=5.3.0.0.5.120
        -e "unity_upgrade_candidate_src=$package" -e "unity_upgrade_candidate_checksum=$checksum"
        -e unity_upgrade_poll_interval=1 -e unity_upgrade_progress_interval=5 -e unity_upgrade_outage_tolerance=120)
echo; echo "== Stage: health, eligibility, upload and verify the package; nothing is started"; echo
"$venv/bin/ansible-playbook" "\${common[@]}" unity.upgrade.stage -e "unity_upgrade_report_dir=$demo/stage-report"
echo; echo "== Upgrade: two arrays at a time, through the SP reboots"; echo
"$venv/bin/ansible-playbook" "\${common[@]}" unity.upgrade.upgrade -e unity_upgrade_serial=2 \
  -e unity_upgrade_max_fail_percentage=50 -e "unity_upgrade_report_dir=$demo/report"
NIGHT
chmod +x "$demo/night.sh"

set +e
"$venv/bin/python" "$repo/tests/utils/with_simulator.py" --arrays 5 --time-scale "${DEMO_TIME_SCALE:-30}" \
  --scenario "$here/scenario.yml" --inventory "$demo/inventory.yml" --log "$build/unity_sim-demo.log" \
  --expected-status 2 \
  -- env PATH="$venv/bin:$PATH" ANSIBLE_PYTHON_INTERPRETER="$venv/bin/python" ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-1}" \
  "$demo/night.sh"
rc=$?
set -e

report=$demo/report/report.json
if [ ! -f "$report" ]; then
  echo "demo: no report was written (ansible-playbook exit $rc)" >&2
  exit 1
fi
for run in stage-report report; do
  [ -f "$demo/$run/report.json" ] || continue
  "$venv/bin/python" - "$demo/$run/report.json" "$run" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print("\n%s" % ("Stage (the day before):" if sys.argv[2] == "stage-report" else "Upgrade (the night):"))
print("%-9s %-12s %-15s %-15s %-9s %s" % ("array", "model", "before", "after", "outcome", "messages"))
for row in report["arrays"]:
    print("%-9s %-12s %-15s %-15s %-9s %s" % (row["array"], row.get("model", ""), row.get("version_before", ""),
          row.get("version_after", ""), row["outcome"], "; ".join(row.get("messages", []))[:90]))
PY
done
echo
echo "Fleet report: $demo/report/report.html (the table, then a timeline of the night: phases, outages)"
# The blocked array is the demo's point: ansible-playbook exits 2 for it. Any other failure is real.
expected='array-1=upgraded array-2=current array-3=blocked array-4=paused array-5=deferred'
got=$("$venv/bin/python" -c 'import json,sys; print(" ".join("%s=%s" % (r["array"], r["outcome"]) for r in json.load(open(sys.argv[1]))["arrays"]))' "$report")
if [ "$got" != "$expected" ]; then
  echo "demo: unexpected outcomes: $got (expected $expected; ansible-playbook exit $rc)" >&2
  echo "demo: the simulator's log is $build/unity_sim-demo.log" >&2
  exit 1
fi
cat <<END
The demo ran as intended. ansible-playbook exited $rc, as it should: array-3 (UNITY-DR-01) is
blocked by the array's own eligibility check (a host without redundant paths), so both runs fail
that array and nothing was uploaded to it or started on it. The stage run put the package on the
other arrays the day before; in the night array-1 was upgraded through both SP reboots without
uploading again, array-2 already ran the target, array-4 paused before its reboots for a later
window (run again with -e unity_upgrade_continue_after_pause=true), and array-5 was deferred: its
window had closed, so no upgrade was started on it (its package stays staged for the next window).
END
