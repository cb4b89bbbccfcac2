"""Working days: weekends and the bank holidays of England and Wales, from the holidays library."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.working_days import (
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        pytest.param(date(2026, 11, 27), 1, date(2026, 11, 30), id="friday_to_monday"),
        # Christmas Day is a Friday and Boxing Day a Saturday: its substitute is Monday 28th.
        pytest.param(date(2026, 12, 24), 1, date(2026, 12, 29), id="christmas_2026"),
        # Good Friday 26 March 2027 and Easter Monday 29 March.
        pytest.param(date(2027, 3, 25), 1, date(2027, 3, 30), id="easter_2027"),
        pytest.param(date(2026, 5, 1), 1, date(2026, 5, 5), id="early_may_bank_holiday"),
        # The panel's default allowance across Christmas and New Year.
        pytest.param(date(2025, 12, 15), 15, date(2026, 1, 8), id="fifteen_days_over_christmas"),
    ],
)
def test_it_counts_working_days_past_weekends_and_bank_holidays(start, days, due):
    assert add_working_days(start, days) == due


def test_only_englands_bank_holidays_count():
    assert is_working_day(date(2026, 1, 2))  # a bank holiday in Scotland, not in England
    assert is_working_day(date(2025, 8, 4))  # Scotland's summer bank holiday
    assert not is_working_day(date(2025, 8, 25))  # England's
    assert not is_working_day(date(2026, 12, 28))  # the substitute for Boxing Day


def test_the_next_working_day_and_the_days_between():
    assert next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)  # New Year's Day, weekend
    assert working_days_between(date(2025, 12, 15), date(2026, 1, 8)) == 15
    assert working_days_between(date(2026, 1, 8), date(2025, 12, 15)) == -15
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 29)) == 0  # a weekend


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31)),
    span=st.integers(min_value=-800, max_value=800),
)
def test_it_counts_working_days_between_as_walking_day_by_day_would(start, span):
    end = start + timedelta(days=span)
    walked, day = 0, min(start, end)
    while day < max(start, end):
        day += timedelta(days=1)
        walked += is_working_day(day)
    assert working_days_between(start, end) == (walked if span >= 0 else -walked)
