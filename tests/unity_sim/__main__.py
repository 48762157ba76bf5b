"""Command line: ``PYTHONPATH=tests python -m unity_sim [options]`` (design section 5).

When ready it prints one JSON line on stdout and flushes it::

    {"admin": "http://127.0.0.1:PORT", "ca_file": "PATH",
     "arrays": [{"name": "array-1", "host": "127.0.0.1", "port": 8443, "username": "admin",
                 "password": "..."}], "state_dir": "...", "time_scale": 1.0, "pid": 1234}

SIGTERM or SIGINT stops it (exit 0; a temporary state directory is removed). Logging goes to stderr
and never shows a password. Exit status 2: bad options or scenario; 1: could not start.
"""

import argparse
import json
import logging
import signal
import sys
import threading

from .scenario import ScenarioError, load_file
from .simulator import SimulatorCore


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m unity_sim",
                                description="Unisphere (Dell Unity) REST API simulator.")
    p.add_argument("--arrays", type=int, default=1, help="arrays to serve (default 1), "
                   "named array-1 .. array-N")
    p.add_argument("--host", default="127.0.0.1", help="listen address, IPv4 loopback "
                   "(default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port of array-1; array-i listens on "
                   "P+i-1 (0, the default: free ports)")
    p.add_argument("--distinct-hosts", action="store_true", help="array-i listens on HOST+i-1 "
                   "(127.0.0.1, 127.0.0.2, ...), all on --port")
    p.add_argument("--admin-port", type=int, default=0, help="admin API port (0: a free port)")
    p.add_argument("--time-scale", type=float, default=1.0, help="simulated seconds per real "
                   "second (default 1)")
    p.add_argument("--scenario", help="JSON or YAML: one scenario for every array, or "
                   "{\"arrays\": {NAME: scenario}}")
    p.add_argument("--state-dir", help="uploads and certificates (default: a temporary "
                   "directory removed on exit)")
    p.add_argument("--cert", help="TLS certificate (PEM); default: a generated self-signed CA + cert")
    p.add_argument("--key", help="TLS private key (PEM) for --cert")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help="stderr log level (default INFO)")
    args = p.parse_args(argv)
    if args.time_scale <= 0:
        p.error("--time-scale must be positive")
    return args


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, args.log_level),
                        format="%(asctime)s unity_sim %(levelname)s %(message)s")
    log = logging.getLogger("unity_sim")
    try:
        scenario = load_file(args.scenario) if args.scenario else {}
        core = SimulatorCore(arrays=args.arrays, host=args.host, port=args.port,
                             admin_port=args.admin_port, time_scale=args.time_scale,
                             scenario=scenario, state_dir=args.state_dir, cert=args.cert,
                             key=args.key, distinct_hosts=args.distinct_hosts)
    except (ScenarioError, ValueError, OSError) as exc:
        print("unity_sim: %s" % exc, file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        core.start()
    except (OSError, ValueError) as exc:
        print("unity_sim: cannot start: %s" % exc, file=sys.stderr)
        core.stop()
        return 1
    sys.stdout.write(json.dumps(core.ready()) + "\n")
    sys.stdout.flush()
    log.info("ready: %d array(s), admin %s, time scale %g", len(core.arrays), core.admin.url,
             core.clock.time_scale)
    while not stop.wait(0.5):
        pass
    log.info("stopping")
    core.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
