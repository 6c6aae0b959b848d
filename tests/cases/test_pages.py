"""The case pages: the list (scope, filters, totals, pages, empty states), one case with
its ledger and history, the forms a clerk registers, corrects and voids cases with, and
the admin."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import EventKind, FraudCase, FraudType
from orgs.history import FieldChange
from orgs.models import Area
from orgs.roles import Role
from tests.factories import CaseEventFactory, CaseFactory, UserFactory

MAY_1 = datetime.date(2026, 5, 1)


@pytest.fixture
def clerk(tree):
    return UserFactory(username="clerk", first_name="敏", last_name="周", unit=tree.county_x, role=Role.CLERK)


@pytest.fixture
def cases(tree) -> dict[str, FraudCase]:
    """One case in each station: A and B in county X, D in county Y."""
    stations = {"A": tree.station_a, "B": tree.station_b, "D": tree.station_d}
    return {code: CaseFactory(station=station, case_no=f"CASE-{code}") for code, station in stations.items()}


def listed(client, **params) -> set[str]:
    response = client.get(reverse("case_list"), params)
    assert response.status_code == 200
    return {case.case_no for case in response.context["page"].object_list}


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def case_form_data(station, **overrides) -> dict:
    data = {
        "case_no": "J20260001", "reported_on": "2026-05-03", "station": station.pk,
        "fraud_type": FraudType.objects.get(code="02").pk, "loss": "5000", "filed": "on",
        "victim_age": "", "victim_gender": "", "victim_occupation": "", "residency": "", "place": "", "area": "",
        "occurred_on": "",
    }  # fmt: skip
    return {**data, **overrides}


VISIBLE = {
    "officer_a": {"CASE-A"},
    "reviewer_x": {"CASE-A", "CASE-B"},
    "reviewer_y": {"CASE-D"},
    "leader": {"CASE-A", "CASE-B", "CASE-D"},
}


# --- The list -----------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["case_list", "case_export", "case_new"])
def test_case_pages_send_strangers_to_the_login(db, client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", VISIBLE)
def test_case_list_shows_exactly_the_users_subtree(tree, client, cases, username):
    client.force_login(getattr(tree, username))
    assert listed(client) == VISIBLE[username]


@pytest.mark.parametrize("username", VISIBLE)
def test_case_page_outside_the_subtree_is_404(tree, client, cases, username):
    client.force_login(getattr(tree, username))
    for case in cases.values():
        expected = 200 if case.case_no in VISIBLE[username] else 404
        assert client.get(reverse("case_detail", args=[case.pk])).status_code == expected, case.case_no


def test_voided_cases_are_listed_only_when_asked_for(tree, client, cases, clerk):
    services.case_void(case=cases["A"], user=clerk, reason="重复录入")
    client.force_login(tree.reviewer_x)
    assert listed(client) == {"CASE-B"}
    assert listed(client, voided="1") == {"CASE-A", "CASE-B"}
    totals = client.get(reverse("case_list"), {"voided": "1"}).context["totals"]
    assert totals == {"count": 1, "loss": Decimal("5000"), "voided": 1}


def test_list_filters_by_fraud_type_date_range_and_solved(tree, client):
    investment = FraudType.objects.get(code="02")
    CaseFactory(station=tree.station_a, case_no="MAY-ORDERS", reported_on=datetime.date(2026, 5, 3))
    CaseFactory(
        station=tree.station_a, case_no="MAY-INVEST", reported_on=datetime.date(2026, 5, 20), fraud_type=investment
    )
    CaseFactory(
        station=tree.station_a, case_no="JUNE-SOLVED", reported_on=datetime.date(2026, 6, 2),
        solved_on=datetime.date(2026, 6, 5),
    )  # fmt: skip
    client.force_login(tree.officer_a)
    assert listed(client, fraud_type="02") == {"MAY-INVEST"}
    assert listed(client, start="2026-05-01", end="2026-05-31") == {"MAY-ORDERS", "MAY-INVEST"}
    assert listed(client, solved="true") == {"JUNE-SOLVED"}
    assert listed(client, solved="false", fraud_type="01") == {"MAY-ORDERS"}
    assert listed(client, unit="XA") == {"MAY-ORDERS", "MAY-INVEST", "JUNE-SOLVED"}
    assert listed(client, unit="XB") == set()


def test_list_pages_by_fifty_keeping_the_filters_and_totals_the_whole_list(tree, client):
    CaseFactory.create_batch(51, station=tree.station_a, loss=Decimal("10000"))
    CaseFactory(station=tree.station_a, fraud_type=FraudType.objects.get(code="02"), loss=Decimal("99999"))
    client.force_login(tree.officer_a)

    first = client.get(reverse("case_list"), {"fraud_type": "01"})
    assert len(first.context["page"].object_list) == 50
    assert first.context["totals"] == {"count": 51, "loss": Decimal("510000"), "voided": 0}
    body = first.content.decode()
    assert "51.00</strong> 万元" in body
    assert "?fraud_type=01&amp;page=2" in body

    second = client.get(reverse("case_list"), {"fraud_type": "01", "page": 2})
    assert len(second.context["page"].object_list) == 1


def test_list_queries_do_not_grow_with_the_rows(tree, client):
    area = Area.objects.get(code="XA1001")
    CaseFactory(station=tree.station_a, area=area)
    client.force_login(tree.leader)
    one_row = count_queries(lambda: client.get(reverse("case_list")))
    for station in (tree.station_a, tree.station_b, tree.station_d):
        CaseFactory.create_batch(3, station=station, area=area if station == tree.station_a else None)
    assert count_queries(lambda: client.get(reverse("case_list"))) == one_row


def test_list_shows_dates_and_money_as_people_read_them(tree, client):
    CaseFactory(station=tree.station_a, reported_on=datetime.date(2026, 5, 31), loss=Decimal("1234567.5"))
    client.force_login(tree.officer_a)
    body = client.get(reverse("case_list")).content.decode()
    assert "2026年5月31日" in body
    assert "1,234,567.50" in body


def test_empty_list_tells_a_clerk_to_import_or_register(tree, client, clerk):
    client.force_login(clerk)
    body = client.get(reverse("case_list")).content.decode()
    assert "还没有案件记录" in body
    assert f'href="{reverse("import_list")}">导入案件表' in body
    assert f'href="{reverse("case_new")}">登记案件' in body


def test_empty_list_tells_an_officer_who_brings_the_cases(tree, client):
    client.force_login(tree.officer_a)
    body = client.get(reverse("case_list")).content.decode()
    assert "案件由数据员从上级平台导入" in body
    assert reverse("case_new") not in body


def test_a_filter_without_matches_suggests_clearing_it(tree, client, cases):
    client.force_login(tree.officer_a)
    body = client.get(reverse("case_list"), {"fraud_type": "05"}).content.decode()
    assert "没有符合条件的案件" in body and "清除条件" in body


# --- One case -----------------------------------------------------------------------


def test_case_page_shows_ledger_totals_and_who_recorded_each_event(tree, client, clerk):
    case = CaseFactory(station=tree.station_a)
    services.case_event_add(
        case=case, user=clerk, kind=EventKind.ARREST, occurred_on=datetime.date(2026, 5, 4), count=2
    )
    services.case_event_add(
        case=case, user=clerk, kind=EventKind.RECOVER, occurred_on=datetime.date(2026, 5, 6), amount=Decimal("3000")
    )
    wrong = services.case_event_add(
        case=case, user=clerk, kind=EventKind.RECOVER, occurred_on=datetime.date(2026, 5, 6), amount=Decimal("999")
    )
    services.case_event_void(event=wrong, user=clerk, reason="金额录错")
    client.force_login(tree.officer_a)

    response = client.get(reverse("case_detail", args=[case.pk]))

    assert {label: value for label, value, _ in response.context["ledger"]} == {
        "抓获": 2, "冻结": 0, "追赃": Decimal("3000"), "返还": 0,
    }  # fmt: skip
    assert [row.recorded_by for row in response.context["event_rows"]] == ["周敏", "周敏", "周敏"]
    body = response.content.decode()
    assert '<tr class="voided">' in body and "已作废：金额录错" in body
    assert "2026年5月1日" in body


def test_case_page_queries_do_not_grow_with_events_and_history(tree, client, clerk):
    case = CaseFactory(station=tree.station_a)
    client.force_login(clerk)
    url = reverse("case_detail", args=[case.pk])
    services.case_event_add(case=case, user=clerk, kind=EventKind.ARREST, occurred_on=MAY_1, count=1)
    services.case_update(case=case, user=clerk, loss=Decimal("6000"))
    few = count_queries(lambda: client.get(url))
    for day in range(2, 6):
        on = datetime.date(2026, 5, day)
        services.case_event_add(case=case, user=clerk, kind=EventKind.FREEZE, occurred_on=on, amount=Decimal(day))
        services.case_update(case=case, user=clerk, loss=Decimal(6000 + day), place=f"第{day}处")
    assert count_queries(lambda: client.get(url)) == few


def test_officer_cannot_open_the_case_forms(tree, client, cases):
    client.force_login(tree.officer_a)
    case = cases["A"]
    response = client.get(reverse("case_new"))
    assert response.status_code == 403 and "没有权限" in response.content.decode()
    assert client.get(reverse("case_edit", args=[case.pk])).status_code == 403
    assert client.post(reverse("case_void", args=[case.pk]), {"reason": "x"}).status_code == 403
    event_add = client.post(reverse("case_event_add", args=[case.pk]), {"kind": "arrest", "occurred_on": "2026-05-02"})
    assert event_add.status_code == 403
    assert not case.events.exists()


def test_officer_sees_no_edit_controls_on_the_case_page(tree, client, cases):
    client.force_login(tree.officer_a)
    body = client.get(reverse("case_detail", args=[cases["A"].pk])).content.decode()
    assert (
        "登记进展" not in body and "作废本案件" not in body and reverse("case_edit", args=[cases["A"].pk]) not in body
    )


def test_case_form_outside_the_subtree_is_404(tree, client, clerk, cases):
    client.force_login(clerk)
    assert client.get(reverse("case_edit", args=[cases["D"].pk])).status_code == 404
    assert client.post(reverse("case_void", args=[cases["D"].pk]), {"reason": "x"}).status_code == 404


# --- A clerk registers, corrects and voids --------------------------------------------


def test_case_form_offers_the_users_stations_their_areas_and_active_types(tree, client, clerk):
    FraudType.objects.filter(code="09").update(active=False)
    client.force_login(clerk)
    form = client.get(reverse("case_new")).context["form"]
    assert set(form.fields["station"].queryset) == {tree.station_a, tree.station_b}
    assert set(form.fields["area"].queryset.values_list("code", flat=True)) == {"XA1", "XA1001"}
    assert dict(form.fields["area"].widget.choices)["滨江派出所"] == [
        (Area.objects.get(code="XA1").pk, "滨江街道"),
        (Area.objects.get(code="XA1001").pk, "滨江街道 · 幸福社区"),
    ]
    assert "网络游戏产品虚假交易" not in {t.name for t in form.fields["fraud_type"].queryset}


def test_clerk_registers_a_case(tree, client, clerk):
    client.force_login(clerk)
    area = Area.objects.get(code="XA1001")
    data = case_form_data(tree.station_a, area=area.pk, victim_age="67", victim_gender="female", place="家中")

    response = client.post(reverse("case_new"), data)

    case = FraudCase.objects.get(case_no="J20260001")
    assert response.status_code == 302 and response["Location"] == reverse("case_detail", args=[case.pk])
    assert (case.station, case.area, case.loss, case.victim_age, case.filed) == (
        tree.station_a, area, Decimal("5000"), 67, True,
    )  # fmt: skip
    assert case.history.get().history_user == clerk


def test_case_form_refuses_a_station_outside_the_subtree(tree, client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("case_new"), case_form_data(tree.station_d))
    assert response.status_code == 200
    assert "station" in response.context["form"].errors
    assert not FraudCase.objects.exists()


def test_case_form_shows_the_services_refusal_on_its_field(tree, client, clerk):
    client.force_login(clerk)
    area = Area.objects.get(code="XA1001")
    response = client.post(reverse("case_new"), case_form_data(tree.station_b, area=area.pk))
    assert response.context["form"].errors["area"] == ["发案地“幸福社区”不属于解放路派出所。"]
    duplicate = CaseFactory(station=tree.station_b, case_no="J-TAKEN")
    response = client.post(reverse("case_new"), case_form_data(tree.station_b, case_no=duplicate.case_no))
    assert response.context["form"].errors["case_no"] == ["案件编号“J-TAKEN”已存在。"]


def test_clerk_edits_a_case_and_the_history_shows_who_changed_what(tree, client, clerk):
    case = CaseFactory(station=tree.station_a, case_no="J20260001", fraud_type=FraudType.objects.get(code="02"))
    client.force_login(clerk)

    response = client.post(
        reverse("case_edit", args=[case.pk]), case_form_data(tree.station_a, loss="6000", reported_on="2026-05-01")
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.loss == Decimal("6000")
    page = client.get(reverse("case_detail", args=[case.pk]))
    latest = page.context["history"][0]
    assert (latest.who, latest.action) == ("周敏", "修改")
    assert latest.changes == [FieldChange("损失金额（元）", "5,000.00", "6,000.00")]
    assert '5,000.00</span> → <span class="new">6,000.00' in page.content.decode()


def test_solved_sets_the_solved_date_and_a_second_solved_is_refused(tree, client, clerk):
    case = CaseFactory(station=tree.station_a)
    client.force_login(clerk)
    url = reverse("case_event_add", args=[case.pk])

    assert client.post(url, {"kind": "solved", "occurred_on": "2026-05-10"}).status_code == 302
    case.refresh_from_db()
    assert case.solved_on == datetime.date(2026, 5, 10)

    again = client.post(url, {"kind": "solved", "occurred_on": "2026-05-12"})
    assert again.status_code == 200
    assert again.context["event_form"].errors["kind"] == ["该案件已于 2026-05-10 破案。"]
    assert case.events.count() == 1


def test_clerk_adds_arrests_and_money_to_the_ledger(tree, client, clerk):
    case = CaseFactory(station=tree.station_a)
    client.force_login(clerk)
    url = reverse("case_event_add", args=[case.pk])
    client.post(url, {"kind": "arrest", "occurred_on": "2026-05-03", "count": "2", "note": "抓获2人"})
    client.post(url, {"kind": "freeze", "occurred_on": "2026-05-04", "amount": "1500.50"})
    refused = client.post(url, {"kind": "return", "occurred_on": "2026-05-04"})
    assert refused.context["event_form"].errors["amount"] == ["请填写大于 0 的金额。"]
    assert services.case_totals(case) == {"arrest": 2, "freeze": Decimal("1500.50")}


def test_clerk_voids_an_event_only_with_a_reason(tree, client, clerk):
    case = CaseFactory(station=tree.station_a)
    event = CaseEventFactory(case=case)
    client.force_login(clerk)
    url = reverse("case_event_void", args=[case.pk, event.pk])

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and "请填写作废原因。" in refused.content.decode()
    event.refresh_from_db()
    assert not event.is_voided

    assert client.post(url, {"reason": "重复登记"}).status_code == 302
    event.refresh_from_db()
    assert event.is_voided and event.void_reason == "重复登记" and event.voided_by == clerk


def test_clerk_voids_a_case_which_then_leaves_the_list(tree, client, clerk, cases):
    client.force_login(clerk)
    case = cases["A"]
    assert client.post(reverse("case_void", args=[case.pk]), {"reason": "与 CASE-B 重复"}).status_code == 302

    body = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="voided-banner"' in body and "周敏 作废" in body and "与 CASE-B 重复" in body
    assert reverse("case_edit", args=[case.pk]) not in body
    assert listed(client) == {"CASE-B"}
    edit = client.get(reverse("case_edit", args=[case.pk]))
    assert edit.status_code == 302 and edit["Location"] == reverse("case_detail", args=[case.pk])


# --- Admin ----------------------------------------------------------------------------


def test_admin_shows_cases_of_the_subtree_read_only(tree, client, clerk, cases):
    client.force_login(clerk)
    changelist = client.get(reverse("admin:cases_fraudcase_changelist"))
    assert {case.case_no for case in changelist.context["cl"].result_list} == {"CASE-A", "CASE-B"}
    change = client.get(reverse("admin:cases_fraudcase_change", args=[cases["A"].pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]
    assert client.get(reverse("admin:cases_fraudcase_change", args=[cases["D"].pk])).status_code == 302  # not found
    assert client.get(reverse("admin:cases_fraudcase_delete", args=[cases["A"].pk])).status_code == 403


def test_clerk_edits_fraud_types_in_admin_but_never_deletes_them(tree, client, clerk):
    client.force_login(clerk)
    fraud_type = FraudType.objects.get(code="09")
    changelist = client.get(reverse("admin:cases_fraudtype_changelist"))
    assert changelist.status_code == 200 and changelist.context["cl"].list_editable == ["order", "active"]
    assert client.get(reverse("admin:cases_fraudtype_delete", args=[fraud_type.pk])).status_code == 403
