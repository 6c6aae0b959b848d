"""The written summary: figures and changes as people write them, and the paragraphs."""

from decimal import Decimal

import pytest

from bulletins.summary import (
    change,
    count,
    people,
    points,
    rate,
    scope_word,
    summary_paragraphs,
    wan,
)


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        (12345600, "1234.56万元"),
        (6101900, "610.19万元"),
        (0, "0.00万元"),
        (49.99, "0.00万元"),
        (50, "0.01万元"),
        (Decimal("3426254.20"), "342.63万元"),
        (None, "—"),
    ],
)
def test_money_reads_in_wan_yuan_with_two_decimals(yuan, text):
    assert wan(yuan) == text


def test_a_rise_reads_shang_sheng():
    assert change(18.6) == "同比上升18.6%"
    assert change(50.0, word="环比") == "环比上升50.0%"


def test_a_fall_reads_xia_jiang():
    assert change(-9.1) == "同比下降9.1%"
    assert change(-100.0) == "同比下降100.0%"


def test_no_change_reads_chi_ping():
    assert change(0.0) == "同比持平"
    assert change(0.0, word="环比") == "环比持平"


def test_a_zero_base_names_the_zero_not_a_percentage():
    assert change(None, value=5, base=0) == "去年同期为0"
    assert change(None, value=5, base=0, word="环比") == "环比上期为0"
    assert change(None, value=0, base=0) == "同比持平"


def test_counts_and_rates():
    assert count(312) == "312起"
    assert count(45, "名") == "45名"
    assert rate(97.06) == "97.1%"
    assert rate(None) == "—"


def test_a_rate_moves_in_percentage_points():
    assert points(97.1, 95.9) == "同比上升1.2个百分点"
    assert points(90.0, 92.55) == "同比下降2.6个百分点"
    assert points(90.0, 90.0) == "同比持平"
    assert points(90.0, None) == ""


@pytest.mark.parametrize(
    ("name", "level", "word"),
    [
        ("江临市公安局", "city", "全市"),
        ("临江区公安分局", "county", "全区"),
        ("北岭县公安局", "county", "全县"),
        ("嵊州市公安局", "county", "全市"),
        ("滨江派出所", "station", "本所"),
    ],
)
def test_the_scope_word_follows_the_unit(name, level, word):
    assert scope_word(name, level) == word


def _entry(value, yoy_base, yoy_pct, mom_base=None, mom_pct=None):
    return {"value": value, "yoy_base": yoy_base, "yoy_pct": yoy_pct, "mom_base": mom_base, "mom_pct": mom_pct}


def _payload() -> dict:
    overall = {
        "reports": _entry(356, 420, -15.2, 330, 7.9),
        "cases": _entry(312, 383, -18.5, 300, 4.0),
        "loss": _entry(12345600.0, 13580000.0, -9.1, 12345600.0, 0.0),
        "solved": _entry(35, 31, 12.9),
        "arrests": _entry(48, 0, None),
        "recovered": _entry(2100000.0, 1800000.0, 16.7),
        "frozen": _entry(3500000.0, 3000000.0, 16.7),
        "returned": _entry(1500000.0, 1000000.0, 50.0),
        "warnings_received": _entry(1200, 1000, 20.0),
        "warnings_handled": _entry(1100, 950, 15.8),
        "dissuaded": _entry(1000, 900, 11.1),
        "warnings_overdue": _entry(7, 3, 133.3),
        "warned_victims": _entry(6, 8, -25.0),
        "on_time_rate": _entry(97.06, 95.9, 1.2),
        "dissuasion_rate": _entry(90.91, 94.74, -4.0),
        "warned_victim_rate": _entry(0.5, 0.8, -37.5),
        "publicity_activities": _entry(80, 80, 0.0),
        "publicity_reach": _entry(12000, 10000, 20.0),
    }
    sanshang = [
        {"key": key, "label": label, "should_rise": up, **overall[key], "ok": ok}
        for key, label, up, ok in [
            ("solved", "破案数", True, True),
            ("arrests", "抓获人数", True, None),
            ("recovered", "追赃金额", True, True),
            ("cases", "发案数", False, True),
            ("loss", "损失金额", False, True),
            ("reports", "警情数", False, True),
        ]
    ]
    return {
        "meta": {"scope_word": "全市", "period": {"label": "2026年10月"}},
        "overall": overall,
        "sanshang_sanjiang": {"items": sanshang, "achieved": 5, "unknown": 1},
        "units": [
            {"name": "临江区公安分局", "cases": 200, "cases_yoy_pct": 25.0, "loss": 9000000.0, "card": "red"},
            {"name": "东湖区公安分局", "cases": 112, "cases_yoy_pct": -50.0, "loss": 3345600.0, "card": "none"},
        ],
        "warnings": {
            "overdue_by_unit": [{"name": "临江区公安分局", "overdue": 7}, {"name": "东湖区公安分局", "overdue": 0}]
        },
        "hints": {
            "units_rising": [{"name": "临江区公安分局", "cases": 200, "yoy_base": 160, "yoy_pct": 25.0}],
            "types_rising": [{"name": "虚假投资理财", "cases": 40, "yoy_base": 30, "yoy_pct": 33.3}],
        },
    }


