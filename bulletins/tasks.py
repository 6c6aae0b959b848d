"""Drafting bulletins on schedule (CELERY_BEAT_SCHEDULE: daily at 01:00, Mondays, the 1st,
11th and 21st, the 1st of each month and quarter — editable in the admin's periodic
tasks). Each run drafts every due bulletin that is missing, so a run that was missed is
made up by the next, and by the catch-up sent when beat starts."""

from celery import shared_task
from celery.signals import beat_init

from .services import draft_due, render_kept_files


@shared_task(name="bulletins.draft_due", acks_late=True)
def draft_due_task(kinds: list[str] | None = None) -> str:
    return str(draft_due(kinds))


@shared_task(name="bulletins.render_files", acks_late=True)
def render_files_task(bulletin_id: int) -> str:
    return f"{len(render_kept_files(bulletin_id))} files"


@beat_init.connect
def _catch_up_on_start(sender=None, **kwargs) -> None:
    """Beat was down for a while? Draft what it missed now, not at the next slot."""
    sender.app.send_task("bulletins.draft_due")
