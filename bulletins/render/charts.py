"""A bulletin's charts as PNG images, drawn with matplotlib from the payload.

The same payload always gives the same bytes (fixed size and dpi, no timestamp or
software stamp in the file), and nothing here touches the network or a browser. Each
chart is drawn on its own ``Figure`` with the Agg canvas — no pyplot state — and the
shipped CJK fonts (``bulletins.render.fonts``) so Chinese renders on any machine.

The image carries no title: documents print ``Chart.title`` as the caption under it.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import fonts

CM = 1 / 2.54
SIZE = (16 * CM, 7.5 * CM)
DPI = 200
THIS_PERIOD = "#1f4e79"
LAST_YEAR = "#9e9e9e"
RISING = "#c00000"  # a unit whose cases rose on last year
FONT_SIZE = 8
MAX_TICKS = 10

RC = {
    "font.family": fonts.SANS_FAMILY,
    "font.size": FONT_SIZE,
    "axes.unicode_minus": False,
    "axes.edgecolor": "#808080",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#404040",
    "ytick.color": "#404040",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.frameon": False,
}

# rcParams are process-wide: they are applied only while a chart is drawn, under a lock,
# so charts drawn on two threads at once do not see each other's settings.
_LOCK = threading.Lock()
_fonts_registered = False


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    png: bytes


def charts(payload: dict) -> dict[str, Chart]:
    """The charts the payload has data for, by key: "trend", "structure" and (not for a
    station) "units". A chart whose figures are all zero is left out."""
    drawn = {}
    for key, title, draw in CHARTS:
        if key == "units" and payload["units"] is None:
            continue
        figure = draw(payload)
        if figure is not None:
            drawn[key] = Chart(key, title, figure)
    return drawn


# ---------------------------------------------------------------------------------------


def _register_fonts() -> None:
    global _fonts_registered
    if not _fonts_registered:
        for path in (fonts.SANS, fonts.SANS_BOLD):
            font_manager.fontManager.addfont(str(path))
        _fonts_registered = True


def _render(paint: Callable[[Figure], None]) -> bytes:
    with _LOCK, matplotlib.rc_context(RC):
        _register_fonts()
        figure = Figure(figsize=SIZE, dpi=DPI, facecolor="white")
        FigureCanvasAgg(figure)
        paint(figure)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return out.getvalue()


def _trend(payload: dict) -> bytes | None:
    rows = payload["trend"]["series"]["cases"]
    if len(rows) < 2 or not any(row["value"] or row["yoy_value"] for row in rows):  # one point is no trend
        return None
    labels = [row["label"] for row in rows]
    positions = list(range(len(rows)))
    last_year = [math.nan if row["yoy_value"] is None else row["yoy_value"] for row in rows]  # nan: a gap

    def paint(figure: Figure) -> None:
        ax = figure.add_subplot()
        ax.plot(positions, [row["value"] for row in rows], color=THIS_PERIOD, linewidth=1.6,
                marker="o", markersize=2.5, label="本期", zorder=3)  # fmt: skip
        ax.plot(positions, last_year, color=LAST_YEAR, linewidth=1.2, linestyle="--", label="去年同期")
        step = max(1, math.ceil(len(rows) / MAX_TICKS))
        ax.set_xticks(positions[::step], labels[::step])
        ax.set_xlim(-0.5, len(rows) - 0.5)
        ax.set_ylim(bottom=0)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("发案数（起）")
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.5)
        ax.set_axisbelow(True)
        _legend_above(ax)
        figure.tight_layout(pad=0.6)

    return _render(paint)


def _legend_above(ax, note: str = "") -> None:
    """The legend above the plot's top right corner (and a note above its top left), where
    no line or bar can be under it."""
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=2, borderaxespad=0.2)
    if note:
        ax.annotate(note, (0, 1), xycoords="axes fraction", xytext=(0, 6), textcoords="offset points",
                    fontsize=FONT_SIZE - 1, color="#606060", va="bottom")  # fmt: skip


def _structure(payload: dict) -> bytes | None:
    rows = [row for row in payload["structure"]["rows"] if row["cases"] or row["loss"]]
    if not rows:
        return None
    rows.sort(key=lambda row: (row["cases"], row["loss"]))  # most cases at the top
    names = [row["name"] for row in rows]
    positions = list(range(len(rows)))
    panels = (
        ("发案数（起）", [row["cases"] for row in rows], "{:g}"),
        ("损失（万元）", [row["loss"] / 10000 for row in rows], "{:.2f}"),
    )

    def paint(figure: Figure) -> None:
        axes = figure.subplots(1, 2, sharey=True)
        for ax, (label, values, shown) in zip(axes, panels, strict=True):
            bars = ax.barh(positions, values, height=0.62, color=THIS_PERIOD)
            ax.bar_label(bars, [shown.format(v) for v in values], padding=2, fontsize=FONT_SIZE - 1)
            ax.set_title(label, fontsize=FONT_SIZE + 1, loc="left")
            ax.set_xlim(0, max(max(values), 1) * 1.22)
            ax.tick_params(axis="y", length=0)
            ax.tick_params(axis="x", labelsize=FONT_SIZE - 1)
            ax.grid(axis="x", color="#e0e0e0", linewidth=0.5)
            ax.set_axisbelow(True)
        axes[0].set_yticks(positions, names)
        axes[0].set_ylim(-0.6, len(rows) - 0.4)
        figure.tight_layout(pad=0.6, w_pad=1.5)

    return _render(paint)


def _units(payload: dict) -> bytes | None:
    rows = payload["units"]
    if not any(row["cases"] or row["cases_yoy_base"] for row in rows):
        return None
    names = [row["name"] for row in rows]
    this_year = [row["cases"] for row in rows]
    last_year = [row["cases_yoy_base"] or 0 for row in rows]
    width = 0.38

    def paint(figure: Figure) -> None:
        ax = figure.add_subplot()
        now = ax.bar([i - width / 2 for i in range(len(rows))], this_year, width, color=THIS_PERIOD, label="本期")
        ax.bar([i + width / 2 for i in range(len(rows))], last_year, width, color=LAST_YEAR, label="去年同期")
        labels = ax.bar_label(now, [f"{v:g}" for v in this_year], padding=2, fontsize=FONT_SIZE - 1)
        for label, current, base in zip(labels, this_year, last_year, strict=True):
            if current > base:
                label.set_color(RISING)
        ax.set_xticks(range(len(rows)), names, rotation=30 if len(rows) > 7 else 0,
                      ha="right" if len(rows) > 7 else "center")  # fmt: skip
        ax.set_ylim(0, max([*this_year, *last_year, 1]) * 1.18)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("发案数（起）")
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.5)
        ax.set_axisbelow(True)
        _legend_above(ax, "红色数字：同比上升" if any(c > b for c, b in zip(this_year, last_year, strict=True)) else "")
        figure.tight_layout(pad=0.6)

    return _render(paint)


CHARTS = (
    ("trend", "发案趋势（与去年同期对比）", _trend),
    ("structure", "发案类型结构", _structure),
    ("units", "各单位发案数（与去年同期对比）", _units),
)
