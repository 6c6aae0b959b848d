import datetime as dt

from celery import shared_task

from imports.services import import_execute, requeue_waiting


@shared_task(name="imports.run_import_job", acks_late=True)
def run_import_job(job_id: int) -> str:
    """Run one import job; a second delivery finds it claimed and does nothing."""
    return import_execute(job_id).status


@shared_task(name="imports.requeue_waiting")
def requeue_waiting_task(older_than_seconds: int | None = None) -> int:
    """On the schedule: send again the jobs an unavailable broker left waiting (see
    ``imports.services.enqueue``). ``older_than_seconds``: how long an unmarked queued job
    waits before it is sent again (default ``REQUEUE_AFTER``)."""
    if older_than_seconds is None:
        return requeue_waiting()
    return requeue_waiting(older_than=dt.timedelta(seconds=older_than_seconds))
