from io import StringIO

from django.conf import settings
from django.core.management import call_command


def test_run_schedule_once_runs_every_periodic_task_in_process(db):
    out = StringIO()
    call_command("run_schedule", "--once", stdout=out)
    for name in settings.CELERY_BEAT_SCHEDULE:
        assert name in out.getvalue()
    assert "失败" not in out.getvalue()
