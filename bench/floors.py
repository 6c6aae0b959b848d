"""Floors: what the bare tools do with the same files, measured side by side with the product.

- ``copy_floor``: PostgreSQL's own bulk load (``COPY … FROM STDIN``) of each CSV into a plain
  typed table: the least any import into that database can cost.
- ``duckdb_rollup``: DuckDB reading the CSVs and computing the per-day rollups the product keeps
  (``stats.models`` CaseFact, WarningFact, PublicityFact): the least the aggregation can cost.

The CSVs are the import formats of DATA.md ("Files people import"): UTF-8, header row first,
Chinese headers (or their English aliases), empty cells for missing values, plain values
(dates ``YYYY-MM-DD``, datetimes ``YYYY-MM-DD HH:MM:SS``, amounts ``1234.5``).
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

# Per kind: (Chinese header, alias, SQL type). The alias names the column in both floors.
# Types are what COPY parses straight from the CSV text; yes/no cells (是/否) stay text.
MONEY = "numeric(18,2)"
SCHEMAS: dict[str, list[tuple[str, str, str]]] = {
    "units": [
        ("单位编码", "code", "text"),
        ("单位名称", "name", "text"),
        ("层级", "level", "text"),
        ("上级单位编码", "parent_code", "text"),
        ("常住人口", "population", "integer"),
    ],
    "areas": [
        ("区域编码", "code", "text"),
        ("区域名称", "name", "text"),
        ("区域类型", "kind", "text"),
        ("所属单位编码", "station_code", "text"),
        ("上级区域编码", "parent_code", "text"),
    ],
    "cases": [
        ("案件编号", "case_no", "text"),
        ("受理日期", "reported_on", "date"),
        ("发案日期", "occurred_on", "date"),
        ("办案单位", "station", "text"),
        ("发案地", "area", "text"),
        ("发案部位", "place", "text"),
        ("诈骗类型", "fraud_type", "text"),
        ("损失金额", "loss", MONEY),
        ("是否立案", "filed", "text"),
        ("受害人年龄", "victim_age", "integer"),
        ("受害人性别", "victim_gender", "text"),
        ("受害人职业", "victim_occupation", "text"),
        ("户籍类型", "residency", "text"),
        ("预警后被骗", "warned_before", "text"),
        ("破案日期", "solved_on", "date"),
        ("抓获人数", "arrested", "integer"),
        ("冻结金额", "frozen", MONEY),
        ("追赃金额", "recovered", MONEY),
        ("返还金额", "returned", MONEY),
        ("冻结日期", "frozen_on", "date"),
        ("追赃日期", "recovered_on", "date"),
        ("返还日期", "returned_on", "date"),
    ],
    "case_events": [
        ("案件编号", "case_no", "text"),
        ("事件", "kind", "text"),
        ("日期", "on", "date"),
        ("人数", "count", "integer"),
        ("金额", "amount", MONEY),
    ],
    "warnings": [
        ("预警编号", "task_no", "text"),
        ("下发时间", "issued_at", "timestamp"),
        ("风险等级", "level", "text"),
        ("预警类型", "kind", "text"),
        ("预警来源", "source", "text"),
        ("处置单位", "station", "text"),
        ("预警对象", "subject_name", "text"),
        ("对象手机号", "subject_phone", "text"),
        ("对象身份证号", "subject_id_no", "text"),
        ("涉诈类型", "fraud_type", "text"),
        ("签收时间", "acknowledged_at", "timestamp"),
        ("处置时间", "handled_at", "timestamp"),
        ("处置方式", "method", "text"),
        ("处置结果", "outcome", "text"),
        ("止损金额", "loss_prevented", MONEY),
    ],
    "publicity": [
        ("活动编号", "activity_no", "text"),
        ("活动日期", "held_on", "date"),
        ("开展单位", "unit", "text"),
        ("活动名称", "title", "text"),
        ("活动形式", "form", "text"),
        ("宣传对象", "audience", "text"),
        ("地点", "place", "text"),
        ("覆盖人数", "reach", "integer"),
        ("发放资料数", "materials", "integer"),
        ("反诈APP安装数", "app_installs", "integer"),
    ],
}

# PostgreSQL type → DuckDB type.
DUCK_TYPES = {"text": "VARCHAR", "date": "DATE", "timestamp": "TIMESTAMP", "integer": "INTEGER", MONEY: "DECIMAL(18,2)"}

CHUNK = 1 << 20  # bytes per COPY write
KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _fold(header: str) -> str:
    """A header as the importer matches it: trimmed, full-width characters folded."""
    folded = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in header)
    return folded.replace("\u3000", " ").strip().lstrip("\ufeff").strip()


def file_columns(kind: str, path: Path) -> list[tuple[str, str]]:
    """The file's columns in file order as (column name, SQL type): known headers (Chinese or
    alias) get the kind's alias and type; unknown ones a safe name and text."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    known: dict[str, tuple[str, str]] = {}
    for chinese, alias, sql_type in SCHEMAS.get(kind, []):
        known[chinese] = known[alias] = (alias, sql_type)
    columns: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, raw in enumerate(header):
        name, sql_type = known.get(_fold(raw), (f"col{i + 1}", "text"))
        if name in seen:  # a repeated header: keep it, under another name
            name = f"{name}_{i + 1}"
        seen.add(name)
        columns.append((name, sql_type))
    if not columns:
        raise ValueError(f"{path}: no header row")
    return columns


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table(kind: str) -> str:
    if not KIND_NAME.match(kind):
        raise ValueError(f"kind {kind!r}: expected a lowercase name like 'cases'")
    return f"bench_floor_{kind}"


