"""Chart builders as pure functions: a small engine answer in, a Plotly figure dict out —
the traces, values and Chinese labels a reader sees, and JSON that the page can embed."""

import json

import pytest

from dashboards import charts

GEOMETRY_A = {
    "type": "Polygon",
    "coordinates": [[[106.7, 31.5], [106.8, 31.5], [106.8, 31.6], [106.7, 31.6], [106.7, 31.5]]],
}
GEOMETRY_B = {
    "type": "MultiPolygon",
    "coordinates": [[[[106.8, 31.5], [106.9, 31.5], [106.9, 31.7], [106.8, 31.7], [106.8, 31.5]]]],
}


def as_json(figure: dict) -> dict:
    """The figure survives JSON (what the page embeds) unchanged."""
    return json.loads(json.dumps(figure, ensure_ascii=False, allow_nan=False))


def trace(figure: dict, name: str) -> dict:
    return next(t for t in figure["data"] if t.get("name") == name)


def day_rows(values, yoy_values, *, start=1) -> list[dict]:
    return [
        {
            "label": f"5月{start + i}日",
            "start": f"2024-05-{start + i:02d}",
            "end": f"2024-05-{start + i:02d}",
            "value": v,
            "yoy_start": f"2023-05-{start + i:02d}",
            "yoy_end": f"2023-05-{start + i:02d}",
            "yoy_value": y,
        }
        for i, (v, y) in enumerate(zip(values, yoy_values, strict=True))
    ]


def by_day(rows, *, metric="cases", label="发案数", unit="起") -> dict:
    return {"by": "day", "metric": metric, "metric_label": label, "metric_unit": unit, "rows": rows}


# ---------------------------------------------------------------------------- numbers


def test_moving_average_waits_for_a_full_window_and_stops_at_unknown_days():
    assert charts.moving_average([1, 2, 3, 4, 5, 6, 7, 8, None]) == [None] * 6 + [4.0, 5.0, None]


@pytest.mark.parametrize(("pct", "text"), [(5.0, "↑5.0%"), (-3.25, "↓3.2%"), (0, "持平"), (None, "—")])
def test_changes_read_with_arrows(pct, text):
    assert charts.pct_text(pct) == text


def test_money_reads_in_wan_yuan():
    assert charts.value_text(6101900, "元") == "610.19万元"
    assert charts.wan(12345) == 1.23


def test_fit_zooms_in_on_a_small_area_and_centres_it():
    center, zoom = charts.fit([106.7, 31.5, 106.9, 31.7], width=600, height=400)
    assert center == {"lon": 106.8, "lat": 31.6}
    assert 9 < zoom < 12
    assert charts.fit([100, 20, 120, 40], width=600, height=400)[1] < zoom


# ---------------------------------------------------------------------------- trend


def test_daily_trend_has_days_average_and_last_year_without_the_lead_in_days():
    values = list(range(1, 11))  # ten days: the first six only start the 7-day average
    figure = charts.trend_figure(by_day(day_rows(values, [2] * 10)), lead_days=6)
    figure = as_json(figure)
    bars = trace(figure, "发案数（每日）")
    assert bars["type"] == "bar"
    assert bars["x"] == ["5月7日", "5月8日", "5月9日", "5月10日"]
    assert bars["y"] == [7, 8, 9, 10]
    assert trace(figure, "7日均值")["y"] == [4.0, 5.0, 6.0, 7.0]
    assert trace(figure, "去年同期")["y"] == [2, 2, 2, 2]
    assert trace(figure, "去年同期")["customdata"][0] == "5月7日"
    assert "起" in bars["hovertemplate"]
    assert figure["layout"]["font"]["family"].startswith('"Noto Sans CJK SC"')


def test_trend_of_money_is_drawn_in_wan_yuan():
    figure = charts.trend_figure(by_day(day_rows([25000, 0], [10000, 0]), metric="loss", label="损失金额", unit="元"))
    assert trace(figure, "损失金额（每日）")["y"] == [2.5, 0.0]
    assert figure["layout"]["yaxis"]["title"]["text"] == "万元"


