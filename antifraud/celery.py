"""The Celery app.

Tasks are a thin interface to services: they take ids and ISO strings, re-read what they
need and are safe to run twice. Without REDIS_URL the settings make every task run
in-process (eager) with errors propagated, so the demo needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antifraud.settings")

app = Celery("antifraud")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["antifraud"])
app.autodiscover_tasks()
