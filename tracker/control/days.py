"""Day helpers shared by the control modules and the stages that read the timeline."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

# no numpy or pandas here: a command reading one day from the stored tables imports this module and should not
# wait for them (a pandas Timestamp is a datetime, and read as one)

#: A state whose last evidence is older than this many days is stale: maps, exports and the API can say so.
STALE_DAYS: int = 120
#: ``valid_to`` of an open interval, in day numbers (``date.toordinal``): the largest int64.
OPEN = 2**63 - 1


def opt(value: Any) -> Any:
    """None for a missing value (pandas gives NaN)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def to_date(value: Any) -> date | None:
    """A python ``date`` from a date, timestamp or ISO string; None for a missing or unreadable value."""
    if value is None or type(value) is date:
        return value
    if not isinstance(value, str):
        import pandas as pd  # noqa: PLC0415 (loaded already wherever a pandas value can come from)

        if pd.isna(value):
            return None
        if isinstance(value, date):
            return value.date()  # a datetime or Timestamp
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def day_number(d: date | str | None) -> int:
    """``date.toordinal`` of a day (or a datetime's day); :data:`OPEN` for None (an open end)."""
    if d is None:
        return OPEN
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return d.toordinal()


def as_date(d: date | str) -> date:
    """A python ``date`` from a date, timestamp or ISO string (raises on a bad string)."""
    if isinstance(d, str):
        return date.fromisoformat(d[:10])
    return d if type(d) is date else d.date()


def span_check(day: date | str, start: date, last: date) -> tuple[bool, str | None]:
    """Whether anything can be said of ``day`` in a timeline from ``start`` (its baseline) whose newest evidence is
    of ``last``, and a warning when ``day`` lies outside that span.

    Before the start nothing is known: (False, why). After the last evidence the states are carried forward with a
    warning; beyond :data:`STALE_DAYS` after it every state is stale and nothing current can be said: (False, why).
    """
    d = as_date(day)
    if d < start:
        return False, f"{d} is before the timeline starts ({start}, its baseline): nothing is known of it"
    if d > last + timedelta(days=STALE_DAYS):
        return False, (f"{d} is after the last evidence ({last}) by more than {STALE_DAYS} days: every state "
                       "is stale, nothing current can be said")
    if d > last:
        return True, f"{d} is after the last evidence ({last}): states are carried forward from then"
    return True, None