def test_trend_shades_the_chosen_period_inside_a_wider_window():
    figure = charts.trend_figure(by_day(day_rows([1, 2, 3, 4], [0, 0, 0, 0])), highlight=("5月3日", "5月4日"))
    (shape,) = figure["layout"]["shapes"]
    assert (shape["x0"], shape["x1"]) == (1.5, 3.5)


def test_weekly_trend_draws_two_lines():
    rows = [
        {
            "label": "第1周",
            "start": "2024-01-01",
            "end": "2024-01-07",
            "value": 5,
            "yoy_start": "2023-01-02",
            "yoy_end": "2023-01-08",
            "yoy_value": 7,
        }
    ]
    figure = charts.trend_figure({"by": "week", "metric_unit": "起", "metric_label": "发案数", "rows": rows})
    assert [t["type"] for t in figure["data"]] == ["scatter", "scatter"]
    assert trace(figure, "发案数（本期）")["y"] == [5]


def test_a_trend_with_nothing_in_either_year_is_not_drawn():
    assert charts.trend_figure(by_day(day_rows([0, 0], [0, None]))) is None


# ---------------------------------------------------------------------------- children


def child(name, code, cases, yoy_pct, share, per_10k, population=100000) -> dict:
    return {
        "unit": {"code": code, "name": name, "level": "county"},
        "population": population,
        "metrics": {
            "cases": {"value": cases, "yoy_base": 10, "yoy_pct": yoy_pct, "share": share},
            "cases_per_10k": {"value": per_10k, "yoy_base": 1.0, "yoy_pct": 0.0, "share": None},
        },
    }


def test_children_bars_carry_their_yoy_change_coloured_by_good_or_bad_news():
    answer = {
        "rows": [child("北岭县公安局", "B", 12, 20.0, 60.0, 1.2), child("南溪县公安局", "N", 8, -20.0, 40.0, None)]
    }
    figure = as_json(charts.children_figure(answer))
    bars = trace(figure, "发案数")
    assert bars["x"] == ["北岭县", "南溪县"]
    assert bars["y"] == [12, 8]
    assert bars["text"] == ["同比↑20.0%", "同比↓20.0%"]
    assert bars["textfont"]["color"] == [charts.RED, charts.GREEN]  # more cases is bad news
    rates = trace(figure, "万人发案率（起/万人）")
    assert rates["y"] == [1.2, None] and rates["text"] == ["1.20", ""]
    assert "北岭县公安局" in bars["hovertext"][0] and "占60.0%" in bars["hovertext"][0]


def test_no_children_no_figure():
    assert charts.children_figure({"rows": []}) is None


# ---------------------------------------------------------------------------- structure


def fraud_row(name, cases, loss, cases_share, loss_share) -> dict:
    return {
        "fraud_type": {"code": name, "name": name},
        "cases": cases,
        "cases_share": cases_share,
        "cases_yoy_pct": None,
        "loss": loss,
        "loss_share": loss_share,
        "loss_yoy_pct": 10.0,
    }


def test_fraud_types_by_count_and_by_loss_largest_on_top():
    answer = {"rows": [fraud_row("刷单返利", 3, 60000.0, 75.0, 40.0), fraud_row("冒充公检法", 1, 90000.0, 25.0, 60.0)]}
    figure = as_json(charts.fraud_type_figure(answer))
    count, loss = figure["data"]
    assert count["y"] == ["冒充公检法", "刷单返利"]  # bottom-up: the largest is drawn last, on top
    assert count["x"] == [1, 3]
    assert loss["x"] == [9.0, 6.0]  # 万元
    assert loss["xaxis"] == "x2"
    assert "损失：9.00万元" in loss["hovertext"][0]


def test_victims_by_age_band_and_gender():
    age = {
        "total": {"count": 3},
        "rows": [
            {"key": "age_18_40", "label": "18—40岁", "count": 2, "share": 66.7, "yoy_base": 1, "yoy_pct": 100.0},
            {"key": "age_unknown", "label": "年龄不详", "count": 1, "share": 33.3, "yoy_base": 0, "yoy_pct": None},
        ],
    }
    gender = {
        "total": {"count": 3},
        "rows": [
            {"key": "male", "label": "男", "count": 1, "share": 33.3, "yoy_base": 0, "yoy_pct": None},
            {"key": "female", "label": "女", "count": 2, "share": 66.7, "yoy_base": 1, "yoy_pct": 100.0},
            {"key": "gender_unknown", "label": "性别不详", "count": 0, "share": 0.0, "yoy_base": 0, "yoy_pct": None},
        ],
    }
    figure = as_json(charts.profile_figure(age, gender))
    bars, pie = figure["data"]
    assert bars["x"] == ["18—40岁", "年龄不详"] and bars["y"] == [2, 1]
    assert bars["marker"]["color"] == [charts.BLUE, charts.GREY]
    assert pie["type"] == "pie" and pie["labels"] == ["男", "女"] and pie["values"] == [1, 2]
    assert charts.profile_figure({"total": {"count": 0}, "rows": []}, {"total": {"count": 0}, "rows": []}) is None


