"""The default handling deadlines per risk level (seed 003: hours for 高, tens of hours
for 中, days for 低), and reading the current policy."""

import datetime as dt

DEFAULT_DEADLINES = {  # level: (minutes to sign, minutes to handle)
    "high": (10, 120),
    "medium": (60, 24 * 60),
    "low": (4 * 60, 3 * 24 * 60),
}


def deadline_policy_seed(policy_model) -> None:
    for level, (sign, handle) in DEFAULT_DEADLINES.items():
        policy_model.objects.get_or_create(level=level, defaults={"sign_minutes": sign, "handle_minutes": handle})


def deadlines_for(level: str, issued_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(sign by, handle by) for a task of ``level`` issued at ``issued_at``, under the
    policy in force now (the admin may have changed it; the task keeps what it got)."""
    from earlywarnings.models import DeadlinePolicy

    policy = DeadlinePolicy.objects.filter(level=level).first()
    sign, handle = (policy.sign_minutes, policy.handle_minutes) if policy else DEFAULT_DEADLINES[level]
    return issued_at + dt.timedelta(minutes=sign), issued_at + dt.timedelta(minutes=handle)
