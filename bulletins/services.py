"""What happens to bulletins: drafting (by the schedule or by hand), issuing with a number,
correcting with a new revision, and the files people download.

Rules:
- one bulletin per unit, kind and period (revision 1), drafted only once the period has
  ended; drafting again changes nothing (a failed draft is retried);
- 第N期 is given at issue: per unit, kind and the period's year, in issue order; a
  corrected revision keeps its number and supersedes the revision before;
- an issued bulletin never changes; its files are rendered on first download and kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from audit.log import record
from audit.models import Act
from orgs.models import Unit, UnitLevel
from orgs.roles import Role
from stats.periods import Period, period_for
from stats.refresh import refresh

from .changes import changed_figures
from .models import Bulletin, BulletinDownload, BulletinFile, BulletinKind, BulletinStatus
from .payload import build_payload
from .render import FORMATS, render

log = logging.getLogger(__name__)

# Which units get a bulletin of each kind: every unit above the stations, and for the
# monthly one the stations too (their readers get one of their own scope).
ABOVE_STATIONS = (UnitLevel.PROVINCE, UnitLevel.CITY, UnitLevel.COUNTY)
KIND_LEVELS = dict.fromkeys(BulletinKind.values, ABOVE_STATIONS) | {
    BulletinKind.MONTH: (*ABOVE_STATIONS, UnitLevel.STATION)
}


class BulletinError(Exception):
    """Something a user asked for that cannot be done; the message is for them (Chinese)."""


# ---------------------------------------------------------------------------------------
# Who sees what


def visible(user):
    """The bulletins ``user`` may see: of their subtree; drafts and failed drafts only for
    those who issue them (analysts, superusers)."""
    bulletins = Bulletin.objects.for_user(user).select_related("unit", "issued_by", "drafted_by")
    if user.is_superuser or getattr(user, "role", None) == Role.ANALYST:
        return bulletins
    return bulletins.filter(status__in=(BulletinStatus.ISSUED, BulletinStatus.SUPERSEDED))


def latest_monthly(user) -> Bulletin | None:
    """The newest issued monthly bulletin of the user's own unit (a leader's home shows it),
    without its payload and changes: the home page shows only the label, on every visit."""
    if not user.is_authenticated or user.unit_id is None:
        return None
    return (
        visible(user)
        .filter(unit_id=user.unit_id, kind=BulletinKind.MONTH, status=BulletinStatus.ISSUED)
        .defer("payload", "changes")
        .order_by("-period_start")
        .first()
    )


# ---------------------------------------------------------------------------------------
# The document renderers read


def document(bulletin: Bulletin, *, as_issued: bool = False) -> dict:
    """The ``doc`` every renderer takes (see ``bulletins.render``). ``as_issued``: a
    superseded revision as it was issued (its files never change; the page says it was
    superseded)."""
    issued_by = bulletin.issued_by
    status = bulletin.status
    if as_issued and status == BulletinStatus.SUPERSEDED:
        status = BulletinStatus.ISSUED
    return {
        "payload": bulletin.payload,
        "issue": {
            "kind": bulletin.kind,
            "kind_label": bulletin.get_kind_display(),
            "status": str(status),
            "number": bulletin.number,
            "year": bulletin.year,
            "number_label": bulletin.number_label,
            "revision": bulletin.revision,
            "issued_at": timezone.localtime(bulletin.issued_at).isoformat() if bulletin.issued_at else None,
            "issued_by": issued_by.display_name if issued_by else None,
            "correction_note": bulletin.correction_note,
            "changes": bulletin.changes,
        },
    }


def filename(bulletin: Bulletin, fmt: str) -> str:
    number = f"（{bulletin.number_label}）" if bulletin.number else "（草稿）"
    revision = f"（更正版第{bulletin.revision}版）" if bulletin.revision > 1 else ""
    name = f"{bulletin.unit.name}{bulletin.period_label}{bulletin.get_kind_display()}{number}{revision}"
    return f"{name}.{FORMATS[fmt][1]}"


def file_bytes(bulletin: Bulletin, fmt: str) -> bytes:
    """The file of ``bulletin`` in ``fmt``. A frozen bulletin's is rendered once, on its
    first download, and kept: everyone gets the same bytes forever. A draft's is rendered
    each time (its figures may still change)."""
    if fmt not in FORMATS:
        raise BulletinError(f"不支持的格式“{fmt}”：可用 {'、'.join(FORMATS)}。")
    if bulletin.payload is None:
        raise BulletinError("这份通报生成失败，没有可下载的文件。")
    if not bulletin.is_frozen:
        return render(document(bulletin), fmt)
    kept = BulletinFile.objects.filter(bulletin=bulletin, format=fmt).values_list("content", flat=True).first()
    if kept is not None:
        return bytes(kept)
    content = render(document(bulletin, as_issued=True), fmt)
    try:
        with transaction.atomic():
            BulletinFile.objects.create(
                bulletin=bulletin, format=fmt, content=content, sha256=hashlib.sha256(content).hexdigest()
            )
    except IntegrityError:  # rendered at the same moment elsewhere: theirs is the one kept
        return bytes(BulletinFile.objects.get(bulletin=bulletin, format=fmt).content)
    return content


def record_download(bulletin: Bulletin, fmt: str, user, via: str = "web") -> None:
    BulletinDownload.objects.create(bulletin=bulletin, format=fmt, user=user, via=via)


# ---------------------------------------------------------------------------------------
# Drafting


def _payload(unit: Unit, kind: str, period: Period, now: dt.datetime, *, fresh: bool = False) -> dict:
    if not fresh:
        refresh()  # the figures include every record saved up to now (a no-op when nothing changed)
    return build_payload(unit, kind, period, now=now, large_case_yuan=settings.BULLETIN_LARGE_CASE_YUAN)


def ended(kind: str, day: dt.date, today: dt.date) -> Period:
    """The period of ``kind`` holding ``day``, which must have ended before ``today``."""
    period = period_for(kind, day)
    if period.end >= today:
        raise BulletinError(f"{period.label}尚未结束，结束后才能起草通报。")
    return period


def draft(unit: Unit, kind: str, day: dt.date, *, user=None, now: dt.datetime | None = None,
          fresh: bool = False) -> tuple[Bulletin, bool]:  # fmt: skip
    """Draft the bulletin of ``kind`` for ``unit`` over the ended period holding ``day``.
    Returns it and whether this call made it: an existing bulletin (any status but failed)
    is returned as it is. A failure is kept as a ``failed`` bulletin with its error, which
    the next call retries. ``fresh``: the caller has just refreshed the rollups."""
    now = now or timezone.now()
    period = ended(kind, day, timezone.localtime(now).date())
    existing = Bulletin.objects.filter(unit=unit, kind=kind, period_start=period.start, revision=1).first()
    if existing and existing.status != BulletinStatus.FAILED:
        return existing, False
    bulletin = existing or Bulletin(unit=unit, kind=kind, period_start=period.start, period_end=period.end)
    bulletin.period_label = period.label
    bulletin.drafted_at, bulletin.drafted_by = now, user
    try:
        payload = _payload(unit, kind, period, now, fresh=fresh)
        bulletin.payload, bulletin.error, bulletin.status = payload, "", BulletinStatus.DRAFT
    except Exception as exc:  # kept on the bulletin, for the archive page to show
        log.exception("drafting %s %s %s failed", unit.code, kind, period.start)
        bulletin.payload, bulletin.status = None, BulletinStatus.FAILED
        bulletin.error = f"{exc.__class__.__name__}: {exc}"
    try:
        with transaction.atomic():
            bulletin.save()
    except IntegrityError:  # drafted at the same moment by another worker
        return Bulletin.objects.get(unit=unit, kind=kind, period_start=period.start, revision=1), False
    return bulletin, bulletin.status == BulletinStatus.DRAFT


def redraft(bulletin: Bulletin, *, user, now: dt.datetime | None = None) -> Bulletin:
    """Recompute a draft's figures from the data as they are now (a correction draft also
    recomputes its list of changed figures)."""
    if bulletin.status not in (BulletinStatus.DRAFT, BulletinStatus.FAILED):
        raise BulletinError("已签发的通报不能重新生成；数据有变化请生成更正版。")
    now = now or timezone.now()
    period = period_for(bulletin.kind, bulletin.period_start)
    try:
        payload = _payload(bulletin.unit, bulletin.kind, period, now)
    except Exception as exc:  # the draft stays as it was; the analyst is told why
        log.exception("redrafting bulletin %s failed", bulletin.pk)
        raise BulletinError(f"重新生成失败：{exc.__class__.__name__}: {exc}") from exc
    if bulletin.corrects_id:
        bulletin.changes = changed_figures(bulletin.corrects.payload, payload)
    bulletin.payload, bulletin.error, bulletin.status = payload, "", BulletinStatus.DRAFT
    bulletin.drafted_at, bulletin.drafted_by = now, user
    bulletin.save()
    return bulletin


def due_periods(kind: str, today: dt.date, count: int) -> list[Period]:
    """The last ``count`` periods of ``kind`` that ended before ``today``, oldest first."""
    periods: list[Period] = []
    period = period_for(kind, today)
    while len(periods) < count:
        period = period_for(kind, period.start - dt.timedelta(days=1))
        periods.append(period)
    return periods[::-1]


@dataclass
class DraftRun:
    drafted: int = 0
    existing: int = 0
    failed: int = 0

    def __str__(self) -> str:
        text = f"起草 {self.drafted} 份，已有 {self.existing} 份"
        return text + (f"；{self.failed} 份失败，见通报页" if self.failed else "")


def draft_due(kinds=None, *, now: dt.datetime | None = None) -> DraftRun:
    """Draft every bulletin that is due and missing: for each kind, the last periods that
    ended (``BULLETIN_CATCH_UP`` of them, so a schedule that was down catches up) for each
    unit of the levels that kind is for. Safe to run any number of times."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    run = DraftRun()
    refresh()  # once for the whole run, not once a bulletin
    for kind in kinds or BulletinKind.values:
        units = list(Unit.objects.filter(level__in=KIND_LEVELS[kind]).order_by("path"))
        for period in due_periods(kind, today, settings.BULLETIN_CATCH_UP[kind]):
            for unit in units:
                bulletin, created = draft(unit, kind, period.start, now=now, fresh=True)
                if bulletin.status == BulletinStatus.FAILED:
                    run.failed += 1
                elif created:
                    run.drafted += 1
                else:
                    run.existing += 1
    return run


