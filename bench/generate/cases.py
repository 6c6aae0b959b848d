"""Rows of cases.csv and case_events.csv.

Cases follow the demo's fraud-type mix and heavy-tailed losses (``demo.records``). The ledger
rides on the case rows as cumulative totals with their dates (冻结 45% of filed cases, 破案 +
抓获 28%, 追赃 / 返还), which the intake turns into ledger events; case_events adds later
追赃 / 返还 on top, and the extra day 破案 / 抓获 / 追赃 of older open cases.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from itertools import accumulate

from bench.generate.helpers import money
from bench.generate.plan import Plan
from demo.records import FRAUD_TYPES, MAX_LOSS, OCCUPATIONS, PLACES_RURAL, PLACES_URBAN, _age

EXTRA_SOLVED = 0.15  # extra day: older open cases solved that day, per case reported that day
CANDIDATE_DAYS = 90  # …chosen among filed, unsolved cases of the last 90 days
FOLLOW_UP = 0.3  # of cases with 追赃 on their row, a later 追赃 in case_events


class CaseRows:
    """A day's cases with their ledger, and the extra day's progress on older cases."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.fraud_codes = list(FRAUD_TYPES)
        self.fraud_cumulative = list(accumulate(FRAUD_TYPES[c][0] for c in self.fraud_codes))

    def day(self, day: dt.date, count: int, last_day: dt.date, candidates: list | None):
        """(case rows, case_events rows) of ``count`` cases reported on ``day``, their ledger up to
        ``last_day``. Filed, unsolved cases go to ``candidates`` (for the extra day's 破案)."""
        plan = self.plan
        rng = random.Random(f"{plan.seed}:cases:{day.isoformat()}")
        on = day.isoformat()
        stations = rng.choices(plan.stations, cum_weights=plan.case_weights, k=count)
        codes = rng.choices(self.fraud_codes, cum_weights=self.fraud_cumulative, k=count)
        rows, events = [], []
        for seq, (station, code) in enumerate(zip(stations, codes, strict=True), start=1):
            case_no = f"A{plan.root6}{day:%Y%m%d}{seq:05d}"
            _, median, spread = FRAUD_TYPES[code]
            loss = round(min(MAX_LOSS, rng.lognormvariate(math.log(median), spread)), 2)
            filed = loss >= 2000 or rng.random() < 0.55
            occurred = day - dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 5)))
            place = ""
            if rng.random() < 0.35:
                place = rng.choice(PLACES_RURAL if station.rural else PLACES_URBAN).format(station.stem)
            row = [
                case_no, on, occurred.isoformat(), station.code, rng.choice(station.areas)[0], place, code,
                money(loss), "是" if filed else "否", _age(rng, code), "女" if rng.random() < 0.56 else "男",
                rng.choice(OCCUPATIONS), "流动" if rng.random() < 0.2 else "常住",
                "是" if rng.random() < 0.05 else "否", "", "", "", "", "", "", "", "",
            ]  # fmt: skip
            if filed and rng.random() < 0.45:
                row[16] = money(loss * rng.uniform(0.05, 0.6))
                row[19] = min(day + dt.timedelta(days=rng.randint(0, 3)), last_day).isoformat()
            solved_on = day + dt.timedelta(days=rng.randint(5, 150))
            if filed and rng.random() < 0.28 and solved_on <= last_day:
                row[14] = solved_on.isoformat()
                row[15] = rng.choice((1, 1, 1, 2, 2, 3, 4))
                if rng.random() < 0.6:
                    recovered = round(loss * rng.uniform(0.1, 0.8), 2)
                    recovered_on = min(solved_on + dt.timedelta(days=rng.randint(0, 20)), last_day)
                    row[17], row[20] = money(recovered), recovered_on.isoformat()
                    returned_on = recovered_on + dt.timedelta(days=rng.randint(5, 40))
                    if returned_on <= last_day:
                        row[18], row[21] = money(recovered * rng.uniform(0.5, 1.0)), returned_on.isoformat()
                    events += self._follow_up(rng, case_no, loss - recovered, returned_on, last_day)
            elif filed and candidates is not None and (last_day - day).days < CANDIDATE_DAYS:
                candidates.append((case_no, loss))
            rows.append(row)
        return rows, events

    @staticmethod
    def _follow_up(rng: random.Random, case_no: str, left: float, after: dt.date, last_day: dt.date) -> list:
        """Sometimes more money is recovered later (追赃), and some of it returned (返还)."""
        if rng.random() >= FOLLOW_UP:
            return []
        on = after + dt.timedelta(days=rng.randint(5, 60))
        amount = round(left * rng.uniform(0.1, 0.5), 2)
        if on > last_day or amount < 0.01:
            return []
        events = [(case_no, "追赃", on.isoformat(), "", money(amount))]
        back = on + dt.timedelta(days=rng.randint(3, 30))
        if back <= last_day and rng.random() < 0.6:
            events.append((case_no, "返还", back.isoformat(), "", money(max(0.01, amount * rng.uniform(0.5, 1.0)))))
        return events

    def extra_events(self, candidates: list, cases_today: int) -> list:
        """The extra day's progress on older cases: 破案 and 抓获, sometimes 追赃."""
        today = self.plan.today
        rng = random.Random(f"{self.plan.seed}:case_events:{today.isoformat()}")
        on = today.isoformat()
        chosen = rng.sample(candidates, min(len(candidates), max(1, round(cases_today * EXTRA_SOLVED))))
        events = []
        for case_no, loss in chosen:
            events.append((case_no, "破案", on, "", ""))
            events.append((case_no, "抓获", on, rng.choice((1, 1, 2, 3)), ""))
            if rng.random() < 0.5 and loss >= 1:
                events.append((case_no, "追赃", on, "", money(loss * rng.uniform(0.1, 0.6))))
        return events
