"""Units, areas and publicity through the intake."""

import datetime as dt

from imports.models import ImportStatus
from orgs.models import Area, Unit
from orgs.roles import Role
from publicity.models import PublicityActivity
from tests.factories import UserFactory
from tests.imports.conftest import csv_bytes

UNIT_HEADER = ["单位编码", "单位名称", "层级", "上级单位编码", "常住人口"]


def test_units_build_a_tree_in_file_order(db, run_import):
    data = csv_bytes(
        [
            UNIT_HEADER,
            ["C1", "新城市局", "市", "", "900000"],
            ["C1X", "一区分局", "区县", "C1", ""],
            ["C1XA", "一所", "派出所", "C1X", "30000"],
        ]
    )
    job = run_import("units", data)
    assert (job.status, job.created) == (ImportStatus.APPLIED, 3), job.errors
    assert Unit.objects.get(code="C1XA").path == "C1/C1X/C1XA/"
    again = run_import("units", data)
    assert again.unchanged == 3


def test_a_province_of_over_a_hundred_million_residents_imports(db, run_import):
    """Guangdong has 127 million: a province's population is no typing error."""
    data = csv_bytes([UNIT_HEADER, ["P1", "某省公安厅", "省", "", "131670650"], ["P1C", "某市局", "市", "P1", ""]])
    job = run_import("units", data)
    assert job.status == ImportStatus.APPLIED, job.errors
    assert Unit.objects.get(code="P1").population == 131_670_650
    too_many = run_import("units", csv_bytes([UNIT_HEADER, ["P2", "笔误省", "省", "", "21000000000"]]))
    assert too_many.status == ImportStatus.REFUSED and "不能大于" in too_many.errors[0]["reason"]


def test_a_unit_whose_parent_comes_later_or_is_a_station_is_refused(tree, run_import):
    data = csv_bytes(
        [
            UNIT_HEADER,
            ["N1", "新所", "派出所", "N0", ""],
            ["N0", "新分局", "县", "C", ""],
            ["N2", "所下所", "派出所", "XA", ""],
        ]
    )
    job = run_import("units", data)
    assert job.status == ImportStatus.REFUSED
    reasons = {e["row"]: e["reason"] for e in job.errors}
    assert "排在前面" in reasons[2] and "派出所下不能设派出所" in reasons[4]
    assert not Unit.objects.filter(code__in=["N0", "N1", "N2"]).exists()


def test_a_county_clerk_adds_stations_only_under_their_county(tree, run_import):
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    data = csv_bytes(
        [UNIT_HEADER, ["XN", "新设派出所", "派出所", "X", "1000"], ["YN", "越界派出所", "派出所", "Y", ""]]
    )
    job = run_import("units", data, user=clerk, partial=True)
    assert (job.created, job.refused) == (1, 1)
    assert "不在您的管辖范围内" in job.errors[0]["reason"]
    assert Unit.objects.get(code="XN").history.first().history_user == clerk


def test_moving_a_station_through_an_import(tree, run_import):
    run_import("units", csv_bytes([UNIT_HEADER, ["XB", "解放路派出所", "派出所", "Y", ""]]))
    assert Unit.objects.get(code="XB").path == "C/Y/XB/"


def test_areas_with_their_parents(tree, run_import):
    header = ["区域编码", "区域名称", "区域类型", "所属单位编码", "上级区域编码", "常住人口"]
    data = csv_bytes(
        [
            header,
            ["T1", "新街道", "街道", "XA", "", ""],
            ["T1C1", "新社区", "社区", "滨江派出所", "T1", "8000"],
            ["T1C2", "坏社区", "社区", "X", "", ""],
        ]
    )
    job = run_import("areas", data, partial=True)
    assert (job.created, job.refused) == (2, 1)
    assert "县(区)局" in job.errors[0]["reason"]
    assert Area.objects.get(code="T1C1").parent.code == "T1"


PUB_HEADER = ["活动编号", "活动日期", "开展单位", "活动名称", "活动形式", "宣传对象", "覆盖人数"]


def test_publicity_keyed_by_number_or_by_date_unit_and_title(tree, run_import):
    data = csv_bytes(
        [
            PUB_HEADER,
            ["P1", "2026-05-02", "XA", "进社区宣讲", "进社区", "老年人", "120"],
            ["", "2026-05-03", "临江区公安分局", "全区短信群发", "短信群发", "全体群众", "58000"],
        ]
    )
    job = run_import("publicity", data)
    assert (job.status, job.created) == (ImportStatus.APPLIED, 2), job.errors
    sms = PublicityActivity.objects.get(activity_no=None)
    assert (sms.unit, sms.form, sms.reach) == (tree.county_x, "sms", 58000)
    changed = csv_bytes(
        [
            PUB_HEADER,
            ["P1", "2026-05-02", "XA", "进社区宣讲", "进社区", "老年人", "150"],
            ["", "2026-05-03", "X", "全区短信群发", "短信群发", "全体群众", "58000"],
        ]
    )
    again = run_import("publicity", changed)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert PublicityActivity.objects.get(activity_no="P1").reach == 150


def test_publicity_refuses_unknown_forms_and_future_dates(tree, run_import):
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    data = csv_bytes(
        [
            PUB_HEADER,
            ["", "2026-05-02", "XA", "跳舞", "广场舞", "", ""],
            ["", tomorrow, "XA", "明天的活动", "讲座", "", ""],
        ]
    )
    job = run_import("publicity", data)
    reasons = [e["reason"] for e in job.errors]
    assert any("未知的活动形式" in r for r in reasons) and "日期晚于今天" in reasons
