"""The schedule: when each kind is drafted, the task runs the drafting, and a beat that
starts again sends the catch-up at once."""

from types import SimpleNamespace

from celery.schedules import crontab
from django.conf import settings

from bulletins import tasks


def test_each_kind_is_drafted_at_its_time():
    entries = {e["kwargs"]["kinds"][0]: e for e in settings.CELERY_BEAT_SCHEDULE.values() if "kwargs" in e}
    assert entries["day"]["schedule"] == crontab(hour=1, minute=0)
    assert entries["week"]["schedule"] == crontab(hour=1, minute=10, day_of_week=1)
    assert entries["xun"]["schedule"] == crontab(hour=1, minute=20, day_of_month="1,11,21")
    assert entries["month"]["schedule"] == crontab(hour=1, minute=30, day_of_month=1)
    assert entries["quarter"]["schedule"] == crontab(hour=1, minute=40, day_of_month=1, month_of_year="1,4,7,10")
    assert {e["task"] for e in entries.values()} == {"bulletins.draft_due"}


def test_the_task_drafts_what_is_due(tree, monkeypatch):
    seen = []
    monkeypatch.setattr(tasks, "draft_due", lambda kinds: seen.append(kinds) or "起草 0 份，已有 0 份")
    assert tasks.draft_due_task.apply(kwargs={"kinds": ["month"]}).get() == "起草 0 份，已有 0 份"
    assert seen == [["month"]]


def test_a_starting_beat_sends_the_catch_up():
    sent = []
    beat = SimpleNamespace(app=SimpleNamespace(send_task=sent.append))
    tasks._catch_up_on_start(sender=beat)
    assert sent == ["bulletins.draft_due"]


def test_issued_files_are_rendered_by_a_worker(db, monkeypatch, django_capture_on_commit_callbacks):
    """With a worker (not in-process), issuing sends render_files; the task keeps all three."""
    import datetime as dt

    from antifraud.celery import app
    from bulletins import services
    from bulletins.models import BulletinFile
    from orgs.models import UnitLevel
    from tests.factories import UnitFactory, UserFactory

    city = UnitFactory(code="RC", name="渲染市公安局", level=UnitLevel.CITY, population=1_000_000)
    analyst = UserFactory(username="analyst_r", unit=city, role="analyst")
    bulletin, _ = services.draft(city, "day", dt.date(2026, 11, 20), user=analyst)
    sent = []
    monkeypatch.setattr(tasks.render_files_task, "apply_async", lambda args, **kwargs: sent.append(args[0]))
    app.conf.task_always_eager = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.issue(bulletin, user=analyst)
    finally:
        app.conf.task_always_eager = True
    assert sent == [bulletin.pk]
    assert tasks.render_files_task(bulletin.pk) == "3 files"
    kept = set(BulletinFile.objects.filter(bulletin=bulletin).values_list("format", flat=True))
    assert kept == {"docx", "pdf", "xlsx"}
