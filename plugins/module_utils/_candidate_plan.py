# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.

"""What unity.upgrade.upgrade_candidate does: pure decisions over typed records.

Nothing here reads or changes the array, the package file or the URL. The questions, in order:
what is the package (its version and type, and does the input contradict itself)? does the array
already run it, or already hold it as its candidate? what would an upload replace (the array
keeps one candidate)? is a session in the way? and after a failed upload, is the replaced
candidate gone?
"""


from collections import namedtuple

from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModuleError
from ansible_collections.unity.upgrade.plugins.module_utils.records import active_session
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    candidate_matches,
    candidate_type_from_filename,
    compare_versions,
    version_from_filename,
)
from ansible_collections.unity.upgrade.plugins.module_utils.versions import (
    AT,
    IMPRECISE,
    NEWER,
    imprecise_reason,
    standing,
    user_version,
    version_problem,
)
from ansible_collections.unity.upgrade.plugins.module_utils.upload import (
    SENSITIVE_HEADER,
    url_credentials,
    url_query,
)
from ansible_collections.unity.upgrade.plugins.module_utils.vocabulary import (
    CANDIDATE_SOFTWARE,
    CANDIDATE_TYPE_NAMES,
)

TIMEOUT_OPTIONS = ('upload_timeout', 'processing_timeout')
# The package keys the module returns in ``package``.
REPORTED_PACKAGE_KEYS = ('filename', 'version', 'type_name', 'size', 'source')

# What to upload: its file name, version (as written), candidate type, size (None for a URL that
# has not answered yet), where it comes from (a path, or a URL without its secrets), and the sha256
# it must have (or None).
Package = namedtuple('Package', ('filename', 'version', 'type', 'type_name', 'size', 'source', 'checksum'))
# What the array answered: the installed version (software packages only, else None) and the
# Candidate records.
Reading = namedtuple('Reading', ('installed', 'candidates'))
# What to do: upload or not; the candidate already there (match) and the one an upload replaces.
Plan = namedtuple('Plan', ('upload', 'match', 'replaced', 'msg'))


# -- input ----------------------------------------------------------------------------------

def check_timeouts(params):
    for name in TIMEOUT_OPTIONS:
        if params[name] <= 0:
            raise UnityModuleError('%s must be a positive number of seconds, got %s' % (name, params[name]))


def package_version(version, filename):
    """The version of the package as written: the ``version`` option, which must agree with the one
    in the file name when it has one, else the file name's."""
    in_name = version_from_filename(filename)
    if version is None:
        if in_name is None:
            raise UnityModuleError(
                "the file name '%s' carries no version (Unity-X.Y.Z.P.5.BUILD.tgz.bin.gpg): set the "
                'version option to the version of the package' % filename)
        return in_name
    problem = version_problem('version', version)
    if problem:
        raise UnityModuleError(problem)
    version = user_version(version)
    if in_name is not None and compare_versions(in_name, version) != 0:
        # Refused before anything is sent: an upload replaces the candidate on the array.
        raise UnityModuleError(
            "version %s contradicts the file name '%s', which carries version %s: set version to the "
            'version of the package, or leave it out to use the one in the file name' % (version, filename, in_name))
    return version


def package_of(filename, size, source, version, checksum):
    """The Package of a checked file name and size (``version`` is the option, or None)."""
    candidate_type = candidate_type_from_filename(filename)
    return Package(filename, package_version(version, filename), candidate_type,
                   CANDIDATE_TYPE_NAMES[candidate_type], size, source, checksum)


def upgrades_software(package):
    """Whether the package upgrades the operating environment (then the installed version matters)."""
    return package.type == CANDIDATE_SOFTWARE


def hidden_values(params):
    """Credentials the options carry inside other values (a URL's user info and query, the value of
    an Authorization-like header): kept out of every output, the logged invocation included."""
    secrets = set()
    if params.get('url'):
        secrets.add(url_credentials(params['url']))
        secrets.add(url_query(params['url']))
    for name, value in (params.get('url_headers') or {}).items():
        if SENSITIVE_HEADER.search(str(name)) and value is not None:
            secrets.add(str(value))
    return [s for s in secrets if s]


# -- decisions --------------------------------------------------------------------------------

def is_package(candidate, package):
    """Whether a Candidate record is of the package's version and type."""
    return candidate_matches(candidate.as_dict(), package.version, package.type)


def matching(candidates, package):
    return next((c for c in candidates if is_package(c, package)), None)


def to_replace(candidates, package, match):
    """The candidate an upload replaces: the match (forced), else one of the package's type, else any."""
    if match is not None:
        return match
    same_type = [c for c in candidates if c.type in (None, package.type)]
    return (same_type or candidates or [None])[0]


def decide(package, reading, force=False):
    """Upload or not, and why."""
    match = matching(reading.candidates, package)
    where = standing(reading.installed, package.version) if reading.installed else None
    if where in (AT, NEWER):
        return Plan(False, match, None, 'the array already runs %s, which is %s or newer: nothing to upload'
                    % (reading.installed, package.version))
    if where == IMPRECISE:
        # an upload would replace the candidate on the array on a guess
        raise UnityModuleError(imprecise_reason('the array', reading.installed, package.version, 'version'))
    if match is not None and not force:
        return Plan(False, match, None, 'candidate %s is already on the array: nothing uploaded' % match.describe())
    replaced = to_replace(reading.candidates, package, match)
    return Plan(True, match, replaced, 'would upload %s (%s) from %s%s' % (
        package.filename, size_text(package.size), package.source, replacing(replaced)))


def refuse_if_busy(sessions):
    """An upload while a session is not over is refused by the array: say so before sending."""
    busy = active_session(sessions)
    if busy is not None:
        raise UnityModuleError(
            'upgrade session %s is %s on the array, which takes no new candidate while a session is '
            'active: let it finish, or cancel it with unity.upgrade.upgrade_session state=cancelled, '
            'then run again' % (busy.id, busy.status_name), session_id=busy.id)


def raced_by(candidates, sessions, package):
    """After a 409 to the upload: ``(candidate, session)`` when the array now lists a candidate of the
    package and an active session installs it (a second run of the same job raced this one), else None."""
    match = matching(candidates, package)
    busy = active_session(sessions)
    if match is None or busy is None or busy.candidate_id != match.id:
        return None
    return match, busy


def still_listed(candidates, replaced):
    """Whether the candidate an upload would have replaced is still on the array."""
    return any(c.id == replaced.id and c.parsed_version == replaced.parsed_version for c in candidates)


# -- messages ---------------------------------------------------------------------------------

def size_text(size):
    if size is None:
        return 'unknown size'
    for unit, scale in (('GiB', 1 << 30), ('MiB', 1 << 20), ('KiB', 1 << 10)):
        if size >= scale:
            return '%.1f %s' % (size / float(scale), unit)
    return '%d bytes' % size


def replacing(replaced):
    return ', replacing candidate %s' % replaced.describe() if replaced is not None else ''


def uploaded_msg(filename, stats, candidate, replaced):
    seconds = stats['seconds']
    return 'uploaded %s (%s in %s s, %s MiB/s); the array lists candidate %s%s' % (
        filename, size_text(stats['bytes']), '%.1f' % seconds if seconds >= 1 else '%.2f' % seconds,
        stats['mib_per_second'], candidate.describe(), replacing(replaced))


def raced_msg(candidate, session):
    return ('while this upload ran, another client put candidate %s on the array and started session %s (%s) '
            'with it: nothing uploaded' % (candidate.describe(), session.id, session.status_name))
