"""The anti-fraud command-center project: settings, URLs and the Celery app. No models."""

from .celery import app as celery_app

__all__ = ("celery_app",)
