"""Cell values from upstream exports into Python values, with a Chinese reason when not.

Exports come from several platforms and from people re-typing in Excel, so each parser
accepts every form DATA.md lists: dates as ``2024-05-31``, ``2024/5/31``,
``2024年5月31日``, ``20240531`` or an Excel serial; money as ``1,234.50``, ``12.3万``,
``12.3万元``; yes/no as 是/否, Y/N, 1/0, true/false. Full-width characters are folded.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_MONEY = Decimal("999999999999.99")  # fits DecimalField(14, 2)
CENT = Decimal("0.01")


class CellError(ValueError):
    """A value that cannot be read; ``reason`` is shown to the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def fold(value: str) -> str:
    """Full-width to half-width (ＡＢＣ１２３，：→ ABC123,:) and trimmed."""
    return unicodedata.normalize("NFKC", value).strip()


def as_text(value) -> str:
    """Any cell as trimmed text; whole numbers from Excel lose their ``.0``."""
    if type(value) is str:  # CSV cells: nearly every call
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def is_blank(value) -> bool:
    if type(value) is str:
        return not value or value.isspace()
    return as_text(value) == ""


DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_CANONICAL = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\Z", re.ASCII)
TIME_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _date_from_parts(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise CellError("日期不存在（请检查年月日）") from exc


def _excel_serial(number: float) -> dt.date:
    if not 1 <= number < 2958466:
        raise CellError("不是有效的 Excel 日期序号")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value)
    text = fold(as_text(value))
    if not text:
        raise CellError("日期为空")
    date_part = text.split(" ")[0].split("T")[0]
    for pattern in DATE_PATTERNS:
        match = pattern.match(date_part)
        if match:
            return _date_from_parts(*match.groups())
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _excel_serial(float(text))
    raise CellError("无法识别的日期格式（可用 2024-05-31、2024/5/31、2024年5月31日、20240531）")


def parse_datetime(value) -> dt.datetime:
    """A date with an optional `` HH:MM[:SS]``, in Asia/Shanghai."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    if isinstance(value, int | float) and not isinstance(value, bool):
        day = _excel_serial(value)
        seconds = round((value - int(value)) * 86400)
        return dt.datetime.combine(day, dt.time(), SHANGHAI) + dt.timedelta(seconds=seconds)
    text = as_text(value)
    if len(text) == 19 and _CANONICAL.match(text):  # 2024-05-31 14:03:09, what platforms export
        try:
            return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)
        except ValueError:
            pass  # the slow road names what is wrong
    text = fold(text).replace("T", " ")
    date_text, _, time_text = text.partition(" ")
    day = parse_date(date_text)
    clock = dt.time()
    if time_text.strip():
        match = TIME_PATTERN.match(time_text.strip())
        if not match:
            raise CellError("无法识别的时间（可用 HH:MM 或 HH:MM:SS）")
        hour, minute, second = (int(g or 0) for g in match.groups())
        try:
            clock = dt.time(hour, minute, second)
        except ValueError as exc:
            raise CellError("时间不存在") from exc
    return dt.datetime.combine(day, clock, SHANGHAI)


def parse_money(value) -> Decimal:
    """Yuan, two decimals, ≥ 0."""
    if isinstance(value, bool):
        raise CellError("金额必须是数字")
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        text = fold(as_text(value)).replace(",", "").replace("¥", "").replace(" ", "")
        multiplier = Decimal(1)
        if text.endswith("元"):
            text = text[:-1]
        if text.endswith("万"):
            text, multiplier = text[:-1], Decimal(10000)
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise CellError("金额必须是数字（可用 1234.5、1,234.50、12.3万、12.3万元）")
        amount = Decimal(text) * multiplier
    try:
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise CellError("金额超出范围") from exc
    if amount < 0:
        raise CellError("金额不能为负数")
    if amount > MAX_MONEY:
        raise CellError("金额超出范围")
    return amount


YES = {"是", "y", "yes", "1", "true", "t", "对", "有"}
NO = {"否", "n", "no", "0", "false", "f", "不", "无"}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(as_text(value)).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError("须为 是/否（也可用 Y/N、1/0、true/false）")


def parse_count(value, *, maximum: int = 1_000_000) -> int:
    """A whole number 0…maximum."""
    if isinstance(value, bool):
        raise CellError("须为整数")
    text = fold(as_text(value)).replace(",", "")
    if not re.fullmatch(r"\d+(\.0+)?", text):
        raise CellError("须为不小于 0 的整数")
    number = int(Decimal(text))
    if number > maximum:
        raise CellError(f"不能大于 {maximum}")
    return number


def parse_text(value, *, max_length: int) -> str:
    text = as_text(value)
    if len(text) > max_length:
        raise CellError(f"内容过长（最多 {max_length} 个字）")
    return text


def choice_parser(mapping: dict[str, str], *, what: str):
    """A parser for a fixed vocabulary: Chinese labels and English codes alike."""
    folded = {fold(k).lower(): v for k, v in mapping.items()}

    def parse(value) -> str:
        text = as_text(value)
        if text in folded:  # as written: no folding needed
            return folded[text]
        text = fold(text).lower()
        if text in folded:
            return folded[text]
        allowed = " / ".join(dict.fromkeys(k for k in mapping if not k.isascii()))
        raise CellError(f"未知的{what}（可用 {allowed}）")

    return parse
