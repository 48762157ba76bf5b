# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a command and append its resource usage to a JSON-lines log; exit with its status.

    python rss_probe.py LOG -- COMMAND [ARG ...]

The line: ``{"argv", "rc", "maxrss_kib", "utime", "stime", "wall"}`` from ``wait4`` on the
command's process (peak resident set size of that process or of any descendant it reaped, and
the CPU of them all). The same probe measures the module process (as an interpreter wrapper
that Ansible runs the module with), ``curl`` and the naive ``requests`` upload, so the three
peaks are measured alike. Standard library only.
"""

import json
import os
import subprocess
import sys
import time


def main(argv):
    if len(argv) < 3 or argv[1] != '--':
        sys.exit('usage: rss_probe.py LOG -- COMMAND [ARG ...]')
    log, command = argv[0], argv[2:]
    started = time.monotonic()
    proc = subprocess.Popen(command)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    rc = os.waitstatus_to_exitcode(status)
    proc.returncode = rc
    with open(log, 'a') as handle:
        handle.write(json.dumps({'argv': command, 'rc': rc, 'maxrss_kib': usage.ru_maxrss,
                                 'utime': usage.ru_utime, 'stime': usage.ru_stime,
                                 'wall': round(wall, 3)}) + '\n')
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
