"""The virtual clock.

Simulated time runs ``time_scale`` simulated seconds per real second from the moment the simulator
starts, plus any jumps made through the admin API (``POST /clock/advance``). Every time the simulator
reasons about (upgrade progress, outages, idle timeouts, faults, upload processing) is simulated time,
expressed as seconds since the simulator started; :meth:`VirtualClock.iso` turns it into the
``yyyy-mm-ddThh:mm:ss.sssZ`` strings the API shows, starting from the real wall-clock time at start.
"""

import datetime as _dt
import threading
import time


class VirtualClock:
    def __init__(self, time_scale=1.0):
        if time_scale <= 0:
            raise ValueError("time scale must be positive")
        self.time_scale = float(time_scale)
        self._real0 = time.monotonic()
        self._wall0 = time.time()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self):
        """Simulated seconds since start."""
        with self._lock:
            return (time.monotonic() - self._real0) * self.time_scale + self._offset

    def advance(self, seconds):
        """Jump the simulated clock forward (never backwards)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    def real_seconds(self, sim_seconds):
        """How long ``sim_seconds`` of simulated time last in real time."""
        return max(0.0, float(sim_seconds)) / self.time_scale

    def epoch(self, sim_t=None):
        """Simulated Unix time for simulated instant ``sim_t`` (default: now)."""
        return self._wall0 + (self.now() if sim_t is None else sim_t)

    def iso(self, sim_t=None):
        return iso_from_epoch(self.epoch(sim_t))

    def snapshot(self):
        now = self.now()
        return {"now": now, "iso": self.iso(now), "time_scale": self.time_scale}


def iso_from_epoch(epoch):
    dt = _dt.datetime.fromtimestamp(epoch, tz=_dt.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def interval(seconds):
    """DateTime[Interval] encoding: ``h+:mm:ss.sss`` (hours unbounded)."""
    ms = int(round(max(0.0, float(seconds)) * 1000))
    s, ms = divmod(ms, 1000)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return "%02d:%02d:%02d.%03d" % (h, m, s, ms)
