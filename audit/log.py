"""``record(act, …)``: the one way the code writes the audit log."""

from __future__ import annotations

from django.db import models

from audit.models import Act, AuditEvent


def client_ip(request) -> str | None:
    """The client's address as the server saw it (REMOTE_ADDR; a trusted proxy sets it)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def record(
    act: Act,
    *,
    request=None,
    user=None,
    username: str = "",
    target: models.Model | None = None,
    label: str = "",
    reason: str = "",
    **detail,
) -> AuditEvent:
    """Append one event. ``target`` names the record acted on (by type, id and ``label`` or its
    str()); ``detail`` holds small facts (counts, formats) — never personal data."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        act=act,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip=client_ip(request),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target=(label or (str(target) if target is not None else ""))[:200],
        reason=reason[:200],
        detail=detail,
    )
