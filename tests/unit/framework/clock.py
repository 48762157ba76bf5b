# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Simulated time for the collection's injected clock (plugins/module_utils/retry.py ``Clock``)."""


from ansible_collections.unity.upgrade.plugins.module_utils.retry import Clock

NEW_YEAR_2026 = 1767225600.0  # 2026-01-01T00:00:00Z


class FakeClock:
    """Time that passes only by sleeping: ``now`` seconds since the start, every sleep kept in ``sleeps``.

    ``clock`` is the retry.Clock to inject (into UnityModule, SessionWaiter, the client): monotonic
    time is ``now``, wall time ``wall_start + now``, and its jitter is ``rand`` (None: random).
    """

    def __init__(self, wall_start=NEW_YEAR_2026, rand=None):
        self.now = 0.0
        self.sleeps = []
        self.wall_start = wall_start
        self.clock = Clock(monotonic=self.monotonic, wall=self.wall, sleep=self.sleep, rand=rand)

    def monotonic(self):
        return self.now

    def wall(self):
        return self.wall_start + self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds
