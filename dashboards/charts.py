"""Plotly figures from the statistics engine's answers: pure functions, no database.

Each builder takes an engine answer (``stats.breakdowns`` / ``stats.metrics`` JSON, or the
small row lists ``dashboards.panels`` makes) and returns a figure as a plain JSON-able
dict ``{"data": [...], "layout": {...}}`` — or ``None`` when there is nothing to draw, so
the page says what to do instead of showing an empty frame. Hover text is Chinese; money
is shown in 万元 with two decimals; the fonts and colours are the app's own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from stats.catalogue import METRICS

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif'
BLUE = "#1d3f72"
BLUE_MID = "#4a6fa5"
BLUE_LIGHT = "#a9bcdc"
GOLD = "#e7b93c"
GOLD_DARK = "#b8860b"
RED = "#c0392b"
GREEN = "#1e8449"
INK = "#1f2933"
MUTED = "#5f6b7a"
GRID = "#e6e9ef"
GREY = "#c8ced8"
# Sequential scale for rates: pale, gold, red (the more cases, the hotter).
HEAT = [[0.0, "#f7f3e3"], [0.35, "#f1d27a"], [0.7, "#e08a3c"], [1.0, RED]]
CARD_COLOURS = {"none": GREEN, "yellow": GOLD, "red": RED, "unknown": GREY}
CARD_LABELS = {"none": "达标", "yellow": "黄牌", "red": "红牌", "unknown": "未评定"}
PIE_COLOURS = [BLUE, GOLD, GREY, BLUE_MID, GOLD_DARK, BLUE_LIGHT]


# ---------------------------------------------------------------------------- numbers


def wan(yuan: float | int | None) -> float | None:
    """Yuan as 万元, two decimals (a float, for a chart axis)."""
    if yuan is None:
        return None
    return round(float(yuan) / 10000, 2)


def pct_text(pct: float | None) -> str:
    """A change as people read it: ↑5.0%, ↓3.2%, 持平, — (no base)."""
    if pct is None:
        return "—"
    if pct == 0:
        return "持平"
    return f"{'↑' if pct > 0 else '↓'}{abs(pct):.1f}%"


def value_text(value: float | int | None, unit: str) -> str:
    """A value with its unit: 12起, 45.20万元, 86.5%, 3.21起/万人."""
    if value is None:
        return "—"
    if unit == "元":
        return f"{float(value) / 10000:,.2f}万元"
    if unit == "元/万人":
        return f"{float(value) / 10000:,.2f}万元/万人"
    if unit in ("%", "分钟", "起/万人"):
        return f"{float(value):,.1f}{unit}"
    return f"{int(value):,}{unit}"


def change_colour(pct: float | None, up_is_good: bool | None) -> str:
    if pct is None or pct == 0 or up_is_good is None:
        return MUTED
    return GREEN if (pct > 0) == up_is_good else RED


def moving_average(values: Sequence[float | int | None], window: int = 7) -> list[float | None]:
    """The mean of each value and the ``window - 1`` before it; None until there are
    ``window`` values, and where any of them is unknown (a day still to come)."""
    out: list[float | None] = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1) : i + 1]
        if len(chunk) < window or any(v is None for v in chunk):
            out.append(None)
        else:
            out.append(round(sum(float(v) for v in chunk) / window, 2))
    return out


# ---------------------------------------------------------------------------- layout


def base_layout(**overrides) -> dict:
    layout = {
        "font": {"family": FONT, "size": 13, "color": INK},
        "hoverlabel": {"font": {"family": FONT, "size": 13}, "align": "left"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 48, "r": 16, "t": 16, "b": 40},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 12}},
        "separators": ".,",
        "height": 340,
    }
    layout.update(overrides)
    return layout


def _axis(**overrides) -> dict:
    axis = {"gridcolor": GRID, "zerolinecolor": GREY, "linecolor": GREY, "automargin": True, "fixedrange": True}
    axis.update(overrides)
    return axis


def _figure(data: list[dict], layout: dict) -> dict:
    return {"data": data, "layout": layout}


def _measure(unit: str) -> tuple[str, callable]:
    """How a metric's values are drawn: money in 万元, everything else as it is."""
    if unit == "元":
        return "万元", wan
    return unit, lambda v: v


# ---------------------------------------------------------------------------- trend


def trend_figure(answer: dict, *, lead_days: int = 0, highlight: tuple[str, str] | None = None) -> dict | None:
    """This period's series (``stats.breakdowns.by_time``) against last year's aligned one.

    Daily: bars for each day, a 7-day moving average and last year's line. ``lead_days``
    rows at the start are read only to start the average (not drawn). Weekly: this year's
    and last year's lines. ``highlight`` (first and last label) shades the chosen period
    when the series shows more than it."""
    rows = answer["rows"]
    unit = answer.get("metric_unit", "起")
    label = answer.get("metric_label", "发案数")
    shown_unit, conv = _measure(unit)
    daily = answer["by"] == "day"
    values = [conv(r["value"]) for r in rows]
    last_year = [conv(r["yoy_value"]) for r in rows]
    average = moving_average(values) if daily else []
    rows, values, last_year, average = rows[lead_days:], values[lead_days:], last_year[lead_days:], average[lead_days:]
    if not rows or not any(v for v in values + last_year if v):
        return None
    labels = [r["label"] for r in rows]
    yoy_labels = [_day_label(r.get("yoy_start"), r.get("yoy_end")) for r in rows]
    this_hover = f"%{{x}}<br>{label}：%{{y:,}}{shown_unit}<extra>本期</extra>"
    last_hover = f"去年同期%{{customdata}}<br>{label}：%{{y:,}}{shown_unit}<extra>去年同期</extra>"
    data = []
    if daily:
        data.append(
            {
                "type": "bar",
                "name": f"{label}（每日）",
                "x": labels,
                "y": values,
                "marker": {"color": BLUE_LIGHT},
                "hovertemplate": this_hover,
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "7日均值",
                "x": labels,
                "y": average,
                "line": {"color": BLUE, "width": 2.5},
                "connectgaps": False,
                "hovertemplate": f"7日均值：%{{y:,.2f}}{shown_unit}<extra></extra>",
            }
        )
    else:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{label}（本期）",
                "x": labels,
                "y": values,
                "line": {"color": BLUE, "width": 2.5},
                "marker": {"size": 5},
                # A week cut by the period (the one running now) says which days it holds.
                "customdata": [_day_label(r.get("start"), r.get("end")) for r in rows],
                "hovertemplate": f"%{{x}}（%{{customdata}}）<br>{label}：%{{y:,}}{shown_unit}<extra>本期</extra>",
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": "去年同期",
            "x": labels,
            "y": last_year,
            "customdata": yoy_labels,
            "line": {"color": GOLD_DARK, "width": 1.5, "dash": "dot"},
            "hovertemplate": last_hover,
        }
    )
    layout = base_layout(
        xaxis=_axis(type="category", nticks=12, showgrid=False),
        yaxis=_axis(
            title={"text": shown_unit, "font": {"size": 12}},
            rangemode="tozero",
            **_count_ticks(unit, values + last_year),
        ),
        hovermode="x unified",
        bargap=0.25,
    )
    if highlight and highlight[0] in labels and highlight[1] in labels:
        first, last = labels.index(highlight[0]), labels.index(highlight[1])
        if (first, last) != (0, len(labels) - 1):
            layout["shapes"] = [
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": first - 0.5,
                    "x1": last + 0.5,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": GOLD,
                    "opacity": 0.12,
                    "line": {"width": 0},
                    "layer": "below",
                }
            ]
    return _figure(data, layout)


def _count_ticks(unit: str, values: Iterable[float | int | None]) -> dict:
    """Whole-number ticks for small counts (no "0.5起")."""
    if unit == "元" or (max((v for v in values if v is not None), default=0) or 0) > 8:
        return {}
    return {"dtick": 1, "tick0": 0}


def _day_label(start: str | None, end: str | None) -> str:
    if not start:
        return "（无对应日期）"
    first = f"{int(start[5:7])}月{int(start[8:10])}日"
    if end and end != start:
        return f"{first}—{int(end[5:7])}月{int(end[8:10])}日"
    return first


# ---------------------------------------------------------------------------- children


