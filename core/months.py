"""Calendar months (domain.md §3, "month arithmetic"): a death on 31 January is a month old on
28 February (29 in a leap year); a review is within 12 months when it is before the first
anniversary of the death."""

import calendar
from datetime import date


def months_later(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier, when negative), on the
    month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_since(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (0 when `end` is not later)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if months_later(start, months) > end:
        months -= 1
    return months
