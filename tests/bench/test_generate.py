"""bench.generate: benchmark files in the import formats that the real intake accepts whole."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from bench.generate import EXTRA_KINDS, HEADERS, KINDS_IN_ORDER, Scale, generate
from cases.models import CaseEvent, FraudCase
from earlywarnings.models import OPEN_STATUSES, WarningTask
from earlywarnings.validators import validate_id_number, validate_mainland_phone
from imports.kinds.registry import KINDS
from imports.models import ImportJob, ImportStatus
from orgs.models import Area, Unit
from publicity.models import PublicityActivity

TINY = Scale(cities=1, counties=2, stations=4, years=1, cases=300, tasks=2_000, publicity=50)
TINY_PROVINCE = Scale(cities=2, counties=3, stations=6, years=1, cases=300, tasks=2_000, publicity=50)
TODAY = dt.date(2025, 6, 1)
KEYS = {"units": "单位编码", "areas": "区域编码", "cases": "案件编号", "warnings": "预警编号", "publicity": "活动编号"}


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    return generate(TINY, out, seed=7, today=TODAY)


def test_every_file_has_the_data_md_headers_the_intake_knows(made):
    assert set(made.files) == set(KINDS_IN_ORDER) and set(made.extra_day) == set(EXTRA_KINDS)
    for kind, path in [*made.files.items(), *made.extra_day.items()]:
        assert header(path) == list(HEADERS[kind])
        columns = KINDS[kind].columns
        assert set(HEADERS[kind]) <= {c.header for c in columns}
        assert {c.header for c in columns if c.needed} <= set(HEADERS[kind])


def test_row_counts_match_the_manifest(made):
    for kind, path in made.files.items():
        assert len(read(path)) == made.rows[kind], kind
    for kind, path in made.extra_day.items():
        assert len(read(path)) == made.extra_rows[kind] > 0, kind
    assert made.rows["cases"] == TINY.cases and made.rows["warnings"] == TINY.tasks
    assert made.rows["publicity"] == TINY.publicity and made.rows["case_events"] > 0
    assert made.rows["units"] == 1 + 2 + 4 and made.rows["areas"] == 4 * 3


def test_the_same_seed_and_day_give_the_same_bytes_with_one_or_two_workers(made, tmp_path):
    again = generate(TINY, tmp_path / "again", seed=7, today=TODAY, workers=2)
    other = generate(TINY, tmp_path / "other", seed=8, today=TODAY)
    names = sorted(p.relative_to(made.dir) for p in made.dir.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(again.dir) for p in again.dir.rglob("*") if p.is_file())
    for name in names:
        assert (made.dir / name).read_bytes() == (again.dir / name).read_bytes(), name
    assert made.files["warnings"].read_bytes() != other.files["warnings"].read_bytes()


def test_keys_are_unique_across_the_history_and_the_extra_day(made):
    for kind, column in KEYS.items():
        keys = [row[column] for row in read(made.files[kind])]
        if kind in made.extra_day:
            keys += [row[column] for row in read(made.extra_day[kind])]
        assert len(keys) == len(set(keys)), kind


def test_the_tree_and_the_areas_hang_together(made):
    units = read(made.files["units"])
    levels = {u["单位编码"]: u["层级"] for u in units}
    assert [u["层级"] for u in units].count("市") == 1 and units[0]["上级单位编码"] == ""
    assert all(u["上级单位编码"] in levels for u in units[1:])
    assert len({u["单位名称"] for u in units}) == len(units)
    assert all(len(code) == 12 and code.isdigit() for code in levels)
    stations = {c for c, level in levels.items() if level == "派出所"}
    assert {a["所属单位编码"] for a in read(made.files["areas"])} == stations
    assert (made.city_code, made.county_code, made.station_code) == (
        units[0]["单位编码"], units[1]["单位编码"], units[2]["单位编码"],
    )  # fmt: skip


def test_history_lies_in_its_span_and_the_extra_day_is_today(made):
    first, last, today = made.first_day.isoformat(), made.last_day.isoformat(), made.today.isoformat()
    assert made.last_day == TODAY - dt.timedelta(days=1) and (made.last_day - made.first_day).days == 364
    cases = read(made.files["cases"])
    assert all(first <= c["受理日期"] <= last for c in cases)
    for c in cases:
        for column in ("破案日期", "冻结日期", "追赃日期", "返还日期"):
            assert c[column] == "" or c["受理日期"] <= c[column] <= last
    numbers = {c["案件编号"]: c for c in cases}
    assert all(first <= e["日期"] <= last and e["案件编号"] in numbers for e in read(made.files["case_events"]))
    tasks = read(made.files["warnings"])
    assert all(first <= t["下发时间"][:10] <= last for t in tasks)
    assert all(t[c] == "" or t["下发时间"] <= t[c] < today for t in tasks for c in ("签收时间", "处置时间"))
    assert all(first <= p["活动日期"] <= last for p in read(made.files["publicity"]))

    extra = {kind: read(path) for kind, path in made.extra_day.items()}
    assert {c["受理日期"] for c in extra["cases"]} == {today}
    assert {p["活动日期"] for p in extra["publicity"]} == {today}
    assert {t["下发时间"][:10] for t in extra["warnings"]} == {today}
    assert made.extra_until is not None and made.extra_until.date() == TODAY
    until = made.extra_until.strftime("%Y-%m-%d %H:%M:%S")
    assert all(t[c] <= until for t in extra["warnings"] for c in ("下发时间", "签收时间", "处置时间"))
    for event in extra["case_events"]:  # progress on older cases, still unsolved in the history
        assert event["日期"] == today and numbers[event["案件编号"]]["破案日期"] == ""


def test_people_have_valid_phones_and_id_numbers_and_some_tasks_stay_open(made):
    tasks = read(made.files["warnings"])
    for task in tasks:
        validate_mainland_phone(task["对象手机号"])
        validate_id_number(task["对象身份证号"])
    still_open = [t for t in tasks if not t["处置时间"]]
    assert 0 < len(still_open) < len(tasks) * 0.05
    levels = {t["风险等级"] for t in tasks}
    assert levels == {"高", "中", "低"}


def _import(kind: str, path: Path) -> ImportJob:
    out = StringIO()
    try:
        call_command("import_data", kind, str(path), stdout=out)
    except SystemExit as exit_:
        pytest.fail(f"import_data {kind} exited {exit_.code}:\n{out.getvalue()}")
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportStatus.APPLIED, out.getvalue()
    return job


def _ledger_events(rows: list[dict[str, str]]) -> int:
    """The ledger events the case rows' cumulative totals become: 破案, 抓获, 冻结, 追赃, 返还."""
    columns = ("破案日期", "抓获人数", "冻结金额", "追赃金额", "返还金额")
    return sum(1 for row in rows for c in columns if row[c] not in ("", "0"))


