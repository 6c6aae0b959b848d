"""The settings read from the environment: embedded default vs the real stack."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
STACK_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DEBUG", "SECRET_KEY")

PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
    "tz": settings.TIME_ZONE,
    "lang": settings.LANGUAGE_CODE,
    "use_tz": settings.USE_TZ,
}))
"""


def load_settings(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in STACK_VARS}
    clean.update(env, DJANGO_SETTINGS_MODULE="antifraud.settings", VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + PROBE],
        cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_no_environment_means_sqlite_in_var_eager_tasks_and_debug(tmp_path):
    result = load_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "antifraud.sqlite3")
    assert s["cache"].endswith("LocMemCache")
    assert s["eager"] is True
    assert s["debug"] is True
    assert (s["tz"], s["lang"], s["use_tz"]) == ("Asia/Shanghai", "zh-hans", True)


def test_database_and_redis_urls_select_the_real_stack(tmp_path):
    result = load_settings(
        tmp_path,
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/antifraud",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SECRET_KEY="a-real-secret",
    )
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "antifraud"
    assert s["cache"].endswith("RedisCache")
    assert s["eager"] is False
    assert s["broker"] == "redis://127.0.0.1:6379/0"
    assert s["debug"] is False


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = load_settings(tmp_path, DATABASE_URL="postgres://u:p@127.0.0.1:5432/antifraud")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_the_environment_names():
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["ok"] is True


@pytest.mark.django_db
def test_healthz_says_degraded_not_down_when_the_cache_is_gone(client, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)  # what the forgiving cache answers
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["degraded"][0].startswith("cache")


@pytest.mark.django_db
def test_healthz_is_503_without_the_database(client, monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):
        raise ConnectionError("gone")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["problems"] == ["database: ConnectionError"]
