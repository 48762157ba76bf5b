# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.

"""What unity.upgrade.report_file does: write a whole file on the control node, or say why not.

The action plugin runs this in ansible-playbook's worker, with no module process. Nothing here imports
Ansible's controller code (ansible.plugins, ansible.utils.display): unit tests import this file alone,
and importing controller code in them would switch Ansible into controller mode for the module tests too.
"""


import errno
import os
import re
import stat
import tempfile
from collections.abc import Mapping, Sequence, Set

DEFAULT_MODE = 0o644
_OCTAL = re.compile(r'^(?:0o)?[0-7]{1,4}$')


class ReportFileError(Exception):
    """A file that cannot be written: one line that names what to fix."""


def parse_mode(mode):
    """The permission bits of ``mode``: an octal string (``'0644'``, ``'644'``, ``'0o644'``) or an int
    (the bits themselves, as YAML reads ``0644``), like Ansible's file modules take them."""
    if isinstance(mode, bool):
        pass
    elif isinstance(mode, int):
        if 0 <= mode <= 0o7777:
            return mode
    elif isinstance(mode, str) and _OCTAL.match(mode.strip()):
        return int(mode.strip().replace('0o', ''), 8)
    raise ReportFileError("mode %r is not an octal mode: give one such as '0644'" % (mode,))


def _kind(value):
    """What a value is, in the words of YAML rather than of Ansible's own types (2.19 tags them)."""
    if value is None:
        return 'null'
    if isinstance(value, Mapping):
        return 'a mapping'
    if isinstance(value, (bytes, bytearray)):
        return 'bytes'
    if isinstance(value, (Sequence, Set)):
        return 'a list'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    return 'a %s' % type(value).__name__


def _reason(exc):
    if exc.errno in (errno.EACCES, errno.EPERM):
        return 'permission denied'
    if exc.errno == errno.EROFS:
        return 'read-only file system'
    return exc.strerror or str(exc)


def _same(dest, data, mode):
    """Whether ``dest`` is a regular file (not a link) that holds ``data`` with ``mode`` already."""
    try:
        found = os.lstat(dest)
    except OSError:
        return False
    if not stat.S_ISREG(found.st_mode) or stat.S_IMODE(found.st_mode) != mode or found.st_size != len(data):
        return False
    try:
        with open(dest, 'rb') as stream:
            return stream.read() == data
    except OSError:
        return False  # unreadable: replace it, the directory decides whether that is allowed


def write_file(dest, content, mode=DEFAULT_MODE, check_mode=False):
    """Make ``dest`` hold ``content`` (text, written as UTF-8) with permissions ``mode``.

    The new content goes to a temporary file in the same directory, which then replaces ``dest``
    (os.replace, atomic within a file system): a run killed while writing leaves the previous whole file.
    ``dest`` is replaced, not written through: a link there becomes a file. In check mode nothing is
    written. Returns ``{'changed', 'dest', 'size', 'mode'}``; raises ReportFileError.
    """
    if not isinstance(content, str):
        # ansible-core before 2.19 turns a template result that reads as JSON into data
        raise ReportFileError('content is %s, not text: give it as a string (with ansible-core before 2.19, '
                              "pass a JSON template's result through the string filter)" % _kind(content))
    mode = parse_mode(mode)
    dest = os.path.abspath(os.path.expanduser(dest))
    parent = os.path.dirname(dest)
    if os.path.isdir(dest):
        raise ReportFileError('cannot write %s: it is a directory; give dest the path of a file' % dest)
    if not os.path.isdir(parent):
        if os.path.exists(parent):
            raise ReportFileError('cannot write %s: %s is not a directory' % (dest, parent))
        raise ReportFileError('cannot write %s: the directory %s does not exist; create it first' % (dest, parent))
    data = content.encode('utf-8', 'surrogateescape')
    result = {'dest': dest, 'size': len(data), 'mode': '%04o' % mode}
    if _same(dest, data, mode):
        return dict(result, changed=False)
    if check_mode:
        return dict(result, changed=True)
    partial = None
    try:
        # mkstemp: a new file of our own (O_EXCL), never one that a name planted in the directory points to;
        # hidden and not *.json, so that a leftover of a killed run is never read as a record
        handle, partial = tempfile.mkstemp(prefix='.%s.' % os.path.basename(dest), suffix='.partial', dir=parent)
        with os.fdopen(handle, 'wb') as stream:
            stream.write(data)
            os.fchmod(stream.fileno(), mode)
        os.replace(partial, dest)
        partial = None
    except OSError as exc:
        raise ReportFileError('cannot write %s: %s in %s' % (dest, _reason(exc), parent)) from None
    finally:
        if partial is not None:
            try:
                os.unlink(partial)
            except OSError:
                pass
    return dict(result, changed=True)