def children_figure(answer: dict, *, metric: str = "cases", rate: str = "cases_per_10k") -> dict | None:
    """Each child unit (``stats.breakdowns.by_children``): bars of ``metric`` with the 同比
    change written above each bar (green when good news, red when bad), and the rate per
    10,000 residents as markers on a second axis."""
    rows = answer["rows"]
    if not rows:
        return None
    m, r = METRICS[metric], METRICS[rate]
    shown_unit, conv = _measure(m.unit)
    names = [short_name(row["unit"]["name"]) for row in rows]
    values = [conv(row["metrics"][metric]["value"]) for row in rows]
    rates = [row["metrics"][rate]["value"] for row in rows]
    if not any(values) and not any(row["metrics"][metric]["yoy_base"] for row in rows):
        return None
    changes = [row["metrics"][metric]["yoy_pct"] for row in rows]
    hover = [_child_hover(row, m, r) for row in rows]
    data = [
        {
            "type": "bar",
            "name": m.label,
            "x": names,
            "y": values,
            "marker": {"color": BLUE},
            "text": [f"同比{pct_text(c)}" for c in changes],
            "textposition": "outside",
            "cliponaxis": False,
            "textfont": {"color": [change_colour(c, m.up_is_good) for c in changes], "size": 12},
            "hovertext": hover,
            "hovertemplate": "%{hovertext}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": f"{r.label}（{r.unit}）",
            "x": names,
            "y": rates,
            "yaxis": "y2",
            "text": [_rate(v) for v in rates],
            "textposition": "top center",
            "textfont": {"color": GOLD_DARK, "size": 12},
            "cliponaxis": False,
            "marker": {"color": GOLD, "size": 11, "symbol": "diamond", "line": {"color": GOLD_DARK, "width": 1}},
            "hovertext": hover,
            "hovertemplate": "%{hovertext}<extra></extra>",
        },
    ]
    # Bars fill the lower part (room for the 同比 text above them), the rate markers ride
    # higher on their own axis, so the two never sit on each other.
    top = max([v for v in values if v is not None] or [0]) or 1
    top_rate = max([v for v in rates if v is not None] or [0]) or 1
    layout = base_layout(
        xaxis=_axis(type="category", showgrid=False),
        yaxis=_axis(title={"text": f"{m.label}（{shown_unit}）", "font": {"size": 12}}, range=[0, top * 1.7]),
        # The rate's own axis is not drawn: each marker carries its value.
        yaxis2=_axis(overlaying="y", side="right", range=[-top_rate * 1.3, top_rate * 1.2], visible=False),
        margin={"l": 56, "r": 16, "t": 36, "b": 40},
        bargap=0.35,
    )
    return _figure(data, layout)


