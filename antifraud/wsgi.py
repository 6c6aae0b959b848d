"""WSGI entry point (gunicorn antifraud.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antifraud.settings")

application = get_wsgi_application()
