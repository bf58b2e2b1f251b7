"""What a weekly report shows, as plain data: :class:`Sitrep` and its records, and ISO weeks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from tracker._errors import TrackerError
from tracker.sitrep import words

#: Formats a report is rendered in.
FORMATS: tuple[str, ...] = ("md", "html", "pdf")
#: Weeks shown in the chart of ground by side (this one and the ones before it).
CHART_WEEKS: int = 8
#: With more contested and besieged places than this, only the recent ones are listed; the rest are grouped.
LIST_ALL_STATES: int = 25
#: How recent (weeks before the report's week) a contested or besieged place must be to be listed alone.
RECENT_WEEKS: int = 4
#: Quotes shown per change (the most confident first).
QUOTES_PER_CHANGE: int = 2
#: How much a kind of place weighs when the summary names the week's most important changes.
FEATURE_RANK: dict[str, int] = {"city": 6, "town": 5, "military_base": 4, "airport": 4, "dam": 4, "oil_field": 4,
                                "border_crossing": 4, "village": 3, "neighbourhood": 3, "mountain": 2, "hill": 2}


class SitrepError(TrackerError):
    """A bad week, region, format or output path; the message says which."""


@dataclass
class Evidence:
    """One quote behind a change or a disputed claim."""

    claim_id: str | None
    report_id: str
    source: str | None
    published: dt.date | None
    published_estimated: bool
    lang: str | None
    quote: str
    attribution: str | None = None
    confidence: float | None = None
    actor: str | None = None
    action: str | None = None
    status: str | None = None
    kind: str | None = None  # the report's: "news" or "chronicle" (a later history: its copy date means nothing)


@dataclass
class Change:
    """One place that changed hands (or became contested or besieged) during the week."""

    day: dt.date | None
    place_id: str | None
    name_en: str
    name_ar: str
    lat: float | None
    lon: float | None
    from_side: str | None
    to_side: str | None
    status: str
    confidence: float | None
    inferred: bool = False
    other_side: str | None = None  # the attacker of a contested place, the besieger of a besieged one
    from_status: str | None = None  # how the place stood before: held, contested, besieged
    feature_type: str | None = None
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def weight(self) -> tuple:
        """Sort key, most important first: cities before towns before villages, then the most confident."""
        return (-FEATURE_RANK.get(self.feature_type or "", 1), -(self.confidence or 0))


@dataclass
class AreaRow:
    """Ground held by one side at the start and the end of the week (km²)."""

    side: str
    start_km2: float | None
    end_km2: float | None

    @property
    def change_km2(self) -> float | None:
        """End minus start; None when either is unknown."""
        if self.start_km2 is None or self.end_km2 is None:
            return None
        return self.end_km2 - self.start_km2


@dataclass
class PlaceState:
    """A place contested or besieged at the end of the week."""

    place_id: str | None
    name_en: str
    name_ar: str
    status: str
    side: str | None
    other_side: str | None
    since: dt.date | None
    feature_type: str | None = None


@dataclass
class StandingGroup:
    """Places long in one state (contested or besieged, by the same sides), counted rather than listed."""

    status: str
    side: str | None
    other_side: str | None
    count: int
    examples: list[str]
    since: dt.date | None


@dataclass
class Disputed:
    """A refuted claim, or claims that contradict each other."""

    kind: str  # "refuted" | "conflict"
    day: dt.date | None
    place: str
    place_ar: str
    description: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class ReportUsed:
    """One report read for the week."""

    report_id: str
    version: int
    published: dt.date | None
    published_estimated: bool
    published_basis: str | None
    kind: str | None
    source: str | None
    lang: str | None
    title: str | None
    claims: int
    supports_changes: bool


@dataclass
class Sitrep:
    """Everything one weekly report shows, as plain data (no formatting).

    Attributes
    ----------
    year, week : int
        The ISO week.
    start, end : date
        Its Monday and Sunday.
    region, region_label : str
        The region's name (file names) and how titles call it.
    changes : list of Change
        Control changes during the week, by day.
    areas : list of AreaRow
        Ground per side at the start and end (empty when no area data exist).
    area_note : str
        What the area figures cover (the region, or all of Syria when no per-region figures exist).
    contested, besieged : list of PlaceState
        Places in those states at the end of the week, listed one by one: all of them when few, else those
        whose state began in the last :data:`RECENT_WEEKS` weeks.
    standing : list of StandingGroup
        The other contested and besieged places, grouped by state and sides.
    disputed : list of Disputed
        Refuted or conflicting claims dated in the week.
    reports : list of ReportUsed
        Reports published in the week, or whose claims are dated in it.
    summary : str
        A paragraph written from the figures above.
    notes : list of str
        Caveats a reader needs (estimated dates, a week outside the timeline).
    outside_data : str
        Why the week lies outside the control timeline (before its baseline, after its last evidence); empty
        when it lies within (:attr:`in_span`).
    map_png, detail_png, chart_png : bytes or None
        The end-of-week map with the week's changes highlighted, a close-up of where they are (Syria-wide
        reports), and the chart of ground by side.
    chart_svg : bytes or None
        The chart as SVG (vector: what the PDF prints).
    area_history : DataFrame
        ``week_end``, ``side``, ``km2`` behind the chart.
    generated : datetime
        When the report was built (UTC).
    """

    year: int
    week: int
    start: dt.date
    end: dt.date
    region: str = "syria"
    region_label: str = "Syria"
    changes: list[Change] = field(default_factory=list)
    areas: list[AreaRow] = field(default_factory=list)
    area_note: str = ""
    contested: list[PlaceState] = field(default_factory=list)
    besieged: list[PlaceState] = field(default_factory=list)
    standing: list[StandingGroup] = field(default_factory=list)
    disputed: list[Disputed] = field(default_factory=list)
    reports: list[ReportUsed] = field(default_factory=list)
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    outside_data: str = ""
    map_png: bytes | None = None
    detail_png: bytes | None = None
    chart_png: bytes | None = None
    chart_svg: bytes | None = None
    area_history: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["week_end", "side", "km2"]))
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).replace(microsecond=0))

    @property
    def week_id(self) -> str:
        """``2017-W41``."""
        return f"{self.year}-W{self.week:02d}"

    @property
    def stem(self) -> str:
        """File name without suffix: ``2017-W41`` for Syria, ``2017-W41-deir-ez-zor`` for a region."""
        return self.week_id if self.region == "syria" else f"{self.week_id}-{self.region}"

    @property
    def in_span(self) -> bool:
        """Whether the week lies within the control timeline (from its baseline to its last evidence)."""
        return not self.outside_data

    @property
    def title(self) -> str:
        """``Syria: situation report, week 41 of 2017 (9–15 October 2017)``."""
        return words.title(self.region_label, self.year, self.week, self.start, self.end)


# --- weeks -------------------------------------------------------------------------------------------------

_WEEK_RE = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


def parse_week(text: str) -> tuple[int, int]:
    """``"2017-W41"`` (or ``2017W41``) -> ``(2017, 41)``.

    Raises
    ------
    SitrepError
        When the text is not an ISO week, or the year has no such week.
    """
    match = _WEEK_RE.match(str(text))
    if not match:
        raise SitrepError(f"--week wants an ISO week such as 2017-W41, got {text!r}")
    year, week = int(match.group(1)), int(match.group(2))
    weeks_in_year = dt.date(year, 12, 28).isocalendar()[1]  # 28 December is always in the year's last week
    if not 1 <= week <= weeks_in_year:
        raise SitrepError(f"--week {text!r}: {year} has ISO weeks 1 to {weeks_in_year}")
    return year, week


def week_bounds(year: int, week: int) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of an ISO week."""
    monday = dt.date.fromisocalendar(year, week, 1)
    return monday, monday + dt.timedelta(days=6)


def week_of(day: dt.date) -> str:
    """``2017-W41`` for any day of that ISO week."""
    iso = day.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


def weeks_between(start: dt.date, end: dt.date) -> list[str]:
    """Every ISO week touching ``start``..``end``, in order."""
    if end < start:
        raise SitrepError(f"the end {end} is before the start {start}")
    first = start - dt.timedelta(days=start.weekday())
    return [week_of(first + dt.timedelta(weeks=k)) for k in range((end - first).days // 7 + 1)]
