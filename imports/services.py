"""Submitting a file to the intake and running it: the only writes of import jobs."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
from pathlib import PurePath
from typing import BinaryIO

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile, File
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from antifraud.celery import app as celery_app
from audit.log import record
from audit.models import Act
from earlywarnings.tasks import open_four_checks_task
from imports import engine
from imports.kinds.base import Context
from imports.kinds.registry import KINDS
from imports.models import ImportJob, ImportStatus
from orgs.errors import DomainError
from orgs.spreadsheets import safe_cell

log = logging.getLogger(__name__)

ALLOWED_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}
PHASES = {"queued": "排队等待", "read": "读取文件", "check": "逐行校验", "write": "写入数据库", "done": "完成"}


class ImportError_(DomainError):
    pass


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def progress_set(job_id: int, phase: str, done: int, total: int) -> None:
    cache.set(progress_key(job_id), {"phase": phase, "done": done, "total": total}, 3600)


def import_progress(job: ImportJob) -> dict:
    """What the progress bar shows: the phase, rows done of total, and the outcome when finished."""
    state = cache.get(progress_key(job.pk)) or {"phase": "queued" if job.status == "queued" else "read",
                                                 "done": 0, "total": 0}  # fmt: skip
    if job.is_finished:
        state = {"phase": "done", "done": job.rows_read, "total": job.rows_read}
    return {
        "id": job.pk,
        "status": job.status,
        "status_display": job.get_status_display(),
        "finished": job.is_finished,
        "phase": state["phase"],
        "phase_display": PHASES.get(state["phase"], ""),
        "done": state["done"],
        "total": state["total"],
        "message": job.message,
    }


def import_submit(
    *, kind: str, file_name: str, data: bytes | BinaryIO, user, source: str, dry_run: bool = False,
    partial: bool = False, progress_token: str = "", run: bool = True,
) -> ImportJob:  # fmt: skip
    """Record the file as a job and queue it (after commit). Refuses an unknown kind,
    an empty, oversized or wrongly typed file before anything is stored.

    ``data`` is the file's bytes or a binary file (an upload, or a file opened by the command
    line), copied into storage in blocks. Uploads through the web and the API are limited to
    ``IMPORT_MAX_FILE_SIZE``; the command line, run by an operator on the server, is not."""
    if kind not in KINDS:
        raise ImportError_(f"未知的数据类型“{kind}”。可选：{'、'.join(KINDS)}。", field="kind")
    name = PurePath(file_name or "upload").name[:200]
    if PurePath(name).suffix.lower() == ".xls":
        raise ImportError_("旧版 .xls 文件不能直接导入：请在 Excel 中另存为 .xlsx 或 CSV 后再导入。", field="file")
    if PurePath(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise ImportError_("只能导入 CSV（.csv/.txt）或 Excel（.xlsx）文件。", field="file")
    handle = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    size = _size(handle)
    if not size:
        raise ImportError_("文件是空的", field="file")
    if size > settings.IMPORT_MAX_FILE_SIZE and source != "cli":
        limit = f"{settings.IMPORT_MAX_FILE_SIZE / (1024 * 1024):.3g}"  # "200", or "0.5" for a small limit
        raise ImportError_(f"文件超过 {limit} MB 的上限，请拆分后分批导入（或由管理员在服务器上用命令行导入）。",
                           field="file")  # fmt: skip
    job = ImportJob(
        kind=kind, file_name=name, sha256=_sha256(handle), size=size,
        user=user if user is not None and user.is_authenticated else None,
        unit=getattr(user, "unit", None), source=source, dry_run=dry_run, partial=partial,
        progress_token=progress_token[:64],
    )  # fmt: skip
    job.file.save(name, File(handle, name=name), save=False)
    job.save()
    record(Act.IMPORT, user=job.user, username="" if job.user else "命令行", target=job,
           label=f"{job.get_kind_display()} {name}", source=source, bytes=size, dry_run=dry_run)  # fmt: skip
    if run:
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


# What an upload's page says while the broker (Redis) is down; the sweep clears it once the
# job is sent again.
QUEUE_DOWN = "后台任务队列暂时不可用：导入已登记，将在队列恢复后自动执行，无需重新上传。"
# Publishing gives up after about half a second: kombu's defaults keep an upload waiting for
# seconds (reconnecting with back-off), and subscribing to the task's result keeps it 20 s.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.3}
# Queued longer than this and not marked as unsent: its message may have been lost (a Redis
# restarted without persistence drops its queues), so the sweep sends it again.
REQUEUE_AFTER = dt.timedelta(minutes=10)


def enqueue(job_id: int) -> bool:
    """Send a queued job to the workers. With the broker down the upload is still answered
    at once: the job stays queued, its page says background work is delayed, and
    ``requeue_waiting`` (every few minutes on the schedule) sends it once the broker is back.
    A job sent twice runs once: ``import_execute`` claims it."""
    from imports.tasks import run_import_job

    try:
        # The web does not wait for the result: no result subscription (ignore_result).
        run_import_job.apply_async((job_id,), ignore_result=True, retry=True, retry_policy=PUBLISH_RETRY)
    except KombuOperationalError as exc:
        log.warning("import job %s stays queued: the task broker is unavailable (%s)", job_id, exc)
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(message=QUEUE_DOWN)
        return False
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED, message=QUEUE_DOWN).update(message="")
    return True


def requeue_waiting(*, older_than: dt.timedelta = REQUEUE_AFTER) -> int:
    """Send again the jobs still queued that never reached the broker (marked ``QUEUE_DOWN``)
    and those queued for longer than ``older_than``. Returns how many were sent; stops at
    the first that cannot be (the broker is still down: the next sweep tries again). Jobs
    left running by a dead worker are sent again too: ``import_execute`` takes them over."""
    waiting = ImportJob.objects.filter(status=ImportStatus.QUEUED).filter(
        Q(message=QUEUE_DOWN) | Q(created_at__lt=timezone.now() - older_than)
    )
    ids = list(waiting.order_by("created_at", "pk").values_list("pk", flat=True))
    # And those left running by a worker that died (nobody holds their lease).
    stale = ImportJob.objects.filter(status=ImportStatus.RUNNING, started_at__lt=timezone.now() - older_than)
    ids += [job_id for job_id in stale.order_by("started_at", "pk").values_list("pk", flat=True) if _lease_free(job_id)]
    sent = 0
    for job_id in ids:
        if not enqueue(job_id):
            break
        sent += 1
    return sent


def _size(handle: BinaryIO) -> int:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def _sha256(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    while block := handle.read(1 << 20):
        digest.update(block)
    handle.seek(0)
    return digest.hexdigest()


# PostgreSQL advisory locks, (LEASE_SPACE, job id): held by the process running a job for as
# long as it runs; PostgreSQL lets go of it when that process's connection ends, even by a kill.
LEASE_SPACE = 7301


def _lease(job_id: int, *, take: bool) -> bool:
    """Take the job's lease (True when this process now holds it), or let go of it. Without
    PostgreSQL, jobs run in the process that queued them: nothing to guard."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_{'try_advisory_lock' if take else 'advisory_unlock'}(%s, %s)", [LEASE_SPACE, job_id])
        return bool(cursor.fetchone()[0])


