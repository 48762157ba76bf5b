#!/usr/bin/env bash
# Run pytest on each given test directory that exists, one pytest run per directory.
#   tests/utils/pytest_dirs.sh PYTHON DIR [DIR ...] [-- PYTEST-ARGS ...]
# A directory that is missing or holds no test file yet is reported and passes; pytest's
# exit status 5 ("no tests collected") fails when the directory does hold test files
# (test_*.py or *_test.py), e.g. because a collection error or filter hid them.
# Exits non-zero when any run failed, after running all of them.
set -uo pipefail
python=$1; shift
dirs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do dirs+=("$1"); shift; done
[ $# -gt 0 ] && shift
failed=()
for dir in "${dirs[@]}"; do
  if [ ! -d "$dir" ] || [ -z "$(find "$dir" \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit)" ]; then
    echo "pytest: no tests in $dir yet, nothing to run"
    continue
  fi
  echo "== pytest $dir"
  "$python" -m pytest "$dir" "$@"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "pytest: $dir failed (exit $rc)" >&2
    failed+=("$dir")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "pytest: failed: ${failed[*]}" >&2
  exit 1
fi
