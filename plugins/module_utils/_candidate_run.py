# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.

"""How unity.upgrade.upgrade_candidate runs: check the package, read, plan (_candidate_plan),
upload unless check mode, report.

Each step returns what it found or did; the result dict is built from them at the end (or in the
failure of an upload, which says whether the candidate that was on the array is gone).
"""


import time
from collections import namedtuple

from ansible_collections.unity.upgrade.plugins.module_utils._candidate_plan import (
    REPORTED_PACKAGE_KEYS,
    Reading,
    check_timeouts,
    decide,
    package_of,
    raced_by,
    raced_msg,
    refuse_if_busy,
    still_listed,
    upgrades_software,
    uploaded_msg,
)
from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModuleError
from ansible_collections.unity.upgrade.plugins.module_utils.records import (
    Candidate,
    as_dict,
    candidates_of,
    sessions_of,
)
from ansible_collections.unity.upgrade.plugins.module_utils.rest import (
    UnityApiError,
    UnityConnectionError,
    UnityTLSError,
    ca_path_problem,
    one_line,
)
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import CandidateNotListed, UpgradeApi
from ansible_collections.unity.upgrade.plugins.module_utils.upload import (
    FileSource,
    MultipartBody,
    UploadError,
    UrlSource,
    check_url,
    inspect_file,
    mib_per_second,
    parse_checksum,
    redact_url,
    upload_candidate,
)

# What an upload did: the candidate the array lists afterwards (a Candidate), the transfer's
# figures (returned as ``upload``), the file name the array was sent, and what came back instead
# of a readable answer (None when the array answered it).
Uploaded = namedtuple('Uploaded', ('candidate', 'stats', 'filename', 'unread'))


def run(unity):
    """The module's main: returns its result, raises UnityModuleError or UnityApiError to fail."""
    try:
        return ensure_candidate(unity)
    except UploadError as error:
        raise UnityModuleError(error.message)


def ensure_candidate(unity):
    package = read_package(unity.params)
    api = UpgradeApi(unity.client)
    reading = read_array(api, package)
    plan = decide(package, reading, unity.params['force'])
    if not plan.upload:
        return result_of(package, reading, False, plan.match, None, plan.msg)
    refuse_if_busy(sessions_of(api.sessions()))
    if unity.check_mode:
        return result_of(package, reading, True, None, plan.replaced, plan.msg)
    try:
        uploaded = upload(unity, api, package, plan.replaced)
    except UploadError as error:
        raise failure_after_upload(api, error.message, {}, package, reading, plan.replaced)
    except UnityApiError as error:
        raced = raced_meanwhile(api, package) if error.http_status == 409 else None
        if raced is None:
            raise failure_after_upload(api, error.message, error_details(error), package, reading, plan.replaced)
        return result_of(package, reading, False, raced[0], None, raced_msg(*raced))
    msg = uploaded_msg(uploaded.filename, uploaded.stats, uploaded.candidate, plan.replaced)
    if uploaded.unread:
        msg += " (the array's answer to the upload could not be read: %s; its candidates were read back)" % (
            uploaded.unread)
    result = result_of(package._replace(filename=uploaded.filename, size=uploaded.stats['bytes']), reading, True,
                       uploaded.candidate, plan.replaced, msg)
    result['upload'] = uploaded.stats
    return result


def result_of(package, reading, changed, candidate, replaced, msg):
    """The module's result: every key but ``upload``."""
    return {
        'changed': changed,
        'candidate': as_dict(candidate),
        'replaced': as_dict(replaced),
        'package': reported_package(package),
        'version_before': reading.installed,
        'installed_version': reading.installed,
        'msg': msg,
    }


def reported_package(package):
    return dict((name, getattr(package, name)) for name in REPORTED_PACKAGE_KEYS)


# -- read -------------------------------------------------------------------------------------

def read_package(params):
    """What to upload, checked without reading the file or contacting the URL."""
    check_timeouts(params)
    checksum = parse_checksum(params['checksum']) if params['checksum'] is not None else None
    if params['url_ca_path']:
        problem = ca_path_problem(params['url_ca_path'])
        if problem:
            raise UnityModuleError("url_ca_path %s: give the PEM file of the CA that signed the artifact "
                                   "server's certificate" % problem)
    if params['src'] is not None:
        filename, size = inspect_file(params['src'])
        source = params['src']
    else:
        filename, size = check_url(params['url']), None
        source = redact_url(params['url'])
    return package_of(filename, size, source, params['version'], checksum)


def read_array(api, package):
    """The installed version (for a software package) and the candidates."""
    installed = api.installed_software() if upgrades_software(package) else None
    return Reading(installed['parsed_version'] if installed else None, candidates_of(api.candidates()))


