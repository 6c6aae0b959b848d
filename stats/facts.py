"""How each rollup is computed from the raw records, and where each record counts.

For every source (cases, ledger events, warning tasks, publicity) this module knows:
- its *footprint*: the unit and the days a record counts on (``footprints``);
- how to compute the fact rows of a set of (unit, day) pairs, or of everything, from the
  live raw records (``write_facts``).

Cases, events and publicity aggregate in SQL (``INSERT … SELECT … GROUP BY``). Warning
tasks aggregate in Python: a task counts on up to five days and its overdue interval
needs a little logic, which reads better here than in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Count, DateField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases.models import CaseEvent, FraudCase, Gender, Residency
from earlywarnings.models import Outcome, WarningTask
from orgs.batches import batches
from publicity.models import PublicityActivity
from stats.models import AreaFact, CaseFact, EventFact, Footprint, PublicityFact, Source, WarningFact

Pairs = dict[int, set[dt.date]]  # unit id → days
CHUNK = 2000

# Victim age bands (DOMAIN.md: most victims are 18–40, then 41–65): column, label, ages.
AGE_BANDS = (
    ("age_u18", "未满18岁", 0, 17),
    ("age_18_40", "18—40岁", 18, 40),
    ("age_41_65", "41—65岁", 41, 65),
    ("age_66p", "66岁及以上", 66, 200),
)
AGE_UNKNOWN = ("age_unknown", "年龄不详")


def chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    """``items`` in lists of ``size`` (by default ``CHUNK``, rows per statement)."""
    return batches(items, size)


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days: [(first, last), …]."""
    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + dt.timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(a, b) for a, b in runs]


def _pairs_q(pairs: Pairs, unit_field: str, day_field: str) -> Q:
    """Rows of the given (unit, day) pairs; day_field is a date column."""
    q = Q(pk__in=[])
    for unit_id, days in pairs.items():
        q |= Q(**{unit_field: unit_id, f"{day_field}__in": sorted(days)})
    return q


def _moment_q(pairs: Pairs, unit_field: str, moment_fields: Iterable[str]) -> Q:
    """Rows of the given units with any of ``moment_fields`` (datetimes) on one of its days."""
    q = Q(pk__in=[])
    for unit_id, days in pairs.items():
        q |= Q(**{unit_field: unit_id}) & _on_days(days, moment_fields)
    return q


def _on_days(days: Iterable[dt.date], moment_fields: Iterable[str]) -> Q:
    """Rows with any of ``moment_fields`` (datetimes) on one of ``days``."""
    q = Q(pk__in=[])
    for first, last in day_runs(days):
        start, end = day_start(first), day_start(last + dt.timedelta(days=1))
        for field in moment_fields:
            q |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return q


# ---------------------------------------------------------------------------- footprints


def footprint_querysets() -> dict[Source, QuerySet]:
    """Per source, rows of (source, record id, unit id, d1, d2, d3, d4, d5) over all records,
    voided or not: a voided record still touches the pairs it used to count on."""
    none = Value(None, output_field=DateField())
    day = {name: TruncDate(field) for name, field in zip(
        ("d1", "d2", "d3", "d4", "d5"), TASK_MOMENTS, strict=True)}  # fmt: skip
    plain = {"d2": none, "d3": none, "d4": none, "d5": none}
    querysets = {
        Source.CASE: FraudCase.objects.annotate(fp_unit=F("station_id"), d1=F("reported_on"), **plain),
        Source.EVENT: CaseEvent.objects.annotate(fp_unit=F("case__station_id"), d1=F("occurred_on"), **plain),
        Source.TASK: WarningTask.objects.annotate(fp_unit=F("station_id"), **day),
        Source.PUBLICITY: PublicityActivity.objects.annotate(fp_unit=F("unit_id"), d1=F("held_on"), **plain),
    }
    return {
        source: qs.annotate(source_=Value(int(source), output_field=IntegerField()))
        .order_by()
        .values_list("source_", "id", "fp_unit", "d1", "d2", "d3", "d4", "d5", "updated_at")
        for source, qs in querysets.items()
    }


