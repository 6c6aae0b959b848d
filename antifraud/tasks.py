"""Stack-level tasks."""

from celery import shared_task
from django.utils import timezone


@shared_task(bind=True, name="antifraud.ping")
def ping(self, echo: str = "") -> dict:
    """Answer from whichever process runs the task: proves the broker round trip."""
    worker = "eager" if self.request.is_eager else self.request.hostname
    return {"echo": echo, "worker": worker, "at": timezone.now().isoformat()}
