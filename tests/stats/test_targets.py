"""Targets against the figures: met, yellow, red, a zero base, the running month with its
projection, the children's table, 三升三降, the writes, and the admin."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import User
from orgs.roles import Role
from stats.models import CardRule, CaseFact, EventFact, StatsState, Target
from stats.periods import period_for
from stats.targets import (
    Card,
    TargetError,
    sanshang_sanjiang,
    target_create,
    target_status,
    target_update,
    targets_for_children,
)
from stats.totals import recompute_all
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MAY = dt.date(2026, 5, 1)


def at(year, month, day, hour=12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


AFTER_MAY = at(2026, 6, 5)


def fact(unit, day, n=0, loss="0", *, filed=True):
    """A CaseFact row, and the subtree totals summed afresh (as the refresh does)."""
    row = CaseFact.objects.create(unit=unit, day=day, fraud_type_id=1, filed=filed, n=n, loss=Decimal(loss))
    recompute_all()
    return row


def event(unit, day, kind, *, n=0, people=0, amount="0"):
    """An EventFact row, and the subtree totals summed afresh (as the refresh does)."""
    row = EventFact.objects.create(unit=unit, day=day, kind=kind, n=n, people=people, amount=Decimal(amount))
    recompute_all()
    return row


def target(unit, metric="cases", drop="10", month=MAY, **kwargs):
    return Target.objects.create(unit=unit, month=month, metric=metric, drop_pct=Decimal(drop), **kwargs)


# The default rule: yellow within 10 points, red beyond, red on a rise of 30% or more.
@pytest.mark.parametrize(
    ("last_year", "this_year", "drop", "pct", "met", "gap", "card"),
    [
        (20, 18, "10", -10.0, True, "0.0", Card.NONE),  # exactly the required drop
        (20, 15, "10", -25.0, True, "-15.0", Card.NONE),
        (20, 19, "10", -5.0, False, "5.0", Card.YELLOW),  # 5 points short
        (20, 20, "10", 0.0, False, "10.0", Card.YELLOW),  # 10 points short: still yellow
        (20, 22, "10", 10.0, False, "20.0", Card.RED),  # 20 points short
        (20, 26, "-50", 30.0, True, "-20.0", Card.RED),  # a rise of 30% is red whatever the target
        (20, 25, "-50", 25.0, True, "-25.0", Card.NONE),
    ],
)
def test_a_finished_month_is_judged_on_the_whole_month(tree, last_year, this_year, drop, pct, met, gap, card):
    fact(tree.station_a, dt.date(2025, 5, 6), last_year)
    fact(tree.station_b, dt.date(2026, 5, 31), this_year)
    target(tree.county_x, drop=drop)
    [status] = target_status(tree.county_x, MAY, now=AFTER_MAY)
    assert (status.value, status.yoy_base, status.yoy_pct) == (this_year, last_year, pct)
    assert (status.met, status.gap_pts, status.card) == (met, Decimal(gap), card)
    assert status.period.label == "2026年5月" and status.projection is None


def test_notes_say_what_happened_in_chinese(tree):
    fact(tree.station_a, dt.date(2025, 5, 6), 20)
    fact(tree.station_a, dt.date(2026, 5, 6), 19)
    target(tree.station_a)
    [status] = target_status(tree.station_a, MAY, now=AFTER_MAY)
    assert status.note == "2026年5月发案数同比下降5.0%，未达到同比下降10.0%的目标，差5.0个百分点，黄牌。"
    assert status.card_label == "黄牌"


def test_a_zero_base_is_not_judged(tree):
    fact(tree.station_a, dt.date(2026, 5, 6), 5)
    target(tree.station_a)
    [status] = target_status(tree.station_a, MAY, now=AFTER_MAY)
    assert (status.yoy_base, status.yoy_pct, status.met, status.gap_pts, status.card) == (0, None, None, None, "none")
    assert status.note == "去年同期（2025年5月）发案数为0，无法计算同比，暂不评定是否达标。"


def test_loss_target_with_seed_002s_figures(tree):
    # 2022: 660.18万元, 2023: 610.19万元 → −7.6% (seed 002, as corrected).
    fact(tree.station_a, dt.date(2022, 5, 9), 3, "6601800")
    fact(tree.station_a, dt.date(2023, 5, 9), 3, "6101900")
    target(tree.county_x, "loss", "5", month=dt.date(2023, 5, 1))
    [status] = target_status(tree.county_x, dt.date(2023, 5, 17), now=AFTER_MAY)
    assert (status.value, status.yoy_base) == (Decimal("6101900.00"), Decimal("6601800.00"))
    assert (status.yoy_pct, status.met, status.card) == (-7.6, True, Card.NONE)
    assert status.label == "损失金额" and status.measure == "元"


def test_the_card_rule_is_editable(tree):
    CardRule.objects.update_or_create(pk=1, defaults={"yellow_margin": Decimal("3"), "red_rise_pct": Decimal("50")})
    fact(tree.station_a, dt.date(2025, 5, 6), 20)
    fact(tree.station_a, dt.date(2026, 5, 6), 19)  # −5.0%: 5 points short of 10
    target(tree.station_a)
    assert target_status(tree.station_a, MAY, now=AFTER_MAY)[0].card == Card.RED


@pytest.fixture
def running(tree):
    """May 2026 seen on the 10th: county X has 18 cases so far against 20 on 1–10 May 2025,
    and last year's rest of May held only 5."""
    fact(tree.station_a, dt.date(2025, 5, 4), 20, "100000")
    fact(tree.station_a, dt.date(2025, 5, 25), 5, "300000")
    fact(tree.station_b, dt.date(2026, 5, 8), 18, "60000")
    fact(tree.station_b, dt.date(2026, 5, 11), 40, "1")  # after today: not counted
    target(tree.county_x, "cases", "10")
    target(tree.county_x, "loss", "20")
    return tree


