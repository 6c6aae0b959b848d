"""The cases and case_events formats through the intake."""

import datetime as dt
import io
from decimal import Decimal

from cases.models import CaseEvent, EventKind, FraudCase
from imports.models import ImportStatus
from orgs.roles import Role
from tests.factories import CaseFactory, UserFactory
from tests.imports.conftest import csv_bytes

HEADER = [
    "案件编号",
    "受理日期",
    "办案单位",
    "发案地",
    "诈骗类型",
    "损失金额",
    "是否立案",
    "受害人年龄",
    "受害人性别",
    "户籍类型",
    "预警后被骗",
    "破案日期",
    "抓获人数",
    "追赃金额",
    "追赃日期",
]


def case_row(
    no="J1",
    *,
    reported="2026-05-03",
    station="XA",
    area="",
    fraud_type="刷单返利",
    loss="3,800",
    solved="",
    arrested="",
    recovered="",
    recovered_on="",
):
    return [
        no,
        reported,
        station,
        area,
        fraud_type,
        loss,
        "是",
        "26",
        "女",
        "常住",
        "否",
        solved,
        arrested,
        recovered,
        recovered_on,
    ]


def test_a_gbk_export_with_every_kind_of_value(tree, run_import):
    data = csv_bytes(
        [
            HEADER,
            case_row("J1", area="幸福社区"),
            case_row(
                "J2",
                reported="2026年5月4日",
                station="解放路派出所",
                fraud_type="杀猪盘",
                loss="12.3万元",
                solved="2026/5/20",
                arrested="2",
                recovered="5万",
                recovered_on="20260601",
            ),
        ],
        encoding="gbk",
    )
    job = run_import("cases", data)
    assert job.status == ImportStatus.APPLIED, job.errors
    assert job.encoding == "GBK/GB18030"
    one = FraudCase.objects.get(case_no="J1")
    assert (one.station.code, one.area.name, one.loss, one.victim_age) == ("XA", "幸福社区", Decimal("3800.00"), 26)
    two = FraudCase.objects.get(case_no="J2")
    assert (two.station.code, two.fraud_type.name, two.loss) == ("XB", "网络婚恋交友", Decimal("123000.00"))
    ledger = sorted((e.kind, e.occurred_on, e.count, e.amount) for e in two.events.all())
    assert ledger == [
        (EventKind.ARREST, dt.date(2026, 5, 20), 2, None),
        (EventKind.RECOVER, dt.date(2026, 6, 1), None, Decimal("50000.00")),
        (EventKind.SOLVED, dt.date(2026, 5, 20), None, None),
    ]
    assert two.solved_on == dt.date(2026, 5, 20)


def test_an_xlsx_export(tree, run_import):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Case_No", "REPORTED_ON", "station", "fraud_type", "loss"])  # English aliases, any case
    sheet.append(["X1", dt.datetime(2026, 5, 3), "XA", "01", 1234.5])
    sheet.append(["X2", 46150, "XB", "虚假网络投资理财", "2万"])  # an Excel serial date
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run_import("cases", buffer.getvalue(), name="导出.xlsx")
    assert job.status == ImportStatus.APPLIED, job.errors
    assert FraudCase.objects.get(case_no="X1").loss == Decimal("1234.50")
    assert FraudCase.objects.get(case_no="X2").reported_on == dt.date(2026, 5, 8)


def test_a_missing_required_column_refuses_the_file_and_names_it(tree, run_import):
    job = run_import(
        "cases", csv_bytes([["案件编号", "受理日期", "办案单位", "损失金额"], ["J1", "2026-05-03", "XA", "1"]])
    )
    assert job.status == ImportStatus.REFUSED
    assert "缺少必需的列" in job.message and "诈骗类型" in job.message
    assert not FraudCase.objects.exists()


def test_one_bad_row_writes_nothing(tree, run_import):
    data = csv_bytes([HEADER, case_row("J1"), case_row("J2", loss="-5"), case_row("J3")])
    job = run_import("cases", data)
    assert job.status == ImportStatus.REFUSED
    assert job.errors == [{"row": 3, "column": "损失金额", "value": "-5", "reason": "金额不能为负数"}]
    assert not FraudCase.objects.exists()


