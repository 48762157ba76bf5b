# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:

    # The connection options every module takes; the argument spec that matches
    # it is plugins/module_utils/module.py:connection_argument_spec().
    DOCUMENTATION = r'''
options:
  unispherehost:
    description:
      - Management address (IP or host name) of the Unity array's Unisphere.
      - "Accepted forms: a host name, an IPv4 address or an IPv6 address, optionally after C(https://), with a port
        after a colon and a trailing slash: C(unity01.example.com), C(10.0.0.5:443), C(https://unity01.example.com:8443/),
        C(fd00::10), C([fd00::10]:8443). An IPv6 address with a port goes in brackets."
      - A path, a query, C(http://), a user name or password before C(@) or white space inside is refused.
      - A port given here is used when O(port) is not set; when both are set they must agree.
      - If not set, the value of the E(UNITY_HOST) environment variable is used.
    type: str
    required: true
    aliases: [host]
  port:
    description:
      - HTTPS port of the Unisphere REST API.
      - If not set, the value of the E(UNITY_PORT) environment variable is used; if that is not set either, the
        port in O(unispherehost), else C(443).
    type: int
  username:
    description:
      - User name of a Unisphere account with a role that may run upgrades (administrator for changes).
      - If not set, the value of the E(UNITY_USERNAME) environment variable is used.
    type: str
    required: true
  password:
    description:
      - Password of O(username). Never logged nor returned.
      - If not set, the value of the E(UNITY_PASSWORD) environment variable is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the array's TLS certificate.
      - Set O(ca_path) rather than disabling verification when the array uses a private CA or a self-signed certificate.
      - If not set, the value of the E(UNITY_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
    aliases: [verifycert]
  ca_path:
    description:
      - PEM file of the CA certificate(s) to verify the array's certificate against, instead of the system trust store.
      - If not set, the value of the E(UNITY_CA_PATH) environment variable is used.
    type: path
  request_timeout:
    description:
      - Seconds to wait for each answer of the REST API (the connect timeout is the smaller of this and 10 seconds).
      - Uploads have their own timeout where a module offers one.
    type: float
    default: 60
notes:
  - "The modules run on the control node (or wherever they are delegated to) and talk HTTPS to the array; use
    C(connection: local) or C(delegate_to: localhost)."
  - All modules are in the action group C(group/unity.upgrade.unity), so the connection options can be set once with
    C(module_defaults).
requirements:
  - python >= 3.9
  - requests >= 2.25.0
'''
