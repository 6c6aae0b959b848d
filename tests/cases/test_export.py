"""The Excel export of the case list: the user's filtered, scoped cases, every page of
them, with ledger totals; numbers and dates as such; formulas neutralised."""

import datetime
import io
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.exports import XLSX_CONTENT_TYPE
from cases.models import EventKind, FraudType
from orgs.roles import Role
from tests.factories import CaseEventFactory, CaseFactory, UserFactory


def export(client, **params):
    response = client.get(reverse("case_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def rows_by_case_no(sheet) -> dict[str, dict]:
    header, *rows = sheet.iter_rows(values_only=True)
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_export_holds_exactly_the_users_filtered_cases(tree, client):
    investment = FraudType.objects.get(code="02")
    CaseFactory(station=tree.station_a, case_no="A-INVEST", fraud_type=investment)
    CaseFactory(station=tree.station_b, case_no="B-INVEST", fraud_type=investment)
    CaseFactory(station=tree.station_b, case_no="B-ORDERS")
    CaseFactory(station=tree.station_d, case_no="D-INVEST", fraud_type=investment)
    client.force_login(tree.reviewer_x)
    assert set(rows_by_case_no(export(client, fraud_type="02"))) == {"A-INVEST", "B-INVEST"}
    client.force_login(tree.officer_b)
    assert set(rows_by_case_no(export(client))) == {"B-INVEST", "B-ORDERS"}


def test_export_is_the_whole_list_not_one_page(tree, client, monkeypatch):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 2)
    CaseFactory.create_batch(5, station=tree.station_a)
    client.force_login(tree.officer_a)
    assert len(client.get(reverse("case_list")).context["page"].object_list) == 2
    assert len(rows_by_case_no(export(client))) == 5


def test_export_totals_come_from_the_live_ledger(tree, client):
    case = CaseFactory(station=tree.station_a, case_no="WITH-EVENTS")
    CaseFactory(station=tree.station_a, case_no="NO-EVENTS")
    CaseEventFactory(case=case, kind=EventKind.ARREST, count=2, amount=None)
    CaseEventFactory(case=case, kind=EventKind.ARREST, count=1, amount=None)
    CaseEventFactory(case=case, kind=EventKind.FREEZE, amount=Decimal("3000"))
    CaseEventFactory(case=case, kind=EventKind.RECOVER, amount=Decimal("1000.50"))
    CaseEventFactory(case=case, kind=EventKind.RECOVER, amount=Decimal("500"), voided_at=timezone.now())
    CaseEventFactory(case=case, kind=EventKind.RETURN, amount=Decimal("800"))
    client.force_login(tree.officer_a)

    rows = rows_by_case_no(export(client))

    totals = ("抓获人数", "冻结金额（元）", "追赃金额（元）", "返还金额（元）")
    assert [rows["WITH-EVENTS"][name] for name in totals] == [3, 3000, 1000.5, 800]
    assert [rows["NO-EVENTS"][name] for name in totals] == [0, 0, 0, 0]


def test_export_neutralises_formulas_in_text(tree, client):
    CaseFactory(
        station=tree.station_a, case_no="EVIL", place='=HYPERLINK("http://evil.example","点我")',
        victim_occupation="@SUM(A1)",
    )  # fmt: skip
    client.force_login(tree.officer_a)
    sheet = export(client)
    row = rows_by_case_no(sheet)["EVIL"]
    assert row["发案部位"] == '\'=HYPERLINK("http://evil.example","点我")'
    assert row["受害人职业"] == "'@SUM(A1)"
    assert all(cell.data_type != "f" for cells in sheet.iter_rows() for cell in cells)


def test_export_writes_numbers_dates_bold_frozen_header_and_chinese_file_name(tree, client):
    CaseFactory(station=tree.station_a, case_no="J1", loss=Decimal("12345.67"), reported_on=datetime.date(2026, 5, 31))
    client.force_login(tree.officer_a)
    response = client.get(reverse("case_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active

    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["案件编号", "受理日期", "发案日期", "办案单位"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    reported, loss = sheet.cell(2, header.index("受理日期") + 1), sheet.cell(2, header.index("损失金额（元）") + 1)
    assert reported.value == datetime.datetime(2026, 5, 31) and reported.is_date
    assert loss.value == 12345.67 and loss.number_format == "#,##0.00"
    assert sheet.column_dimensions["A"].width == 22
    stamp = f"{timezone.localdate():%Y%m%d}"
    assert f"filename*=UTF-8''{quote(f'案件清单_{stamp}.xlsx')}" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")


def test_export_says_which_cases_are_voided_when_they_are_listed(tree, client):
    clerk = UserFactory(unit=tree.county_x, role=Role.CLERK)
    case = CaseFactory(station=tree.station_a, case_no="VOID")
    services.case_void(case=case, user=clerk, reason="重复录入")
    client.force_login(tree.officer_a)
    assert rows_by_case_no(export(client)) == {}
    assert rows_by_case_no(export(client, voided="1"))["VOID"]["作废原因"] == "重复录入"


@pytest.mark.parametrize("username", ["leader", "officer_a"])
def test_export_of_an_empty_list_is_a_header_only_sheet(tree, client, username):
    client.force_login(getattr(tree, username))
    sheet = export(client)
    assert sheet.max_row == 1 and sheet["A1"].value == "案件编号"