def test_a_running_month_compares_the_days_so_far_and_projects_the_month(running):
    cases, loss = target_status(running.county_x, MAY, now=at(2026, 5, 10))
    assert cases.state == "running"
    assert (cases.period.start, cases.period.end) == (MAY, dt.date(2026, 5, 10))
    assert (cases.yoy_period.start, cases.yoy_period.end) == (dt.date(2025, 5, 1), dt.date(2025, 5, 10))
    # So far: 18 against 20 → −10.0%, just meets the 10% drop.
    assert (cases.value, cases.yoy_base, cases.yoy_pct, cases.met, cases.card) == (18, 20, -10.0, True, "none")
    # Month end: 18 + 18/20 × 5 = 22.5 → 23 against 25 → −8.0%: short of 10%.
    assert (cases.projection.projected, cases.projected_yoy_base) == (23, 25)
    assert (cases.projected_yoy_pct, cases.projected_met) == (-8.0, False)
    assert cases.note == "截至5月10日，本月发案数同比下降10.0%，达到同比下降10.0%的目标。"
    assert cases.projection_note == "按去年同期日分布推算，月底预计23起，同比下降8.0%，难以达到目标。"
    # Loss so far: 60,000 against 100,000 → −40.0%; month end 60,000 + 0.6 × 300,000 = 240,000
    # against 400,000 → −40.0%.
    assert (loss.yoy_pct, loss.met, loss.projection.projected, loss.projected_met) == (
        -40.0, True, Decimal("240000.00"), True,
    )  # fmt: skip
    assert "月底预计24.00万元" in loss.projection_note


def test_a_month_not_started_is_not_judged(tree):
    target(tree.county_x, month=dt.date(2026, 7, 1))
    [status] = target_status(tree.county_x, dt.date(2026, 7, 1), now=at(2026, 6, 20))
    assert (status.state, status.value, status.met, status.card) == ("upcoming", None, None, "none")


def test_children_table_lists_every_child_with_or_without_targets(tree, django_assert_max_num_queries):
    fact(tree.station_a, dt.date(2025, 5, 6), 20)
    fact(tree.station_a, dt.date(2026, 5, 6), 25)
    target(tree.county_x, "cases", "10")
    target(tree.city, "cases", "5")  # the city's own target is not a child row
    CardRule.current()
    # The rule, the children, their targets, and one rollup query per child with targets.
    with django_assert_max_num_queries(4):
        rows = targets_for_children(tree.city, MAY, now=AFTER_MAY)
    assert [row.unit.code for row in rows] == ["X", "Y"]
    x, y = rows
    assert (x.cases.yoy_pct, x.cases.card, x.loss) == (25.0, Card.RED, None)
    assert (y.cases, y.loss, y.has_targets) == (None, None, False)


# 三升三降 -----------------------------------------------------------------------------


@pytest.fixture
def seed_002(tree):
    """County X in 2023 and 2022, the figures of seed 002's county (hand-entered rollups)."""
    x = tree.station_a
    fact(x, dt.date(2023, 3, 1), 59, "6101900")
    fact(x, dt.date(2023, 3, 1), 12, filed=False)  # 71 reports
    fact(x, dt.date(2022, 3, 1), 65, "6601800")
    fact(x, dt.date(2022, 3, 1), 20, filed=False)  # 85 reports
    event(x, dt.date(2023, 6, 1), "solved", n=15)
    event(x, dt.date(2022, 6, 1), "solved", n=5)
    event(x, dt.date(2023, 6, 1), "arrest", n=20, people=60)
    event(x, dt.date(2022, 6, 1), "arrest", n=20, people=47)
    event(x, dt.date(2023, 7, 1), "recover", n=3, amount="1495000")
    event(x, dt.date(2022, 7, 1), "recover", n=1, amount="400000")
    return tree


def test_sanshang_sanjiang_achieved(seed_002):
    result = sanshang_sanjiang(seed_002.county_x, period_for("year", dt.date(2023, 1, 1)), now=AFTER_MAY)
    assert [(i.label, i.yoy_pct, i.ok) for i in result.items] == [
        ("破案数", 200.0, True),
        ("抓获人数", 27.7, True),
        ("追赃金额", 273.8, True),
        ("发案数", -9.2, True),
        ("损失金额", -7.6, True),
        ("警情数", -16.5, True),
    ]
    assert result.all_achieved and (result.achieved, result.unknown) == (6, 0)
    assert result.summary.startswith("实现“三升三降”")