def copy_floor(dsn: str, files: dict[str, Path]) -> dict[str, float]:
    """Bulk-load each file with a bare ``COPY … FROM STDIN (FORMAT csv, HEADER true)`` into a
    plain typed table ``bench_floor_<kind>``; seconds per kind (COPY and commit, wall clock).
    The tables are dropped at the end."""
    import psycopg

    timings: dict[str, float] = {}
    created: list[str] = []
    with psycopg.connect(dsn) as conn:
        try:
            for kind, path in files.items():
                table = _table(kind)
                columns = file_columns(kind, Path(path))
                definition = ", ".join(f"{_quote(name)} {sql_type}" for name, sql_type in columns)
                with conn.cursor() as cur:
                    cur.execute(f"DROP TABLE IF EXISTS {table}")
                    cur.execute(f"CREATE TABLE {table} ({definition})")
                conn.commit()
                created.append(table)
                names = ", ".join(_quote(name) for name, _ in columns)
                start = time.perf_counter()
                with (
                    conn.cursor() as cur,
                    cur.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                    open(path, "rb") as f,
                ):
                    while chunk := f.read(CHUNK):
                        copy.write(chunk)
                conn.commit()
                timings[kind] = time.perf_counter() - start
        finally:
            conn.rollback()
            with conn.cursor() as cur:
                for table in created:
                    cur.execute(f"DROP TABLE IF EXISTS {table}")
            conn.commit()
    return timings


# ---------------------------------------------------------------------------- DuckDB

# Default handling deadlines (earlywarnings.policy.DEFAULT_DEADLINES): minutes to sign, to handle.
DEADLINES = {"high": (10, 120), "medium": (60, 24 * 60), "low": (4 * 60, 3 * 24 * 60)}
LEVELS = {"高": "high", "中": "medium", "低": "low", "high": "high", "medium": "medium", "low": "low"}
OUTCOMES = {"dissuaded": ("劝阻成功", "dissuaded"), "defrauded": ("已被骗", "defrauded"),
            "unreachable": ("无法联系", "unreachable"), "not_ours": ("非本辖区", "not_ours")}  # fmt: skip
YES = ("是", "y", "yes", "1", "true")
NO = ("否", "n", "no", "0", "false")
AGE_BANDS = (("age_u18", 0, 17), ("age_18_40", 18, 40), ("age_41_65", 41, 65), ("age_66p", 66, 200))


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(values) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def _source(kind: str, path: Path) -> str:
    """A SELECT over the CSV (parsed by DuckDB with explicit names and types) giving every
    column of the kind's schema by alias; columns the file lacks are typed NULLs."""
    columns = file_columns(kind, path)
    spec = "{" + ", ".join(f"{_lit(name)}: {_lit(DUCK_TYPES[t])}" for name, t in columns) + "}"
    present = {name for name, _ in columns}
    select = ", ".join(
        _quote(alias) if alias in present else f"CAST(NULL AS {DUCK_TYPES[t]}) AS {_quote(alias)}"
        for _chinese, alias, t in SCHEMAS[kind]
    )
    read = (
        f"read_csv({_lit(str(path))}, header = true, auto_detect = false, columns = {spec}, "
        "delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8')"
    )
    return f"SELECT {select} FROM {read}"


def _yes(column: str, default: bool) -> str:
    value = f"lower(trim({column}))"
    return f"CASE WHEN {value} IN {_in(YES)} THEN true WHEN {value} IN {_in(NO)} THEN false ELSE {default} END"


def _case_sql(path: Path) -> str:
    bands = ",\n".join(
        f"count(*) FILTER (WHERE victim_age BETWEEN {low} AND {high}) AS {name}" for name, low, high in AGE_BANDS
    )
    return f"""
CREATE TABLE case_facts AS
WITH src AS ({_source("cases", path)})
SELECT station AS unit, reported_on AS day, fraud_type, {_yes("filed", True)} AS filed,
       count(*) AS n,
       coalesce(sum(loss), 0) AS loss,
       count(*) FILTER (WHERE {_yes("warned_before", False)}) AS warned,
       {bands},
       count(*) FILTER (WHERE victim_age IS NULL) AS age_unknown,
       count(*) FILTER (WHERE victim_gender IN ('男', 'male')) AS male,
       count(*) FILTER (WHERE victim_gender IN ('女', 'female')) AS female,
       count(*) FILTER (WHERE victim_gender IS NULL OR victim_gender NOT IN ('男', 'male', '女', 'female'))
           AS gender_unknown,
       count(*) FILTER (WHERE residency IN ('常住', 'resident')) AS resident,
       count(*) FILTER (WHERE residency IN ('流动', 'transient')) AS transient,
       count(*) FILTER (WHERE residency IS NULL OR residency NOT IN ('常住', 'resident', '流动', 'transient'))
           AS residency_unknown
FROM src
GROUP BY ALL
"""


