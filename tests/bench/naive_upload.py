# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The naive reference upload: what a script written in five minutes does with ``requests``.

    python naive_upload.py BASE_URL CA_FILE USERNAME PASSWORD FILE

Logs in (Basic auth on loginSessionInfo, cookies, the EMC-CSRF-TOKEN header), posts the file with
``files=`` (requests builds the whole multipart body in memory), logs out, and prints one JSON
line: ``{"status", "seconds"}`` (seconds: the upload request, from the call to the answer).
The password comes from the environment variable NAIVE_UPLOAD_PASSWORD when USERNAME's password
argument is ``-`` (so it is not on a command line).
"""

import json
import os
import sys
import time

import requests

UPLOAD = '/upload/files/types/candidateSoftwareVersion'
LOGIN = '/api/types/loginSessionInfo/instances'
LOGOUT = '/api/types/loginSessionInfo/action/logout'


def main(argv):
    base, ca_file, username, password, path = argv
    if password == '-':
        password = os.environ['NAIVE_UPLOAD_PASSWORD']
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
    session.verify = ca_file
    session.headers.update({'X-EMC-REST-CLIENT': 'true', 'Accept': 'application/json'})
    login = session.get(base + LOGIN, params={'compact': 'true', 'fields': 'id'}, auth=(username, password),
                        timeout=60)
    login.raise_for_status()
    token = login.headers['EMC-CSRF-TOKEN']
    started = time.monotonic()
    with open(path, 'rb') as handle:
        response = session.post(base + UPLOAD, files={'filename': (os.path.basename(path), handle)},
                                headers={'EMC-CSRF-TOKEN': token}, timeout=3600)
    seconds = time.monotonic() - started
    session.post(base + LOGOUT, json={'localCleanupOnly': 'true'}, headers={'EMC-CSRF-TOKEN': token},
                 timeout=60)
    print(json.dumps({'status': response.status_code, 'seconds': round(seconds, 3)}))
    return 0 if response.status_code == 200 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
