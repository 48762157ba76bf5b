#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: upgrade_candidate
short_description: Put an upgrade package on a Unity array as its upgrade candidate
version_added: 1.0.0
description:
  - Uploads a Dell EMC Unity upgrade package (for example C(Unity-5.3.0.0.5.120.tgz.bin.gpg)) to the array through the
    Unisphere REST API, so that M(unity.upgrade.upgrade_session) can install it.
  - The file comes from a local path (O(src)) or is streamed from an HTTP(S) server straight to the array (O(url));
    nothing is written to local disk and memory use does not grow with the file. The request carries an exact
    C(Content-Length) whenever the size is known in advance.
  - The sha256 of the file is computed while it is sent and returned. With O(checksum) it is verified before the last
    chunk (1 MiB) is sent; on a mismatch the connection is dropped instead of completing the upload, so the array gets
    no candidate from that file.
  - Idempotent. A candidate of the same version and type already on the array is no change, and then nothing is read
    from the file and nothing is sent (use O(force) to upload again). For software packages, an array that already
    runs that version or a newer one is no change either.
  - When another client puts a candidate of the same version on the array and starts an upgrade session with it while
    the upload runs (the same job started twice), the array refuses the upload; the module then reports that
    candidate as no change.
  - The array holds one candidate; uploading another replaces it, and RV(replaced) names the one replaced.
  - After the array has taken the file, the module waits until the array lists the new candidate (it verifies and
    unpacks the package first) and returns it.
author:
  - unity.upgrade contributors (@unity-upgrade)
options:
  state:
    description:
      - V(present) makes sure a candidate of O(version) is on the array.
      - The Unisphere REST API has no operation that deletes a candidate. Uploading another package replaces it, and
        cancelling an upgrade session with M(unity.upgrade.upgrade_session) removes the session's candidate.
    type: str
    choices: [present]
    default: present
  src:
    description:
      - Path of the upgrade package on the host the module runs on (usually the control node). Give a full path.
      - Exactly one of O(src) and O(url) is required.
      - In check mode and when nothing needs uploading, the file is only checked for existence, type and size, never
        read.
    type: path
  url:
    description:
      - HTTP or HTTPS URL of the upgrade package on an artifact server. The download is streamed to the array as it
        arrives, without a local copy.
      - The path must end with the file name (the version is read from it unless O(version) is set); a
        C(Content-Disposition) file name in the answer is used as the uploaded file name.
      - The artifact server's connect and read timeouts are those of O(request_timeout).
      - In check mode the URL is not fetched.
      - Credentials belong in O(url_username) and O(url_password) or O(url_headers); a password in the URL itself is
        used too, and masked in the output, as is the query string of the URL (presigned URLs carry signatures there).
    type: str
  url_headers:
    description:
      - Extra HTTP headers for the download from O(url), for example an C(Authorization) or API key header.
      - Values of headers whose names suggest credentials (auth, token, key, secret, cookie, session, signature) are
        masked in the output.
    type: dict
  url_username:
    description:
      - User name for HTTP Basic authentication to the artifact server of O(url).
    type: str
  url_password:
    description:
      - Password for O(url_username). Never logged nor returned.
    type: str
  url_validate_certs:
    description:
      - Whether to verify the artifact server's TLS certificate.
    type: bool
    default: true
  url_ca_path:
    description:
      - PEM file of the CA certificate(s) to verify the artifact server's certificate against.
    type: path
  checksum:
    description:
      - Expected sha256 of the package, as C(sha256:<64 hex digits>) (the output of C(sha256sum)).
      - Verified while uploading. On a mismatch the upload is stopped before its last chunk, the module fails and
        names both sums, and the array keeps no candidate from that file.
      - Not verified when nothing is uploaded (the array does not report the checksum of a candidate it holds).
    type: str
  version:
    description:
      - Version of the package, 3 to 6 dot-separated numbers, for example V(5.3.0.0.5.120). Decides whether the
        candidate is already on the array.
      - An array whose installed version has fewer parts than this one and agrees with it as far as it goes (it reports
        V(5.3.0), the package is V(5.3.0.0.5.120)) cannot tell whether the package is installed; the task fails with
        that reason instead of guessing, before anything is sent.
      - Defaults to the version in the file name (C(Unity-5.3.0.0.5.120.tgz.bin.gpg)). Required when the file name
        carries none (for example drive firmware bundles).
      - The array's candidate must turn out to be of this version after the upload, or the module fails.
      - A version that contradicts the one in the file name (compared as numbers, so V(5.4.0.0.5.010) equals
        V(5.4.0.0.5.10)) fails the task before anything is sent, in check mode too.
      - Kept as written in results and messages (a build V(010) keeps its zeros).
    type: str
  force:
    description:
      - Upload even when a candidate of O(version) is already on the array (it is replaced by the new upload).
      - Does not upload a software package of a version the array already runs or has passed.
    type: bool
    default: false
  upload_timeout:
    description:
      - Seconds the upload may take, sending the whole file included. A slower upload is stopped (the array keeps no
        partial candidate). The array's answer after the last byte is awaited at most as long again.
      - Each send may stall at most O(request_timeout) seconds, or O(upload_timeout) seconds when that is shorter.
    type: float
    default: 3600
  processing_timeout:
    description:
      - Seconds to wait, after the array has taken the file, until it lists the candidate.
    type: float
    default: 600
