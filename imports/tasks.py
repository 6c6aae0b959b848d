from celery import shared_task

from imports.services import import_execute


@shared_task(name="imports.run_import_job", acks_late=True)
def run_import_job(job_id: int) -> str:
    """Run one import job; a second delivery finds it claimed and does nothing."""
    return import_execute(job_id).status