# ---------------------------------------------------------------------------- map


def area_row(code, name, cases, per_10k, population) -> dict:
    return {
        "area": {
            "code": code,
            "name": name,
            "kind": "community",
            "kind_display": "社区",
            "parent": "滨江街道",
            "station": {"code": "XA", "name": "滨江派出所"},
        },
        "label": name,
        "population": population,
        "reports": cases,
        "cases": cases,
        "loss": 15000.0,
        "cases_yoy_base": 1,
        "cases_yoy_pct": 100.0,
        "cases_per_10k": per_10k,
        "loss_per_10k": None,
    }


def test_map_colours_areas_by_cases_per_10k_and_draws_offline():
    answer = {
        "rows": [
            area_row("A", "幸福社区", 2, 1.0, 20000),
            area_row("B", "和平社区", 1, None, None),
            area_row("C", "没有地图的社区", 5, 9.0, 1000),
            {**area_row("Z", "发案地不详", 1, None, None), "area": None},
        ]
    }
    figure = as_json(charts.area_map_figure(answer, {"A": GEOMETRY_A, "B": GEOMETRY_B}))
    known, unknown = figure["data"]
    assert known["type"] == "choroplethmap"
    assert known["locations"] == ["A"] and known["z"] == [1.0]
    assert unknown["locations"] == ["B"] and unknown["showscale"] is False  # population unknown: grey
    assert [f["id"] for f in known["geojson"]["features"]] == ["A", "B"]
    assert "幸福社区" in known["hovertext"][0] and "1.00起/万人" in known["hovertext"][0]
    assert "1.50万元" in known["hovertext"][0]
    layout = figure["layout"]
    assert layout["map"]["style"] == "white-bg"  # no tiles, no fonts: nothing leaves the network
    assert "layers" not in layout["map"]
    assert layout["meta"]["bounds"] == [106.7, 31.5, 106.9, 31.7]
    assert layout["map"]["center"] == {"lon": 106.8, "lat": 31.6}


def test_map_draws_township_outlines_as_lines():
    answer = {"rows": [area_row("A", "幸福社区", 2, 1.0, 20000)]}
    figure = charts.area_map_figure(answer, {"A": GEOMETRY_A}, outlines=[GEOMETRY_B])
    lines = figure["data"][-1]
    assert lines["type"] == "scattermap" and lines["mode"] == "lines"
    assert lines["lon"][-1] is None  # rings are separated by gaps


def test_no_shapes_no_map():
    assert charts.area_map_figure({"rows": [area_row("A", "幸福社区", 2, 1.0, 20000)]}, {}) is None


def test_geometries_are_rounded_to_about_ten_metres():
    rounded = charts.rounded_geometry({"type": "Polygon", "coordinates": [[[106.123456, 31.987654]]]})
    assert rounded == {"type": "Polygon", "coordinates": [[[106.1235, 31.9877]]]}


# ---------------------------------------------------------------------------- warning work


def metric(value, yoy_base) -> dict:
    return {"value": value, "yoy_base": yoy_base, "yoy_pct": None}


def test_warning_indicators_colour_the_change_by_whether_a_rise_is_good():
    answer = {
        "metrics": {
            "on_time_rate": metric(95.0, 90.0),
            "mean_sign_minutes": metric(12.5, 10.0),
            "mean_handle_minutes": metric(None, None),
            "warned_victim_rate": metric(1.5, None),
        }
    }
    figure = as_json(charts.warning_indicators_figure(answer))
    on_time, sign, victims = figure["data"]
    assert on_time["title"]["text"] == "按时处置率" and on_time["value"] == 95.0 and on_time["number"]["suffix"] == "%"
    assert on_time["delta"]["reference"] == 90.0 and on_time["delta"]["increasing"]["color"] == charts.GREEN
    assert sign["delta"]["increasing"]["color"] == charts.RED  # slower signing is bad news
    assert victims["mode"] == "number"  # no base, no delta
    empty = {"metrics": {key: metric(None, None) for key in charts.WARNING_INDICATORS}}
    assert charts.warning_indicators_figure(empty) is None


