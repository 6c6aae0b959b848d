"""The metric catalogue and the comparison math behind every 同比 / 环比."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stats.catalogue import BASE_METRICS, METRICS, derive, shown
from stats.compare import change_pct, is_notable, poisson_z

DATA_MD = Path(__file__).resolve().parents[3] / "shared" / "DATA.md"


def test_base_metrics_are_exactly_the_keys_data_md_promises():
    keys = [m.key for m in BASE_METRICS]
    expected = ["reports", "cases", "loss", "solved", "arrests", "frozen", "recovered", "returned", "warned_victims",
                "warnings_received", "warnings_handled", "warnings_on_time", "warnings_overdue", "dissuaded",
                "publicity_activities", "publicity_reach"]  # fmt: skip
    assert keys == expected
    if DATA_MD.exists():  # beside the checkout in CI: the contract itself
        table = DATA_MD.read_text(encoding="utf-8").split("Metric keys", 1)[1]
        listed = re.findall(r"^\| ([a-z_ /]+) \|", table, flags=re.M)
        contract = [k.strip() for row in listed for k in row.split("/") if k.strip() != "key"]
        assert contract == expected


def test_every_metric_explains_itself():
    for metric in METRICS.values():
        assert metric.label and metric.unit and metric.basis.endswith("。"), metric.key


@pytest.mark.parametrize(
    ("value", "base", "pct"),
    [(59, 65, -9.2), (18, 12, 50.0), (12, 12, 0.0), (1, 3, -66.7), (2, 3, -33.3), (5, 0, None), (0, 0, None),
     (1, 8, -87.5), (3, 8, -62.5), (Decimal("6101900.00"), Decimal("5000000"), 22.0)],
)  # fmt: skip
def test_change_pct_follows_data_md(value, base, pct):
    assert change_pct(value, base) == pct


def test_halves_round_away_from_zero_both_ways():
    assert change_pct(1001, 2000) == -50.0  # -49.95 → -50.0
    assert change_pct(2999, 2000) == 50.0  # 49.95 → 50.0
    assert change_pct(10005, 10000) == 0.1  # 0.05 → 0.1
    assert change_pct(9995, 10000) == -0.1  # -0.05 → -0.1


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_change_pct_is_one_decimal_and_signed_like_the_change(value, base):
    pct = change_pct(value, base)
    assert pct == round(pct, 1)
    assert (pct > 0) == (value > base) or pct == 0.0


def test_small_bases_are_not_notable_large_moves_are():
    assert not is_notable(18, 12)  # +50%, but z ≈ 1.56
    assert is_notable(180, 120)  # the same +50% on ten times the count
    assert poisson_z(16, 9) == pytest.approx(2.0)


def test_derived_metrics():
    values = {"cases": 59, "solved": 12, "loss": Decimal("6101900.00"), "recovered": Decimal("610190"),
              "warnings_handled": 200, "warnings_on_time": 190, "dissuaded": 170, "warned_victims": 3,
              "warnings_received": 250}  # fmt: skip
    exact = derive(values, population=588723)
    derived = {key: shown(value) for key, value in exact.items()}
    assert derived["on_time_rate"] == 95.0
    assert derived["dissuasion_rate"] == 85.0
    assert derived["warned_victim_rate"] == 1.2
    assert derived["solve_rate"] == 20.34
    assert derived["recovery_rate"] == 10.0
    assert derived["cases_per_10k"] == 1.0
    assert derive({}, population=None) == dict.fromkeys(derived)


def test_derived_changes_come_from_exact_rates():
    # 97 vs 102 cases in the same population: the rate changes exactly as the count does,
    # though both rates show as 0.60 and 0.64 (−6.3% if computed from the rounded ones).
    now, before = (derive({"cases": n}, population=1604825)["cases_per_10k"] for n in (97, 102))
    assert (shown(now), shown(before)) == (0.6, 0.64)
    assert change_pct(now, before) == change_pct(97, 102) == -4.9
    assert shown(derive({"cases": 1}, population=80000)["cases_per_10k"]) == 0.13  # half away from zero
