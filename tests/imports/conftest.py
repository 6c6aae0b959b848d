import csv
import io

import pytest

from imports.services import import_execute, import_submit


def csv_bytes(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def run_import():
    """Send a file through the intake as the CLI does (synchronously); returns the job."""

    def run(kind: str, data: bytes, *, user=None, name: str = "export.csv", dry_run=False, partial=False):
        job = import_submit(kind=kind, file_name=name, data=data, user=user, source="cli", dry_run=dry_run,
                            partial=partial, run=False)  # fmt: skip
        return import_execute(job.pk)

    return run
