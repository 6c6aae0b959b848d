"""Drafting, issuing, correcting and the kept files: the rules of bulletins.services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bulletins import services
from bulletins.models import Bulletin, BulletinFile, BulletinStatus
from bulletins.services import BulletinError, correct, draft, draft_due, issue
from orgs.roles import Role
from tests.factories import CaseFactory, UserFactory

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 9, 0))
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def data(tree):
    CaseFactory(station=tree.station_a, reported_on=dt.date(2026, 10, 3), loss=Decimal("20000.00"))
    CaseFactory(station=tree.station_d, reported_on=dt.date(2026, 10, 7), loss=Decimal("8000.00"))
    CaseFactory(station=tree.station_d, reported_on=dt.date(2025, 10, 7), loss=Decimal("5000.00"))
    tree.analyst = UserFactory(username="analyst", unit=tree.city, role=Role.ANALYST)
    return tree


@pytest.fixture
def fake_render(monkeypatch):
    calls = []

    def render(doc, fmt):
        calls.append(fmt)
        return f"{fmt}|{doc['issue']['number_label']}|{doc['payload']['overall']['cases']['value']}".encode()

    monkeypatch.setattr(services, "render", render)
    return calls


def test_drafting_twice_creates_nothing_new(data):
    first, created = draft(data.city, "month", OCT, now=NOW)
    again, created_again = draft(data.city, "month", dt.date(2026, 10, 31), now=NOW)

    assert created and not created_again and again.pk == first.pk
    assert first.status == BulletinStatus.DRAFT and first.number is None
    assert first.period_label == "2026年10月" and first.payload["overall"]["cases"]["value"] == 2
    assert Bulletin.objects.count() == 1


def test_a_period_not_yet_ended_is_refused(data):
    with pytest.raises(BulletinError, match="尚未结束"):
        draft(data.city, "month", dt.date(2026, 11, 1), now=NOW)


def test_the_schedule_catches_up_missed_periods_and_is_idempotent(data, settings):
    settings.BULLETIN_CATCH_UP = {"day": 3, "week": 2, "xun": 2, "month": 2, "quarter": 1, "year": 1}

    run = draft_due(["day", "month"], now=NOW)

    # days: 20, 21, 22 November for the city and both counties; months: September and
    # October for the city, the counties and the three stations.
    assert (run.drafted, run.existing, run.failed) == (3 * 3 + 2 * 6, 0, 0)
    days = Bulletin.objects.filter(kind="day", unit=data.city).values_list("period_start", flat=True)
    assert sorted(days) == [dt.date(2026, 11, 20), dt.date(2026, 11, 21), dt.date(2026, 11, 22)]
    assert not Bulletin.objects.filter(kind="day", unit__level="station").exists()
    assert Bulletin.objects.filter(kind="month", unit=data.station_a, period_start=OCT).exists()

    again = draft_due(["day", "month"], now=NOW)
    assert (again.drafted, again.existing) == (0, 21) and Bulletin.objects.count() == 21

    # Two days later (the schedule was down): the two missed days are drafted, nothing else.
    later = draft_due(["day", "month"], now=NOW + dt.timedelta(days=2))
    assert later.drafted == 2 * 3
    assert Bulletin.objects.filter(kind="day", unit=data.city).latest("period_start").period_start == dt.date(
        2026, 11, 24
    )


def test_a_failed_draft_is_kept_with_its_error_and_retried(data, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("统计库连接中断")

    monkeypatch.setattr(services, "build_payload", broken)
    bulletin, created = draft(data.city, "month", OCT, now=NOW)
    assert not created and bulletin.status == BulletinStatus.FAILED
    assert bulletin.error == "RuntimeError: 统计库连接中断" and bulletin.payload is None
    with pytest.raises(BulletinError, match="生成失败"):
        services.file_bytes(bulletin, "docx")

    with pytest.raises(BulletinError, match="重新生成失败：RuntimeError: 统计库连接中断"):
        services.redraft(bulletin, user=data.analyst)

    monkeypatch.undo()
    retried, created = draft(data.city, "month", OCT, now=NOW)
    assert created and retried.pk == bulletin.pk and retried.status == BulletinStatus.DRAFT and retried.error == ""


def test_numbers_count_per_unit_kind_and_year_in_issue_order(data):
    def issued(unit, kind, day):
        return issue(draft(unit, kind, day, now=NOW)[0], user=data.analyst, now=NOW)

    assert issued(data.city, "month", dt.date(2026, 9, 1)).number == 1
    assert issued(data.city, "month", OCT).number == 2
    assert issued(data.county_x, "month", OCT).number == 1  # another unit counts its own
    assert issued(data.city, "xun", dt.date(2026, 10, 21)).number == 1  # another kind too
    last_year = issued(data.city, "month", dt.date(2025, 12, 1))
    assert last_year.number == 1 and last_year.number_label == "2025年第1期"  # the period's year

    october = Bulletin.objects.get(unit=data.city, kind="month", period_start=OCT)
    assert october.number_label == "2026年第2期" and october.issued_by == data.analyst
    with pytest.raises(BulletinError, match="只有草稿可以签发"):
        issue(october, user=data.analyst)


def test_an_issued_bulletin_never_changes_and_a_correction_lists_exactly_the_changed_figures(data, fake_render):
    original = issue(draft(data.city, "month", OCT, now=NOW)[0], user=data.analyst, now=NOW)
    frozen_payload = original.payload
    first_file = services.file_bytes(original, "docx")

    with pytest.raises(BulletinError, match="没有需要更正的数字"):
        correct(original, user=data.analyst)

    # A case of 26 October is entered late: one more case and 50,000 yuan for 东湖 (Y).
    CaseFactory(station=data.station_d, reported_on=dt.date(2026, 10, 26), loss=Decimal("50000.00"))
    original.refresh_from_db()
    assert original.payload == frozen_payload
    assert services.file_bytes(original, "docx") == first_file
    assert fake_render == ["docx"]  # rendered once, on the first download, then kept
    assert BulletinFile.objects.filter(bulletin=original).count() == 1

    revision = correct(original, user=data.analyst, note="东湖区公安分局补录10月26日案件1起。")
    changed = {c["key"]: (c["old"], c["new"]) for c in revision.changes}
    assert changed == {
        "overall.reports": (2, 3),
        "overall.reports.yoy": (100.0, 200.0),
        "overall.cases": (2, 3),
        "overall.cases.yoy": (100.0, 200.0),
        "overall.loss": (28000.0, 78000.0),
        "overall.loss.yoy": (460.0, 1460.0),
        "overall.cases_per_10k": (0.02, 0.03),
        "overall.cases_per_10k.yoy": (100.0, 200.0),
        "units.Y.cases": (1, 2),
        "units.Y.cases_yoy": (0.0, 100.0),
        "units.Y.loss": (8000.0, 58000.0),
        "units.Y.loss_yoy": (60.0, 1060.0),
        "units.X.rank": (1, 2),  # 东湖 now has more cases than 临江 (both had one)
        f"types.{revision.payload['structure']['rows'][0]['code']}.cases": (2, 3),
        f"types.{revision.payload['structure']['rows'][0]['code']}.loss": (28000.0, 78000.0),
    } | {k: v for k, v in changed.items() if k.startswith("victims.")}
    # The victim's groups (age band, gender, residency) each count one more.
    assert sorted(new - old for key, (old, new) in changed.items() if key.startswith("victims.")) == [1, 1, 1]
    assert revision.revision == 2 and revision.status == BulletinStatus.DRAFT and revision.number is None
    assert revision.correction_note == "东湖区公安分局补录10月26日案件1起。"
    labels = {c["key"]: c["label"] for c in revision.changes}
    assert labels["overall.cases"] == "全市·发案数" and labels["units.Y.loss"] == "东湖区公安分局·损失金额"

    with pytest.raises(BulletinError, match="待签发的更正版"):
        correct(original, user=data.analyst)

    reissued = issue(revision, user=data.analyst, now=NOW)
    original.refresh_from_db()
    assert reissued.number == original.number == 1 and reissued.status == BulletinStatus.ISSUED
    assert original.status == BulletinStatus.SUPERSEDED and original.payload == frozen_payload
    assert services.file_bytes(original, "docx") == first_file  # revision 1 stays downloadable
    # Its files are the document as issued, whenever first rendered; its page says superseded.
    assert services.document(original, as_issued=True)["issue"]["status"] == "issued"
    assert services.document(original)["issue"]["status"] == "superseded"


def test_who_may_issue(data):
    bulletin, _ = draft(data.county_x, "month", OCT, now=NOW)
    county_analyst = UserFactory(username="x_analyst", unit=data.county_x, role=Role.ANALYST)
    other_analyst = UserFactory(username="y_analyst", unit=data.county_y, role=Role.ANALYST)

    assert services.can_issue(data.analyst, bulletin) and services.can_issue(county_analyst, bulletin)
    assert not services.can_issue(other_analyst, bulletin)
    assert not services.can_issue(data.leader, bulletin)


def test_readers_see_issued_bulletins_of_their_subtree_and_analysts_the_drafts(data):
    city = issue(draft(data.city, "month", OCT, now=NOW)[0], user=data.analyst, now=NOW)
    county = issue(draft(data.county_x, "month", OCT, now=NOW)[0], user=data.analyst, now=NOW)
    station_draft, _ = draft(data.station_a, "month", OCT, now=NOW)

    assert set(services.visible(data.leader)) == {city, county}
    assert set(services.visible(data.reviewer_x)) == {county}
    assert set(services.visible(data.reviewer_y)) == set()
    assert set(services.visible(data.analyst)) == {city, county, station_draft}
    assert services.latest_monthly(data.leader) == city
    assert services.latest_monthly(data.reviewer_x) == county  # their own unit's
    assert services.latest_monthly(data.officer_a) is None  # the station's is still a draft
    assert {"payload", "changes"} <= services.latest_monthly(data.leader).get_deferred_fields()  # home: label only


def test_a_station_correction_counts_cases_with_no_community(data):
    original = issue(draft(data.station_a, "month", OCT, now=NOW)[0], user=data.analyst, now=NOW)
    CaseFactory(station=data.station_a, area=None, reported_on=dt.date(2026, 10, 20), loss=Decimal("100.00"))

    revision = correct(original, user=data.analyst)

    keys = {change["key"] for change in revision.changes}
    assert {"overall.cases", "areas.none.cases", "areas.none.loss"} <= keys
    assert revision.correction_note == f"因数据更正，本期通报有{len(revision.changes)}项数字变化，以本版为准。"
