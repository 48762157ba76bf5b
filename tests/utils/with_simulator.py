#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""Run a command against a freshly started Unisphere simulator, and always stop the simulator.

    python tests/utils/with_simulator.py [options] -- COMMAND [ARG ...]

Starts `python -m unity_sim --arrays N --port 0 --admin-port 0 ...` (PYTHONPATH=tests, the
interface of design section 5) with this script's interpreter through unity_sim.launcher (the
one launcher of the tests), waits for its ready line (one line of JSON on stdout), writes what
the command needs from that line, runs the command, then stops the simulator (SIGTERM, then
SIGKILL) whatever happened: success, failure, Ctrl-C or SIGTERM. Exits with the command's
exit status.

Written from the ready line (each only when asked):
  --ready-file PATH          the ready line itself (JSON)
  --integration-config PATH  ansible-test's integration_config.yml: unity_sim_admin,
                             unity_sim_ca_file, unity_sim_arrays (name, host, port,
                             username, password)
  --inventory PATH           an Ansible inventory (launcher.Simulator.write_inventory):
                             group `unity` with one host per array (ansible_host,
                             unity_upgrade_port/_username/_password/_ca_path), and as
                             group vars unity_upgrade_validate_certs, connection local,
                             this interpreter as ansible_python_interpreter,
                             unity_sim_admin and unity_sim_ca_file
The command's environment also gets UNITY_SIM_ADMIN, UNITY_SIM_CA_FILE, UNITY_SIM_ARRAYS
(JSON), UNITY_SIM_READY_FILE when written, and UNITY_CA_PATH (one CA signs every array).
The simulator's own output goes to --log (default build/unity_sim.log); its tail is printed
when the command fails.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(TESTS_DIR)
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

from unity_sim.launcher import Simulator  # noqa: E402  pylint: disable=wrong-import-position


class Stop(Exception):
    """SIGTERM/SIGHUP received: unwind and clean up."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.status = 128 + signum


def parse_args(argv):
    if "--" not in argv:
        sys.exit("with_simulator: usage: with_simulator.py [options] -- COMMAND [ARG ...]")
    split = argv.index("--")
    own, command = argv[:split], argv[split + 1:]
    p = argparse.ArgumentParser(prog="with_simulator.py", description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--arrays", type=int, default=1)
    p.add_argument("--time-scale", default=None)
    p.add_argument("--scenario", default=None)
    p.add_argument("--sim-arg", action="append", default=[], help="extra simulator argument (repeatable)")
    p.add_argument("--ready-file")
    p.add_argument("--integration-config")
    p.add_argument("--inventory")
    p.add_argument("--log", default=os.path.join(REPO, "build", "unity_sim.log"))
    p.add_argument("--ready-timeout", type=float, default=90.0)
    p.add_argument("--expected-status", type=int, action="append", default=[0],
                   help="an exit status of the command that is part of the story (repeatable; 0 always is): "
                        "no simulator log tail is printed for it")
    args = p.parse_args(own)
    if not command:
        p.error("no command after --")
    return args, command


def dump_yaml(data, path, header):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    try:
        import yaml  # pylint: disable=import-outside-toplevel
        text = yaml.safe_dump(data, default_flow_style=False, sort_keys=False)
    except ImportError:  # JSON is YAML too
        text = json.dumps(data, indent=2) + "\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write("# %s\n---\n%s" % (header, text))


def simulator(args):
    """The simulator to start: its stderr, and any output after the ready line, go to --log."""
    with open(args.log, "w", encoding="utf-8"):
        pass  # a fresh log for each run
    return Simulator(arrays=args.arrays, time_scale=1.0 if args.time_scale is None else args.time_scale,
                     scenario=args.scenario, extra_args=args.sim_arg, log_file=args.log, log_level=None,
                     ready_timeout=args.ready_timeout, stop_timeout=15.0, cwd=REPO, new_session=True)


def stop_process(proc, name, grace=15.0):
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        print("with_simulator: %s ignored SIGTERM for %ds, killing it" % (name, grace), file=sys.stderr)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    except ProcessLookupError:
        pass


def write_outputs(args, sim):
    ready = sim.ready
    arrays = [{k: a.get(k) for k in ("name", "host", "port", "username", "password")} for a in ready["arrays"]]
    ca_file = ready.get("ca_file")
    env = {
        "UNITY_SIM_ADMIN": str(ready.get("admin", "")),
        "UNITY_SIM_CA_FILE": str(ca_file or ""),
        "UNITY_SIM_ARRAYS": json.dumps(arrays),
    }
    if ca_file:
        env["UNITY_CA_PATH"] = ca_file
    if args.ready_file:
        os.makedirs(os.path.dirname(os.path.abspath(args.ready_file)), exist_ok=True)
        with open(args.ready_file, "w", encoding="utf-8") as f:
            json.dump(ready, f)
            f.write("\n")
        env["UNITY_SIM_READY_FILE"] = os.path.abspath(args.ready_file)
    if args.integration_config:
        dump_yaml({"unity_sim_admin": ready.get("admin"), "unity_sim_ca_file": ca_file, "unity_sim_arrays": arrays},
                  args.integration_config, "generated by tests/utils/with_simulator.py from the simulator's ready line")
    if args.inventory:
        os.makedirs(os.path.dirname(os.path.abspath(args.inventory)), exist_ok=True)
        sim.write_inventory(args.inventory, header="simulated Unity arrays; generated by tests/utils/with_simulator.py",
                            group_vars={"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                                        "unity_upgrade_validate_certs": True, "unity_upgrade_ca_path": ca_file,
                                        "unity_sim_admin": ready.get("admin"), "unity_sim_ca_file": ca_file})
    return env


def main(argv):
    args, command = parse_args(argv)

    def on_signal(signum, _frame):
        raise Stop(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    os.makedirs(os.path.dirname(os.path.abspath(args.log)), exist_ok=True)
    sim = simulator(args)
    child = None
    rc = 1
    try:
        print("with_simulator: starting %s" % " ".join(sim.argv()[1:]), flush=True)
        ready = sim.start().ready
        print("with_simulator: ready: admin %s, %d array(s): %s" % (
            ready.get("admin"), len(ready["arrays"]),
            ", ".join("%s=%s:%s" % (a.get("name"), a.get("host"), a.get("port")) for a in ready["arrays"])), flush=True)
        env = dict(os.environ)
        env.update(write_outputs(args, sim))
        print("with_simulator: running %s" % " ".join(command), flush=True)
        child = subprocess.Popen(command, env=env)
        rc = child.wait()
    except (Stop, KeyboardInterrupt) as exc:
        print("with_simulator: interrupted (%s), stopping" % (exc or "SIGINT"), file=sys.stderr)
        rc = getattr(exc, "status", 128 + signal.SIGINT)
    except (RuntimeError, OSError) as exc:
        print("with_simulator: %s" % exc, file=sys.stderr)
        rc = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_process(child, "the command")
        sim.stop()
    if rc not in args.expected_status:
        print("with_simulator: exit status %s; simulator log %s ends with:\n%s" % (rc, args.log, sim.log_tail()),
              file=sys.stderr)
    else:
        print("with_simulator: simulator stopped (the command exited %s)" % rc, flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
