"""Backup and restore, round trip: scripts/backup.sh, then scripts/restore.sh into a new
database and media directory. Every table comes back with the same rows (compared by count
and checksum), every sequence where it was, every uploaded file byte for byte, and the
issued bulletin downloads from a site on the restored database exactly as it did before."""

import datetime as dt
import hashlib
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from bulletins.services import draft, issue
from imports.models import ImportJob, ImportStatus
from imports.services import import_execute, import_submit
from orgs.roles import Role
from stats.periods import period_for
from stats.refresh import refresh
from tests.factories import CaseEventFactory, CaseFactory, PublicityFactory, UserFactory, WarningTaskFactory
from tests.faults.stack import BASE_DIR, database_url, gunicorn, needs_stack, raw_connection, session_for, site_env

pytestmark = [needs_stack, pytest.mark.django_db(transaction=True)]

# One good row, one refused (unknown station): the job keeps its file and an error report.
CSV = "案件编号,受理日期,办案单位,诈骗类型,损失金额\nB1,2026-05-03,XA,刷单返利,100\nB2,2026-05-03,ZZ,刷单返利,5\n"


def fingerprints(cursor) -> dict[str, tuple]:
    """Each table of the public schema: its row count and an md5 of all its rows (as text,
    sorted, so the physical order a restore leaves does not matter); each sequence: its
    last value (a restored site must not hand out ids again)."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [name for (name,) in cursor.fetchall()]
    found = {}
    for table in tables:
        cursor.execute(f"SELECT count(*), md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) "
                       f'FROM "{table}" AS r')  # fmt: skip
        found[table] = cursor.fetchone()
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    found.update((f"sequence {name}", (value,)) for name, value in cursor.fetchall())
    return found


@pytest.fixture
def records(tree, tmp_path, settings):
    """Some of everything: cases and an event, publicity, a warning task, an import with an
    error report, an issued bulletin."""
    settings.MEDIA_ROOT = tmp_path / "media"
    last_month = period_for("month", timezone.localdate()).start - dt.timedelta(days=1)
    for loss in (5000, 12000, 1_500_000):
        case = CaseFactory(station=tree.station_a, reported_on=last_month, loss=loss)
    CaseEventFactory(case=case, occurred_on=last_month)
    PublicityFactory(unit=tree.station_a, held_on=last_month)
    WarningTaskFactory(station=tree.station_a)
    clerk = UserFactory(username="clerk_b", unit=tree.city, role=Role.CLERK)
    job = import_submit(kind="cases", file_name="备份.csv", data=CSV.encode("gbk"), user=clerk, source="web",
                        partial=True, run=False)  # fmt: skip
    job = import_execute(job.pk)
    assert (job.status, job.created, job.refused) == (ImportStatus.APPLIED, 1, 1) and job.error_report
    refresh()
    analyst = UserFactory(username="analyst_b", unit=tree.city, role=Role.ANALYST)
    return issue(draft(tree.city, "month", last_month)[0], user=analyst)


def _run(script: str, *args: str, env: dict) -> str:
    done = subprocess.run([str(BASE_DIR / "scripts" / script), *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, f"{script} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_backup_and_restore_give_back_every_record_file_and_the_same_bulletin(tree, records, tmp_path, settings):
    bulletin = records
    path = f"/bulletins/{bulletin.pk}/download/docx/"
    with gunicorn(site_env()) as site:
        client = session_for(tree.leader)
        original = client.get(site + path, timeout=60)
        assert original.status_code == 200 and original.content[:2] == b"PK"
    with connection.cursor() as cursor:
        before = fingerprints(cursor)
    assert before["bulletins_bulletinfile"][0] == 1, "the first download keeps the issued file"

    out = _run("backup.sh", str(tmp_path / "backups"), env={"DATABASE_URL": database_url(),
                                                             "MEDIA_ROOT": str(settings.MEDIA_ROOT)})  # fmt: skip
    backup = Path(out.strip().splitlines()[-1])
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar.gz", "manifest.txt", "SHA256SUMS"}

    name = f"antifraud_restore_{uuid.uuid4().hex[:8]}"
    media = tmp_path / "restored-media"
    try:
        _run("restore.sh", str(backup), database_url(name), str(media), env={})
        with raw_connection(name) as restored, restored.cursor() as cursor:
            after = fingerprints(cursor)
        assert after.keys() == before.keys()
        differing = {table for table in before if before[table] != after[table]}
        assert not differing, f"restored differently: {sorted(differing)}"

        for job in ImportJob.objects.all():
            assert hashlib.sha256((media / job.file.name).read_bytes()).hexdigest() == job.sha256
            assert (media / job.error_report.name).read_bytes() == Path(job.error_report.path).read_bytes()

        # The session row came back with the database: the same sign-in works there.
        with gunicorn(site_env(DATABASE_URL=database_url(name), MEDIA_ROOT=str(media))) as site:
            again = client.get(site + path, timeout=60)
        assert again.status_code == 200
        assert again.content == original.content, "the bulletin downloads differently after the restore"
    finally:
        with raw_connection("postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