def test_a_full_summary_from_a_hand_made_payload():
    paragraphs = {p["heading"]: p["text"] for p in summary_paragraphs(_payload())}

    assert list(paragraphs) == ["总体情况", "三升三降", "各单位情况", "预警劝阻", "宣传防范", "下步工作提示"]
    assert paragraphs["总体情况"] == (
        "2026年10月，全市共接报电信网络诈骗警情356起，同比下降15.2%，环比上升7.9%；"
        "立案312起，同比下降18.5%，环比上升4.0%；损失1234.56万元，同比下降9.1%，环比持平。"
        "破获案件35起（同比上升12.9%），抓获犯罪嫌疑人48名（去年同期为0），追赃210.00万元，"
        "冻结涉案资金350.00万元，返还受害人150.00万元。"
    )
    assert paragraphs["三升三降"].endswith("六项中实现5项，抓获人数去年同期为0、无法比较。")
    assert "破案数35起（同比上升12.9%）" in paragraphs["三升三降"]
    assert paragraphs["各单位情况"] == (
        "各单位中，发案同比上升的有临江区公安分局（上升25.0%）；发案最多的是临江区公安分局（200起）；"
        "损失最大的是临江区公安分局（900.00万元）。红牌单位：临江区公安分局。"
    )
    assert "按时处置率97.1%（同比上升1.2个百分点）" in paragraphs["预警劝阻"]
    assert "截至期末超期未处置7起（其中临江区公安分局7起）" in paragraphs["预警劝阻"]
    assert "预后被骗率0.5%（同比下降0.3个百分点）" in paragraphs["预警劝阻"]
    assert paragraphs["宣传防范"] == (
        "宣传防范方面，开展反诈宣传活动80次，同比持平；覆盖群众12000人次，同比上升20.0%。"
    )
    assert paragraphs["下步工作提示"].startswith("下步工作提示：1．临江区公安分局要深入分析发案上升原因")
    assert "虚假投资理财类（同比上升33.3%）" in paragraphs["下步工作提示"]


def test_a_station_summary_has_no_units_paragraph_and_nothing_rose():
    payload = _payload()
    payload["meta"]["scope_word"] = "本所"
    payload["units"] = None
    payload["hints"] = {"units_rising": [], "types_rising": []}
    payload["overall"]["warnings_overdue"] = _entry(0, 0, None)
    paragraphs = {p["heading"]: p["text"] for p in summary_paragraphs(payload)}

    assert "各单位情况" not in paragraphs
    assert paragraphs["总体情况"].startswith("2026年10月，本所共接报电信网络诈骗警情356起")
    assert "截至期末无超期未处置任务" in paragraphs["预警劝阻"]
    assert paragraphs["下步工作提示"] == "下步工作提示：本所要保持打防高压态势，巩固压降成效。"


def test_many_rising_units_name_the_three_largest_rises_and_the_count():
    payload = _payload()
    payload["units"] = [
        {"name": f"第{i}分局", "cases": 10 + i, "cases_yoy_pct": float(i), "loss": 0.0, "card": "none"}
        for i in range(1, 6)
    ]
    text = next(p["text"] for p in summary_paragraphs(payload) if p["heading"] == "各单位情况")

    assert text.startswith(
        "各单位中，发案同比上升的有第5分局（上升5.0%）、第4分局（上升4.0%）、第3分局（上升3.0%）等5个单位；"
    )
    assert "损失最大" not in text


def test_large_head_counts_read_in_wan():
    assert people(1514776) == "151.48万人次"
    assert people(100000) == "10.00万人次"
    assert people(12000) == "12000人次"
    assert people(None) == "—"