# ---------------------------------------------------------------------------------------
# Issue and correct


def can_issue(user, bulletin: Bulletin) -> bool:
    """Analysts issue and correct the bulletins of their subtree (superusers any)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.role == Role.ANALYST and user.unit_id is not None and bulletin.unit.path.startswith(user.unit.path)


def issue(bulletin: Bulletin, *, user, now: dt.datetime | None = None) -> Bulletin:
    """Issue a draft: give it its number (a corrected revision keeps the number of the one
    it corrects, which becomes superseded) and freeze it."""
    now = now or timezone.now()
    with transaction.atomic():
        # Numbers are given one at a time per unit: the unit's row is the lock.
        Unit.objects.select_for_update().filter(pk=bulletin.unit_id).first()
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.status != BulletinStatus.DRAFT:
            raise BulletinError(f"这份通报{bulletin.get_status_display()}，只有草稿可以签发。")
        if bulletin.corrects_id:
            corrected = Bulletin.objects.select_for_update().get(pk=bulletin.corrects_id)
            if corrected.status != BulletinStatus.ISSUED:
                raise BulletinError("被更正的版本已不是现行版本，不能签发这份更正版。")
            bulletin.number = corrected.number
            corrected.status = BulletinStatus.SUPERSEDED
            corrected.save(update_fields=["status"])
        else:
            last = Bulletin.objects.filter(
                unit_id=bulletin.unit_id, kind=bulletin.kind, year=bulletin.year, number__isnull=False
            ).aggregate(n=Max("number"))["n"]
            bulletin.number = (last or 0) + 1
        bulletin.status, bulletin.issued_at, bulletin.issued_by = BulletinStatus.ISSUED, now, user
        bulletin.save()
        record(Act.ISSUE, user=user, target=bulletin, label=f"{bulletin.unit.name} {bulletin}",
               revision=bulletin.revision, number=bulletin.number)  # fmt: skip
        transaction.on_commit(lambda: _render_in_background(bulletin.pk))
    return bulletin


def _render_in_background(bulletin_id: int) -> None:
    """A worker renders the issued files now, so the first reader does not wait for them
    (a PDF under load took up to 15 s). In-process (no Redis) the first download renders
    them, as it always could: issuing does not wait for three renders."""
    from antifraud.celery import app

    from .tasks import render_files_task

    if app.conf.task_always_eager:
        return
    try:
        render_files_task.apply_async((bulletin_id,), ignore_result=True, retry=False)
    except KombuOperationalError:  # the broker is down: the first download renders them instead
        log.warning("bulletin %s: its files will be rendered on first download", bulletin_id)


def render_kept_files(bulletin_id: int) -> list[str]:
    """Render and keep every format of an issued bulletin (those not kept yet)."""
    bulletin = Bulletin.objects.select_related("unit").get(pk=bulletin_id)
    if not bulletin.is_frozen or bulletin.payload is None:
        return []
    for fmt in FORMATS:
        file_bytes(bulletin, fmt)
    return list(FORMATS)


def correct(bulletin: Bulletin, *, user, note: str = "", now: dt.datetime | None = None) -> Bulletin:
    """Draft a corrected revision of an issued bulletin from the data as they are now, with
    the list of printed figures that changed. Nothing changed: refused."""
    if bulletin.status != BulletinStatus.ISSUED:
        raise BulletinError("只能对现行的已签发通报生成更正版。")
    pending = Bulletin.objects.filter(corrects=bulletin).first()
    if pending is not None:
        raise BulletinError(f"已有一份待签发的更正版（第{pending.revision}版），请先签发或重新生成它。")
    now = now or timezone.now()
    period = period_for(bulletin.kind, bulletin.period_start)
    payload = _payload(bulletin.unit, bulletin.kind, period, now)
    changes = changed_figures(bulletin.payload, payload)
    if not changes:
        raise BulletinError("数据与已签发版本一致，没有需要更正的数字。")
    note = note.strip() or f"因数据更正，本期通报有{len(changes)}项数字变化，以本版为准。"
    return Bulletin.objects.create(
        unit=bulletin.unit, kind=bulletin.kind, period_start=bulletin.period_start, period_end=bulletin.period_end,
        period_label=bulletin.period_label, revision=bulletin.revision + 1, corrects=bulletin,
        status=BulletinStatus.DRAFT, payload=payload, changes=changes, correction_note=note,
        drafted_at=now, drafted_by=user,
    )  # fmt: skip
