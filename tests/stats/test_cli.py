"""``manage.py stats`` prints the API's JSON or a Chinese table; ``stats_rebuild`` rebuilds
or refreshes the rollups."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from stats.metrics import base_values
from stats.models import StatsState
from stats.periods import period_for
from tests.factories import CaseFactory
from tests.stats.test_api import MAY_2024, client_for, seed_may_2024


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def may_2024(tree):
    seed_may_2024(tree)
    return tree


def test_json_is_exactly_the_apis(may_2024):
    printed = run("stats", "--unit", "X", "--period", "month", "--date", "2024-05-15", "--json")
    api = client_for(may_2024.leader).get("/api/v1/stats/", MAY_2024).json()
    assert json.loads(printed) == api
    assert '"label": "发案数"' in printed  # not \\u escapes, indented by two


def test_custom_period_json(may_2024):
    printed = run("stats", "--unit", "XA", "--start", "2024-05-01", "--end", "2024-05-10", "--json")
    data = json.loads(printed)
    assert data["period"]["kind"] == "custom" and data["metrics"]["cases"]["value"] == 2


def test_table_reads_in_chinese(may_2024):
    table = run("stats", "--unit", "X", "--period", "month", "--date", "2024-05-15")
    header = table.splitlines()[0]
    assert "临江区公安分局" in header and "2024年5月" in header and "数据更新时间" in header
    for words in ("指标", "本期", "同比%", "环比%", "发案数（起）", "损失金额（万元）", "覆盖人数（人）"):
        assert words in table, words
    cases = next(line for line in table.splitlines() if line.startswith("发案数"))
    assert cases.split() == ["发案数（起）", "4", "3", "↑33.3%", "7", "↓42.9%"]
    loss = next(line for line in table.splitlines() if line.startswith("损失金额"))
    assert loss.split() == ["损失金额（万元）", "0.70", "0.45", "↑55.6%", "0.56", "↑25.0%"]
    solved = next(line for line in table.splitlines() if line.startswith("破案数"))
    assert solved.split()[-3:] == ["—", "0", "—"]


def test_table_marks_notable_changes(tree):
    for day in range(1, 21):
        CaseFactory(station=tree.station_a, reported_on=dt.date(2024, 5, day))
    call_command("stats_rebuild", stdout=StringIO())
    table = run("stats", "--unit", "XA", "--period", "month", "--date", "2024-05-01")
    cases = next(line for line in table.splitlines() if line.startswith("发案数"))
    assert cases.split()[3] == "—" and "*" not in cases  # no base: no change, nothing to mark
    june = run("stats", "--unit", "XA", "--period", "month", "--date", "2024-06-01")
    line = next(line for line in june.splitlines() if line.startswith("发案数"))
    assert line.split()[-1] == "↓100.0%*"  # 20 → 0 is beyond chance


def test_errors_are_chinese(tree):
    for args, message in (
        (["--unit", "NOPE", "--period", "month", "--date", "2024-05-01"], "单位编码“NOPE”不存在"),
        (["--unit", "X", "--period", "month", "--date", "2024-5-1"], "参数 --date"),
        (["--unit", "X", "--period", "month"], "缺少参数 --date"),
        (["--unit", "X"], "缺少参数 --period"),
        (["--period", "month", "--date", "2024-05-01"], "缺少参数 --unit"),
        (["--unit", "X", "--start", "2024-05-01"], "缺少参数 --end"),
        (["--unit", "X", "--period", "lunar", "--date", "2024-05-01"], "“lunar”无效"),
    ):
        with pytest.raises(CommandError, match=message):
            run("stats", *args)


def test_stats_rebuild_and_refresh(tree):
    CaseFactory(station=tree.station_a, reported_on=dt.date(2024, 5, 3))
    assert "全量重建完成" in run("stats_rebuild")
    may = period_for("month", dt.date(2024, 5, 1))
    assert base_values(tree.city, [may])[0]["cases"] == 1
    CaseFactory(station=tree.station_b, reported_on=dt.date(2024, 5, 4))
    assert "增量刷新" in run("stats_rebuild", "--refresh")
    assert base_values(tree.city, [may])[0]["cases"] == 2
    assert "2024-05-01 及以后" in run("stats_rebuild", "--since", "2024-05-01")
    assert base_values(tree.city, [may])[0]["cases"] == 2
    assert StatsState.objects.get().rebuilt_at is not None
    with pytest.raises(CommandError, match="参数 --since"):
        run("stats_rebuild", "--since", "yesterday")
