"""The demo's bulletin history: the month before last issued, once."""

import datetime as dt

from django.utils import timezone

from bulletins.models import Bulletin
from demo.bulletins import demo_bulletins_seed
from demo.city import demo_city_seed


def test_the_month_before_last_is_issued_once_for_the_city_and_counties(db):
    demo_city_seed(seed=2026, password="x")

    assert demo_bulletins_seed(dt.date(2026, 11, 23)) == 6
    issued = Bulletin.objects.select_related("unit", "issued_by")
    assert {b.unit.level for b in issued} == {"city", "county"} and issued.count() == 6
    city = issued.get(unit__level="city")
    assert (city.period_label, city.number_label, city.issued_by.role) == ("2026年9月", "2026年第1期", "analyst")
    assert timezone.localtime(city.issued_at) == timezone.make_aware(dt.datetime(2026, 10, 2, 10, 30))

    assert demo_bulletins_seed(dt.date(2026, 11, 23)) == 0 and Bulletin.objects.count() == 6