def _unseen(source: Source, since: dt.datetime) -> Q:
    """Changed after ``since`` and not yet read at this very version: a record whose
    footprint already carries its ``updated_at`` was read by an earlier refresh, so the
    overlap window costs nothing."""
    seen = Footprint.objects.filter(source=source, record_id=OuterRef("pk"), seen=OuterRef("updated_at"))
    return Q(updated_at__gt=since) & ~Exists(seen)


def changed_ids(source: Source, since: dt.datetime, *, cases: list[int] = ()) -> list[int]:
    """Ids of the records of ``source`` changed after ``since`` and not read since; events
    also when their case is among ``cases`` (a voided or moved case takes its ledger along)."""
    match source:
        case Source.CASE:
            qs = FraudCase.objects.filter(_unseen(source, since))
        case Source.EVENT:
            qs = CaseEvent.objects.filter(_unseen(source, since) | Q(case_id__in=cases))
        case Source.TASK:
            qs = WarningTask.objects.filter(_unseen(source, since))
        case Source.PUBLICITY:
            qs = PublicityActivity.objects.filter(_unseen(source, since))
    return list(qs.order_by().values_list("id", flat=True))


def add_pairs(pairs: Pairs, unit_id: int, *days: dt.date | None) -> None:
    pairs.setdefault(unit_id, set()).update(d for d in days if d is not None)


def move_footprints(source: Source, ids: list[int]) -> Pairs:
    """Replace the footprints of these records with their current ones; return the pairs
    touched before and after."""
    pairs: Pairs = {}
    current = footprint_querysets()[source]
    for batch in chunks(ids):
        old = Footprint.objects.filter(source=source, record_id__in=batch)
        for unit_id, *days in old.values_list("unit_id", "d1", "d2", "d3", "d4", "d5"):
            add_pairs(pairs, unit_id, *days)
        new = [
            Footprint(source=source, record_id=rid, unit_id=unit_id, d1=d1, d2=d2, d3=d3, d4=d4, d5=d5, seen=seen)
            for _, rid, unit_id, d1, d2, d3, d4, d5, seen in current.filter(id__in=batch)
        ]
        for fp in new:
            add_pairs(pairs, fp.unit_id, fp.d1, fp.d2, fp.d3, fp.d4, fp.d5)
        old.delete()
        Footprint.objects.bulk_create(new)
    return pairs


FOOTPRINT_COLUMNS = ["source", "record_id", "unit_id", "d1", "d2", "d3", "d4", "d5", "seen"]


def rebuild_footprints(*, tasks: bool = True) -> None:
    """Every record's footprint afresh (without ``tasks``: the task pass writes theirs)."""
    Footprint.objects.all().delete()
    for source, qs in footprint_querysets().items():
        if source != Source.TASK or tasks:
            sql, params = qs.query.sql_with_params()
            insert_select(Footprint, FOOTPRINT_COLUMNS, sql, params)


def insert_select(model, columns: list[str], sql: str, params) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({cols}) {sql}", params)


# ---------------------------------------------------------------------------- facts


def _case_aggregates() -> dict:
    aggs = {
        "n": Count("id"),
        "loss_": Sum("loss", default=0),
        "warned": Count("id", filter=Q(warned_before=True)),
    }
    for column, _label, low, high in AGE_BANDS:
        aggs[column] = Count("id", filter=Q(victim_age__gte=low, victim_age__lte=high))
    aggs[AGE_UNKNOWN[0]] = Count("id", filter=Q(victim_age__isnull=True))
    aggs["male"] = Count("id", filter=Q(victim_gender=Gender.MALE))
    aggs["female"] = Count("id", filter=Q(victim_gender=Gender.FEMALE))
    aggs["gender_unknown"] = Count("id", filter=~Q(victim_gender__in=Gender.values))
    aggs["resident"] = Count("id", filter=Q(residency=Residency.RESIDENT))
    aggs["transient"] = Count("id", filter=Q(residency=Residency.TRANSIENT))
    aggs["residency_unknown"] = Count("id", filter=~Q(residency__in=Residency.values))
    return aggs