def short_name(name: str) -> str:
    """A unit's name on a crowded axis: 北岭县公安局 → 北岭县 (stations keep theirs)."""
    for suffix in ("公安分局", "公安局"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


def _headroom(values: Iterable[float | int | None], factor: float = 1.45) -> float:
    """An axis top with room for the labels written past the longest bar."""
    return (max((v for v in values if v is not None), default=0) or 1) * factor


def _child_hover(row: dict, m, r) -> str:
    this, rate = row["metrics"][m.key], row["metrics"][r.key]
    return (
        f"<b>{row['unit']['name']}</b><br>{m.label}：{value_text(this['value'], m.unit)}"
        f"（占{_share(this.get('share'))}）"
        f"<br>同比：{pct_text(this['yoy_pct'])}（去年同期 {value_text(this['yoy_base'], m.unit)}）"
        f"<br>{r.label}：{value_text(rate['value'], r.unit)}<br>常住人口：{_people(row.get('population'))}"
    )


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _share(share: float | None) -> str:
    return "—" if share is None else f"{share:.1f}%"


def _people(people: int | None) -> str:
    return "不详" if not people else f"{people:,}人"


# ---------------------------------------------------------------------------- fraud type


def fraud_type_figure(answer: dict) -> dict | None:
    """Cases and loss by fraud type (``by_fraud_type``) side by side: two horizontal bar
    charts sharing the type axis, the largest at the top."""
    rows = [r for r in answer["rows"] if r["cases"] or r["loss"]]
    if not rows:
        return None
    rows = list(reversed(rows))  # horizontal bars draw bottom-up
    names = [r["fraud_type"]["name"] for r in rows]
    hover = [
        f"<b>{r['fraud_type']['name']}</b><br>发案：{r['cases']}起（占{_share(r['cases_share'])}）"
        f"，同比{pct_text(r['cases_yoy_pct'])}<br>损失：{value_text(r['loss'], '元')}（占{_share(r['loss_share'])}）"
        f"，同比{pct_text(r['loss_yoy_pct'])}"
        for r in rows
    ]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": "发案数（起）",
            "y": names,
            "x": [r["cases"] for r in rows],
            "marker": {"color": BLUE},
            "text": [_share(r["cases_share"]) for r in rows],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertext": hover,
            "hovertemplate": "%{hovertext}<extra></extra>",
        },
        {
            "type": "bar",
            "orientation": "h",
            "name": "损失金额（万元）",
            "y": names,
            "x": [wan(r["loss"]) for r in rows],
            "xaxis": "x2",
            "yaxis": "y2",
            "marker": {"color": GOLD},
            "text": [_share(r["loss_share"]) for r in rows],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertext": hover,
            "hovertemplate": "%{hovertext}<extra></extra>",
        },
    ]
    layout = base_layout(
        xaxis=_axis(
            domain=[0, 0.45],
            title={"text": "发案数（起）", "font": {"size": 12}},
            range=[0, _headroom([r["cases"] for r in rows])],
        ),
        xaxis2=_axis(
            domain=[0.55, 1],
            title={"text": "损失金额（万元）", "font": {"size": 12}},
            range=[0, _headroom([wan(r["loss"]) for r in rows])],
        ),
        yaxis=_axis(type="category", showgrid=False),
        yaxis2=_axis(type="category", showgrid=False, anchor="x2", matches="y", showticklabels=False),
        showlegend=False,
        height=max(300, 34 * len(rows) + 90),
        margin={"l": 16, "r": 16, "t": 16, "b": 44},
        bargap=0.3,
    )
    return _figure(data, layout)


# ---------------------------------------------------------------------------- victims


def profile_figure(age: dict, gender: dict) -> dict | None:
    """Victims of filed cases by age band (bars) and by gender (a donut), from
    ``by_profile``; unknowns are drawn grey."""
    if not age["total"]["count"] and not gender["total"]["count"]:
        return None
    age_rows = age["rows"]
    genders = [r for r in gender["rows"] if r["count"]]
    data = [
        {
            "type": "bar",
            "name": "年龄段",
            "x": [r["label"] for r in age_rows],
            "y": [r["count"] for r in age_rows],
            "marker": {"color": [GREY if r["key"].endswith("unknown") else BLUE for r in age_rows]},
            "text": [_share(r["share"]) for r in age_rows],
            "textposition": "outside",
            "cliponaxis": False,
            "customdata": [[_share(r["share"]), pct_text(r["yoy_pct"]), r["yoy_base"]] for r in age_rows],
            "hovertemplate": "%{x}：%{y}起（占%{customdata[0]}）<br>同比%{customdata[1]}（去年同期%{customdata[2]}起）"
            "<extra></extra>",
        },
        {
            "type": "pie",
            "name": "性别",
            "hole": 0.5,
            "sort": False,
            "direction": "clockwise",
            "labels": [r["label"] for r in genders],
            "values": [r["count"] for r in genders],
            "marker": {
                "colors": [
                    GREY if r["key"].endswith("unknown") else BLUE if r["key"] == "male" else GOLD for r in genders
                ],
                "line": {"color": "#fff", "width": 1},
            },
            "domain": {"x": [0.64, 1], "y": [0.12, 0.92]},
            "textinfo": "label+percent",
            "textposition": "inside",
            "insidetextorientation": "horizontal",
            "showlegend": False,
            "textfont": {"color": "#fff"},
            "customdata": [[pct_text(r["yoy_pct"]), r["yoy_base"]] for r in genders],
            "hovertemplate": "%{label}：%{value}起（占%{percent}）<br>同比%{customdata[0][0]}"
            "（去年同期%{customdata[0][1]}起）<extra></extra>",
        },
    ]
    layout = base_layout(
        xaxis=_axis(domain=[0, 0.58], type="category", showgrid=False, tickangle=0, tickfont={"size": 11}),
        yaxis=_axis(title={"text": "起", "font": {"size": 12}}, rangemode="tozero"),
        showlegend=False,
        annotations=[
            {
                "text": "年龄段",
                "x": 0.29,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13, "color": MUTED},
            },
            {
                "text": "性别",
                "x": 0.82,
                "y": 0.52,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": 14, "color": MUTED},
            },
        ],
        margin={"l": 48, "r": 16, "t": 24, "b": 40},
    )
    return _figure(data, layout)


