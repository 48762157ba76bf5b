#!/usr/bin/env bash
# make ee-check: the execution-environment files work with ansible-builder, without a container engine.
#   tests/utils/ee_check.sh VENV BUILD_DIR INSTALLED_COLLECTIONS_PATH
# 1. `ansible-builder create` turns the sample docs/execution-environment.yml (version 3) into a
#    build context (Containerfile, _build/requirements.yml, scripts) under BUILD_DIR/ee-context;
# 2. `ansible-builder introspect` of the installed collection (what the image build runs) finds
#    meta/execution-environment.yml and the Python requirements it names.
set -euo pipefail
venv=$1
build=$2
installed=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
context=$build/ee-context
rm -rf "$context"

"$venv/bin/ansible-builder" create --file "$repo/docs/execution-environment.yml" --context "$context" \
  --output-filename Containerfile
for f in Containerfile _build/requirements.yml _build/scripts/assemble _build/scripts/introspect.py; do
  [ -f "$context/$f" ] || { echo "ee-check: ansible-builder create wrote no $f" >&2; exit 1; }
done
grep -q 'unity.upgrade' "$context/_build/requirements.yml" \
  || { echo "ee-check: unity.upgrade is not in the build context's requirements.yml" >&2; exit 1; }

coll=$installed/ansible_collections/unity/upgrade
[ -f "$coll/meta/execution-environment.yml" ] \
  || { echo "ee-check: the built collection has no meta/execution-environment.yml" >&2; exit 1; }
deps=$("$venv/bin/ansible-builder" introspect "$installed")
echo "$deps"
expected=$(grep -vE '^\s*(#|$)' "$repo/requirements.txt")
while read -r req; do
  grep -qF "$req  # from collection unity.upgrade" <<<"$deps" \
    || { echo "ee-check: introspect does not list '$req' for unity.upgrade" >&2; exit 1; }
done <<<"$expected"
echo "ee-check: build context in $context; unity.upgrade needs: $(tr '\n' ' ' <<<"$expected")"