def _write_grouped(model, qs: QuerySet, keys: dict[str, str], aggregates: dict[str, object]) -> None:
    """INSERT INTO model (keys…, aggregates…) SELECT … FROM qs GROUP BY keys. ``keys`` maps
    fact columns to record fields; an aggregate name ending in "_" fills the column without it."""
    grouped = qs.order_by().values(**{f"k_{col}": F(field) for col, field in keys.items()}).annotate(**aggregates)
    names = [f"k_{col}" for col in keys] + list(aggregates)
    sql, params = grouped.values_list(*names).query.sql_with_params()
    columns = [*keys, *(name.removesuffix("_") for name in aggregates)]
    insert_select(model, columns, sql, params)


def write_case_facts(cases: QuerySet) -> None:
    live = cases.filter(voided_at__isnull=True)
    _write_grouped(
        CaseFact, live, {"day": "reported_on", "unit_id": "station_id", "fraud_type_id": "fraud_type_id",
                         "filed": "filed"}, _case_aggregates(),
    )  # fmt: skip
    _write_grouped(
        AreaFact, live, {"day": "reported_on", "unit_id": "station_id", "area_id": "area_id"},
        {"reports": Count("id"), "cases": Count("id", filter=Q(filed=True)),
         "loss_": Sum("loss", filter=Q(filed=True), default=0)},
    )  # fmt: skip


def write_event_facts(events: QuerySet) -> None:
    live = events.filter(voided_at__isnull=True, case__voided_at__isnull=True)
    _write_grouped(
        EventFact, live, {"day": "occurred_on", "unit_id": "case__station_id", "kind": "kind"},
        {"n": Count("id"), "people": Sum("count", default=0), "amount": Sum("amount", default=0)},
    )  # fmt: skip


def write_publicity_facts(activities: QuerySet) -> None:
    _write_grouped(
        PublicityFact, activities.filter(voided_at__isnull=True),
        {"day": "held_on", "unit_id": "unit_id", "form": "form"},
        {"n": Count("id"), "reach_": Sum("reach", default=0), "materials_": Sum("materials", default=0),
         "app_installs_": Sum("app_installs", default=0)},
    )  # fmt: skip


# Warning tasks, in Python. Counter slots of one (day, unit, level) row:
TASK_SLOTS = (
    "received", "signed", "signed_on_time", "sign_seconds", "handled", "handled_on_time", "handle_seconds",
    "dissuaded", "defrauded", "unreachable", "not_ours", "overdue_starts", "overdue_ends",
)  # fmt: skip
_SLOT = {name: i for i, name in enumerate(TASK_SLOTS)}
_OUTCOME_SLOT = {Outcome.DISSUADED: "dissuaded", Outcome.DEFRAUDED: "defrauded",
                 Outcome.UNREACHABLE: "unreachable", Outcome.NOT_OURS: "not_ours"}  # fmt: skip
TASK_FIELDS = ("id", "updated_at", "voided_at", "station_id", "level", "issued_at", "acknowledged_at", "handled_at",
               "sign_deadline", "handle_deadline", "outcome")  # fmt: skip


def overdue_intervals(
    signed: dt.date | None, handled: dt.date | None, sign_deadline: dt.date, handle_deadline: dt.date
) -> list[tuple[dt.date, dt.date | None]]:
    """The days at whose end a task was open past a deadline, as [start, end) day intervals
    (end None: still overdue). At the end of day d a task is overdue when it was not yet
    handled (handled day after d) and either its handle deadline fell on or before d, or it
    was not yet signed for (signed day after d) and its sign deadline fell on or before d."""
    handle_end = handled
    sign_end = signed if handled is None else (handled if signed is None else min(signed, handled))
    intervals = [(handle_deadline, handle_end), (sign_deadline, sign_end)]
    nonempty = [(a, b) for a, b in intervals if b is None or a < b]
    if len(nonempty) == 2:
        (a1, b1), (a2, b2) = sorted(nonempty, key=lambda iv: iv[0])
        if b1 is None or a2 <= b1:  # overlapping or touching: one interval
            end = None if b1 is None or b2 is None else max(b1, b2)
            return [(a1, end)]
    return nonempty