# ---------------------------------------------------------------------------- map


def area_map_figure(
    answer: dict,
    geometries: dict[str, dict],
    *,
    outlines: Iterable[dict] = (),
    bounds: Sequence[float] | None = None,
    height: int = 460,
) -> dict | None:
    """The 发案地图: areas (``by_area`` rows) that have a map shape in ``geometries``
    (area code → GeoJSON geometry), coloured by cases per 10,000 residents; an area of
    unknown population is drawn grey. ``outlines`` (geometries of townships and
    subdistricts) are drawn as darker borders; ``bounds`` ([west, south, east, north], by
    default those of the areas drawn) is what the map fits. A blank map style and no
    tiles: it draws offline."""
    rows = [r for r in answer["rows"] if r["area"] and r["area"]["code"] in geometries]
    if not rows:
        return None
    features = [
        {"type": "Feature", "id": r["area"]["code"], "properties": {}, "geometry": geometries[r["area"]["code"]]}
        for r in rows
    ]
    geojson = {"type": "FeatureCollection", "features": features}
    known = [r for r in rows if r["cases_per_10k"] is not None]
    unknown = [r for r in rows if r["cases_per_10k"] is None]
    line = {"color": "#ffffff", "width": 0.6}
    data = []
    if known:
        top = max((r["cases_per_10k"] for r in known), default=0)
        data.append(
            {
                "type": "choroplethmap",
                "name": "万人发案率",
                "geojson": geojson,
                "featureidkey": "id",
                "locations": [r["area"]["code"] for r in known],
                "z": [r["cases_per_10k"] for r in known],
                "zmin": 0,
                "zmax": top or 1,
                "showscale": bool(top),  # no cases anywhere: one colour, no scale to read
                "colorscale": HEAT,
                "marker": {"line": line, "opacity": 0.85},
                "colorbar": {
                    "title": {"text": "起/万人", "font": {"size": 12}},
                    "thickness": 12,
                    "len": 0.7,
                    "outlinewidth": 0,
                },
                "hovertext": [_area_hover(r) for r in known],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    if unknown:
        data.append(
            {
                "type": "choroplethmap",
                "name": "人口不详",
                "geojson": geojson,
                "featureidkey": "id",
                "locations": [r["area"]["code"] for r in unknown],
                "z": [0] * len(unknown),
                "showscale": False,
                "colorscale": [[0, GREY], [1, GREY]],
                "marker": {"line": line, "opacity": 0.6},
                "hovertext": [_area_hover(r) for r in unknown],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    lons: list[float | None] = []
    lats: list[float | None] = []
    for geometry in outlines:
        for ring in _rings(geometry):
            lons += [lon for lon, _lat in ring] + [None]
            lats += [lat for _lon, lat in ring] + [None]
    if lons:
        data.append(
            {
                "type": "scattermap",
                "mode": "lines",
                "name": "乡镇/街道界",
                "lon": lons,
                "lat": lats,
                "line": {"color": "#7d8797", "width": 1.2},
                "hoverinfo": "skip",
            }
        )
    bounds = list(bounds or geometry_bounds(geometries[r["area"]["code"]] for r in rows))
    # The colour scale takes its width off the map's (dashboard.js refits to the real size).
    center, zoom = fit(bounds, width=640 - COLORBAR_PX, height=height)
    layout = base_layout(
        map={"style": "white-bg", "center": center, "zoom": zoom},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=height,
        showlegend=False,
        meta={"bounds": bounds, "colorbar_px": COLORBAR_PX if data[0].get("showscale", True) else 0},
    )
    return _figure(data, layout)


COLORBAR_PX = 70


def _area_hover(row: dict) -> str:
    area = row["area"]
    where = " · ".join(p for p in (area.get("parent"), area["station"]["name"]) if p)
    rate = "人口不详" if row["cases_per_10k"] is None else f"{row['cases_per_10k']:.2f}起/万人"
    return (
        f"<b>{area['name']}</b>（{area['kind_display']}）<br>{where}<br>"
        f"发案：{row['cases']}起 · 万人发案率：{rate}<br>"
        f"损失：{value_text(row['loss'], '元')} · 警情：{row['reports']}起<br>"
        f"同比：{pct_text(row['cases_yoy_pct'])}（去年同期{row['cases_yoy_base']}起）"
        f"<br>常住人口：{_people(row.get('population'))}"
    )


def _rings(geometry: dict) -> Iterable[list]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        yield from polygon


def geometry_bounds(geometries: Iterable[dict]) -> list[float]:
    """[west, south, east, north] of GeoJSON Polygon / MultiPolygon geometries."""
    west = south = math.inf
    east = north = -math.inf
    for geometry in geometries:
        for ring in _rings(geometry):
            for lon, lat in ring:
                west, east = min(west, lon), max(east, lon)
                south, north = min(south, lat), max(north, lat)
    return [west, south, east, north]


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit(bounds: Sequence[float], *, width: int, height: int, padding: float = 0.9) -> tuple[dict, float]:
    """Centre and zoom that fit ``bounds`` in a ``width`` × ``height`` pixel map (MapLibre
    draws the world 512 px wide at zoom 0). dashboard.js refits to the real size."""
    west, south, east, north = bounds
    center = {"lon": round((west + east) / 2, 5), "lat": round((south + north) / 2, 5)}
    lon_span = max(east - west, 1e-6) / 360
    lat_span = max(_mercator_y(north) - _mercator_y(south), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(width * padding / 512 / lon_span), math.log2(height * padding / 512 / lat_span))
    return center, round(max(0.0, min(zoom, 16.0)), 2)


def rounded_geometry(geometry: dict, places: int = 4) -> dict:
    """A geometry with its coordinates rounded (4 places: about 10 m), to keep pages small."""

    def walk(value):
        if isinstance(value, (int, float)):
            return round(float(value), places)
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


# ---------------------------------------------------------------------------- warnings

WARNING_INDICATORS = ("on_time_rate", "mean_sign_minutes", "mean_handle_minutes", "warned_victim_rate")


def warning_indicators_figure(answer: dict, keys: Sequence[str] = WARNING_INDICATORS) -> dict | None:
    """The warning work's rates (``metrics`` answer) as big numbers with the change from
    last year's value beneath, coloured by whether it is good news."""
    entries = [(key, answer["metrics"][key]) for key in keys]
    entries = [(key, entry) for key, entry in entries if entry["value"] is not None]
    if not entries:
        return None
    data = []
    columns = 2 if len(entries) > 2 else len(entries)
    lines = math.ceil(len(entries) / columns)
    for i, (key, entry) in enumerate(entries):
        metric = METRICS[key]
        good, bad = (GREEN, RED) if metric.up_is_good else (RED, GREEN)
        col, line = i % columns, i // columns
        top = 1 - line / lines
        trace = {
            "type": "indicator",
            "mode": "number",
            "value": entry["value"],
            "number": {"suffix": metric.unit, "valueformat": ",.1f", "font": {"size": 30, "color": BLUE}},
            "title": {"text": metric.label, "font": {"size": 14, "color": MUTED}},
            "domain": {
                "x": [col / columns + 0.02, (col + 1) / columns - 0.02],
                "y": [top - 1 / lines + 0.1, top - 0.02],
            },
        }
        if entry["yoy_base"] is not None:
            trace["mode"] = "number+delta"
            trace["delta"] = {
                "reference": entry["yoy_base"],
                "valueformat": ",.1f",
                "position": "bottom",
                "increasing": {"color": good, "symbol": "↑"},
                "decreasing": {"color": bad, "symbol": "↓"},
                "font": {"size": 14},
            }
        data.append(trace)
    layout = base_layout(
        height=150 * lines + 30,
        margin={"l": 8, "r": 8, "t": 28, "b": 8},
        annotations=[
            {
                "text": "箭头：较去年同期的变化（百分点 / 分钟）",
                "x": 0,
                "y": 0,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": 11, "color": MUTED},
                "xanchor": "left",
            }
        ],
    )
    return _figure(data, layout)


def backlog_figure(rows: Sequence[dict], *, limit: int = 15) -> dict | None:
    """Open warning tasks by station now, the overdue part red (日日清零): ``rows`` of
    ``{"name", "open", "overdue"}``, the worst at the top."""
    rows = [r for r in rows if r["open"]]
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: (-r["overdue"], -r["open"], r["name"]))[:limit]
    rows = list(reversed(rows))
    names = [r["name"] for r in rows]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": "已超期",
            "y": names,
            "x": [r["overdue"] for r in rows],
            "marker": {"color": RED},
            "hovertemplate": "%{y}<br>已超期：%{x}件<extra></extra>",
        },
        {
            "type": "bar",
            "orientation": "h",
            "name": "未超期",
            "y": names,
            "x": [r["open"] - r["overdue"] for r in rows],
            "marker": {"color": BLUE_LIGHT},
            "hovertemplate": "%{y}<br>在办未超期：%{x}件<extra></extra>",
        },
    ]
    layout = base_layout(
        barmode="stack",
        xaxis=_axis(title={"text": "件", "font": {"size": 12}}, rangemode="tozero"),
        yaxis=_axis(type="category", showgrid=False),
        height=max(220, 26 * len(rows) + 90),
        margin={"l": 16, "r": 16, "t": 28, "b": 40},
    )
    return _figure(data, layout)


# ---------------------------------------------------------------------------- publicity


def publicity_figure(rows: Sequence[dict]) -> dict | None:
    """Publicity by form: bars of activities and markers of people reached (second axis).
    ``rows`` of ``{"label", "activities", "reach", "yoy_activities"}``."""
    rows = [r for r in rows if r["activities"] or r["reach"]]
    if not rows:
        return None
    labels = [r["label"] for r in rows]
    in_wan = max(r["reach"] for r in rows) >= 10000
    reach_unit = "万人" if in_wan else "人"
    reach = [round(r["reach"] / 10000, 2) if in_wan else r["reach"] for r in rows]
    data = [
        {
            "type": "bar",
            "name": "活动次数",
            "x": labels,
            "y": [r["activities"] for r in rows],
            "marker": {"color": BLUE},
            "customdata": [[r.get("yoy_activities"), pct_text(r.get("yoy_pct"))] for r in rows],
            "hovertemplate": "%{x}<br>活动：%{y}次<br>同比%{customdata[1]}"
            "（去年同期%{customdata[0]}次）<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": f"覆盖人数（{reach_unit}）",
            "x": labels,
            "y": reach,
            "customdata": [r["reach"] for r in rows],
            "yaxis": "y2",
            "marker": {"color": GOLD, "size": 12, "symbol": "circle", "line": {"color": GOLD_DARK, "width": 1}},
            "hovertemplate": "%{x}<br>覆盖：%{customdata:,}人<extra></extra>",
        },
    ]
    layout = base_layout(
        xaxis=_axis(type="category", showgrid=False),
        yaxis=_axis(
            title={"text": "次", "font": {"size": 12}},
            rangemode="tozero",
            **_count_ticks("次", [r["activities"] for r in rows]),
        ),
        yaxis2=_axis(
            title={"text": reach_unit, "font": {"size": 12}},
            overlaying="y",
            side="right",
            rangemode="tozero",
            showgrid=False,
        ),
        margin={"l": 48, "r": 56, "t": 28, "b": 40},
    )
    return _figure(data, layout)


# ---------------------------------------------------------------------------- targets


def targets_figure(rows: Sequence[dict]) -> dict | None:
    """Targets against the figures, one bar per unit and metric: the 同比 change so far
    coloured by its card, the target as a dash, the month-end projection as a diamond.
    ``rows`` of ``{"unit", "metric", "label", "yoy_pct", "target_pct", "projected_pct",
    "card", "note"}``; target_pct is minus the required drop."""
    rows = [r for r in rows if r["target_pct"] is not None]
    if not rows:
        return None
    metrics = [m for m in ("cases", "loss") if any(r["metric"] == m for r in rows)]
    data: list[dict] = []
    layout = base_layout(barmode="overlay", height=320, margin={"l": 48, "r": 16, "t": 36, "b": 40}, showlegend=True)
    gap = 0.08
    width = (1 - gap * (len(metrics) - 1)) / len(metrics)
    annotations = []
    for i, metric in enumerate(metrics):
        suffix = "" if i == 0 else str(i + 1)
        these = [r for r in rows if r["metric"] == metric]
        units = [short_name(r["unit"]) for r in these]
        hover = [r["note"] + (f"<br>{r['projection_note']}" if r.get("projection_note") else "") for r in these]
        data.append(
            {
                "type": "bar",
                "name": "同比变化",
                "x": units,
                "y": [r["yoy_pct"] or 0 for r in these],
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "showlegend": i == 0,
                "marker": {"color": [CARD_COLOURS[r["card"]] for r in these]},
                "text": [f"{CARD_LABELS[r['card']]} {pct_text(r['yoy_pct'])}" for r in these],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertext": hover,
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "目标",
                "x": units,
                "y": [r["target_pct"] for r in these],
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "showlegend": i == 0,
                "marker": {"symbol": "line-ew-open", "size": 34, "color": INK, "line": {"color": INK, "width": 3}},
                "hovertemplate": "%{x}<br>目标：同比%{y:.1f}%<extra></extra>",
            }
        )
        projected = [r.get("projected_pct") for r in these]
        if any(p is not None for p in projected):
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": "月底预计",
                    "x": units,
                    "y": projected,
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    "showlegend": i == 0,
                    "marker": {
                        "symbol": "diamond",
                        "size": 11,
                        "color": GOLD,
                        "line": {"color": GOLD_DARK, "width": 1},
                    },
                    "hovertemplate": "%{x}<br>月底预计：同比%{y:.1f}%<extra></extra>",
                }
            )
        start = i * (width + gap)
        layout[f"xaxis{suffix}"] = _axis(
            domain=[start, start + width], type="category", showgrid=False, anchor=f"y{suffix}"
        )
        layout[f"yaxis{suffix}"] = _axis(
            anchor=f"x{suffix}",
            ticksuffix="%",
            zerolinecolor=INK,
            title={"text": "同比%", "font": {"size": 12}} if i == 0 else None,
        )
        annotations.append(
            {
                "text": f"<b>{METRICS[metric].label}</b>",
                "x": start + width / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13},
            }
        )
    layout["annotations"] = annotations
    layout["legend"] = {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.08, "yanchor": "bottom"}
    return _figure(data, layout)