def _warning_sql(path: Path) -> str:
    level = "CASE trim(level) " + " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in LEVELS.items()) + " END"
    sign_min = "CASE lvl " + " ".join(f"WHEN {_lit(k)} THEN {s}" for k, (s, _h) in DEADLINES.items()) + " END"
    handle_min = "CASE lvl " + " ".join(f"WHEN {_lit(k)} THEN {h}" for k, (_s, h) in DEADLINES.items()) + " END"
    outcome = "CASE trim(outcome) " + " ".join(
        f"WHEN {_lit(label)} THEN {_lit(slot)} WHEN {_lit(alias)} THEN {_lit(slot)}"
        for slot, (label, alias) in OUTCOMES.items()
    ) + " END"  # fmt: skip
    outcomes = ",\n".join(f"count(*) FILTER (WHERE handled AND oc = {_lit(slot)}) AS {slot}" for slot in OUTCOMES)
    # As the product counts them (stats.facts.task_counts): received on the day of issue,
    # signed on the day signed, handled (on time, outcome, seconds) on the day handled.
    return f"""
CREATE TABLE warning_facts AS
WITH src AS ({_source("warnings", path)}),
tasks AS (
    SELECT station, {level} AS lvl, issued_at, acknowledged_at, handled_at, {outcome} AS oc FROM src
),
moments AS (
    SELECT station, lvl, CAST(issued_at AS DATE) AS day, true AS received, false AS signed, false AS handled,
           false AS on_time, 0 AS secs, oc FROM tasks
    UNION ALL
    SELECT station, lvl, CAST(acknowledged_at AS DATE), false, true, false,
           acknowledged_at <= issued_at + to_minutes({sign_min}), date_diff('second', issued_at, acknowledged_at), oc
    FROM tasks WHERE acknowledged_at IS NOT NULL
    UNION ALL
    SELECT station, lvl, CAST(handled_at AS DATE), false, false, true,
           handled_at <= issued_at + to_minutes({handle_min}), date_diff('second', issued_at, handled_at), oc
    FROM tasks WHERE handled_at IS NOT NULL
)
SELECT station AS unit, day, lvl AS level,
       count(*) FILTER (WHERE received) AS received,
       count(*) FILTER (WHERE signed) AS signed,
       count(*) FILTER (WHERE signed AND on_time) AS signed_on_time,
       coalesce(sum(secs) FILTER (WHERE signed), 0) AS sign_seconds,
       count(*) FILTER (WHERE handled) AS handled,
       count(*) FILTER (WHERE handled AND on_time) AS handled_on_time,
       coalesce(sum(secs) FILTER (WHERE handled), 0) AS handle_seconds,
       {outcomes}
FROM moments
GROUP BY ALL
"""


def _publicity_sql(path: Path) -> str:
    return f"""
CREATE TABLE publicity_facts AS
WITH src AS ({_source("publicity", path)})
SELECT unit, held_on AS day, form,
       count(*) AS n,
       coalesce(sum(reach), 0) AS reach,
       coalesce(sum(materials), 0) AS materials,
       coalesce(sum(app_installs), 0) AS app_installs
FROM src
GROUP BY ALL
"""


ROLLUPS = {
    "cases": ("case_facts", _case_sql),
    "warnings": ("warning_facts", _warning_sql),
    "publicity": ("publicity_facts", _publicity_sql),
}


def duckdb_rollup(files: dict[str, Path]) -> dict:
    """The reference aggregation: DuckDB (in memory) parses each CSV and materializes its
    per-day rollup. Seconds per kind and in total (wall clock, CSV parsing included), and the
    rollup's row count per kind under "rows". Kinds without a rollup are ignored."""
    try:
        import duckdb
    except ImportError as exc:  # a benchmark-only dependency
        raise RuntimeError("duckdb is not installed: pip install -r requirements-bench.txt") from exc

    result: dict = {"rows": {}}
    start = time.perf_counter()
    con = duckdb.connect(":memory:")
    try:
        for kind, (table, build) in ROLLUPS.items():
            if kind not in files:
                continue
            t0 = time.perf_counter()
            con.execute(build(Path(files[kind])))
            result["rows"][kind] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            result[kind] = time.perf_counter() - t0
    finally:
        con.close()
    result["total"] = time.perf_counter() - start
    return result
