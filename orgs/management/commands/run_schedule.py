"""Run the periodic tasks (CELERY_BEAT_SCHEDULE) in this process.

On the real stack Celery beat sends them to workers. In the embedded setup (no Redis:
``make demo``) there is no beat, so this loop does its job: each scheduled task runs
in-process when its crontab says so. ``--once`` runs every task one time and exits.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from antifraud.celery import app


class Command(BaseCommand):
    help = "在本进程内按计划运行定时任务（无 Redis 时代替 Celery beat）。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="每个定时任务各运行一次后退出")
        parser.add_argument("--tick", type=float, default=15.0, help="检查间隔（秒）")

    def handle(self, *args, once, tick, **options):
        app.loader.import_default_modules()  # register every app's tasks (autodiscovery is lazy)
        schedule = settings.CELERY_BEAT_SCHEDULE
        if once:
            for name, entry in schedule.items():
                self._run(name, entry)
            return
        last_run: dict[str, object] = {}  # name → when it last ran
        self.stdout.write(f"定时任务：{', '.join(schedule)}（每 {tick:g} 秒检查一次，Ctrl-C 停止）")
        while True:
            now = timezone.localtime()
            for name, entry in schedule.items():
                due = entry["schedule"]
                # Never run before: due at once. Then whenever the crontab passed a slot since.
                if name not in last_run or due.is_due(last_run[name]).is_due:
                    self._run(name, entry)
                    last_run[name] = now
            time.sleep(tick)

    def _run(self, name: str, entry: dict) -> None:
        started = time.monotonic()
        try:
            result = app.tasks[entry["task"]].apply(kwargs=entry.get("kwargs")).get()
        except Exception as exc:  # noqa: BLE001 - one failing task must not stop the others
            self.stderr.write(f"{name} 失败：{exc.__class__.__name__}: {exc}")
            return
        self.stdout.write(f"{timezone.localtime():%H:%M:%S} {name}: {result}（{time.monotonic() - started:.1f} 秒）")
