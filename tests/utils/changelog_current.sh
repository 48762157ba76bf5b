#!/usr/bin/env bash
# The generated changelog is current (make changelog-check; antsibull-changelog on PATH).
#   tests/utils/changelog_current.sh WORKDIR
# 1. CHANGELOG.rst is exactly what `antsibull-changelog generate` writes from
#    changelogs/changelog.yaml: nobody edited it by hand, nobody forgot to regenerate it.
# 2. Every release in changelogs/changelog.yaml lists only fragments that exist (keep_fragments).
# 3. Fragments that no release lists yet are pending: reported, and they fail only with
#    CHANGELOG_STRICT=1 (for a release: `make changelog` folds them into galaxy.yml's version).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
work=$1
rm -rf "$work"
mkdir -p "$work"

antsibull-changelog generate --output "$work/CHANGELOG.rst" --output-format rst >/dev/null
if ! diff -u CHANGELOG.rst "$work/CHANGELOG.rst" >"$work/CHANGELOG.diff"; then
  cat "$work/CHANGELOG.diff" >&2
  echo "changelog-check: CHANGELOG.rst is not what antsibull-changelog generates from changelogs/changelog.yaml;" >&2
  echo "  run 'make changelog' (never edit CHANGELOG.rst by hand) and commit CHANGELOG.rst and changelogs/" >&2
  exit 1
fi

python=$(command -v python3)
[ -x "$(dirname "$(command -v antsibull-changelog)")/python" ] && python=$(dirname "$(command -v antsibull-changelog)")/python
"$python" - <<'PY'
import os, sys
import yaml
with open('changelogs/changelog.yaml', encoding='utf-8') as handle:
    changes = yaml.safe_load(handle) or {}
listed = {}
for version, release in (changes.get('releases') or {}).items():
    for name in release.get('fragments') or []:
        listed[name] = version
present = sorted(n for n in os.listdir('changelogs/fragments') if n.endswith(('.yml', '.yaml')))
missing = sorted(n for n in listed if n not in present)
pending = [n for n in present if n not in listed]
if missing:
    print('changelog-check: changelogs/changelog.yaml lists fragments that do not exist: %s'
          ' (fragments are kept: restore them)' % ', '.join(missing), file=sys.stderr)
    sys.exit(1)
if pending:
    msg = ('changelog-check: %d fragment(s) not in a release yet (make changelog folds them into the release of '
           "galaxy.yml's version and regenerates CHANGELOG.rst): %s" % (len(pending), ', '.join(pending)))
    if os.environ.get('CHANGELOG_STRICT') == '1':
        print(msg, file=sys.stderr)
        sys.exit(1)
    print(msg)
print('changelog-check: CHANGELOG.rst is current with changelogs/changelog.yaml (%d released fragments): OK'
      % len(listed))
PY
