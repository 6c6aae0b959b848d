"""Cells for CSV / XLSX files people open in Excel or WPS."""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?$")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula (=, +, -, @ …) gets a leading
    apostrophe, so an exported ``=HYPERLINK(...)`` stays text. A plain number such as
    ``-5`` is left alone: it cannot run, and the reader should see it as written."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value
