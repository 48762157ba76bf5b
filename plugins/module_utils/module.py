# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""UnityModule: the Ansible side of every module.

Merges the shared connection options into the module's own, builds one logged-in
UnityRestClient, logs out on the way out, and turns every client error into a
one-line ``fail_json(msg=..., error_code=..., http_status=...)``.
"""


import ipaddress
import re

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.unity.upgrade.plugins.module_utils.rest import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    RetryPolicy,
    UnityApiError,
    UnityConnectionError,
    UnityRestClient,
    UnityTLSError,
    ca_path_problem,
)
from ansible_collections.unity.upgrade.plugins.module_utils.retry import AUTH, AWAY, Clock, retry
from ansible_collections.unity.upgrade.plugins.module_utils.waiter import new_outage, outage_symptom

# What to change, per UnityTLSError.problem: the options are the module's, so the advice is written here
# and handed to the client, which adds it to the message of every such error.
TLS_ADVICE = {
    'not_tls': ' Check unispherehost and port (Unisphere answers HTTPS on 443)',
    'name': (" Set unispherehost to a name the array's certificate carries, or validate_certs: false to skip the "
             'check (insecure)'),
    'trust': (" Set ca_path to the CA certificate that signed the array's certificate, or validate_certs: false "
              'to skip the check (insecure)'),
    'handshake': (" Set ca_path to the CA certificate that signed the array's certificate, or validate_certs: "
                  'false to skip the check (insecure)'),
    'ca_bundle': ': check ca_path',
}


# The first login's wait for an API that is away: 2, 4, 8, 16, then 30 seconds (jittered), within login_tolerance.
LOGIN_WAIT = RetryPolicy(attempts=None, base_delay=2.0, max_delay=30.0)


# What unispherehost may be, shown whenever it is refused.
ADDRESS_FORMS = ('give the host name or IP address, optionally with https:// and a port: unity01.example.com, '
                 '10.0.0.5:443, https://unity01.example.com:8443/, fd00::10 or [fd00::10]:8443')
DEFAULT_PORT = 443
_LABEL = r'[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?'
_HOST_NAME = re.compile(r'^(?=.{1,253}$)%s(?:\.%s)*\.?$' % (_LABEL, _LABEL))


class AddressError(ValueError):
    """An unispherehost that names no array: its message is the one line for the user."""


def _is_ipv6(text):
    try:
        return '%' not in text and ipaddress.IPv6Address(text) is not None
    except ValueError:
        return False


def split_address(value):
    """``(host, port or None)`` from unispherehost as users give it (pasted from a browser's address bar
    too): a host name, an IPv4 address, or an IPv6 address (bare or in brackets), optionally after
    ``https://``, followed by ``:port``, and a trailing ``/``. Anything else raises AddressError."""
    text = value.strip()
    scheme, sep, rest = text.partition('://')
    if not sep:
        scheme, rest = '', text
    end = re.search(r'[/?#]', rest)
    hostport, tail = (rest[:end.start()], rest[end.start():]) if end else (rest, '')
    # user:password@host: the password is never shown
    shown = scheme + sep + '***@' + hostport.rpartition('@')[2] + tail if '@' in hostport else text
    # one line whatever was typed: a newline or a control character is shown escaped
    shown = ''.join(c if c.isprintable() else c.encode('unicode_escape').decode('ascii') for c in shown)

    def refuse(reason):
        raise AddressError("unispherehost '%s' %s; %s" % (shown, reason, ADDRESS_FORMS))

    if not text:
        raise AddressError('unispherehost (or UNITY_HOST) must name the array, got an empty string')
    _check_around_the_host(text, scheme, sep, hostport, tail, refuse)
    host, port_text = _host_and_port_text(hostport, refuse)
    return host, None if port_text is None else _port_number(port_text, refuse)


def _check_around_the_host(text, scheme, sep, hostport, tail, refuse):
    """What may stand around host and port: https:// before, a / after, nothing else."""
    if re.search(r'\s', text):
        refuse('contains white space')
    if scheme.lower() == 'http':
        refuse('starts with http://, and Unisphere answers HTTPS only')
    if sep and scheme.lower() != 'https':
        refuse('starts with %s://, not https://' % scheme)
    if '@' in hostport:
        refuse('carries a user name or password: set username and password instead')
    if '?' in tail or '#' in tail:
        refuse('has a query or a fragment (?, #)')
    if tail not in ('', '/'):
        refuse('has a path (%s)' % tail)


