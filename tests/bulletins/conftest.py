"""Documents for the renderers' tests: payloads saved from the demo city (2026-10 month for
the city and one station, 2026-11-22 day for the city) wrapped in issue fields."""

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def load_payload(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def make_doc(payload: dict, **issue) -> dict:
    kind = payload["meta"]["kind"]
    labels = {"day": "日通报", "week": "周研判", "xun": "旬调度", "month": "月通报", "quarter": "季总结"}
    fields = {
        "kind": kind,
        "kind_label": labels[kind],
        "status": "issued",
        "number": 10,
        "year": int(payload["meta"]["period"]["start"][:4]),
        "revision": 1,
        "issued_at": "2026-11-02T09:30:00+08:00",
        "issued_by": "王明",
        "correction_note": "",
        "changes": [],
    }
    fields.update(issue)
    if fields["number"] is None:
        fields["number_label"] = "草稿（签发时编号）"
    else:
        fields["number_label"] = f"{fields['year']}年第{fields['number']}期"
    return {"payload": payload, "issue": fields}


@pytest.fixture
def city_month_doc() -> dict:
    return make_doc(load_payload("city_month"))


@pytest.fixture
def station_month_doc() -> dict:
    return make_doc(load_payload("station_month"), number=3)


@pytest.fixture
def city_day_doc() -> dict:
    return make_doc(load_payload("city_day"), number=None, status="draft", issued_at=None, issued_by=None)


@pytest.fixture
def corrected_doc() -> dict:
    return make_doc(
        load_payload("city_month"),
        revision=2,
        issued_at="2026-11-05T16:00:00+08:00",
        correction_note="临江区公安分局补录10月28日案件1起，更正相关数字。",
        changes=[
            {"key": "overall.cases", "label": "全市·发案数", "old": 96, "new": 97, "measure": "起"},
            {"key": "overall.loss", "label": "全市·损失金额", "old": 3376300.0, "new": 3426300.0, "measure": "元"},
        ],
    )
