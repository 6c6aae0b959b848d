"""The layout every renderer shares: which sections a bulletin has, and how a cell reads."""

import pytest

from bulletins.render.layout import Column, layout


def headings(doc) -> list[str]:
    return [section.heading for section in layout(doc).sections]


def test_a_monthly_city_bulletin_has_every_section_with_charts(city_month_doc):
    assert headings(city_month_doc) == [
        "一、总体情况", "二、各单位情况", "三、案件结构", "四、受害人画像",
        "五、重大案件", "六、预警劝阻", "七、宣传防范", "八、下步工作提示",
    ]  # fmt: skip
    charts = [key for section in layout(city_month_doc).sections for key in section.charts]
    assert charts == ["trend", "units", "structure"]


def test_a_station_gets_its_communities_instead_of_units(station_month_doc):
    lay = layout(station_month_doc)
    assert lay.sections[1].heading == "二、辖区发案情况" and lay.sections[1].tables[0].key == "areas"
    assert "overdue" not in [table.key for table in lay.tables()]


def test_a_daily_bulletin_is_short_and_has_no_charts(city_day_doc):
    lay = layout(city_day_doc)
    assert "受害人画像" not in "".join(headings(city_day_doc))
    assert not lay.with_charts and [s.tables for s in lay.sections if s.key == "publicity"] == [[]]
    assert lay.is_draft and lay.number_label == "草稿（签发时编号）"


def test_a_corrected_revision_opens_with_its_changed_figures(corrected_doc):
    correction = layout(corrected_doc).correction
    table = correction["table"]
    assert correction["note"].startswith("临江区公安分局补录")
    assert [table.shown(row, i) for i, row in enumerate(table.rows)] == [
        ["全市·发案数", "96起", "97起"],
        ["全市·损失金额", "337.63万元", "342.63万元"],
    ]
    assert layout(corrected_doc).tables()[0].key == "changes"


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("pct", 5.34, "+5.3%"), ("pct", -9.1, "-9.1%"), ("pct", 0.0, "持平"), ("pct", None, "—"),
        ("points", -0.4, "-0.4个百分点"), ("wan", 12345600.0, "1234.56"), ("wan", 50.0, "0.01"),
        ("share", 24.0, "24.0%"), ("int", 312, "312"), ("float", 1.5, "1.50"), ("text", "", "—"),
    ],
)  # fmt: skip
def test_a_cell_reads_as_the_documents_print_it(kind, value, shown):
    assert Column("x", kind).show(value) == shown


def test_a_rate_row_changes_in_points(city_month_doc):
    table = layout(city_month_doc).sections[0].tables[0]
    index = next(i for i, row in enumerate(table.rows) if row[0].startswith("按时处置率"))
    assert table.shown(table.rows[index], index)[3].endswith("个百分点")
