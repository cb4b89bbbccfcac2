"""Working days in England: Monday to Friday, less the bank holidays of England and Wales.

The bank holidays come from the `holidays` library (its England subdivision of the United
Kingdom), which carries the dates in the package and needs no network; a substitute day for a
holiday on a weekend is a holiday too. Maintained upstream, so a new bank holiday (a coronation,
a jubilee) arrives with an upgrade, not by editing a list here.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after `start` (`start` itself is not counted:
    a request sent on a Friday with 1 day allowed is due on Monday)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def next_working_day(day: date) -> date:
    return add_working_days(day, 1)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before.
    Counted, not walked: a list shows it for every row, however long overdue."""
    if end < start:
        return -working_days_between(end, start)
    weeks, rest = divmod((end - start).days, 7)
    first = start.weekday()
    count = weeks * 5 + sum((first + n) % 7 < 5 for n in range(1, rest + 1))
    for year in range(start.year, end.year + 1):
        count -= sum(start < day <= end and day.weekday() < 5 for day in _bank_holidays(year))
    return count


def due_in_words(today: date, due_on: date) -> str:
    """ "3 working days left", "Due today" or "2 working days overdue"."""
    left = working_days_between(today, due_on)
    if left == 0:
        return "Due today"
    if left > 0:
        return f"{left} working day{'s' if left != 1 else ''} left"
    return f"{-left} working day{'s' if left != -1 else ''} overdue"