def _counts() -> dict[str, int]:
    return {
        "units": Unit.objects.filter(code__startswith="98").count(), "areas": Area.objects.count(),
        "cases": FraudCase.objects.count(), "events": CaseEvent.objects.count(),
        "warnings": WarningTask.objects.count(), "publicity": PublicityActivity.objects.count(),
    }  # fmt: skip


@pytest.mark.django_db
def test_the_real_intake_takes_every_file_whole_then_the_extra_day(tmp_path):
    today = timezone.localdate()
    made = generate(TINY_PROVINCE, tmp_path / "files", seed=11, today=today)
    assert [u["层级"] for u in read(made.files["units"])][:2] == ["省", "市"]
    before = _counts()

    for kind in KINDS_IN_ORDER:
        job = _import(kind, made.files[kind])
        assert (job.rows_read, job.created, job.refused) == (made.rows[kind], made.rows[kind], 0), kind

    counts = _counts()
    cases = read(made.files["cases"])
    expected_events = _ledger_events(cases) + made.rows["case_events"]
    assert counts == {
        "units": before["units"] + made.rows["units"], "areas": before["areas"] + made.rows["areas"],
        "cases": before["cases"] + made.rows["cases"], "events": before["events"] + expected_events,
        "warnings": before["warnings"] + made.rows["warnings"],
        "publicity": before["publicity"] + made.rows["publicity"],
    }  # fmt: skip
    assert WarningTask.objects.filter(status__in=OPEN_STATUSES).exists()
    assert FraudCase.objects.filter(solved_on__isnull=False).exists()

    for kind in EXTRA_KINDS:
        job = _import(kind, made.extra_day[kind])
        assert (job.created, job.refused) == (made.extra_rows[kind], 0), kind
    grown = _counts()
    extra_events = _ledger_events(read(made.extra_day["cases"])) + made.extra_rows["case_events"]
    assert grown["cases"] - counts["cases"] == made.extra_rows["cases"]
    assert grown["events"] - counts["events"] == extra_events
    assert grown["warnings"] - counts["warnings"] == made.extra_rows["warnings"]
    assert grown["publicity"] - counts["publicity"] == made.extra_rows["publicity"]
    solved_today = {e["案件编号"] for e in read(made.extra_day["case_events"]) if e["事件"] == "破案"}
    assert FraudCase.objects.filter(case_no__in=solved_today, solved_on=today).count() == len(solved_today) > 0
