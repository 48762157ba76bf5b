# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a Unity array answers, built for scripted replies: the collection and instance envelopes,
raw session, candidate and basicSystemInfo records, and the API paths the tests script."""


BASIC = '/api/types/basicSystemInfo/instances'
SESSIONS = '/api/types/upgradeSession/instances'
OLD_SESSIONS = '/api/types/softwareUpgradeSession/instances'
CANDIDATES = '/api/types/candidateSoftwareVersion/instances'
SPS = '/api/types/storageProcessor/instances'
SID = 'Upgrade_5.3.0.120'

# The tasks of an upgrade session, in the order a Unity 5.x array lists them.
CAPTIONS = ('Preparing system', 'Performing health checks', 'Preparing system software',
            'Waiting for reboot command', 'Performing health checks',
            'Installing new software on peer SP', 'Rebooting peer SP', 'Restarting services on peer SP',
            'Installing new software on primary SP', 'Rebooting the primary SP',
            'Restarting services on primary SP', 'Final tasks')


# -- envelopes --------------------------------------------------------------------------------

def collection(*contents, **links):
    """A collection answer (GET /api/types/T/instances) with ``contents`` as its entries;
    ``next_page=N`` adds the link to a next page."""
    body = {'@base': 'https://unity.example.com/api/types/x/instances?per_page=2000&compact=true',
            'updated': '2026-01-01T00:00:00.000Z', 'links': [{'rel': 'self', 'href': '&page=1'}],
            'entries': [{'content': c} for c in contents]}
    if 'next_page' in links:
        body['links'].append({'rel': 'next', 'href': '&page=%d' % links['next_page']})
    return body


def instance(content):
    """An instance answer (GET /api/instances/T/ID)."""
    return {'@base': 'https://unity.example.com/api/instances/x', 'updated': '2026-01-01T00:00:00.000Z',
            'links': [{'rel': 'self', 'href': '/x'}], 'content': content}


# -- raw records ------------------------------------------------------------------------------

def raw_session(status=1, percent=10, at=2, sid=SID, candidate_id='candidate_1', created='2026-01-01T10:00:00.000Z',
                messages=(), task_status=None):
    """An upgradeSession as the array lists it: the tasks before ``at`` done, task ``at`` in
    ``task_status`` (default: the session's status), the rest not started; all done when the
    session completed (2) or was cancelled (7)."""
    tasks = []
    for index, caption in enumerate(CAPTIONS):
        if status in (2, 7) or index < at:
            value = 2
        elif index == at:
            value = status if task_status is None else task_status
        else:
            value = 0
        tasks.append({'caption': caption, 'status': value, 'type': 0, 'estRemainTime': '00:01:00.000'})
    content = {'id': sid, 'type': 0, 'caption': sid, 'status': status, 'percentComplete': percent,
               'creationTime': created, 'elapsedTime': '00:10:00.000', 'tasks': tasks,
               'messages': list(messages)}
    if candidate_id:
        content['candidate'] = {'id': candidate_id}
    return content


def raw_candidate(cid='candidate_1', version='5.3.0.0.5.120', can_pause=True):
    """A candidateSoftwareVersion as the array lists it."""
    return {'id': cid, 'version': version, 'fullVersion': 'Unity %s (Release, Build 120, 2023-03-18, %s)'
            % ('.'.join(version.split('.')[:4]), version), 'type': 0, 'rebootRequired': True,
            'canPauseBeforeReboot': can_pause}


def basic(version='5.2.0.0.5.173'):
    """The basicSystemInfo collection of an array that runs ``version``."""
    three = '.'.join(version.split('.')[:3])
    return collection({'id': '0', 'model': 'Unity 480F', 'name': 'APM1', 'softwareVersion': three,
                       'softwareFullVersion': 'Unity %s.0 (Release, Build %s, 2022-11-10 10:00:00, %s)'
                       % (three, version.split('.')[-1], version), 'apiVersion': '13.0',
                       'earliestApiVersion': '4.0'})