def test_partial_writes_the_good_rows_and_reports_the_rest(tree, run_import):
    data = csv_bytes([HEADER, case_row("J1"), case_row("J2", loss="-5"), case_row("J3")])
    job = run_import("cases", data, partial=True)
    assert job.status == ImportStatus.APPLIED
    assert (job.created, job.refused) == (2, 1)
    assert set(FraudCase.objects.values_list("case_no", flat=True)) == {"J1", "J3"}
    assert job.error_report.read().decode("utf-8-sig").splitlines()[1] == "3,损失金额,-5,金额不能为负数"


def test_a_dry_run_counts_exactly_and_writes_nothing(tree, run_import):
    job = run_import("cases", csv_bytes([HEADER, case_row("J1"), case_row("J2")]), dry_run=True)
    assert (job.status, job.created) == (ImportStatus.CHECKED, 2)
    assert not FraudCase.objects.exists()


def test_the_same_file_twice_changes_nothing(tree, run_import):
    data = csv_bytes(
        [HEADER, case_row("J1", solved="2026-05-10", arrested="1", recovered="100", recovered_on="2026-05-11")]
    )
    run_import("cases", data)
    stamp = FraudCase.objects.get().updated_at
    job = run_import("cases", data)
    assert (job.created, job.updated, job.unchanged) == (0, 0, 1)
    assert FraudCase.objects.get().updated_at == stamp
    assert CaseEvent.objects.count() == 3
    assert FraudCase.history.count() == 1


def test_a_later_export_raising_recovered_adds_an_event_dated_by_its_date(tree, run_import):
    run_import(
        "cases", csv_bytes([HEADER, case_row("J1", solved="2026-05-10", recovered="50000", recovered_on="2026-05-20")])
    )
    job = run_import(
        "cases", csv_bytes([HEADER, case_row("J1", solved="2026-05-10", recovered="80000", recovered_on="2026-07-15")])
    )
    assert job.updated == 1
    recoveries = list(CaseEvent.objects.filter(kind=EventKind.RECOVER).values_list("occurred_on", "amount"))
    assert recoveries == [(dt.date(2026, 5, 20), Decimal("50000.00")), (dt.date(2026, 7, 15), Decimal("30000.00"))]


def test_a_lower_total_is_booked_as_a_correction(tree, run_import):
    run_import("cases", csv_bytes([HEADER, case_row("J1", recovered="500", recovered_on="2026-05-20")]))
    run_import("cases", csv_bytes([HEADER, case_row("J1", recovered="300", recovered_on="2026-05-21")]))
    correction = CaseEvent.objects.get(amount__lt=0)
    assert (correction.amount, correction.occurred_on) == (Decimal("-200.00"), dt.date(2026, 5, 21))
    assert "更正" in correction.note


def test_stations_by_code_and_by_exact_name(tree, run_import):
    job = run_import("cases", csv_bytes([HEADER, case_row("J1", station="XA"), case_row("J2", station="解放路派出所")]))
    assert job.status == ImportStatus.APPLIED
    assert dict(FraudCase.objects.values_list("case_no", "station__code")) == {"J1": "XA", "J2": "XB"}


def test_an_unknown_station_a_county_and_an_unknown_type_are_row_errors(tree, run_import):
    data = csv_bytes(
        [
            HEADER,
            case_row("J1", station="火星派出所"),
            case_row("J2", station="X"),
            case_row("J3", fraud_type="外星诈骗"),
        ]
    )
    job = run_import("cases", data)
    reasons = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    assert "找不到这个派出所" in reasons[(2, "办案单位")]
    assert "县(区)局" in reasons[(3, "办案单位")]
    assert "未知的诈骗类型" in reasons[(4, "诈骗类型")]


def test_a_clerk_cannot_import_into_another_county(tree, run_import):
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    job = run_import("cases", csv_bytes([HEADER, case_row("J1", station="YD")]), user=clerk)
    assert job.status == ImportStatus.REFUSED
    assert "不在您的管辖范围内" in job.errors[0]["reason"]


def test_duplicate_case_numbers_in_one_file(tree, run_import):
    job = run_import("cases", csv_bytes([HEADER, case_row("J1"), case_row("J1")]))
    assert job.errors[0]["row"] == 3 and "与第 2 行重复" in job.errors[0]["reason"]


