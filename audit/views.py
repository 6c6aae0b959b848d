"""The audit page (admins only): the audit log, and who changed which record when.

Two tabs. 操作日志 lists ``AuditEvent`` rows (sign-ins, failed sign-ins, imports, issued
bulletins, reveals of personal data). 记录修改 lists the simple-history rows of every audited
record model, newest first, each with the fields it changed — personal fields named, never
shown.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import CharField, Value
from django.shortcuts import render
from django.utils import timezone

from audit.models import Act, AuditEvent

PAGE_SIZE = 50
# The record models whose changes are audited, in the order the filter offers them.
AUDITED = [
    "cases.FraudCase", "cases.CaseEvent", "earlywarnings.WarningTask", "earlywarnings.FourChecksReview",
    "publicity.PublicityActivity", "orgs.Unit", "orgs.Area", "cases.FraudType", "earlywarnings.DeadlinePolicy",
]  # fmt: skip
PERSONAL_FIELDS = {"subject_name", "subject_phone", "subject_id_no"}
HISTORY_TYPES = {"+": "新建", "~": "修改", "-": "删除"}


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _period(request, field: str) -> dict:
    """The filter on ``field`` (a time) for the 起始日期 / 截止日期 asked, both days whole."""
    start, end = _day(request.GET.get("from")), _day(request.GET.get("to"))
    tz = timezone.get_current_timezone()
    within = {}
    if start:
        within[f"{field}__gte"] = dt.datetime.combine(start, dt.time.min, tz)
    if end:
        within[f"{field}__lt"] = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    return within


@login_required
@permission_required("audit.view_auditevent", raise_exception=True)
def audit(request):
    tab = "changes" if request.GET.get("tab") == "changes" else "events"
    who = (request.GET.get("user") or "").strip()
    context = {"tab": tab, "who": who, "acts": Act.choices, "models": _model_choices()}
    if tab == "events":
        events = AuditEvent.objects.select_related("user__unit").filter(**_period(request, "at"))
        if act := request.GET.get("act"):
            events = events.filter(act=act)
        if who:
            events = events.filter(username__icontains=who)
        context["page"] = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        rows = _history(request.GET.get("model"), who, _period(request, "history_date"))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = _described(list(page.object_list))
        context["page"] = page
    return render(request, "audit/audit.html", context)


def _model_choices():
    return [(label, apps.get_model(label)._meta.verbose_name) for label in AUDITED]


def _history(model_label, who, within: dict):
    """One query over every audited model's history table, newest first."""
    labels = [model_label] if model_label in AUDITED else AUDITED
    parts = []
    for label in labels:
        history = apps.get_model(label).history.model.objects.filter(**within)
        if who:
            history = history.filter(history_user__username__icontains=who)
        parts.append(
            history.order_by()
            .annotate(model=Value(label, output_field=CharField()))
            .values_list("model", "history_id", "history_date", "history_type", "history_user_id", "id")
        )
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return rows.order_by("-history_date", "-history_id")


def _described(rows):
    """The page's rows as dicts: who, which record, and the fields each change touched."""
    from orgs.models import User

    users = User.objects.in_bulk({row[4] for row in rows if row[4]})
    entries = {}  # (model, history id) → history row: one query a model, not one a row
    for model_label in {row[0] for row in rows}:
        history = apps.get_model(model_label).history.model.objects
        ids = [row[1] for row in rows if row[0] == model_label]
        entries |= {(model_label, pk): entry for pk, entry in history.in_bulk(ids, field_name="history_id").items()}
    described, names = [], {}  # names: the related records' names, each looked up once a page
    for model_label, history_id, at, kind, user_id, record_id in rows:
        model = apps.get_model(model_label)
        entry = entries[model_label, history_id]
        described.append({
            "at": at, "kind": HISTORY_TYPES.get(kind, kind), "user": users.get(user_id),
            "model": model._meta.verbose_name, "record_id": record_id,
            "record": _label(entry), "changes": _changes(model, entry, names) if kind == "~" else [],
        })  # fmt: skip
    return described


def _label(entry) -> str:
    record = entry.instance
    for name in ("case_no", "task_no", "activity_no", "code", "name", "title"):
        value = getattr(record, name, None)
        if value:
            return str(value)
    return f"#{record.pk}"


def _changes(model, entry, names: dict) -> list[dict]:
    previous = entry.prev_record
    if previous is None:
        return []
    delta = entry.diff_against(previous)
    changes = []
    for change in delta.changes:
        field = model._meta.get_field(change.field)
        personal = change.field in PERSONAL_FIELDS
        changes.append({
            "field": field.verbose_name, "personal": personal,
            "old": "" if personal else _shown(field, change.old, names),
            "new": "" if personal else _shown(field, change.new, names),
        })  # fmt: skip
    return changes


def _shown(field, value, names: dict) -> str:
    """A changed value as people read it: a choice's label, the related record's name, a
    local time; long text cut."""
    if value is None or value == "":
        return "（空）"
    if field.choices:
        text = str(dict(field.flatchoices).get(value, value))
    elif field.is_relation:
        key = (field.related_model, value)
        if key not in names:
            related = field.related_model._default_manager.filter(pk=value).first()
            names[key] = str(related) if related is not None else f"#{value}"
        text = names[key]
    elif isinstance(value, dt.datetime):
        text = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
