"""The written part of a bulletin: figures and changes as people write them, and the
summary paragraphs, generated from a payload (``bulletins.payload.build_payload``) with
templates and rules — no database, no language model.

Wording, following the seeds ("全市共发案312起，同比下降18.6%；损失1234.56万元…"):

- money: yuan in, 万元 out with two decimals, half away from zero: ``1234.56万元``;
- counts: ``312起`` (people: ``45名``);
- rates: one decimal, ``97.1%``; a rate's change is in 百分点: ``同比上升1.2个百分点``;
- a change: ``同比上升18.6%`` / ``同比下降9.1%`` / ``同比持平`` (a change of 0.0);
- a zero base (the engine's ``yoy_pct`` is ``None``): both sides 0 reads ``同比持平``;
  something against nothing reads ``去年同期为0`` (环比: ``环比上期为0``) — a percentage rise
  from nothing means nothing, and "同比无可比基数" is heavier than readers need.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ONE_PLACE = Decimal("0.1")
CENT = Decimal("0.01")

# What the base is called when it is 0: "去年同期为0", "环比上期为0".
ZERO_BASE = {"同比": "去年同期为0", "环比": "环比上期为0"}

# The three to rise and the three to fall of 三升三降, in the order the seeds name them.
SANSHANG_ORDER = ("solved", "arrests", "recovered", "cases", "loss", "reports")
MONEY_KEYS = frozenset({"loss", "frozen", "recovered", "returned"})


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _one_place(value) -> Decimal:
    return _decimal(value).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------
# Figures


def wan(yuan) -> str:
    """Yuan as 万元 with two decimals: 12345600 → "1234.56万元"; None → "—"."""
    if yuan is None:
        return "—"
    return f"{(_decimal(yuan) / 10000).quantize(CENT, rounding=ROUND_HALF_UP)}万元"


def count(n, measure: str = "起") -> str:
    """312 → "312起"; None → "—"."""
    return "—" if n is None else f"{n}{measure}"


def people(n, measure: str = "人次") -> str:
    """Large head counts read in 万: 1514776 → "151.48万人次"; 8600 → "8600人次"."""
    if n is None:
        return "—"
    if n >= 100000:
        return f"{(_decimal(n) / 10000).quantize(CENT, rounding=ROUND_HALF_UP)}万{measure}"
    return f"{n}{measure}"


def rate(value) -> str:
    """A per-cent rate to one decimal: 97.06 → "97.1%"; None (no denominator) → "—"."""
    return "—" if value is None else f"{_one_place(value)}%"


def change(pct, *, value=None, base=None, word: str = "同比") -> str:
    """A change in per cent as a phrase: 18.6 → "同比上升18.6%", -9.1 → "同比下降9.1%",
    0.0 → "同比持平". ``pct`` None means the base is 0: "同比持平" when the value is 0 too,
    else "去年同期为0" (环比: "环比上期为0")."""
    if pct is None:
        if value is not None and base is not None and not value and not base:
            return f"{word}持平"
        return ZERO_BASE.get(word, f"{word}基数为0")
    shown = _one_place(pct)
    if shown > 0:
        return f"{word}上升{shown}%"
    if shown < 0:
        return f"{word}下降{-shown}%"
    return f"{word}持平"


def points(value, base, *, word: str = "同比") -> str:
    """The change of a rate in 百分点: 97.1 against 95.9 → "同比上升1.2个百分点". A rate
    that cannot be computed on either side (None) → "" (nothing to say)."""
    if value is None or base is None:
        return ""
    diff = _one_place(_decimal(value) - _decimal(base))
    if diff > 0:
        return f"{word}上升{diff}个百分点"
    if diff < 0:
        return f"{word}下降{-diff}个百分点"
    return f"{word}持平"


def metric_change(entry: dict, word: str = "同比") -> str:
    """The phrase for one metric entry of the stats JSON (``value``, ``yoy_base``,
    ``yoy_pct``, ``mom_base``, ``mom_pct``)."""
    prefix = "yoy" if word == "同比" else "mom"
    return change(entry.get(f"{prefix}_pct"), value=entry.get("value"), base=entry.get(f"{prefix}_base"), word=word)


def scope_word(unit_name: str, level: str) -> str:
    """How a bulletin names its own area: "全市" for a city, "全区"/"全县"/"全市" for a
    county after the ending of its name (临江区公安分局 → 全区, 嵊州市公安局 → 全市),
    "本所" for a station."""
    if level == "station":
        return "本所"
    name = unit_name
    for suffix in ("公安分局", "公安局", "分局"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if name and name[-1] in "市区县":
        return f"全{name[-1]}"
    return "全市" if level == "city" else "全辖区"


# ---------------------------------------------------------------------------------------
# Paragraphs


def _figure(key: str, entry: dict) -> str:
    if key in MONEY_KEYS:
        return wan(entry.get("value"))
    return count(entry.get("value"), "名" if key == "arrests" else "起")


def _both(entry: dict) -> str:
    return f"{metric_change(entry, '同比')}，{metric_change(entry, '环比')}"


def overall_paragraph(payload: dict) -> str:
    """总体情况: totals with 同比 and 环比, then the strike figures with 同比."""
    meta, m = payload["meta"], payload["overall"]
    scope = meta["scope_word"]
    text = (
        f"{meta['period']['label']}，{scope}共接报电信网络诈骗警情{count(m['reports']['value'])}，"
        f"{_both(m['reports'])}；立案{count(m['cases']['value'])}，{_both(m['cases'])}；"
        f"损失{wan(m['loss']['value'])}，{_both(m['loss'])}。"
    )
    strikes = [
        f"破获案件{count(m['solved']['value'])}（{metric_change(m['solved'])}）",
        f"抓获犯罪嫌疑人{count(m['arrests']['value'], '名')}（{metric_change(m['arrests'])}）",
        f"追赃{wan(m['recovered']['value'])}",
        f"冻结涉案资金{wan(m['frozen']['value'])}",
        f"返还受害人{wan(m['returned']['value'])}",
    ]
    return text + "，".join(strikes) + "。"


def sanshang_paragraph(payload: dict) -> str:
    """三升三降: each of the six with its 同比, then how many moved the right way."""
    section = payload.get("sanshang_sanjiang")
    if not section:
        return ""
    items = {item["key"]: item for item in section["items"]}
    ordered = [items[key] for key in SANSHANG_ORDER if key in items]
    described = "，".join(
        f"{item['label']}{_figure(item['key'], item)}"
        f"（{change(item['yoy_pct'], value=item['value'], base=item['yoy_base'])}）"
        for item in ordered
    )
    if section["achieved"] == len(ordered):
        return f"“三升三降”方面，{described}，六项全部实现。"
    missed = [item["label"] for item in ordered if item["ok"] is False]
    unknown = [item["label"] for item in ordered if item["ok"] is None]
    tail = f"六项中实现{section['achieved']}项"
    if missed:
        tail += f"，{'、'.join(missed)}未达到要求"
    if unknown:
        tail += f"，{'、'.join(unknown)}去年同期为0、无法比较"
    return f"“三升三降”方面，{described}；{tail}。"


def units_paragraph(payload: dict) -> str:
    """各单位: the units whose cases rose most, the most cases and loss, and the cards."""
    rows = payload.get("units")
    if not rows:
        return ""
    parts = []
    rising = sorted(
        (r for r in rows if r["cases_yoy_pct"] is not None and r["cases_yoy_pct"] > 0),
        key=lambda r: -r["cases_yoy_pct"],
    )
    risen_from_nothing = [r for r in rows if r["cases_yoy_pct"] is None and r["cases"]]
    if rising or risen_from_nothing:
        named = [f"{r['name']}（上升{_one_place(r['cases_yoy_pct'])}%）" for r in rising]
        named += [f"{r['name']}（去年同期为0，本期{count(r['cases'])}）" for r in risen_from_nothing]
        more = f"等{len(named)}个单位" if len(named) > 3 else ""
        named = named[:3]
        parts.append(f"各单位中，发案同比上升的有{'、'.join(named)}{more}")
    else:
        parts.append("各单位发案均同比下降或持平")
    most = max(rows, key=lambda r: r["cases"] or 0)
    if most["cases"]:
        parts.append(f"发案最多的是{most['name']}（{count(most['cases'])}）")
    largest = max(rows, key=lambda r: r["loss"] or 0)
    if largest["loss"]:
        parts.append(f"损失最大的是{largest['name']}（{wan(largest['loss'])}）")
    text = "；".join(parts) + "。"
    red = [r["name"] for r in rows if r.get("card") == "red"]
    yellow = [r["name"] for r in rows if r.get("card") == "yellow"]
    cards = []
    if red:
        cards.append(f"红牌单位：{'、'.join(red)}")
    if yellow:
        cards.append(f"黄牌单位：{'、'.join(yellow)}")
    if cards:
        text += "；".join(cards) + "。"
    return text


def warnings_paragraph(payload: dict) -> str:
    """预警劝阻: received, handled, on-time rate, dissuaded, backlog, 预后被骗率."""
    m, scope = payload["overall"], payload["meta"]["scope_word"]
    on_time, dissuasion, victims = m["on_time_rate"], m["dissuasion_rate"], m["warned_victim_rate"]
    if not m["warnings_received"]["value"] and not m["warnings_handled"]["value"]:
        overdue = m["warnings_overdue"]["value"]
        backlog = f"，截至期末仍有超期未处置任务{count(overdue)}" if overdue else ""
        return f"预警劝阻方面，本期{scope}未下发、未处置预警劝阻任务{backlog}。"
    text = (
        f"预警劝阻方面，{scope}下发预警劝阻任务{count(m['warnings_received']['value'])}，"
        f"处置{count(m['warnings_handled']['value'])}，按时处置率{rate(on_time['value'])}"
    )
    moved = points(on_time["value"], on_time["yoy_base"])
    text += f"（{moved}）" if moved else ""
    text += f"；劝阻成功{count(m['dissuaded']['value'])}，劝阻成功率{rate(dissuasion['value'])}"
    overdue = m["warnings_overdue"]["value"]
    if overdue:
        backlog = [r for r in (payload.get("warnings") or {}).get("overdue_by_unit", []) if r["overdue"]]
        named = "、".join(f"{r['name']}{count(r['overdue'])}" for r in backlog[:5])
        text += f"；截至期末超期未处置{count(overdue)}" + (f"（其中{named}）" if named else "")
    else:
        text += "；截至期末无超期未处置任务"
    text += f"；预警后仍被骗{count(m['warned_victims']['value'])}，预后被骗率{rate(victims['value'])}"
    moved = points(victims["value"], victims["yoy_base"])
    text += f"（{moved}）。" if moved else "。"
    return text


def publicity_paragraph(payload: dict) -> str:
    """宣传防范: activities and reach with 同比."""
    m = payload["overall"]
    activities, reach = m["publicity_activities"], m["publicity_reach"]
    if not activities["value"] and not activities["yoy_base"]:
        return ""
    return (
        f"宣传防范方面，开展反诈宣传活动{count(activities['value'], '次')}，{metric_change(activities)}；"
        f"覆盖群众{people(reach['value'])}，{metric_change(reach)}。"
    )


def hints_paragraph(payload: dict) -> str:
    """下步工作提示, by rule: the units and fraud types that rose 同比, the overdue backlog,
    and the loss if it rose; otherwise keep the fall going."""
    hints = payload.get("hints") or {}
    units, types = hints.get("units_rising", []), hints.get("types_rising", [])
    asks = []
    if units:
        named = "、".join(r["name"] for r in units[:5])
        asks.append(f"{named}要深入分析发案上升原因，压实属地责任，确保发案尽快回落")
    if types:
        named = "、".join(
            f"{r['name']}类（{change(r['yoy_pct'], value=r['cases'], base=r['yoy_base'])}）" for r in types[:3]
        )
        asks.append(f"针对{named}诈骗，要加强精准宣传和预警劝阻，开展专项打击")
    if payload["overall"]["warnings_overdue"]["value"]:
        asks.append("要及时清理超期未处置预警任务，确保预警指令按时处置到位")
    loss = payload["overall"]["loss"]
    if loss["yoy_pct"] is not None and loss["yoy_pct"] > 0:
        asks.append("要强化止付冻结和资金返还，全力压降案件损失")
    if not asks:
        who = "各单位" if payload.get("units") else payload["meta"]["scope_word"]
        return f"下步工作提示：{who}要保持打防高压态势，巩固压降成效。"
    return "下步工作提示：" + "；".join(f"{i}．{a}" for i, a in enumerate(asks, start=1)) + "。"


SECTIONS = (
    ("总体情况", overall_paragraph),
    ("三升三降", sanshang_paragraph),
    ("各单位情况", units_paragraph),
    ("预警劝阻", warnings_paragraph),
    ("宣传防范", publicity_paragraph),
    ("下步工作提示", hints_paragraph),
)


def summary_paragraphs(payload: dict) -> list[dict]:
    """The summary as ``[{"heading": "总体情况", "text": "…"}, …]``; a section with
    nothing to say (a station has no units table) is left out."""
    paragraphs = []
    for heading, write in SECTIONS:
        text = write(payload)
        if text:
            paragraphs.append({"heading": heading, "text": text})
    return paragraphs