def task_counts(rows: Iterable[tuple], footprints: list | None = None) -> dict[tuple[dt.date, int, str], list[int]]:
    """Counter rows keyed (day, unit id, level) from task rows of TASK_FIELDS. Voided tasks
    count nowhere; with ``footprints`` (a list) every task's footprint row is appended to it."""
    counts: dict[tuple[dt.date, int, str], list[int]] = defaultdict(lambda: [0] * len(TASK_SLOTS))
    tz = timezone.get_current_timezone()
    for task_id, updated, voided, unit_id, level, issued, signed, handled, sign_dl, handle_dl, outcome in rows:
        if issued.tzinfo is None:  # SQLite: naive UTC straight from the cursor
            issued, signed, handled, sign_dl, handle_dl = map(_utc, (issued, signed, handled, sign_dl, handle_dl))
        issued_day = issued.astimezone(tz).date()
        signed_day = None if signed is None else signed.astimezone(tz).date()
        handled_day = None if handled is None else handled.astimezone(tz).date()
        sign_dl_day, handle_dl_day = sign_dl.astimezone(tz).date(), handle_dl.astimezone(tz).date()
        if footprints is not None:
            footprints.append(
                (
                    Source.TASK,
                    task_id,
                    unit_id,
                    issued_day,
                    signed_day,
                    handled_day,
                    sign_dl_day,
                    handle_dl_day,
                    updated,
                )
            )  # raw: stored exactly as read
        if voided is not None:
            continue
        counts[(issued_day, unit_id, level)][0] += 1
        if signed is not None:
            row = counts[(signed_day, unit_id, level)]
            row[1] += 1
            row[2] += signed <= sign_dl
            row[3] += int((signed - issued).total_seconds())
        if handled is not None:
            row = counts[(handled_day, unit_id, level)]
            row[4] += 1
            row[5] += handled <= handle_dl
            row[6] += int((handled - issued).total_seconds())
            if outcome in _OUTCOME_SLOT:
                row[_SLOT[_OUTCOME_SLOT[outcome]]] += 1
        for start, end in overdue_intervals(signed_day, handled_day, sign_dl_day, handle_dl_day):
            counts[(start, unit_id, level)][11] += 1
            if end is not None:
                counts[(end, unit_id, level)][12] += 1
    return counts


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC)


def raw_rows(qs: QuerySet) -> Iterator[tuple]:
    """A values_list queryset's rows straight from the cursor, without Django's per-value
    converters (costly on SQLite). Datetimes come back aware on PostgreSQL and naive UTC
    on SQLite; ``task_counts`` makes them aware."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's timestamptz loader parses in Python (a regex per value); psycopg's
            # own is compiled and, on Django's UTC session, gives the same aware datetimes.
            import psycopg

            oid = psycopg.adapters.types["timestamptz"].oid
            loader = psycopg.adapters.get_loader(oid, psycopg.pq.Format.TEXT)
            cursor.cursor.adapters.register_loader(oid, loader)
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(20000):
            yield from batch


def write_task_facts(*tasks: QuerySet, keep=lambda day, unit_id: True, footprints: bool = False) -> None:
    """Write the WarningFact rows of ``tasks`` that ``keep`` accepts; with ``footprints``,
    also every task's footprint (the full rebuild: one pass over the tasks for both)."""
    rows = (row for qs in tasks for row in raw_rows(qs.order_by().values_list(*TASK_FIELDS)))
    prints: list | None = [] if footprints else None
    facts = (
        (day, unit_id, level, *values)
        for (day, unit_id, level), values in task_counts(rows, prints).items()
        if keep(day, unit_id)
    )
    insert_rows(WarningFact, ["day", "unit_id", "level", *TASK_SLOTS], facts)
    if prints:
        insert_rows(Footprint, FOOTPRINT_COLUMNS, prints)


