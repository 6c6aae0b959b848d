"""How a warning task reads on screen: the subject's personal data masked (张*,
138****8000) and the deadline as a countdown ("剩余 1:23:45" / "已超期 0:12:03").

The queue's script (static/js/queue.js) keeps the countdown running in the browser with
the same wording and colours; what is rendered here is the page as it left the server.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from orgs import privacy

register = template.Library()

# Red from this much time left: the last quarter of an hour before a deadline.
RED_BEFORE = dt.timedelta(minutes=15)


@register.filter
def mask_name(value: str) -> str:
    return privacy.mask_name(value) or "—"


@register.filter
def mask_phone(value: str) -> str:
    return privacy.mask_phone(value) or "—"


@register.filter
def mask_id_no(value: str) -> str:
    return privacy.mask_id_number(value) or "—"


def clock(delta: dt.timedelta) -> str:
    """A duration as H:MM:SS, with days in front past a day: 1:23:45, 2天 3:04:05."""
    seconds = int(abs(delta.total_seconds()))
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{days}天 {text}" if days else text


def countdown_parts(deadline: dt.datetime | None, start: dt.datetime, now: dt.datetime) -> tuple[str, str]:
    """(text, colour) of a deadline seen at ``now``: green while more than half the time
    is left, red in the last 15 minutes and once overdue, amber in between."""
    if deadline is None:
        return "", ""
    left = deadline - now
    if left.total_seconds() < 0:
        return f"已超期 {clock(left)}", "red"
    if left < RED_BEFORE:
        return f"剩余 {clock(left)}", "red"
    span = (deadline - start).total_seconds()
    if span > 0 and left.total_seconds() / span > 0.5:
        return f"剩余 {clock(left)}", "green"
    return f"剩余 {clock(left)}", "amber"


@register.simple_tag
def countdown(task, now=None) -> dict:
    """The task's current deadline as {"deadline", "start", "text", "colour", "stage"}."""
    now = now or timezone.now()
    deadline = task.current_deadline()
    text, colour = countdown_parts(deadline, task.issued_at, now)
    stage = "签收" if task.status == "pending" and deadline == task.sign_deadline else "处置"
    return {"deadline": deadline, "start": task.issued_at, "text": text, "colour": colour, "stage": stage}


@register.filter
def duration(delta: dt.timedelta | None) -> str:
    """A long wait in words: 3天2小时, 5小时12分, 12分钟."""
    if delta is None:
        return "—"
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{minutes}分"
    return f"{minutes}分钟"


@register.filter
def percent(value) -> str:
    """0.875 → 87.5%; nothing to divide → —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def epoch_ms(value: dt.datetime | None) -> str:
    """A moment as milliseconds since 1970 (what the browser's countdown reads)."""
    if value is None:
        return ""
    return str(int(value.timestamp() * 1000))
