import pytest

from orgs.spreadsheets import safe_cell


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x","点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1"])
def test_formulas_become_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-5", "+12.50", "-1,234.5", "幸福社区", "", 42, None])
def test_plain_values_pass_through(value):
    assert safe_cell(value) == value
