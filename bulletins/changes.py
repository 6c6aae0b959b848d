"""Which printed figures differ between two payloads: the list a corrected revision carries
("更正的数字"). Only figures the document prints are compared — values and their 同比 /
环比 changes, never generation times."""

from __future__ import annotations

# The overall metrics a bulletin prints, with their changes.
OVERALL = (
    "reports", "cases", "loss", "solved", "arrests", "frozen", "recovered", "returned", "warnings_received",
    "warnings_handled", "warnings_on_time", "on_time_rate", "dissuaded", "dissuasion_rate", "warnings_overdue",
    "warned_victims", "warned_victim_rate", "publicity_activities", "publicity_reach", "cases_per_10k",
)  # fmt: skip


def figures(payload: dict) -> dict[str, dict]:
    """Every printed figure of a payload: key → {"label", "value", "measure"}, in document
    order. Keys are stable across payloads of the same bulletin (unit and type codes). The
    measure is what the value is counted in ("起", "元", "%" for a rate), or "change" for a
    同比 / 环比 change in percent."""
    found: dict[str, dict] = {}

    def put(key: str, label: str, value, measure: str) -> None:
        found[key] = {"label": label, "value": value, "measure": measure}

    scope = payload["meta"]["scope_word"]
    for key in OVERALL:
        entry = payload["overall"][key]
        measure = entry["unit"]
        put(f"overall.{key}", f"{scope}·{entry['label']}", entry["value"], measure)
        for side, word in (("yoy", "同比"), ("mom", "环比")):
            if measure == "%":  # a rate's change prints as points, from the value and its base
                put(f"overall.{key}.{side}_base", f"{scope}·{entry['label']}（{word}基数）", entry[f"{side}_base"], "%")
            else:
                put(f"overall.{key}.{side}", f"{scope}·{entry['label']}{word}", entry[f"{side}_pct"], "change")
    for row in payload["units"] or []:
        for key, label, measure in (("cases", "发案数", "起"), ("loss", "损失金额", "元"),
                                    ("warnings_overdue", "超期未处置预警", "起")):  # fmt: skip
            put(f"units.{row['code']}.{key}", f"{row['name']}·{label}", row[key], measure)
        put(f"units.{row['code']}.cases_yoy", f"{row['name']}·发案数同比", row["cases_yoy_pct"], "change")
        put(f"units.{row['code']}.loss_yoy", f"{row['name']}·损失金额同比", row["loss_yoy_pct"], "change")
        put(f"units.{row['code']}.rank", f"{row['name']}·排名", row["rank"], "")
    for row in payload["areas"] or []:
        code = row["area"]["code"] if row["area"] else "none"  # cases with no 社区 recorded
        put(f"areas.{code}.cases", f"{row['label']}·发案数", row["cases"], "起")
        put(f"areas.{code}.loss", f"{row['label']}·损失金额", row["loss"], "元")
    for row in payload["structure"]["rows"]:
        put(f"types.{row['code']}.cases", f"{row['name']}类·发案数", row["cases"], "起")
        put(f"types.{row['code']}.loss", f"{row['name']}类·损失金额", row["loss"], "元")
    for by, rows in payload["victims"].items():
        for row in rows:
            put(f"victims.{by}.{row['key']}", f"受害人·{row['label']}", row["count"], "人")
    put("large_cases", "重大案件数", len(payload["large_cases"]), "起")
    for row in payload["publicity"]["by_form"]:
        put(f"publicity.{row['form']}.n", f"宣传·{row['label']}·活动次数", row["n"], "次")
        put(f"publicity.{row['form']}.reach", f"宣传·{row['label']}·覆盖人数", row["reach"], "人")
    return found


def changed_figures(old: dict, new: dict) -> list[dict]:
    """The figures whose printed value differs between two payloads, in the new payload's
    order (then those only the old one had): {"key", "label", "old", "new", "measure"}."""
    before, after = figures(old), figures(new)
    changes = []
    for key in list(after) + [k for k in before if k not in after]:
        was, now = before.get(key), after.get(key)
        old_value = was["value"] if was else None
        new_value = now["value"] if now else None
        if old_value != new_value:
            entry = now or was
            changes.append(
                {"key": key, "label": entry["label"], "old": old_value, "new": new_value, "measure": entry["measure"]}
            )
    return changes