def test_backlog_puts_the_most_overdue_station_on_top():
    rows = [
        {"name": "甲派出所", "open": 5, "overdue": 0},
        {"name": "乙派出所", "open": 3, "overdue": 2},
        {"name": "丙派出所", "open": 0, "overdue": 0},
    ]
    figure = as_json(charts.backlog_figure(rows))
    overdue, rest = figure["data"]
    assert overdue["y"] == ["甲派出所", "乙派出所"]  # drawn bottom-up
    assert overdue["x"] == [0, 2] and rest["x"] == [5, 1]
    assert figure["layout"]["barmode"] == "stack"
    assert charts.backlog_figure([{"name": "甲", "open": 0, "overdue": 0}]) is None


def test_publicity_by_form_with_reach_on_its_own_axis():
    rows = [
        {"label": "进社区", "activities": 3, "reach": 25000, "yoy_activities": 2, "yoy_pct": 50.0},
        {"label": "短视频", "activities": 0, "reach": 0, "yoy_activities": 1, "yoy_pct": -100.0},
    ]
    figure = as_json(charts.publicity_figure(rows))
    bars, reach = figure["data"]
    assert bars["x"] == ["进社区"] and bars["y"] == [3]
    assert reach["y"] == [2.5] and reach["yaxis"] == "y2" and reach["name"] == "覆盖人数（万人）"
    assert charts.publicity_figure(rows[1:]) is None


# ---------------------------------------------------------------------------- targets


def target_row(unit, metric_key, yoy_pct, drop, card, projected_pct=None) -> dict:
    return {
        "unit": unit,
        "metric": metric_key,
        "label": "",
        "yoy_pct": yoy_pct,
        "target_pct": -drop,
        "projected_pct": projected_pct,
        "card": card,
        "note": f"{unit}说明",
        "projection_note": "",
    }


def test_targets_show_the_change_against_the_target_coloured_by_card():
    rows = [
        target_row("临江区公安分局", "cases", -12.0, 10, "none", -11.0),
        target_row("东湖区公安分局", "cases", 5.0, 10, "red"),
        target_row("临江区公安分局", "loss", None, 5, "unknown"),
    ]
    figure = as_json(charts.targets_figure(rows))
    bars = [t for t in figure["data"] if t["type"] == "bar"]
    assert [b["x"] for b in bars] == [["临江区", "东湖区"], ["临江区"]]
    assert bars[0]["y"] == [-12.0, 5.0]
    assert bars[0]["marker"]["color"] == [charts.GREEN, charts.RED]
    assert bars[0]["text"][1] == "红牌 ↑5.0%"
    targets = [t for t in figure["data"] if t["name"] == "目标"]
    assert targets[0]["y"] == [-10.0, -10.0]
    assert trace(figure, "月底预计")["y"] == [-11.0, None]
    assert charts.targets_figure([]) is None


def test_projection_compares_the_month_so_far_with_its_end_and_last_year():
    rows = [
        {"label": "发案数", "unit": "起", "value": 10, "projected": 31, "last_year": 30},
        {"label": "损失金额", "unit": "元", "value": 100000.0, "projected": 310000.0, "last_year": None},
    ]
    figure = as_json(charts.projection_figure(rows))
    counts, money = figure["data"]
    assert counts["y"] == [10, 31, 30]
    assert money["y"] == [10.0, 31.0, None]
    assert money["xaxis"] == "x2"


def test_a_finished_month_compares_its_actual_value_with_last_years():
    rows = [{"label": "发案数", "unit": "起", "value": 28, "projected": 28, "last_year": 30, "finished": True}]
    (bars,) = charts.projection_figure(rows)["data"]
    assert bars["x"] == ["当月实际", "去年同月"] and bars["y"] == [28, 30]
