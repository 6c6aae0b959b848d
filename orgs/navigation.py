"""The site's sections: one registry that the navigation bar and the home page read.

Each app registers the sections it provides in its ``AppConfig.ready()``, so the
navigation lists only what exists and what the user's role may open.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    description: str
    permission: str | None = None
    staff_only: bool = False
    order: int = 50  # position in the top bar, lowest first

    def allows(self, user) -> bool:
        if self.staff_only and not user.is_staff:
            return False
        return self.permission is None or user.has_perm(self.permission)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.key] = section


def sections_for(user) -> list[Section]:
    if not user.is_authenticated:
        return []
    return sorted((s for s in _SECTIONS.values() if s.allows(user)), key=lambda s: s.order)


_HOMES: dict[str, str] = {}


def register_home(role: str, url_name: str) -> None:
    """Where users of ``role`` land after signing in (the officer's home is their queue)."""
    _HOMES[role] = url_name


def home_for(user) -> str | None:
    return _HOMES.get(getattr(user, "role", ""))
