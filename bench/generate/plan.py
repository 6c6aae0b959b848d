"""The frame every kind of row hangs on: the days of history, the unit tree, how busy each
station is, and how many rows of each kind fall on each day.

The counts follow the demo's seasons (``MONTH_FACTOR``), the Spring Festival lull, a mild
yearly trend (``stats_bench``) and some day-to-day noise; some stations are far busier than
their population alone would make them.
"""

from __future__ import annotations

import datetime as dt
import random
from itertools import accumulate

from bench.generate.helpers import apportion
from bench.generate.scales import Scale
from bench.generate.tree import build_tree
from demo.records import MONTH_FACTOR
from stats.management.commands.stats_bench import CASE_TREND, TASK_TREND

BUSY_SPREAD = 0.5  # log-normal spread of how busy a station is, beyond its population


class Plan:
    """The days, the tree and the per-station and per-day weights and counts, drawn from the seed."""

    def __init__(self, scale: Scale, seed: int, today: dt.date) -> None:
        self.scale, self.seed, self.today = scale, seed, today
        self.last_day = today - dt.timedelta(days=1)
        self.first_day = today - dt.timedelta(days=scale.days)
        self.days = [self.first_day + dt.timedelta(days=i) for i in range(scale.days)]
        self.units, self.stations = build_tree(scale, random.Random(f"{seed}:tree"))
        self.root6 = self.units[0].code[:6]
        people = {u.code: u.population for u in self.units}

        # One stream for all the weights: the order of the draws below is part of the output.
        rng = random.Random(f"{seed}:weights")
        busy = [people[s.code] * rng.lognormvariate(0, BUSY_SPREAD) for s in self.stations]
        self.case_weights = list(accumulate(busy))
        self.task_weights = list(accumulate(b * rng.lognormvariate(0, 0.2) for b in busy))
        self.task_stations = [(s.code, s.id_area, s.id_sum) for s in self.stations]
        self.publicity_weights = list(accumulate(rng.uniform(0.3, 1.7) for _ in self.stations))
        self.case_counts = apportion(scale.cases, self._day_weights(rng, CASE_TREND))
        self.task_counts = apportion(scale.tasks, self._day_weights(rng, TASK_TREND))
        self.publicity_counts = apportion(scale.publicity, self._day_weights(rng, 0.0, weekend=0.6))

    def _day_weights(self, rng: random.Random, trend: float, weekend: float = 1.0) -> list[float]:
        """Seasons (MONTH_FACTOR), the Festival lull, a yearly trend and some day-to-day noise."""
        return [
            MONTH_FACTOR[d.month] * (1 + trend) ** (i / 365) * (0.6 if d.month == 2 and d.day <= 10 else 1.0)
            * (weekend if d.weekday() >= 5 else 1.0) * rng.lognormvariate(0, 0.1)
            for i, d in enumerate(self.days)
        ]  # fmt: skip
