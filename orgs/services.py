"""Writes to the unit tree and users: the only place their state changes."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from orgs.errors import DomainError
from orgs.models import Unit, User
from orgs.roles import Role


class OrgsError(DomainError):
    """A mistake in creating a unit or a user."""


@transaction.atomic
def user_create(
    *, username: str, unit_code: str, role: str, password: str, check_password: bool = True, **fields
) -> User:
    """Create a user in a unit with a role. Refuses an unknown unit or role, a taken
    user name, and (unless ``check_password`` is off) a weak password."""
    if role not in Role.values:
        choices = "、".join(f"{r.value}（{r.label}）" for r in Role)
        raise OrgsError(f"未知角色“{role}”。可选：{choices}。")
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise OrgsError(f"单位编码“{unit_code}”不存在。")
    if User.objects.filter(username=username).exists():
        raise OrgsError(f"用户名“{username}”已被使用。")
    user = User(username=username, unit=unit, role=role, **fields)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise OrgsError("密码不符合要求：" + " ".join(exc.messages)) from exc
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
