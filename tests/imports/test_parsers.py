import datetime as dt
from decimal import Decimal

import pytest

from imports.parsers import CellError, parse_bool, parse_count, parse_date, parse_datetime, parse_money

D = dt.date(2024, 5, 31)


@pytest.mark.parametrize(
    "value",
    ["2024-05-31", "2024/5/31", "2024/05/31", "2024年5月31日", "2024年05月31日", "20240531", "2024.5.31",
     "２０２４－０５－３１", " 2024-05-31 ", "2024-05-31 00:00:00", 45443, 45443.0, "45443",
     dt.datetime(2024, 5, 31, 14, 0), D],
)  # fmt: skip
def test_every_date_form_reads_as_the_same_day(value):
    assert parse_date(value) == D


@pytest.mark.parametrize("value", ["2024-02-30", "2024/13/1", "31/05/2024", "五月", "2024-5", "0"])
def test_impossible_or_unknown_dates_are_refused_in_chinese(value):
    with pytest.raises(CellError) as exc:
        parse_date(value)
    assert "日期" in exc.value.reason


def test_datetimes_are_shanghai_time():
    value = parse_datetime("2024/5/31 08:05")
    assert (value.hour, value.minute, value.utcoffset()) == (8, 5, dt.timedelta(hours=8))
    assert parse_datetime("2024年5月31日 23:59:30").second == 30
    assert parse_datetime("20240531").hour == 0
    with pytest.raises(CellError):
        parse_datetime("2024-05-31 25:00")


@pytest.mark.parametrize(
    ("value", "yuan"),
    [("1234.5", "1234.50"), ("1,234.50", "1234.50"), ("12.3万", "123000.00"), ("12.3万元", "123000.00"),
     ("800元", "800.00"), ("１２３４", "1234.00"), (1234.5, "1234.50"), (0, "0.00"), ("0.005", "0.01"),
     ("¥1,000", "1000.00")],
)  # fmt: skip
def test_every_money_form(value, yuan):
    assert parse_money(value) == Decimal(yuan)


@pytest.mark.parametrize(("value", "reason"), [("-5", "负数"), ("abc", "数字"), ("1e99", "数字"),
                                               ("99999999999999", "范围"), (True, "数字")])  # fmt: skip
def test_bad_money_is_refused(value, reason):
    with pytest.raises(CellError) as exc:
        parse_money(value)
    assert reason in exc.value.reason


@pytest.mark.parametrize("value", ["是", "Y", "y", "1", "true", "TRUE", "yes", 1, True])
def test_yes_forms(value):
    assert parse_bool(value) is True


@pytest.mark.parametrize("value", ["否", "N", "0", "false", "no", 0, False])
def test_no_forms(value):
    assert parse_bool(value) is False


def test_a_maybe_is_refused():
    with pytest.raises(CellError, match="是/否"):
        parse_bool("可能")


def test_counts():
    assert parse_count("3") == 3
    assert parse_count(2.0) == 2
    for bad in ("-1", "1.5", "三"):
        with pytest.raises(CellError):
            parse_count(bad)