extends_documentation_fragment:
  - unity.upgrade.connection
  - unity.upgrade.attributes
attributes:
  check_mode:
    support: full
    details: Reads the array's candidates and installed software and says whether it would upload; the file body is
      not read, the URL is not fetched and nothing is sent to the array.
  diff_mode:
    support: none
notes:
  - Re-running after a failed or cut-off upload is safe; the array keeps no partial candidate.
  - The array takes no new candidate while an upgrade session is active (running, paused or failed); the module
    checks the sessions before it sends anything and fails with the session's id and status.
  - The module re-uses the array's login session for the upload. It never re-sends the file on its own once bytes
    were sent; a failed upload fails the task, and the next run uploads again.
seealso:
  - module: unity.upgrade.info
  - module: unity.upgrade.upgrade_session
'''

EXAMPLES = r'''
- name: Upload an upgrade package from the control node
  unity.upgrade.upgrade_candidate:
    unispherehost: unity01.example.com
    username: admin
    password: "{{ vault_unity_password }}"
    ca_path: /etc/pki/unity-ca.pem
    src: /srv/unity/Unity-5.3.0.0.5.120.tgz.bin.gpg
    checksum: sha256:4b1f7c3e0d9a58e2c6f1b0a7d3e9c5b2a8f4e6d1c0b9a7e5d3c1b8f6a4e2d0c9
  register: uploaded

- name: Show what is on the array now
  ansible.builtin.debug:
    msg: "Candidate {{ uploaded.candidate.id }} ({{ uploaded.candidate.version }}), {{ uploaded.upload.mib_per_second | default('no upload') }} MiB/s"

- name: Stream the package from an artifact server (AWX execution environment, nothing on local disk)
  module_defaults:
    group/unity.upgrade.unity:
      ca_path: /etc/pki/unity-ca.pem
  unity.upgrade.upgrade_candidate:
    url: https://artifacts.example.com/unity/Unity-5.3.0.0.5.120.tgz.bin.gpg
    url_headers:
      Authorization: "Bearer {{ artifact_token }}"
    checksum: "sha256:{{ unity_package_sha256 }}"
    upload_timeout: 7200

- name: A drive firmware bundle, whose file name carries no version
  unity.upgrade.upgrade_candidate:
    src: /srv/unity/Unity-Drive-Firmware-V20-2022-06-13.tgz.bin.gpg
    version: 4.3.0.1655078400

- name: Would the package be uploaded?
  unity.upgrade.upgrade_candidate:
    src: /srv/unity/Unity-5.3.0.0.5.120.tgz.bin.gpg
  check_mode: true
  register: plan
'''

RETURN = r'''
msg:
  description: What was done, or would be done in check mode.
  returned: always
  type: str
  sample: Uploaded Unity-5.3.0.0.5.120.tgz.bin.gpg (4.1 GiB in 52.3 s, 80.2 MiB/s); candidate 5.3.0.0.5.120 replaced 5.2.0.0.5.173
