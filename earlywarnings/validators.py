"""Checks of the personal data a warning task carries (never logged, never echoed in errors)."""

import re
from operator import mul

from django.core.exceptions import ValidationError

PHONE = re.compile(r"^1[3-9]\d{9}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def normalize_phone(value: str) -> str:
    """Drop spaces, dashes and a +86 / 0086 prefix: 138 0013 8000 → 13800138000."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_mainland_phone(value: str) -> None:
    if value and not PHONE.match(value):
        raise ValidationError("手机号须为 11 位中国大陆手机号（1 开头）。")


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(map(mul, map(int, first17), ID_WEIGHTS)) % 11]


def validate_id_number(value: str) -> None:
    """An 18-character resident ID: 17 digits and a check digit (0-9 or X, GB 11643)."""
    if not value:
        return
    value = value.upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError("身份证号须为 18 位（17 位数字加 1 位校验码）。")
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError("身份证号校验码不正确。")