def projection_figure(rows: Sequence[dict]) -> dict | None:
    """The month so far, its month-end projection and last year's whole month, for cases
    and loss — or, for a month that is over, its actual value and last year's: ``rows`` of
    ``{"label", "unit", "value", "projected", "last_year", "finished"}``."""
    rows = [r for r in rows if r["value"] or r["projected"] or r["last_year"]]
    if not rows:
        return None
    data = []
    layout = base_layout(height=260, margin={"l": 48, "r": 16, "t": 36, "b": 32}, showlegend=True)
    annotations = []
    for i, row in enumerate(rows):
        suffix = "" if i == 0 else str(i + 1)
        shown_unit, conv = _measure(row["unit"])
        if row.get("finished"):
            names, values = ["当月实际", "去年同月"], [conv(row["value"]), conv(row["last_year"])]
        else:
            names = ["本月至今", "月底预计", "去年同月"]
            values = [conv(row["value"]), conv(row["projected"]), conv(row["last_year"])]
        data.append(
            {
                "type": "bar",
                "x": names,
                "y": values,
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "marker": {"color": [BLUE, GOLD, GREY] if len(values) == 3 else [BLUE, GREY]},
                "showlegend": False,
                "text": [f"{v:,}" if v is not None else "—" for v in values],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": f"%{{x}}：%{{y:,}}{shown_unit}<extra>{row['label']}</extra>",
            }
        )
        start = i * 0.54
        layout[f"xaxis{suffix}"] = _axis(
            domain=[start, start + 0.46], type="category", showgrid=False, anchor=f"y{suffix}"
        )
        layout[f"yaxis{suffix}"] = _axis(anchor=f"x{suffix}", rangemode="tozero")
        annotations.append(
            {
                "text": f"<b>{row['label']}（{shown_unit}）</b>",
                "x": start + 0.23,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    layout["annotations"] = annotations
    return _figure(data, layout)