candidate:
  description:
    - The candidate of O(version) on the array, after the upload.
    - Null when there is none (in check mode before an upload, or when the array already runs the version).
  returned: always
  type: dict
  contains:
    id:
      description: Candidate id, to pass to M(unity.upgrade.upgrade_session).
      type: str
      returned: always
    version:
      description: Version as the array reports it.
      type: str
      returned: always
      sample: 5.3.0.0.5.120
    full_version:
      description: Full version text; null on arrays that do not report it.
      type: str
      returned: always
      sample: Unity 5.3.0.0 (Release, Build 120, 2023-03-18 19:02:01, 5.3.0.0.5.120)
    parsed_version:
      description: The most precise version found, dotted, as the array writes it (a build V(010) keeps its zeros; compare versions as numbers).
      type: str
      returned: always
      sample: 5.3.0.0.5.120
    revision:
      description: Revision.
      type: int
      returned: always
    release_date:
      description: Release date.
      type: str
      returned: always
    type:
      description: UpgradeTypeEnum value.
      type: int
      returned: always
      sample: 0
    type_name:
      description: V(software), V(firmware) or V(language_pack).
      type: str
      returned: always
      sample: software
    reboot_required:
      description: Whether installing it reboots both SPs (one at a time).
      type: bool
      returned: always
    can_pause_before_reboot:
      description: Whether the upgrade can pause before the first reboot.
      type: bool
      returned: always
replaced:
  description:
    - The candidate that was on the array before the upload and was replaced (or would be, in check mode), shaped
      like RV(candidate).
    - Null when there was none, or when nothing was uploaded.
    - Also set, with C(changed=true), when the task fails after the array took the new file in and the candidate that
      was there is gone.
  returned: always
  type: dict
package:
  description: The package asked for.
  returned: always
  type: dict
  contains:
    filename:
      description: File name, as sent to the array.
      type: str
      returned: always
      sample: Unity-5.3.0.0.5.120.tgz.bin.gpg
    version:
      description: Version, from O(version) or the file name.
      type: str
      returned: always
      sample: 5.3.0.0.5.120
    type_name:
      description: V(software), V(firmware) or V(language_pack), from the file name.
      type: str
      returned: always
    size:
      description: Size in bytes; null for a URL before (or without) a download that announces it.
      type: int
      returned: always
    source:
      description: The O(src) path, or O(url) without user info and query.
      type: str
      returned: always
version_before:
  description:
    - Version of the software the array runs, as in RV(unity.upgrade.upgrade_session#module:version_before); null
      when not read (firmware and language packs).
  returned: always
  type: str
  sample: 5.2.0.0.5.173
installed_version:
  description:
    - The same as RV(version_before), under its 1.0.0 name. Deprecated, use RV(version_before); kept for 1.x.
  returned: always
  type: str
  sample: 5.2.0.0.5.173
upload:
  description: The upload.
  returned: when the file was uploaded
  type: dict
  contains:
    bytes:
      description: Bytes of the file sent.
      type: int
      returned: always
      sample: 4402341478
    seconds:
      description: Seconds from the start of the upload request to the array's answer.
      type: float
      returned: always
      sample: 52.3
    mib_per_second:
      description: Throughput in MiB per second.
      type: float
      returned: always
      sample: 80.2
    sha256:
      description: sha256 of the bytes sent, in hex; equals the output of C(sha256sum) for the file.
      type: str
      returned: always
    checksum_verified:
      description: Whether O(checksum) was given and matched.
      type: bool
      returned: always
    chunked:
      description: Whether the body went with chunked transfer encoding (a URL whose size was not announced).
      type: bool
      returned: always
'''

from ansible_collections.unity.upgrade.plugins.module_utils._candidate_plan import hidden_values
from ansible_collections.unity.upgrade.plugins.module_utils._candidate_run import run
from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModule


def main():
    unity = UnityModule(
        argument_spec=dict(
            state=dict(type='str', choices=['present'], default='present'),
            src=dict(type='path'),
            url=dict(type='str'),
            url_headers=dict(type='dict'),
            url_username=dict(type='str'),
            url_password=dict(type='str', no_log=True),
            url_validate_certs=dict(type='bool', default=True),
            url_ca_path=dict(type='path'),
            checksum=dict(type='str'),
            version=dict(type='str'),
            force=dict(type='bool', default=False),
            upload_timeout=dict(type='float', default=3600.0),
            processing_timeout=dict(type='float', default=600.0),
        ),
        mutually_exclusive=[('src', 'url')],
        required_one_of=[('src', 'url')],
        required_by={'url_headers': 'url', 'url_username': 'url', 'url_password': 'url',
                     'url_ca_path': 'url'},
        required_together=[('url_username', 'url_password')],
        supports_check_mode=True,
        hidden_values=hidden_values,
    )
    unity.run(run)


if __name__ == '__main__':
    main()