def _host_and_port_text(hostport, refuse):
    """``(host, the text after its ':' or None)``: [IPv6]:port, a bare IPv6 address, or host:port."""
    if hostport.startswith('['):
        host, bracket, after = hostport[1:].partition(']')
        if not bracket:
            refuse("opens '[' without closing it")
        if not _is_ipv6(host):
            refuse('has [%s], which is not an IPv6 address' % host)
        if after and not after.startswith(':'):
            refuse("has '%s' after the IPv6 address" % after)
        return host, after[1:] if after else None
    if hostport.count(':') > 1:
        if not _is_ipv6(hostport):
            refuse('is not an IPv6 address (an IPv6 address with a port goes in brackets: [fd00::10]:8443)')
        return hostport, None
    host, colon, port_text = hostport.partition(':')
    if not host:
        refuse('names no host')
    if re.match(r'^[0-9.]+$', host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            refuse("has '%s', which is not an IPv4 address" % host)
    elif not _HOST_NAME.match(host):
        refuse("has '%s', which is not a host name" % host)
    return host, port_text if colon else None


def _port_number(port_text, refuse):
    if not port_text:
        refuse("ends with ':' but no port")
    if not re.match(r'^[0-9]{1,5}$', port_text):
        refuse("has the port '%s', which is not a number" % port_text)
    port = int(port_text)
    if not 1 <= port <= 65535:
        refuse('has the port %d, which is not between 1 and 65535' % port)
    return port


def address_secrets(params):
    """The password of a ``user:password@`` in unispherehost: refused, and masked in every output."""
    text = str(params.get('unispherehost') or '').strip()
    authority = text.partition('://')[2] or text
    userinfo, at, dummy = re.split(r'[/?#]', authority, maxsplit=1)[0].rpartition('@')
    return [userinfo.partition(':')[2]] if at else []


def connection_argument_spec():
    """The connection options, written once; the doc fragment is unity.upgrade.connection."""
    return dict(
        unispherehost=dict(type='str', required=True, aliases=['host'],
                           fallback=(env_fallback, ['UNITY_HOST'])),
        # no default: a port in unispherehost is used only when this one is not given
        port=dict(type='int', fallback=(env_fallback, ['UNITY_PORT'])),
        username=dict(type='str', required=True, fallback=(env_fallback, ['UNITY_USERNAME'])),
        password=dict(type='str', required=True, no_log=True,
                      fallback=(env_fallback, ['UNITY_PASSWORD'])),
        validate_certs=dict(type='bool', default=True, aliases=['verifycert'],
                            fallback=(env_fallback, ['UNITY_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback, ['UNITY_CA_PATH'])),
        request_timeout=dict(type='float', default=60.0),
    )


class UnityModuleError(Exception):
    """Bad input or a state the module cannot act on: becomes fail_json."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


def _module_class(hidden_values):
    """AnsibleModule, or a subclass that masks ``hidden_values(params)`` from the first log line on.

    AnsibleModule logs its invocation (syslog, the journal) while it is built, masking only the
    values of no_log options; a secret inside another option (a signed URL's query, an
    Authorization header in a dict) must be known to it before that line is written.
    """
    if hidden_values is None:
        return AnsibleModule

    class UnityAnsibleModule(AnsibleModule):
        def hide(self):
            try:
                self.no_log_values.update(value for value in hidden_values(self.params) if value)
            except (AttributeError, TypeError, ValueError):  # options that failed their own validation
                pass

        def _log_invocation(self):
            self.hide()
            super()._log_invocation()

        def fail_json(self, *args, **kwargs):  # a failed validation reports the parameters too
            self.hide()
            super().fail_json(*args, **kwargs)

    return UnityAnsibleModule


class UnityModule:
    """Wraps AnsibleModule with the connection options and one client.

    ``hidden_values(params)``: the secrets that other options carry inside their values; they
    are masked in every output, the logged invocation included.

    ``client_factory``: what makes the client, called with UnityRestClient's keyword arguments;
    None (the default) is UnityRestClient, looked up when the client is made. The seam for unit
    tests, which set it (a staticmethod, or a class) to a client over a scripted transport.
    """

    client_factory = None

    def __init__(self, argument_spec=None, supports_check_mode=True, hidden_values=None, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec or {})

        def hidden(params):
            return address_secrets(params) + list(hidden_values(params) if hidden_values else ())

        self.module = _module_class(hidden)(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        self.module.hide()  # also when the invocation is not logged (no_log)
        self.params = self.module.params
        self._client = None
        # Seconds the first login may wait for an unreachable API; a module that
        # waits through SP reboots sets it so that starting mid-reboot is no failure.
        self.login_tolerance = 0
        # Whether a first login refused with HTTP 401 is the management service restarting after an
        # SP reboot, waited out within login_tolerance: only for credentials that a login of this run
        # has proved (a wrong password retried is an account locked).
        self.login_refusal_is_outage = False
        # The time the first login and the first reads waited for the API, as an outage record
        # (at_start: the API was away before this module sent anything), or None.
        self.login_outage = None
        self._outage_began = None
        # The one clock (time, sleep, jitter) of the client, the API and the waiter.
        self.clock = Clock()
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'),
                                  exception=str(REQUESTS_IMPORT_ERROR))
        self._validate_connection_params()

    @property
    def check_mode(self):
        return self.module.check_mode

    def _validate_connection_params(self):
        port = self.params['port']
        if port is not None and not 1 <= port <= 65535:
            self.fail('port must be between 1 and 65535, got %s' % port)
        if self.params['request_timeout'] <= 0:
            self.fail('request_timeout must be a positive number of seconds, got %s'
                      % self.params['request_timeout'])
        try:
            host, host_port = split_address(self.params['unispherehost'])
        except AddressError as error:
            self.fail(str(error))
        if host_port is not None and port is not None and host_port != port:
            self.fail("unispherehost '%s' names port %d and port (or UNITY_PORT) is %d: give the port in one of them, "
                      'or the same in both' % (self.params['unispherehost'].strip(), host_port, port))
        # where the client connects: the port given, else the one in unispherehost, else 443
        self.address = (host, port or host_port or DEFAULT_PORT)
        if self.params['ca_path']:
            problem = ca_path_problem(self.params['ca_path'])
            if problem:
                self.fail("ca_path %s: give the PEM file of the CA that signed the array's certificate"
                          % problem)
        if not self.params['validate_certs'] and not self.params['ca_path']:
            self.module.warn('validate_certs is false: the identity of %s is not verified. Prefer '
                             "ca_path with the CA that signed the array's certificate."
                             % self.address[0])

    @property
    def client(self):
        """The logged-in client, created on first use."""
        if self._client is None:
            factory = self.client_factory or UnityRestClient
            self._client = factory(
                host=self.address[0],
                port=self.address[1],
                username=self.params['username'],
                password=self.params['password'],
                validate_certs=self.params['validate_certs'],
                ca_path=self.params['ca_path'],
                request_timeout=self.params['request_timeout'],
                retry_policy=RetryPolicy(),
                clock=self.clock,
                tls_advice=TLS_ADVICE,
            )
            self._login(self._client)
        return self._client

    def _login(self, client):
        """Log in; within login_tolerance, an unreachable or restarting API is waited for, and the
        wait is kept in ``login_outage``."""
        self.login_outage = None
        self._outage_began = None
        self.ride_out_start(client.login, 'login')

    def ride_out_start(self, attempt, what):
        """``attempt()``, which only reads, and its result; within login_tolerance an API that is away is
        waited for, as at the login (an SP may begin to reboot between the login and the first reads).
        The waits of the login and of the first reads are one outage that began before the module changed
        anything: ``login_outage``."""
        waited_now = []

        def waited(error, number):
            if self.login_outage is None:
                self.login_outage = new_outage(self.clock.time(), at_start=True)
                self._outage_began = self.clock.monotonic()
            outage = self.login_outage
            outage.update(ended=False, failed_reads=outage['failed_reads'] + 1)
            symptom = outage_symptom(error) if error.kind == AUTH else '%s (%s)' % (outage_symptom(error), what)
            if symptom not in outage['seen']:
                outage['seen'].append(symptom)
            waited_now.append(number)

        result = retry(lambda number: attempt(), self.clock, LOGIN_WAIT,
                       AWAY | {AUTH} if self.login_refusal_is_outage else AWAY,
                       deadline=self.clock.monotonic() + self.login_tolerance, on_retry=waited)
        if waited_now:
            self.login_outage.update(seconds=round(self.clock.monotonic() - self._outage_began, 1), ended=True)
            self.login_outage['seen'].append('login accepted' if what == 'login' else '%s answered' % what)
        return result

    def close(self):
        if self._client is not None:
            self._client.close()
            self._client = None

    def fail(self, msg, **details):
        self.close()
        self.module.fail_json(msg=msg, **details)

    def fail_from_error(self, error, **details):
        """One line for the user, plus the structured fields of the API error."""
        if isinstance(error, UnityApiError):
            details.setdefault('error_code', error.error_code)
            details.setdefault('http_status', error.http_status)
            # Lets a role tell "the array is away (rebooting?)" from "the array said no".
            details.setdefault('api_unreachable', isinstance(error, UnityConnectionError)
                               and not isinstance(error, UnityTLSError))
            if error.messages:
                details.setdefault('messages', error.messages)
            self.fail(error.message, **details)
        self.fail(error.msg, **error.details)

    def exit(self, **result):
        self.close()
        self.module.exit_json(**result)

    def run(self, main):
        """Call ``main(self)`` and map every expected failure to fail_json."""
        try:
            result = main(self)
        except (UnityApiError, UnityModuleError) as error:
            self.fail_from_error(error)
        self.exit(**result)