def test_a_row_lists_all_its_errors_at_once(tree, run_import):
    job = run_import("cases", csv_bytes([HEADER, case_row("J1", reported="2026-13-01", station="无此所", loss="x")]))
    assert {e["column"] for e in job.errors} == {"受理日期", "办案单位", "损失金额"}


def test_future_dates_and_solved_before_reported_are_refused(tree, run_import):
    job = run_import(
        "cases", csv_bytes([HEADER, case_row("J1", reported="2099-01-01"), case_row("J2", solved="2026-05-01")])
    )
    reasons = [e["reason"] for e in job.errors]
    assert "日期晚于今天" in reasons and "破案日期早于受理日期" in reasons


def test_a_voided_case_is_left_alone_with_a_warning(tree, run_import):
    case = CaseFactory(case_no="J1", station=tree.station_a, loss=Decimal("1"))
    case.mark_voided(user=None, reason="重复录入")
    case.save()
    job = run_import("cases", csv_bytes([HEADER, case_row("J1", loss="999")]))
    assert job.status == ImportStatus.APPLIED and job.unchanged == 1
    assert "已作废" in job.warnings[0]
    assert FraudCase.objects.get().loss == Decimal("1.00")


def test_history_records_who_changed_what(tree, run_import):
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    run_import("cases", csv_bytes([HEADER, case_row("J1", loss="3800")]), user=clerk)
    run_import("cases", csv_bytes([HEADER, case_row("J1", loss="4200")]), user=clerk)
    latest, first = FraudCase.objects.get().history.all()[:2]
    assert (first.history_type, first.history_user, first.loss) == ("+", clerk, Decimal("3800.00"))
    assert (latest.history_type, latest.history_user, latest.loss) == ("~", clerk, Decimal("4200.00"))
    assert [c.field for c in latest.diff_against(first).changes] == ["loss"]


def test_columns_absent_from_a_later_file_keep_their_values(tree, run_import):
    run_import("cases", csv_bytes([HEADER, case_row("J1")]))
    job = run_import(
        "cases",
        csv_bytes(
            [
                ["案件编号", "受理日期", "办案单位", "诈骗类型", "损失金额"],
                ["J1", "2026-05-03", "XA", "刷单返利", "3800"],
            ]
        ),
    )
    assert job.unchanged == 1
    assert FraudCase.objects.get().victim_age == 26


EVENT_HEADER = ["案件编号", "事件", "日期", "人数", "金额"]


def test_case_events_are_added_once(tree, run_import):
    CaseFactory(case_no="J1", station=tree.station_a, reported_on=dt.date(2026, 5, 1))
    data = csv_bytes(
        [
            EVENT_HEADER,
            ["J1", "破案", "2026-05-09", "", ""],
            ["J1", "抓获", "2026-05-09", "1", ""],
            ["J1", "抓获", "2026-05-09", "1", ""],
            ["J1", "冻结", "2026-05-02", "", "2万"],
        ]
    )
    job = run_import("case_events", data)
    assert (job.status, job.created) == (ImportStatus.APPLIED, 4), job.errors
    assert FraudCase.objects.get().solved_on == dt.date(2026, 5, 9)
    again = run_import("case_events", data)
    assert (again.created, again.unchanged) == (0, 4)
    assert CaseEvent.objects.count() == 4


def test_case_events_need_a_known_case_and_their_amount(tree, run_import):
    CaseFactory(case_no="J1", station=tree.station_a, reported_on=dt.date(2026, 5, 1))
    data = csv_bytes(
        [
            EVENT_HEADER,
            ["J9", "破案", "2026-05-09", "", ""],
            ["J1", "追赃", "2026-05-09", "", ""],
            ["J1", "返还", "2026-04-01", "", "100"],
            ["J1", "吃饭", "2026-05-09", "", ""],
        ]
    )
    job = run_import("case_events", data)
    reasons = {e["row"]: e["reason"] for e in job.errors}
    assert "找不到这个案件" in reasons[2]
    assert "金额" in reasons[3]
    assert "早于案件的受理日期" in reasons[4]
    assert "未知的事件" in reasons[5]