def insert_rows(model, columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert plain rows fast: COPY on PostgreSQL, executemany elsewhere."""
    ops = connections[DEFAULT_DB_ALIAS].ops  # not the per-thread proxy: called per value
    qn = ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
        for batch in chunks(rows, 5000):
            cursor.executemany(sql, [[_sqlite_value(v, ops) for v in row] for row in batch])


def _sqlite_value(value, ops=None):
    """A date or datetime in the text SQLite stores for it (exactly as Django writes it, so
    a footprint's ``seen`` compares equal to the record's ``updated_at``)."""
    if isinstance(value, dt.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


FACT_MODELS = (CaseFact, AreaFact, EventFact, WarningFact, PublicityFact)
TASK_MOMENTS = ("issued_at", "acknowledged_at", "handled_at", "sign_deadline", "handle_deadline")


def recompute_pairs(pairs: Pairs) -> None:
    """Delete and recompute the fact rows of these (unit, day) pairs from the raw records."""
    for units in chunks(sorted(pairs), 50):
        part = {u: pairs[u] for u in units if pairs[u]}
        if not part:
            continue
        for model in FACT_MODELS:
            model.objects.filter(_pairs_q(part, "unit_id", "day")).delete()
        write_case_facts(FraudCase.objects.filter(_pairs_q(part, "station_id", "reported_on")))
        write_event_facts(CaseEvent.objects.filter(_pairs_q(part, "case__station_id", "occurred_on")))
        write_publicity_facts(PublicityActivity.objects.filter(_pairs_q(part, "unit_id", "held_on")))
        batches = [WarningTask.objects.filter(pk__in=batch) for batch in chunks(_tasks_on(part), 5000)]
        write_task_facts(*batches, keep=lambda day, unit_id, part=part: day in part.get(unit_id, ()))


def _tasks_on(pairs: Pairs) -> list[int]:
    """Ids of the tasks with any moment on one of the pairs' days: one indexed range query
    per moment for each set of units sharing the same days (a day's import touches the
    same day or two at every station), rather than one OR over them all, which PostgreSQL
    answers by reading every task of the stations — or one query per unit, ten thousand
    of them at a province's 2,000 stations."""
    by_days: dict[frozenset, list[int]] = {}
    for unit_id, days in pairs.items():
        if days:
            by_days.setdefault(frozenset(days), []).append(unit_id)
    ids: set[int] = set()
    for days, unit_ids in by_days.items():
        for units in chunks(sorted(unit_ids), 1000):
            for field in TASK_MOMENTS:
                q = Q(station_id__in=units) & _on_days(days, [field])
                ids.update(WarningTask.objects.filter(q).order_by().values_list("id", flat=True))
    return sorted(ids)


def rebuild_all(since: dt.date | None = None) -> None:
    """Every footprint, and every fact row (on or after ``since``), afresh."""
    rebuild_footprints(tasks=since is not None)
    recompute_all(since, task_footprints=since is None)


def recompute_all(since: dt.date | None = None, *, task_footprints: bool = False) -> None:
    """Delete and recompute every fact row (on or after ``since``, when given); with
    ``task_footprints``, write the tasks' footprints in the same pass."""
    if since is None:
        for model in FACT_MODELS:
            model.objects.all().delete()
        write_case_facts(FraudCase.objects.all())
        write_event_facts(CaseEvent.objects.all())
        write_publicity_facts(PublicityActivity.objects.all())
        write_task_facts(WarningTask.objects.all(), footprints=task_footprints)
        return
    for model in FACT_MODELS:
        model.objects.filter(day__gte=since).delete()
    write_case_facts(FraudCase.objects.filter(reported_on__gte=since))
    write_event_facts(CaseEvent.objects.filter(occurred_on__gte=since))
    write_publicity_facts(PublicityActivity.objects.filter(held_on__gte=since))
    start = day_start(since)
    recent = Q(pk__in=[])
    for field in TASK_MOMENTS:
        recent |= Q(**{f"{field}__gte": start})
    write_task_facts(WarningTask.objects.filter(recent), keep=lambda day, unit_id: day >= since)
