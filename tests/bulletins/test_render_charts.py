"""The bulletin's charts: which are drawn, that they are real PNGs of the intended size,
and that the same payload always gives the same bytes."""

import copy
import io

import pytest
from PIL import Image

from bulletins.render.charts import DPI, charts
from tests.bulletins.conftest import load_payload


@pytest.fixture(scope="module")
def city_charts():
    return charts(load_payload("city_month"))


def test_a_city_gets_trend_structure_and_units(city_charts):
    assert list(city_charts) == ["trend", "structure", "units"]
    assert all(chart.title for chart in city_charts.values())


@pytest.fixture(scope="module")
def station_charts():
    return charts(load_payload("station_month"))


def test_a_station_has_no_units_chart(station_charts):
    assert list(station_charts) == ["trend", "structure"]


def test_charts_are_png_images_about_16_by_7_5_cm(city_charts):
    for chart in city_charts.values():
        image = Image.open(io.BytesIO(chart.png))
        assert image.format == "PNG"
        width, height = image.size
        assert width == pytest.approx(16 / 2.54 * DPI, abs=2)
        assert height == pytest.approx(7.5 / 2.54 * DPI, abs=2)


def test_the_same_payload_draws_the_same_bytes(station_charts):
    again = charts(load_payload("station_month"))
    assert {key: chart.png for key, chart in again.items()} == {key: c.png for key, c in station_charts.items()}


def test_a_chart_with_nothing_but_zeros_is_left_out():
    payload = copy.deepcopy(load_payload("station_month"))
    for row in payload["trend"]["series"]["cases"]:
        row["value"] = row["yoy_value"] = 0
    for row in payload["structure"]["rows"]:
        row["cases"] = row["loss"] = 0
    assert charts(payload) == {}