def _lease_free(job_id: int) -> bool:
    if connection.vendor != "postgresql" or not _lease(job_id, take=True):
        return False
    _lease(job_id, take=False)
    return True


def import_execute(job_id: int) -> ImportJob:
    """Run a queued job. Safe to call twice: only the call holding the job's lease does the
    work. A job left running by a worker that was killed (its import rolled back with it) is
    taken over when its task comes back or the sweep sends it again: its lease is free."""
    if not _lease(job_id, take=True):
        return ImportJob.objects.select_related("user").get(pk=job_id)  # running in another process
    try:
        return _execute(job_id)
    finally:
        try:
            _lease(job_id, take=False)
        except DatabaseError:  # the connection is gone, and the lease with it
            log.warning("import job %s: its lease went with the database connection", job_id)


def _execute(job_id: int) -> ImportJob:
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed and connection.vendor == "postgresql":
        claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(started_at=timezone.now())
        if claimed:
            log.warning("import job %s: taken over from a worker that stopped while running it", job_id)
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not claimed:
        return job  # it already ran
    progress_set(job.pk, "read", 0, 0)
    ctx = Context(user=job.user, progress=lambda phase, done, total: progress_set(job.pk, phase, done, total))
    try:
        with job.file.open("rb") as handle:
            outcome = engine.run(KINDS[job.kind], handle, job.file_name, ctx=ctx, dry_run=job.dry_run,
                                 partial=job.partial)  # fmt: skip
    except Exception:
        log.exception("import job %s failed", job.pk)
        job.status = ImportStatus.FAILED
        job.message = "导入时发生系统错误，没有写入任何数据。错误已记入服务器日志，请联系管理员并告知导入编号。"
        job.finished_at = timezone.now()
        job.save()
        return job
    _record(job, outcome)
    if job.status == ImportStatus.APPLIED and job.kind in ("cases", "case_events", "warnings"):
        transaction.on_commit(open_four_checks_task.delay)  # new large / 预警后被骗 / clustered cases: 四必查
    if job.status == ImportStatus.APPLIED and settings.IMPORT_REFRESHES_STATS:
        # The figures now, not at the next minute's refresh; from the job's start, so rows
        # stamped while a refresh ran during a long import are read too. By name: imports
        # does not depend on stats. (Off only in the benchmark, which times the two apart.)
        transaction.on_commit(lambda: _refresh_stats(job.started_at.isoformat()))
    return job


def _refresh_stats(since: str) -> None:
    try:
        celery_app.signature("stats.refresh", kwargs={"since": since}).delay()
    except Exception:  # the minute's refresh catches up; the import itself is done
        log.exception("stats refresh after import failed")


def _record(job: ImportJob, outcome: engine.Outcome) -> None:
    job.status = {"applied": ImportStatus.APPLIED, "checked": ImportStatus.CHECKED}.get(
        outcome.status, ImportStatus.REFUSED
    )
    job.message = outcome.message
    job.encoding = outcome.encoding
    for name in ("rows_read", "created", "updated", "unchanged", "refused", "unknown_columns", "warnings"):
        setattr(job, name, getattr(outcome, name))
    job.errors = outcome.errors[: engine.ERRORS_KEPT]
    if outcome.errors:
        job.error_report.save(f"import-{job.pk}-errors.csv", ContentFile(error_report_csv(outcome.errors)), save=False)
    job.finished_at = timezone.now()
    job.save()
    progress_set(job.pk, "done", job.rows_read, job.rows_read)


def error_report_csv(errors: list[dict]) -> bytes:
    """The full error list as CSV that Excel opens correctly (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["行号", "列", "值", "原因"])
    for error in errors:
        writer.writerow([error["row"], safe_cell(error["column"]), safe_cell(error["value"]), error["reason"]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_csv(kind: str) -> bytes:
    """An empty file with the kind's Chinese headers, to fill in."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([c.header for c in KINDS[kind].columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
