"""Three years of demo cases and publicity: deterministic, idempotent, and telling the story."""

import datetime as dt
import statistics

from django.db.models import Count, Sum

from cases.models import CaseEvent, EventKind, FraudCase
from demo.city import demo_city_seed
from demo.records import demo_records_seed
from publicity.models import PublicityActivity

TODAY = dt.date(2026, 11, 23)


def test_demo_records_tell_the_story_and_a_second_run_changes_nothing(db):
    demo_city_seed(seed=2026, password="x")
    first = demo_records_seed(seed=2026, today=TODAY)
    assert first.cases_created > 5000 and first.publicity_created > 5000

    filed = FraudCase.objects.filter(filed=True)
    assert filed.aggregate(first=Sum("loss"))["first"] > 0
    assert FraudCase.objects.order_by("reported_on").first().reported_on == dt.date(2023, 1, 1)
    assert FraudCase.objects.order_by("reported_on").last().reported_on == dt.date(2026, 11, 22)

    by_type = {
        r["fraud_type__code"]: r for r in filed.values("fraud_type__code").annotate(n=Count("id"), loss=Sum("loss"))
    }
    total_cases, total_loss = filed.count(), sum(r["loss"] for r in by_type.values())
    assert 0.25 < by_type["01"]["n"] / total_cases < 0.40  # 刷单返利: about a third of cases
    assert 0.25 < by_type["02"]["loss"] / total_loss < 0.45  # 虚假投资理财: about a third of losses
    losses = list(filed.values_list("loss", flat=True))
    assert 2000 < statistics.median(losses) < 10000
    assert 3 <= sum(1 for loss in losses if loss >= 1_000_000) <= 30
    ages = list(FraudCase.objects.values_list("victim_age", flat=True))
    assert 0.55 < sum(1 for a in ages if 18 <= a <= 40) / len(ages) < 0.70

    def jan_to_oct(county: str, year: int) -> int:
        return filed.filter(station__parent__code=county, reported_on__year=year, reported_on__month__lte=10).count()

    assert jan_to_oct("990122000000", 2026) > jan_to_oct("990122000000", 2023)  # 北岭县 rises
    assert jan_to_oct("990102000000", 2026) < jan_to_oct("990102000000", 2023)  # 临江区 falls

    solved = CaseEvent.objects.filter(kind=EventKind.SOLVED)
    assert solved.count() == FraudCase.objects.filter(solved_on__isnull=False).count() > 0
    assert not CaseEvent.objects.filter(occurred_on__gt=TODAY - dt.timedelta(days=1)).exists()
    assert PublicityActivity.objects.filter(unit__level="county", form="sms").exists()

    counts = (FraudCase.objects.count(), CaseEvent.objects.count(), PublicityActivity.objects.count())
    second = demo_records_seed(seed=2026, today=TODAY)
    assert (second.cases_created, second.cases_updated, second.publicity_created) == (0, 0, 0)
    assert (FraudCase.objects.count(), CaseEvent.objects.count(), PublicityActivity.objects.count()) == counts


def test_a_later_day_only_adds_what_happened_since(db):
    demo_city_seed(seed=7, password="x")
    demo_records_seed(seed=7, today=TODAY)
    before = set(FraudCase.objects.values_list("case_no", "loss"))
    report = demo_records_seed(seed=7, today=TODAY + dt.timedelta(days=1))
    after = set(FraudCase.objects.values_list("case_no", "loss"))
    assert before <= after
    assert report.cases_created == len(after) - len(before)
