"""``generate()``: every file of a data set, the history day by day, then the extra day.

Rows are held a day at a time (plus the case numbers the extra day may solve). The warnings
are most of the work: with two workers (the default from 100,000 tasks on a multi-core
machine) a forked child writes their later days into a part file while this process writes
everything else, and the part is then appended, so the bytes are the same as with one.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import time
from itertools import accumulate
from pathlib import Path

from bench.generate.cases import CaseRows
from bench.generate.helpers import open_csv
from bench.generate.plan import Plan
from bench.generate.publicity import PublicityRows
from bench.generate.scales import EXTRA_KINDS, KINDS_IN_ORDER, SCALES, Manifest, Scale
from bench.generate.tree import write_areas, write_units
from bench.generate.warnings import WarningRows
from imports.parsers import SHANGHAI

CHILD_SHARE = 0.45  # with two workers, the child writes the warnings after the first 45% of them
PARALLEL_FROM = 100_000  # tasks: below this, one process is quicker than forking


class Generator:
    """One data set's rows of every kind, and the writing of them to files."""

    def __init__(self, scale: Scale, seed: int, today: dt.date, until: dt.datetime) -> None:
        self.scale, self.today = scale, today
        self.until_seconds = round((until - dt.datetime.combine(today, dt.time(), SHANGHAI)).total_seconds())
        self.plan = Plan(scale, seed, today)
        self.cases = CaseRows(self.plan)
        self.warnings = WarningRows(self.plan)
        self.publicity = PublicityRows(self.plan)

    def _write_history(self, files: dict, rows: dict, split: int, child, part: Path) -> list:
        """Everything up to yesterday; returns the cases the extra day may solve."""
        plan = self.plan
        rows["units"] = write_units(files["units"], plan.units)
        rows["areas"] = write_areas(files["areas"], plan.stations)

        candidates: list = []
        case_handle, cases = open_csv(files["cases"], "cases")
        event_handle, events = open_csv(files["case_events"], "case_events")
        with case_handle, event_handle:
            rows["cases"] = rows["case_events"] = 0
            for day, count in zip(plan.days, plan.case_counts, strict=True):
                day_rows, day_events = self.cases.day(day, count, plan.last_day, candidates)
                cases.writerows(day_rows)
                events.writerows(day_events)
                rows["cases"] += len(day_rows)
                rows["case_events"] += len(day_events)

        handle, writer = open_csv(files["publicity"], "publicity")
        with handle:
            rows["publicity"] = 0
            for day, count in zip(plan.days, plan.publicity_counts, strict=True):
                day_rows = self.publicity.day(day, count)
                writer.writerows(day_rows)
                rows["publicity"] += len(day_rows)

        self.warnings.write(files["warnings"], 0, split, True)
        if child is not None:
            child.join()
            if child.exitcode != 0:
                raise RuntimeError(f"the warnings worker failed (exit code {child.exitcode})")
            with open(files["warnings"], "ab") as whole, open(part, "rb") as rest:
                shutil.copyfileobj(rest, whole, 1 << 22)
        rows["warnings"] = sum(plan.task_counts)
        return candidates

    def write(self, out_dir: Path, manifest: Manifest, workers: int) -> None:
        extra_dir = out_dir / "extra"
        extra_dir.mkdir(parents=True, exist_ok=True)
        manifest.files = {kind: out_dir / f"{kind}.csv" for kind in KINDS_IN_ORDER}
        manifest.extra_day = {kind: extra_dir / f"{kind}.csv" for kind in EXTRA_KINDS}
        files, extra, rows, extra_rows = manifest.files, manifest.extra_day, manifest.rows, manifest.extra_rows
        task_counts = self.plan.task_counts
        n_days = len(self.plan.days)

        # The warnings are most of the work: with two workers, a forked child writes the later
        # days into a part file while this process writes everything else; the part is appended.
        split = n_days
        if workers > 1:
            cumulative = list(accumulate(task_counts))
            split = next(i for i, c in enumerate(cumulative) if c >= cumulative[-1] * CHILD_SHARE)
        part = files["warnings"].with_suffix(".part")
        child = None
        if split < n_days:
            child = multiprocessing.get_context("fork").Process(
                target=self.warnings.write, args=(part, split, n_days, False), daemon=True
            )
            child.start()

        try:
            candidates = self._write_history(files, rows, split, child, part)
        finally:
            if child is not None and child.is_alive():
                child.terminate()
            part.unlink(missing_ok=True)

        # One more day: today, with new keys.
        scale = self.scale
        today_cases, _ = self.cases.day(self.today, scale.per_day(scale.cases), self.today, None)
        window = self.until_seconds
        extra_content = {
            "cases": today_cases,
            "case_events": self.cases.extra_events(candidates, len(today_cases)),
            "warnings": self.warnings.day(n_days, scale.per_day(scale.tasks), n_days * 86400 + window, window),
            "publicity": self.publicity.day(self.today, scale.per_day(scale.publicity)),
        }
        for kind, content in extra_content.items():
            handle, writer = open_csv(extra[kind], kind)
            with handle:
                writer.writerows(content)
            extra_rows[kind] = len(content)


def _until(today: dt.date, now: dt.datetime | None) -> dt.datetime:
    """The moment the extra day's warnings stop: within ``today``, not after ``now``."""
    midnight = dt.datetime.combine(today, dt.time(), SHANGHAI)
    end = midnight + dt.timedelta(seconds=86399)
    if now is None:
        real = dt.datetime.now(SHANGHAI)
        if real.date() > today:
            return end
        now = real.replace(minute=0, second=0, microsecond=0)  # this hour: stable within it
    now = now.astimezone(SHANGHAI) if now.tzinfo else now.replace(tzinfo=SHANGHAI)
    return min(max(now.replace(microsecond=0), midnight), end)


def generate(
    scale: str | Scale, out_dir: Path, *, seed: int = 2026, today: dt.date | None = None,
    now: dt.datetime | None = None, workers: int | None = None,
) -> Manifest:  # fmt: skip
    """Write the files for ``scale`` into ``out_dir`` (and ``out_dir/extra``); see ``bench.generate``."""
    name = scale if isinstance(scale, str) else "custom"
    spec = SCALES[scale] if isinstance(scale, str) else scale
    spec.check()
    started = time.perf_counter()
    today = today or dt.datetime.now(SHANGHAI).date()
    until = _until(today, now)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gen = Generator(spec, seed, today, until)
    units = gen.plan.units
    city = next(u for u in units if u.level == "city")
    county = next(u for u in units if u.parent == city.code)
    station = next(u for u in units if u.parent == county.code)
    manifest = Manifest(
        scale=name, seed=seed, today=today, first_day=gen.plan.first_day, last_day=gen.plan.last_day, dir=out_dir,
        top_code=units[0].code, city_code=city.code, county_code=county.code, station_code=station.code,
        extra_until=until,
    )  # fmt: skip
    if workers is None:
        workers = 2 if spec.tasks >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1
    gen.write(out_dir, manifest, workers)
    manifest.seconds = round(time.perf_counter() - started, 3)
    # manifest.json: paths relative to it, no timing, so that it too is the same on every run.
    stable = {k: v for k, v in manifest.as_dict().items() if k != "seconds"}
    stable["dir"] = "."
    for key in ("files", "extra_day"):
        stable[key] = {kind: path.relative_to(out_dir).as_posix() for kind, path in getattr(manifest, key).items()}
    (out_dir / "manifest.json").write_text(json.dumps(stable, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest
