"""Rows of publicity.csv: the demo's forms, audiences and reach, mostly run by stations,
some by a county (SMS pushes, robocalls)."""

from __future__ import annotations

import datetime as dt
import random
from itertools import accumulate

from bench.generate.plan import Plan
from demo.records import AUDIENCE, PUBLICITY
from publicity.models import PublicityForm

COUNTY_PUBLICITY = 0.08  # share of activities run by a county (SMS pushes, robocalls)
FORM = dict(PublicityForm.choices)  # Chinese labels, as the file carries them


class PublicityRows:
    """A day's publicity activities."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.forms = list(PUBLICITY)
        self.form_cumulative = list(accumulate(PUBLICITY[f][0] for f in self.forms))

    def day(self, day: dt.date, count: int) -> list:
        plan = self.plan
        rng = random.Random(f"{plan.seed}:publicity:{day.isoformat()}")
        on = day.isoformat()
        rows = []
        stations = rng.choices(plan.stations, cum_weights=plan.publicity_weights, k=count)
        for seq, station in enumerate(stations, start=1):
            activity_no = f"P{plan.root6}{day:%Y%m%d}{seq:04d}"
            if rng.random() < COUNTY_PUBLICITY:
                sms = rng.random() < 0.5
                rows.append((
                    activity_no, on, station.county, "全区（县）反诈预警短信群发" if sms else "反诈智能外呼提醒",
                    FORM["sms" if sms else "robocall"], "全体群众", "", rng.randint(20_000, 150_000), 0, 0,
                ))  # fmt: skip
                continue
            form = rng.choices(self.forms, cum_weights=self.form_cumulative)[0]
            _, (low, high), title = PUBLICITY[form]
            community = rng.choice(station.areas)[1]
            reach = rng.randint(low, high)
            rows.append((
                activity_no, on, station.code, title.format(community), FORM[form], AUDIENCE[form],
                "" if form in ("wechat", "video") else community, reach,
                reach if form in ("community", "stall", "lecture", "school") else 0,
                round(reach * rng.uniform(0.05, 0.3)) if form != "video" else 0,
            ))  # fmt: skip
        return rows
