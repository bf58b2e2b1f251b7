"""Day helpers shared by the control modules and the stages that read the timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

#: ``valid_to`` of an open interval, in day numbers (``date.toordinal``).
OPEN = np.iinfo(np.int64).max


def opt(value: Any) -> Any:
    """None for a missing value (pandas gives NaN)."""
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def to_date(value: Any) -> date | None:
    """A python ``date`` from a date, timestamp or ISO string; None for a missing or unreadable value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # datetime -> date
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def day_number(d: date | str | None) -> int:
    """``date.toordinal`` of a day; :data:`OPEN` for None (an open end)."""
    if d is None:
        return OPEN
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    elif isinstance(d, pd.Timestamp):
        d = d.date()
    return d.toordinal()


def as_date(d: date | str | pd.Timestamp) -> date:
    """A python ``date`` from a date, timestamp or ISO string (raises on a bad string)."""
    if isinstance(d, str):
        return date.fromisoformat(d[:10])
    if isinstance(d, pd.Timestamp):
        return d.date()
    return d if type(d) is date else d.date()
