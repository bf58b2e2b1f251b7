"""How the reports say dates, areas, sides and states (used by the summary and the templates alike)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from tracker import vocab

_RLM_ISOLATE = ("\u2067", "\u2069")  # RIGHT-TO-LEFT ISOLATE ... POP DIRECTIONAL ISOLATE
_ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def missing(value: Any) -> bool:
    """None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_day(day: dt.date | None) -> str:
    """``12 October 2017``; empty for None."""
    return "" if day is None else f"{day.day} {day:%B %Y}"


def fmt_short(day: dt.date | None) -> str:
    """``Thu 12 Oct``; empty for None."""
    return "" if day is None else f"{day:%a} {day.day} {day:%b}"


def fmt_range(start: dt.date, end: dt.date) -> str:
    """``9–15 October 2017``, ``25 September – 1 October 2017``, ``25 December 2017 – 1 January 2018``."""
    if start.year != end.year:
        return f"{fmt_day(start)} – {fmt_day(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%B} – {fmt_day(end)}"
    return f"{start.day}–{fmt_day(end)}"


def fmt_km2(value: float | None) -> str:
    """``12,340 km²``; ``n/a`` for None."""
    return "n/a" if missing(value) else f"{value:,.0f} km²"


def fmt_pct(value: float | None) -> str:
    """``85%``; empty for None."""
    return "" if missing(value) else f"{float(value):.0%}"


def fmt_signed_km2(value: float | None) -> str:
    """``+120 km²``, ``−35 km²`` (a true minus sign), ``no change``."""
    if missing(value):
        return "n/a"
    if round(value) == 0:
        return "no change"
    return f"{'+' if value > 0 else '−'}{abs(value):,.0f} km²"


def known(side: str | None) -> bool:
    """A named side (not None, not ``unknown``)."""
    return bool(side) and side != "unknown"


def side_label(side: str | None) -> str:
    """The side's label; ``a|b`` (contested) as ``A / B``; ``unknown`` for None."""
    if not side:
        return "unknown"
    return " / ".join(vocab.side_label(s) for s in str(side).split("|") if s)


def side_colour(side: str | None) -> str:
    """The colour of a side (of the holder, for ``a|b``)."""
    return vocab.side_colour(str(side).split("|")[0]) if side else vocab.side_colour("unknown")


def state_label(side: str | None, status: str | None = "held", other: str | None = None) -> str:
    """How a place stands, in words: ``Islamic State, contested by Syrian government``."""
    if side and "|" in side and not other:
        side, other = side.split("|", 1)
    holder = side_label(side)
    if status in {"contested", "besieged"}:  # the holder first (when known), then who fights for it
        by = f" by {side_label(other)}" if other else ""
        return f"{status}{by}" if not known(side) else f"{holder}, {status}{by}"
    if status == "inferred":
        return f"probably {holder}"
    if status == "claimed":
        return f"{holder} (claimed)"
    return holder


def is_rtl(text: str | None) -> bool:
    """Whether the text is written in Arabic script (Arabic or Persian)."""
    return bool(text) and bool(_ARABIC_LETTERS.search(text))


def isolate(text: str | None) -> str:
    """Arabic inside an English line wrapped in a right-to-left isolate, so words and punctuation stay in order."""
    text = text or ""
    return f"{_RLM_ISOLATE[0]}{text}{_RLM_ISOLATE[1]}" if is_rtl(text) else text


def title(region_label: str, year: int, week: int, start: dt.date, end: dt.date) -> str:
    """``Syria: situation report, week 41 of 2017 (9–15 October 2017)``."""
    return f"{region_label}: situation report, week {week} of {year} ({fmt_range(start, end)})"
