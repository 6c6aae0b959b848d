"""The benchmark's floors on tiny files: DuckDB's reference rollup and PostgreSQL's bare COPY."""

import csv
import os

import pytest

from bench.floors import copy_floor, duckdb_rollup

CASES = [
    ["案件编号", "受理日期", "发案日期", "办案单位", "发案地", "发案部位", "诈骗类型", "损失金额", "是否立案",
     "受害人年龄", "受害人性别", "受害人职业", "户籍类型", "预警后被骗", "破案日期", "抓获人数",
     "冻结金额", "追赃金额", "返还金额", "冻结日期", "追赃日期", "返还日期"],
    ["A1", "2026-03-01", "2026-02-28", "XA", "XA1001", "幸福小区", "F01", "1000.50", "是",
     "35", "男", "职员", "常住", "否", "", "", "", "", "", "", "", ""],
    ["A2", "2026-03-01", "", "XA", "", "", "F01", "200", "是",
     "70", "女", "", "流动", "是", "2026-03-05", "2", "100", "50", "50", "", "", ""],
    ["A3", "2026-03-02", "", "XA", "", "", "F01", "0", "否",
     "", "", "", "", "", "", "", "", "", "", "", "", ""],
]  # fmt: skip
WARNINGS = [
    ["预警编号", "下发时间", "风险等级", "预警类型", "预警来源", "处置单位", "预警对象", "对象手机号",
     "对象身份证号", "涉诈类型", "签收时间", "处置时间", "处置方式", "处置结果", "止损金额"],
    # high: signed in 5 min, handled in 1 h (on time), same day
    ["W1", "2026-03-01 09:00:00", "高", "电话预警", "省", "XA", "张三", "13800000000", "", "F01",
     "2026-03-01 09:05:00", "2026-03-01 10:00:00", "电话", "劝阻成功", "5000"],
    # high: handled after 3 h (late)
    ["W2", "2026-03-01 12:00:00", "高", "", "", "XA", "", "", "", "",
     "2026-03-01 12:30:00", "2026-03-01 15:00:00", "见面", "已被骗", ""],
    # low, handled the next day: two rows (issued day, handled day)
    ["W3", "2026-03-01 20:00:00", "低", "", "", "XA", "", "", "", "", "", "2026-03-02 08:00:00", "", "无法联系", ""],
    # medium, open
    ["W4", "2026-03-02 08:00:00", "中", "", "", "XB", "", "", "", "", "", "", "", "", ""],
]  # fmt: skip
PUBLICITY = [
    ["活动编号", "活动日期", "开展单位", "活动名称", "活动形式", "宣传对象", "地点", "覆盖人数", "发放资料数",
     "反诈APP安装数"],
    ["P1", "2026-03-01", "XA", "进社区讲座", "讲座", "老年人", "幸福社区", "120", "300", "40"],
    ["P2", "2026-03-01", "XA", "第二场", "讲座", "", "", "80", "", ""],
    ["P3", "2026-03-01", "XA", "摆摊", "摆摊", "", "", "", "", ""],
]  # fmt: skip


@pytest.fixture
def files(tmp_path):
    paths = {}
    for kind, rows in (("cases", CASES), ("warnings", WARNINGS), ("publicity", PUBLICITY)):
        path = tmp_path / f"{kind}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(rows)
        paths[kind] = path
    return paths


def test_duckdb_rollup_counts_groups(files):
    duckdb = pytest.importorskip("duckdb")
    result = duckdb_rollup(files)
    # cases: (XA, 03-01, F01, filed) and (XA, 03-02, F01, not filed)
    # warnings: (XA, 03-01, high), (XA, 03-01, low), (XA, 03-02, low), (XB, 03-02, medium)
    # publicity: (XA, 03-01, 讲座), (XA, 03-01, 摆摊)
    assert result["rows"] == {"cases": 2, "warnings": 4, "publicity": 2}
    for key in ("cases", "warnings", "publicity", "total"):
        assert 0 < result[key] < 60
    assert result["total"] >= result["cases"] + result["warnings"] + result["publicity"]
    assert duckdb  # the module really is there


