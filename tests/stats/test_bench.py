"""stats_bench at a toy size: it runs end to end and leaves nothing behind (not a speed test)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.models import FraudCase
from earlywarnings.models import WarningTask
from orgs.models import Unit
from stats.models import DayTotal, MonthTotal, WarningFact
from tests.factories import CaseFactory


@pytest.mark.django_db
def test_bench_runs_and_removes_what_it_wrote():
    out = StringIO()
    call_command("stats_bench", cases=50, tasks=200, repeat=2, stdout=out)
    assert "全量重建" in out.getvalue() and "增量刷新" in out.getvalue()
    assert not (Unit.objects.exists() or FraudCase.objects.exists() or WarningTask.objects.exists())
    assert not (WarningFact.objects.exists() or DayTotal.objects.exists() or MonthTotal.objects.exists())


@pytest.mark.django_db
def test_bench_refuses_a_database_with_records(tree):
    CaseFactory(station=tree.station_a)
    with pytest.raises(CommandError, match="拒绝运行"):
        call_command("stats_bench", cases=50, tasks=200, repeat=2, stdout=StringIO())
    assert not Unit.objects.filter(code__startswith="STATSBENCH").exists()
