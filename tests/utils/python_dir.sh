#!/usr/bin/env bash
# Print the directory of a working `pythonX.Y` interpreter, for PATH=<dir>:$PATH.
#   tests/utils/python_dir.sh X.Y
# Looks on PATH first (a pyenv shim for a version that is installed but not selected
# does not run, so it does not count), then in pyenv's versions (newest patch release).
# Exits 1, printing nothing, when there is none.
set -uo pipefail
v=$1
exe=$(command -v "python$v" 2>/dev/null) && "$exe" -c '' >/dev/null 2>&1 && { dirname "$exe"; exit 0; }
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
while read -r dir; do
  [ -x "$dir/python$v" ] && "$dir/python$v" -c '' >/dev/null 2>&1 && { echo "$dir"; exit 0; }
done < <(printf '%s\n' "$root/versions/$v".*/bin | sort -rV)
exit 1