# -- upload -----------------------------------------------------------------------------------

def open_source(params):
    if params['src'] is not None:
        return FileSource(params['src']).open()
    timeout = (min(10.0, params['request_timeout']), params['request_timeout'])
    return UrlSource(params['url'], headers=params['url_headers'],
                     validate_certs=params['url_validate_certs'], ca_path=params['url_ca_path'],
                     username=params['url_username'], password=params['url_password'],
                     timeout=timeout).open()


def upload(unity, api, package, replaced):
    """Stream the package to the array, then wait until the array lists it."""
    params = unity.params
    source = open_source(params)
    bodies = []

    def make_body():
        bodies.append(MultipartBody(source, expected_sha256=package.checksum,
                                    deadline=time.monotonic() + params['upload_timeout']))
        return bodies[-1]

    started = time.monotonic()
    unread = None
    try:
        upload_candidate(unity.client, make_body, timeout=params['upload_timeout'])
    except UnityApiError as error:
        # The whole file went out and the answer cannot be read: the array may have taken it. What
        # it lists settles that; the upload is never sent again on a guess.
        unread = unreadable_answer(error)
        if unread is None:
            raise
    finally:
        source.close()
    seconds = time.monotonic() - started
    body = bodies[-1]
    try:
        candidate = api.wait_for_candidate(package.version, package.type, previous=as_dict(replaced),
                                           timeout=params['processing_timeout'])
    except CandidateNotListed:
        if unread is None:
            raise
        raise UnityApiError(
            "the array's answer to the upload of %s could not be read (%s) and it lists no candidate of version "
            '%s %g s after all %d bytes were sent: it did not keep the file, or is still verifying it. Check with '
            'unity.upgrade.info, or run the task again: it uploads only when the candidate is still missing'
            % (body.filename, unread, package.version, params['processing_timeout'], body.data_bytes_sent))
    return Uploaded(Candidate.of(candidate), {
        'bytes': body.data_bytes_sent,
        'seconds': round(seconds, 3),
        'mib_per_second': mib_per_second(body.data_bytes_sent, seconds),
        'sha256': body.sha256,
        'checksum_verified': package.checksum is not None,
        'chunked': body.len is None,
    }, body.filename, unread)


def unreadable_answer(error):
    """What came back instead of an answer to an upload the array may have applied (a server error, a
    gateway's page, a connection lost after the last byte), in a few words; None for a refusal or a
    cut-off upload, which the array certainly did not keep."""
    if isinstance(error, UnityConnectionError):
        return error.reason if error.maybe_applied and not isinstance(error, UnityTLSError) else None
    if error.http_status is None or error.http_status < 500:
        return None
    code = ', error code %s' % error.error_code if error.error_code not in (None, '') else ''
    # the array's texts, else what the message says of the body (a gateway's page title)
    detail = '; '.join(error.messages) or error.message.rpartition('HTTP %s: ' % error.http_status)[2]
    detail = ': %s' % detail if detail else ''
    return one_line('HTTP %s%s%s' % (error.http_status, code, detail), 300)


def raced_meanwhile(api, package):
    """After a 409 to the upload: ``(candidate, session)`` records when a second run of the same job
    put the package on the array and started a session with it, else None."""
    return raced_by(candidates_of(api.candidates()), sessions_of(api.sessions()), package)


# -- failure ----------------------------------------------------------------------------------

def error_details(error):
    details = {'error_code': error.error_code, 'http_status': error.http_status,
               'api_unreachable': isinstance(error, UnityConnectionError) and not isinstance(error, UnityTLSError)}
    if error.messages:
        details['messages'] = error.messages
    return details


def failure_after_upload(api, message, details, package, reading, replaced):
    """The error of an upload that failed, saying whether the candidate that was on the array is gone.

    The array drops its candidate when it takes a new file in: a failure after that point changed the
    array (``changed`` true, ``replaced`` names it). When the candidates cannot be read again, the
    candidate may be gone, and the result says so rather than that nothing changed.
    """
    details = dict(details, package=reported_package(package), installed_version=reading.installed,
                   version_before=reading.installed, candidate=None, changed=False, replaced=None)
    if replaced is None:
        return UnityModuleError(message, **details)
    try:
        listed = candidates_of(api.candidates())
    except UnityApiError as error:
        details.update(changed=True, replaced=replaced.as_dict())
        return UnityModuleError('%s; candidate %s may have been replaced (the candidates could not be read '
                                'again: %s)' % (message, replaced.describe(), error.message), **details)
    if still_listed(listed, replaced):
        return UnityModuleError(message, **details)
    details.update(changed=True, replaced=replaced.as_dict())
    return UnityModuleError('%s; candidate %s is no longer on the array: the upload replaced it'
                            % (message, replaced.describe()), **details)
