#!/usr/bin/env bash
# make playbooks-X.Y: the fleet playbooks with the ansible-core of another venv, against the simulator.
#   tests/utils/core_smoke.sh CORE_VENV TOOLS_VENV WORKDIR
# CORE_VENV (build/venvs/ansible-core-X.Y) runs ansible-playbook, and so the modules (the playbooks
# use ansible_playbook_python); TOOLS_VENV (.venv) runs the simulator. Against two simulated arrays
# (tests/utils/core-smoke-scenario.yml), with the collection of ANSIBLE_COLLECTIONS_PATH:
#   unity.upgrade.precheck          array-1 ready,    array-2 current
#   unity.upgrade.upgrade --check   array-1 planned,  array-2 current
#   unity.upgrade.upgrade           array-1 upgraded, array-2 current
#   unity.upgrade.report            the precheck's and the upgrade's reports merged: the newest run wins
# each read from the fleet report, and ansible-playbook must exit 0 each time.
set -euo pipefail
core=$1
tools=$2
work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work/packages"
target=5.3.0.0.5.120
package=$(PYTHONPATH=$here/.. "$tools/bin/python" -c \
  'import sys, unity_sim.packages as p; print(p.write_candidate(sys.argv[1], sys.argv[2], 1 << 20))' \
  "$work/packages" "$target")

cat >"$work/run.sh" <<RUN
#!/usr/bin/env bash
set -euo pipefail
export PATH="$core/bin:\$PATH" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0
common=(-i "$work/inventory.yml" -e unity_upgrade_target_version=$target -e unity_upgrade_poll_interval=1
        -e unity_upgrade_progress_interval=5 -e unity_upgrade_outage_tolerance=120)
check() {  # check REPORT_DIR array-1=OUTCOME array-2=OUTCOME
  got=\$("$tools/bin/python" -c 'import json, sys; print(" ".join("%s=%s" % (r["array"], r["outcome"]) for r in json.load(open(sys.argv[1]))["arrays"]))' "\$1/report.json")
  shift
  [ "\$got" = "\$*" ] || { echo "core-smoke: outcomes \$got, expected \$*" >&2; exit 1; }
  echo "core-smoke: \$got"
}
ansible-playbook "\${common[@]}" unity.upgrade.precheck -e unity_upgrade_report_dir="$work/precheck"
check "$work/precheck" array-1=ready array-2=current
ansible-playbook "\${common[@]}" unity.upgrade.upgrade --check -e unity_upgrade_candidate_src="$package" \
  -e unity_upgrade_report_dir="$work/check"
check "$work/check" array-1=planned array-2=current
ansible-playbook "\${common[@]}" unity.upgrade.upgrade -e unity_upgrade_candidate_src="$package" \
  -e unity_upgrade_report_dir="$work/upgrade"
check "$work/upgrade" array-1=upgraded array-2=current
ansible-playbook -i "$work/inventory.yml" unity.upgrade.report -e unity_upgrade_report_dir="$work/merged" \
  -e '{"unity_upgrade_report_inputs": ["$work/precheck", "$work/upgrade/report.json"]}'
check "$work/merged" array-1=upgraded array-2=current
RUN
chmod +x "$work/run.sh"

echo "== fleet playbooks with ansible-core $("$core/bin/python" -c 'import ansible.release as r; print(r.__version__)') against 2 simulated arrays"
"$tools/bin/python" "$here/with_simulator.py" --arrays 2 --time-scale 120 \
  --scenario "$here/core-smoke-scenario.yml" --inventory "$work/inventory.yml" --log "$work/unity_sim.log" \
  -- "$work/run.sh" >"$work/output.log" 2>&1 || { tail -n 60 "$work/output.log" >&2; exit 1; }
grep '^core-smoke:' "$work/output.log"
if grep -E '^\[(WARNING|DEPRECATION WARNING)\]' "$work/output.log" | grep -v 'provided hosts list is empty' >&2; then
  echo "core-smoke: ansible-playbook warned (above); see $work/output.log" >&2
  exit 1
fi