def test_sanshang_counts_a_zero_base_as_unknown_not_as_a_pass(seed_002):
    EventFact.objects.filter(day__year=2022, kind="solved").delete()
    recompute_all()
    event(seed_002.station_a, dt.date(2023, 8, 1), "arrest", people=-20)  # 40 arrests: a fall
    result = sanshang_sanjiang(seed_002.county_x, period_for("year", dt.date(2023, 1, 1)), now=AFTER_MAY)
    solved, arrests = result.items[0], result.items[1]
    assert (solved.yoy_base, solved.yoy_pct, solved.ok) == (0, None, None)
    assert (arrests.value, arrests.yoy_pct, arrests.ok) == (40, -14.9, False)
    assert (result.achieved, result.unknown, result.all_achieved) == (4, 1, False)
    assert result.summary == (
        "“三升三降”六项中达到4项；未达到：抓获人数（同比下降14.9%）；去年同期为0、无法比较：破案数。"
    )


# Writes -------------------------------------------------------------------------------


@pytest.fixture
def analyst_x(tree):
    return UserFactory(username="analyst_x", unit=tree.county_x, role=Role.ANALYST)


def test_one_target_per_unit_month_and_metric(tree, analyst_x):
    first = target_create(user=analyst_x, unit=tree.station_a, month=dt.date(2026, 5, 17), metric="cases",
                          drop_pct=Decimal("10"))  # fmt: skip
    assert (first.month, first.set_by) == (MAY, analyst_x)
    with pytest.raises(TargetError, match="滨江派出所2026年5月的发案数目标已设定，请修改原目标。"):
        target_create(user=analyst_x, unit=tree.station_a, month=MAY, metric="cases", drop_pct=Decimal("5"))
    other = target_create(user=analyst_x, unit=tree.station_a, month=MAY, metric="loss", drop_pct=Decimal("5"))
    with pytest.raises(TargetError):
        target_update(target=other, user=analyst_x, metric="cases")


def test_an_analyst_sets_targets_only_in_their_subtree(tree, analyst_x):
    with pytest.raises(TargetError, match="只能为本单位及下级单位设定目标"):
        target_create(user=analyst_x, unit=tree.station_d, month=MAY, metric="cases", drop_pct=Decimal("10"))
    mine = target_create(user=analyst_x, unit=tree.station_a, month=MAY, metric="cases", drop_pct=Decimal("10"))
    with pytest.raises(TargetError):
        target_update(target=mine, user=analyst_x, unit=tree.station_d)


# Admin --------------------------------------------------------------------------------


def test_a_staff_analyst_edits_targets_of_their_subtree_in_the_admin(tree, analyst_x, client):
    analyst_x.is_staff = True  # analysts are not staff by default (STAFF_ROLES)
    analyst_x.save()
    target(tree.station_a)
    target(tree.station_d)
    client.force_login(analyst_x)
    response = client.get(reverse("admin:stats_target_changelist"))
    assert [t.unit.code for t in response.context["cl"].result_list] == ["XA"]
    form = {"unit": tree.station_b.pk, "month": "2026-05-20", "metric": "loss", "drop_pct": "15", "note": "市局下达"}
    response = client.post(reverse("admin:stats_target_add"), form)
    assert response.status_code == 302
    added = Target.objects.get(unit=tree.station_b)
    assert (added.month, added.set_by) == (MAY, analyst_x)
    response = client.post(reverse("admin:stats_target_add"), {**form, "unit": tree.station_d.pk})
    assert response.status_code == 200 and "unit" in response.context["adminform"].form.errors


def test_card_rule_admin_is_a_single_row(db, client):
    client.force_login(User.objects.create_superuser("root", password="x"))
    response = client.get(reverse("admin:stats_cardrule_changelist"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:stats_cardrule_change", args=[1])
    assert client.get(reverse("admin:stats_cardrule_add")).status_code == 403
    response = client.post(response["Location"], {"yellow_margin": "-1", "red_rise_pct": "30"})
    assert "黄牌容差不能为负数。" in str(response.context["adminform"].form.errors)
    client.post(reverse("admin:stats_cardrule_change", args=[1]), {"yellow_margin": "5", "red_rise_pct": "40"})
    assert (CardRule.current().yellow_margin, CardRule.objects.count()) == (Decimal("5.0"), 1)


def test_stats_state_is_read_only_for_clerks(tree, client):
    StatsState.objects.create(pk=1, refreshed_at=AFTER_MAY, last_pairs=12, last_seconds=0.5)
    client.force_login(UserFactory(username="clerk", unit=tree.city, role=Role.CLERK))
    response = client.get(reverse("admin:stats_statsstate_changelist"))
    assert response.status_code == 200
    assert [s.last_pairs for s in response.context["cl"].result_list] == [12]
    assert client.get(reverse("admin:stats_statsstate_add")).status_code == 403
    response = client.post(reverse("admin:stats_statsstate_change", args=[1]), {"last_pairs": 0})
    assert StatsState.objects.get().last_pairs == 12
