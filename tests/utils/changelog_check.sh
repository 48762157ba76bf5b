#!/usr/bin/env bash
# Fail when this change touches plugins/ or roles/ without adding a changelog fragment.
#   tests/utils/changelog_check.sh [BASE]
# The change is the working tree (committed, staged, unstaged and untracked files)
# against BASE: by default the merge-base with origin/main when such a remote branch
# exists and HEAD has commits it does not have (a branch), else the previous commit (so a
# fresh clone of main, as CI runs it, checks its last commit rather than nothing); with a
# single commit there is nothing to compare and the check passes. CHANGELOG_BASE=<rev>
# overrides BASE.
# A fragment is a new changelogs/fragments/*.yml or *.yaml file.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

base=${1:-${CHANGELOG_BASE:-}}
if [ -z "$base" ]; then
  if git rev-parse -q --verify origin/main >/dev/null \
     && [ "$(git merge-base HEAD origin/main)" != "$(git rev-parse HEAD)" ]; then
    base=$(git merge-base HEAD origin/main)
    what="merge-base with origin/main (${base:0:12})"
  elif git rev-parse -q --verify 'HEAD~1' >/dev/null; then
    base=$(git rev-parse 'HEAD~1')
    what="previous commit (${base:0:12})"
  else
    echo "changelog-check: single commit or no history, nothing to compare: OK"
    exit 0
  fi
else
  what=$base
fi

changed=$( { git diff --name-only "$base" -- plugins roles; git ls-files --others --exclude-standard -- plugins roles; } | sort -u)
if [ -z "$changed" ]; then
  echo "changelog-check: no change under plugins/ or roles/ since the $what: OK"
  exit 0
fi
fragments=$( { git diff --name-only --diff-filter=A "$base" -- changelogs/fragments;
               git ls-files --others --exclude-standard -- changelogs/fragments; } \
             | grep -E '\.ya?ml$' | sort -u || true)
if [ -n "$fragments" ]; then
  echo "changelog-check: plugins/ or roles/ changed since the $what; fragment(s): ${fragments//$'\n'/ }: OK"
  exit 0
fi
echo "changelog-check: these files under plugins/ or roles/ changed since the $what:" >&2
while read -r path; do echo "  $path"; done <<<"$changed" >&2
echo "but no changelog fragment was added. Add changelogs/fragments/<topic>.yml, e.g.:" >&2
printf '  minor_changes:\n    - info - report the drive firmware versions.\n' >&2
echo "(trivial changes: a fragment with a 'trivial:' section)" >&2
exit 1
