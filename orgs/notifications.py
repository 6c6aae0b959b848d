"""In-app notifications (the bell in the top bar), mailed too when mail is configured.

Sending is idempotent: a notification is one row per (user, key), so a periodic job may
send the same message on every run and each person still gets it once. Titles and
bodies name task numbers, levels, units and amounts — never the personal data of a
person at risk (name, phone, ID number): mail leaves the application.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection, send_mass_mail
from django.db import transaction
from django.utils import timezone

from orgs.models import Notification, User

log = logging.getLogger(__name__)

TITLE_MAX = Notification._meta.get_field("title").max_length
URL_MAX = Notification._meta.get_field("url").max_length


@dataclass(frozen=True)
class Message:
    """One message with its dedupe key, to each of ``users``."""

    users: tuple[User, ...]
    key: str
    title: str
    body: str = ""
    url: str = ""


def notify(*, users: Iterable[User], key: str, title: str, body: str = "", url: str = "") -> int:
    """Notify each of ``users`` once per ``key``; returns how many were new."""
    return notify_many([Message(users=tuple(users), key=key, title=title, body=body, url=url)])


def notify_many(messages: Iterable[Message]) -> int:
    """Many messages in two queries whatever their number: which (user, key) pairs
    exist already, then one insert of the rest. The insert ignores conflicts, so two
    workers sending the same message at once still leave one row per user and key."""
    wanted: dict[tuple[int, str], tuple[User, Message]] = {}
    for message in messages:
        for user in message.users:
            if user.is_active:
                wanted.setdefault((user.pk, message.key), (user, message))
    if not wanted:
        return 0
    existing = set(
        Notification.objects.filter(
            user_id__in={uid for uid, _ in wanted}, key__in={key for _, key in wanted}
        ).values_list("user_id", "key")
    )
    new = [(user, message) for pair, (user, message) in wanted.items() if pair not in existing]
    Notification.objects.bulk_create(
        [
            Notification(user=user, key=m.key, title=m.title[:TITLE_MAX], body=m.body, url=m.url[:URL_MAX])
            for user, m in new
        ],
        ignore_conflicts=True,
    )
    if settings.EMAIL_HOST:
        mails = [_mail(user, m) for user, m in new if user.email]
        if mails:
            # After commit: a run that rolls back must not have mailed anyone.
            transaction.on_commit(lambda: _send(mails))
    return len(new)


def _mail(user: User, message: Message) -> tuple[str, str, str, list[str]]:
    link = f"{settings.SITE_URL}{message.url}" if message.url else ""
    body = "\n\n".join(part for part in (message.body, link) if part)
    subject = f"[{settings.SITE_NAME}] {message.title}"
    return subject, body or message.title, settings.DEFAULT_FROM_EMAIL, [user.email]


def _send(mails: list[tuple[str, str, str, list[str]]]) -> None:
    try:
        send_mass_mail(mails, connection=get_connection(fail_silently=False))
    except (OSError, smtplib.SMTPException):
        # The notification is in the app already; a mail server being down is not a
        # reason to fail the escalation run that sent it.
        log.warning("could not mail %d notification(s)", len(mails), exc_info=True)


def notification_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read: those with ``ids``, or all of them."""
    unread = Notification.objects.filter(user=user).unread()
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