def test_duckdb_rollup_values(files, monkeypatch):
    """The aggregates themselves, read back from a connection the function leaves open."""
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect(":memory:")
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: _Unclosed(con))
    duckdb_rollup(files)

    case = con.execute(
        "SELECT n, loss, warned, age_18_40, age_66p, age_unknown, male, female, gender_unknown, resident, "
        "transient, residency_unknown FROM case_facts WHERE filed ORDER BY day"
    ).fetchall()
    assert [tuple(map(float, row)) for row in case] == [(2, 1200.5, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0)]
    assert con.execute("SELECT n, age_unknown, gender_unknown FROM case_facts WHERE NOT filed").fetchall() == [
        (1, 1, 1)
    ]

    high = con.execute(
        "SELECT received, signed, signed_on_time, sign_seconds, handled, handled_on_time, handle_seconds, "
        "dissuaded, defrauded FROM warning_facts WHERE level = 'high'"
    ).fetchall()
    assert high == [(2, 2, 1, 300 + 1800, 2, 1, 3600 + 3 * 3600, 1, 1)]
    low = con.execute(
        "SELECT CAST(day AS VARCHAR), received, handled, handled_on_time, unreachable FROM warning_facts "
        "WHERE level = 'low' ORDER BY day"
    ).fetchall()
    assert low == [("2026-03-01", 1, 0, 0, 0), ("2026-03-02", 0, 1, 1, 1)]

    talks = con.execute("SELECT n, reach, materials, app_installs FROM publicity_facts WHERE form = '讲座'").fetchall()
    assert talks == [(2, 200, 300, 40)]
    con.close()


class _Unclosed:
    def __init__(self, con):
        self.con = con

    def execute(self, *args):
        return self.con.execute(*args)

    def close(self):
        pass


def test_duckdb_rollup_skips_missing_kinds(files):
    pytest.importorskip("duckdb")
    result = duckdb_rollup({"publicity": files["publicity"]})
    assert result["rows"] == {"publicity": 2}
    assert "cases" not in result


def test_duckdb_rollup_without_duckdb_says_how_to_install(files, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_duckdb(name, *args, **kwargs):
        if name == "duckdb":
            raise ImportError("No module named 'duckdb'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_duckdb)
    with pytest.raises(RuntimeError, match=r"requirements-bench\.txt"):
        duckdb_rollup(files)


@pytest.fixture
def postgres_dsn(db):
    """The test database's DSN (pytest-django's, not the main one) when running on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("copy_floor needs PostgreSQL: DATABASE_URL=postgres://… is not set")
    from django.db import connection

    s = connection.settings_dict
    return f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_copy_floor_loads_and_drops(files, postgres_dsn):
    import psycopg

    timings = copy_floor(postgres_dsn, files)
    assert set(timings) == {"cases", "warnings", "publicity"}
    assert all(0 < t < 60 for t in timings.values())
    with psycopg.connect(postgres_dsn) as conn:
        left = conn.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'bench_floor_%'").fetchone()[0]
    assert left == 0


def test_copy_floor_types_the_columns(files, postgres_dsn, monkeypatch):
    """The rows land typed (a date, a timestamp, a number) before the table is dropped."""
    import psycopg

    seen = {}
    real_connect = psycopg.connect

    class Spy:
        def __init__(self, conn):
            self.conn = conn

        def __getattr__(self, name):
            return getattr(self.conn, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.conn.__exit__(*exc)

        def commit(self):
            self.conn.commit()
            for kind in ("cases", "warnings"):
                table = f"bench_floor_{kind}"
                if self.conn.execute("SELECT to_regclass(%s)", [table]).fetchone()[0]:
                    seen[kind] = self.conn.execute(f"SELECT * FROM {table} ORDER BY 1 LIMIT 1").fetchone()

    monkeypatch.setattr(psycopg, "connect", lambda dsn: Spy(real_connect(dsn)))
    copy_floor(postgres_dsn, files)
    import datetime as dt
    from decimal import Decimal

    case = seen["cases"]
    assert case[:2] == ("A1", dt.date(2026, 3, 1))
    assert case[7] == Decimal("1000.50") and case[8] == "是" and case[9] == 35
    assert seen["warnings"][1] == dt.datetime(2026, 3, 1, 9, 0)
