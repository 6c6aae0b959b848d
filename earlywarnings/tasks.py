"""Periodic work of early warning: thin wrappers, safe to run twice (each step, each
review, each notification has a unique key). Schedules: CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from earlywarnings.checks import open_four_checks
from earlywarnings.escalation import escalate_overdue


@shared_task(name="earlywarnings.escalate_overdue", acks_late=True)
def escalate_overdue_task() -> int:
    """Notify up the tree about tasks past their deadlines (every two minutes)."""
    return escalate_overdue()


@shared_task(name="earlywarnings.open_four_checks", acks_late=True)
def open_four_checks_task() -> int:
    """Open the 四必查 reviews new cases and handled tasks call for (every ten minutes,
    and after each applied import of cases)."""
    return open_four_checks()
