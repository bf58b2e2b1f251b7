"""Weekly situation reports: ``tracker sitrep --week 2017-W41``.

A report is built in two steps. :func:`gather` reads one ISO week from the database into a plain
:class:`Sitrep` (control changes with the quotes behind them, ground held by each side, contested and besieged
places, disputed claims, the reports used, a map and a chart as PNG bytes, and a summary written from those
figures). :func:`render` turns a :class:`Sitrep` into Markdown, self-contained HTML or PDF through the Jinja2
templates in ``tracker/templates``; :func:`write` puts it on disk atomically.

Where the data come from
------------------------
The control stage's tables when they exist (``control_events``, ``places``, ``control_intervals``,
``faction_area``, ``conflicts``: see ``docs/schema.md``); otherwise the ``claims`` table alone, in which case
the report says that its changes are the reports' claims, not yet checked against a control timeline. Column
names are looked up rather than assumed, so a renamed column degrades one section, not the whole report.

Public functions
----------------
- :func:`parse_week` ``("2017-W41") -> (year, week)``
- :func:`week_bounds` ``(year, week) -> (monday, sunday)``
- :func:`gather` ``(con, week, region=None) -> Sitrep``
- :func:`render` ``(sitrep, fmt) -> str | bytes``
- :func:`write` ``(sitrep, fmt, out=None) -> list[Path]``
- :func:`weeks_covered` ``(con) -> list[str]``
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from tracker import settings, vocab
from tracker._errors import TrackerError
from tracker.fileio import write_atomic

#: Formats :func:`render` knows.
FORMATS: tuple[str, ...] = ("md", "html", "pdf")
#: Weeks shown in the chart of ground by side (this one and the ones before it).
CHART_WEEKS: int = 8
#: With more contested and besieged places than this, only the recent ones are listed; the rest are grouped.
LIST_ALL_STATES: int = 25
#: How recent (weeks before the report's week) a contested or besieged place must be to be listed alone.
RECENT_WEEKS: int = 4
#: Quotes shown per change (the most confident first).
QUOTES_PER_CHANGE: int = 2
#: Sides whose ground is never tabulated: they act but rarely hold ground on their own.
_NO_GROUND: frozenset[str] = frozenset({"russia", "coalition", "pmf"})
_RLM_ISOLATE = ("\u2067", "\u2069")  # RIGHT-TO-LEFT ISOLATE ... POP DIRECTIONAL ISOLATE
_ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


class SitrepError(TrackerError):
    """A bad week, region, format or output path; the message says which."""


# --- records --------------------------------------------------------------------------------------------

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
    population: float | None = None
    feature_type: str | None = None
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def weight(self) -> tuple:
        """Sort key, most important first: cities before towns before villages, then population, confidence."""
        return (-_FEATURE_RANK.get(self.feature_type or "", 1), -(self.population or 0), -(self.confidence or 0))


#: How much a kind of place weighs when the summary names the week's most important changes.
_FEATURE_RANK: dict[str, int] = {"city": 6, "town": 5, "military_base": 4, "airport": 4, "dam": 4, "oil_field": 4,
                                 "border_crossing": 4, "village": 3, "neighbourhood": 3, "mountain": 2, "hill": 2}


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
    data_basis : str
        ``control`` (the control stage's tables) or ``claims`` (claims only: no control timeline yet).
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
        Caveats a reader needs (estimated dates, missing stages).
    map_png, detail_png, chart_png : bytes or None
        The end-of-week map with the week's changes highlighted, a close-up of where they are (Syria-wide
        reports), and the chart of ground by side.
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
    data_basis: str = "control"
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
    map_png: bytes | None = None
    detail_png: bytes | None = None
    chart_png: bytes | None = None
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
    def title(self) -> str:
        """``Syria: situation report, week 41 of 2017 (9–15 October 2017)``."""
        return f"{self.region_label}: situation report, week {self.week} of {self.year} ({fmt_range(self.start, self.end)})"


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


# --- formatting helpers (used by the templates too) -------------------------------------------------------

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
    return "n/a" if value is None or _isnan(value) else f"{value:,.0f} km²"


def fmt_pct(value: float | None) -> str:
    """``85%``; empty for None."""
    return "" if value is None or _isnan(value) else f"{float(value):.0%}"


def fmt_signed_km2(value: float | None) -> str:
    """``+120 km²``, ``−35 km²`` (a true minus sign), ``no change``."""
    if value is None or _isnan(value):
        return "n/a"
    if round(value) == 0:
        return "no change"
    return f"{'+' if value > 0 else '−'}{abs(value):,.0f} km²"


def side_label(side: str | None) -> str:
    """The side's label; ``a|b`` (contested) as ``A / B``; ``unknown`` for None."""
    if not side:
        return "unknown"
    return " / ".join(vocab.side_label(s) for s in str(side).split("|") if s)


def state_label(side: str | None, status: str | None = "held", other: str | None = None) -> str:
    """How a place stands, in words: ``Islamic State, contested by Syrian government``."""
    if side and "|" in side and not other:
        side, other = side.split("|", 1)
    holder = side_label(side)
    if status in {"contested", "besieged"}:  # the holder first (when known), then who fights for it
        by = f" by {side_label(other)}" if other else ""
        return f"{status}{by}" if not _known(side) else f"{holder}, {status}{by}"
    if status == "inferred":
        return f"probably {holder}"
    if status == "claimed":
        return f"{holder} (claimed)"
    return holder


def is_rtl(text: str | None) -> bool:
    """Whether the text is written in Arabic script (Arabic or Persian)."""
    return bool(text) and bool(_ARABIC_LETTERS.search(text))


def _isnan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _clean(value: Any) -> Any:
    # pandas hands back NaN/NaT/NA for SQL NULL
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _as_date(value: Any) -> dt.date | None:
    value = _clean(value)
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _str(value: Any) -> str:
    value = _clean(value)
    return "" if value is None else str(value)


# --- the database, looked at rather than assumed ----------------------------------------------------------

def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _pick(columns: Sequence[str], *candidates: str) -> str | None:
    for name in candidates:
        if name in columns:
            return name
    return None


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- places ----------------------------------------------------------------------------------------------

def _places(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> pd.DataFrame:
    """Names, coordinates and population of the given places, from the ``places`` table when it exists."""
    ids = sorted({i for i in ids if i})
    cols = _columns(con, "places")
    if not ids or not cols:
        return pd.DataFrame(columns=["place_id", "name_en", "name_ar", "lat", "lon", "population", "feature_type"])
    pid = _pick(cols, "place_id", "id")
    parts = [f"{_q(pid)} AS place_id"]
    for out, cands in (("name_en", ("name_en", "name")), ("name_ar", ("name_ar",)), ("lat", ("lat",)),
                       ("lon", ("lon", "lng")), ("population", ("population",)),
                       ("feature_type", ("feature_type",))):
        col = _pick(cols, *cands)
        parts.append(f"{_q(col)} AS {out}" if col else f"NULL AS {out}")
    return _df(con, f"SELECT {', '.join(parts)} FROM places WHERE {_q(pid)} IN (SELECT unnest(?))", [ids])


# --- claims ----------------------------------------------------------------------------------------------

_CLAIM_COLUMNS = ("c.claim_id, c.report_id, c.actor, c.action, c.status, c.place_text, c.place_id, c.place_name, "
                  "c.lat, c.lon, c.date, c.quote, c.attribution, c.source, c.lang, c.published, c.confidence, "
                  "c.opponent")


def _claims_in(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Claims dated in the week (by their own date, else their report's publication)."""
    return _df(con, f"""
        SELECT {_CLAIM_COLUMNS}, r.path, r.published_precision, r.kind
        FROM claims c LEFT JOIN reports r ON r.report_id = c.report_id AND r.version = c.report_version
        WHERE coalesce(c.date, c.published) BETWEEN ? AND ?
        ORDER BY coalesce(c.date, c.published), c.report_id, c.quote_start""", [start, end])


def _claims_by_id(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> pd.DataFrame:
    ids = sorted({i for i in ids if i})
    if not ids:
        return pd.DataFrame()
    return _df(con, f"""
        SELECT {_CLAIM_COLUMNS}, r.path, r.published_precision, r.kind
        FROM claims c LEFT JOIN reports r ON r.report_id = c.report_id AND r.version = c.report_version
        WHERE c.claim_id IN (SELECT unnest(?))""", [ids])


@lru_cache(maxsize=64)
def _meta_lines(meta_path: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    try:
        with open(meta_path, encoding="utf-8") as f:
            for line in f:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict) and record.get("id") is not None:
                    out[str(record["id"])] = record
    except OSError:
        pass
    return out


def published_basis(path: str | None, report_id: str) -> str | None:
    """How the input dated a report (``published_basis`` in the ``meta.jsonl`` beside it), if it says.

    The seeds' publication dates are estimates from their content; the basis says so, and the report shows it.
    """
    if not path:
        return None
    record = _meta_lines(str(Path(path).parent / "meta.jsonl")).get(report_id)
    basis = record.get("published_basis") if record else None
    return str(basis) if basis else None


def _is_estimated(basis: str | None, precision: str | None) -> bool:
    return (basis or "").lower().startswith("estimat") or (precision or "day") != "day"


def _evidence(row: Any) -> Evidence:
    basis = published_basis(_str(getattr(row, "path", None)) or None, str(row.report_id))
    return Evidence(
        claim_id=_str(row.claim_id) or None, report_id=str(row.report_id), source=_str(row.source) or None,
        published=_as_date(row.published),
        published_estimated=_is_estimated(basis, _str(getattr(row, "published_precision", None)) or None),
        lang=_str(row.lang) or None, quote=_str(row.quote), attribution=_str(row.attribution) or None,
        confidence=_clean(row.confidence), actor=_str(row.actor) or None, action=_str(row.action) or None,
        status=_str(row.status) or None, kind=_str(getattr(row, "kind", None)) or None,
    )


# --- regions ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Area:
    name: str
    label: str
    bbox: tuple[float, float, float, float] | None
    shape: Any = None  # the governorate polygon, for areas and filtering


def _region(name: str | None, points: Iterable[tuple[float, float]] = ()) -> Area:
    if not name or name.strip().casefold() in {"syria", "all"}:
        return Area("syria", "Syria", None)
    from tracker import basemap, regions  # noqa: PLC0415 (geodata loads only when a region is asked for)

    reg = regions.region(name, points)
    shape = None
    if reg.name not in {"front", "bbox", "syria"}:
        govs = basemap.load().governorates
        slugs = govs["adm1_en"].map(lambda s: re.sub(r"[^a-z0-9]+", "-", str(s).casefold()).strip("-"))
        match = govs[slugs == reg.name]
        if len(match):
            shape = match.geometry.iloc[0]
    if reg.name == "syria":
        return Area("syria", "Syria", None)
    label = reg.label or ("Syria (front)" if reg.name == "front" else reg.name)
    return Area(reg.name, label, tuple(reg.bbox), shape)  # type: ignore[arg-type]


def _inside(area: Area, lat: Any, lon: Any) -> bool:
    if area.bbox is None:
        return True
    lat, lon = _clean(lat), _clean(lon)
    if lat is None or lon is None:
        return False
    if area.shape is not None:
        import shapely  # noqa: PLC0415

        return bool(area.shape.covers(shapely.Point(float(lon), float(lat))))
    w, s, e, n = area.bbox
    return w <= float(lon) <= e and s <= float(lat) <= n


# --- changes ---------------------------------------------------------------------------------------------

def _ids(value: Any) -> list[str]:
    value = _clean(value) if not isinstance(value, (list, tuple)) else value
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v]
    if hasattr(value, "tolist"):
        return [str(v) for v in value.tolist() if v]
    text = str(value).strip()
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text) if v]
        except json.JSONDecodeError:
            pass
    return [t for t in re.split(r"[,;\s]+", text) if t]


def _changes_from_control(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame | None:
    """The week's rows of ``control_events`` under canonical names, or None when the table is absent."""
    cols = _columns(con, "control_events")
    if not cols:
        return None
    want = {
        "place_id": ("place_id", "place"),
        "from_side": ("from_side", "side_from", "from", "previous_side"),
        "from_status": ("from_status",),
        "to_side": ("to_side", "side_to", "to", "side"),
        "status": ("to_status", "status"),
        "day": ("day", "date", "valid_from"),
        "claim_ids": ("claim_ids", "claims", "claim_id"),
        "confidence": ("confidence",),
        "inferred": ("inferred",),
        "other_side": ("other_side", "to_other_side"),
        "place_name": ("name_en", "place_name"),
    }
    picked = {out: _pick(cols, *cands) for out, cands in want.items()}
    if not picked["place_id"] or not picked["day"]:
        return None
    parts = [f"{_q(col)} AS {out}" if col else f"NULL AS {out}" for out, col in picked.items()]
    applied = "AND applied" if "applied" in cols else ""  # events kept only as history changed nothing
    return _df(con, f"SELECT {', '.join(parts)} FROM control_events WHERE {_q(picked['day'])} BETWEEN ? AND ? "
                    f"{applied} ORDER BY {_q(picked['day'])}", [start, end])


def _changes_from_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """Without a control timeline: the week's asserted captures and sieges of resolved places, one per place."""
    if claims.empty:
        return pd.DataFrame()
    rows = claims[(claims["status"] == "asserted") & claims["place_id"].notna()
                  & claims["action"].isin(["capture", "siege", "withdraw"])]
    out = []
    for place_id, group in rows.groupby("place_id", sort=False):
        best = group.sort_values("confidence", ascending=False).iloc[0]
        action = best["action"]
        to_side = best["actor"] if action != "withdraw" else _clean(best["opponent"])
        out.append({"place_id": place_id, "from_side": _clean(best["opponent"]) if action != "withdraw" else best["actor"],
                    "to_side": to_side, "status": "besieged" if action == "siege" else "held",
                    "day": _clean(best["date"]) or _clean(best["published"]), "claim_ids": list(group["claim_id"]),
                    "confidence": _clean(best["confidence"]), "inferred": False, "other_side": None,
                    "from_status": None,
                    "place_name": _clean(best["place_name"])})
    return pd.DataFrame(out)


def _build_changes(con: duckdb.DuckDBPyConnection, raw: pd.DataFrame, claims: pd.DataFrame,
                   area: Area) -> list[Change]:
    if raw is None or raw.empty:
        return []
    places = _places(con, raw["place_id"].dropna().astype(str)).set_index("place_id")
    claim_ids = [i for v in raw["claim_ids"] for i in _ids(v)]
    linked = _claims_by_id(con, claim_ids)
    by_id = {str(r.claim_id): r for r in linked.itertuples(index=False)} if not linked.empty else {}
    changes: list[Change] = []
    for row in raw.itertuples(index=False):
        pid = _str(row.place_id) or None
        info = places.loc[pid] if pid in places.index else None
        name_en = _str(info["name_en"]) if info is not None else ""
        name_ar = _str(info["name_ar"]) if info is not None else ""
        lat = _clean(info["lat"]) if info is not None else None
        lon = _clean(info["lon"]) if info is not None else None
        ev_rows = [by_id[i] for i in _ids(row.claim_ids) if i in by_id]
        if not ev_rows and pid and not claims.empty:
            # events without claim ids: the week's asserted territorial claims on the same place
            same = claims[(claims["place_id"] == pid) & (claims["status"] == "asserted")]
            ev_rows = list(same.itertuples(index=False))
        if not name_en or lat is None:
            for ev in ev_rows:
                name_en = name_en or _str(ev.place_name)
                if lat is None and _clean(ev.lat) is not None:
                    lat, lon = float(ev.lat), float(ev.lon)
        if not name_ar:  # the words of a claim about this very place, when the gazetteer has no Arabic name
            name_ar = next((_str(ev.place_text) for ev in ev_rows if is_rtl(_str(ev.place_text))
                            and _str(ev.lang) == "ar" and _str(ev.place_id) == pid), "")
        if not _inside(area, lat, lon):
            continue
        evidence = sorted((_evidence(ev) for ev in ev_rows), key=lambda e: -(e.confidence or 0))
        seen: set[str] = set()
        unique = [e for e in evidence if not (e.quote in seen or seen.add(e.quote))]  # same quote, one row
        to_side = _str(row.to_side) or None
        other = _str(row.other_side) or None
        if to_side and "|" in to_side:  # "holder|attacker"
            to_side, other = to_side.split("|", 1)
        changes.append(Change(
            day=_as_date(row.day), place_id=pid, name_en=name_en or _str(row.place_name) or (pid or "?"),
            name_ar=name_ar, lat=lat, lon=lon, from_side=_str(row.from_side) or None, to_side=to_side,
            other_side=other, from_status=_str(getattr(row, "from_status", None)) or None,
            status=_str(row.status) or "held", confidence=_clean(row.confidence),
            inferred=bool(_clean(row.inferred) or False),
            population=_clean(info["population"]) if info is not None else None,
            feature_type=_str(info["feature_type"]) or None if info is not None else None, evidence=unique,
        ))
    changes.sort(key=lambda c: (c.day or dt.date.min, c.name_en))
    return changes


# --- areas -----------------------------------------------------------------------------------------------

def _area_table(con: duckdb.DuckDBPyConnection) -> tuple[str, str, str, str | None] | None:
    cols = _columns(con, "faction_area")
    day = _pick(cols, "day", "date")
    side = _pick(cols, "side")
    km2 = _pick(cols, "area_km2", "km2", "area")
    return (day, side, km2, _pick(cols, "status")) if day and side and km2 else None


def _areas_on(con: duckdb.DuckDBPyConnection, days: Sequence[dt.date]) -> pd.DataFrame:
    """``day``, ``side``, ``km2`` for each of ``days``: the latest ``faction_area`` figures on or before it."""
    names = _area_table(con)
    if names is None or not days:
        return pd.DataFrame(columns=["day", "side", "km2"])
    day, side, km2 = (_q(n) for n in names[:3])
    # a side's ground is what it holds, besieged or not, and where it holds while attacked; not inferred advances
    held = f"WHERE {_q(names[3])} IN ('held', 'besieged', 'contested')" if names[3] else ""
    return _df(con, f"""
        WITH area AS (SELECT * FROM faction_area {held}),
             wanted AS (SELECT unnest(?::DATE[]) AS day),
             latest AS (
                SELECT w.day, a.{side} AS side, max(a.{day}) AS asof
                FROM wanted w JOIN area a ON a.{day} <= w.day
                GROUP BY w.day, a.{side})
        SELECT l.day, l.side, sum(a.{km2}) AS km2
        FROM latest l JOIN area a ON a.{side} = l.side AND a.{day} = l.asof
        GROUP BY l.day, l.side ORDER BY l.day, l.side""", [list(days)])


@dataclass
class Geo:
    """The control timeline and its polygons, behind the map and per-region areas.

    ``source`` is a :class:`tracker.frames.ControlFrames` (None when the control model is not available; then
    ``error`` says why).
    """

    source: Any = None
    error: str = ""

    @property
    def timeline(self) -> Any:
        """The control timeline, or None."""
        return None if self.source is None else self.source.timeline


def load_geo(con: duckdb.DuckDBPyConnection, timeline: Any = None) -> Geo:
    """The control timeline of this database (or ``timeline``, already built) and its polygons, when those
    stages exist and have run.

    Load once and pass to :func:`gather` when writing many weeks: building the timeline takes seconds.
    """
    from tracker import frames  # noqa: PLC0415 (geodata loads only when maps are wanted)

    try:
        return Geo(source=frames.ControlFrames(timeline=timeline, con=con))
    except (TrackerError, duckdb.Error) as exc:  # no control stage yet, or a database it did not write
        return Geo(error=str(exc).splitlines()[0])


def _layers(geo: Geo, day: dt.date) -> Any:
    return geo.source.daily.layers_on(day)


def _areas_from_layers(geo: Geo, days: Sequence[dt.date], shape: Any) -> pd.DataFrame | None:
    """Ground per side (inside ``shape`` when given) from the polygon layers; None without a timeline."""
    if geo.timeline is None:
        return None
    rows = []
    for day in days:
        layers = _layers(geo, day)
        if layers is None or not len(layers):
            continue
        held = layers[layers["status"].isin(["held", "besieged", "contested"])]
        if shape is not None:
            km2 = held.geometry.intersection(shape).to_crs("EPSG:6933").area / 1e6  # equal-area
        else:
            km2 = held["area_km2"] if "area_km2" in held else held.geometry.to_crs("EPSG:6933").area / 1e6
        for side, value in pd.Series(km2.to_numpy(), index=held["side"].astype(str)).groupby(level=0).sum().items():
            rows.append({"day": day, "side": side, "km2": float(value)})
    return pd.DataFrame(rows, columns=["day", "side", "km2"])


def _gather_areas(con: duckdb.DuckDBPyConnection, rep: Sitrep, area: Area, geo: Geo) -> None:
    ends = [rep.end - dt.timedelta(weeks=k) for k in range(CHART_WEEKS - 1, -1, -1)]
    days = sorted({rep.start - dt.timedelta(days=1), *ends})
    table: pd.DataFrame | None = None
    if area.shape is not None:
        table = _areas_from_layers(geo, days, area.shape)
        if table is not None and not table.empty:
            rep.area_note = f"Ground inside {area.label}, from the control polygons."
    if table is None or table.empty:
        table = _areas_on(con, days)
        if table.empty and geo.timeline is not None:
            table = _areas_from_layers(geo, days, None)
        if table is not None and not table.empty:
            rep.area_note = ("Ground held across all of Syria (per-region figures exist for governorates only)."
                             if area.bbox is not None else "Ground held across all of Syria.")
    if table is None:
        table = pd.DataFrame(columns=["day", "side", "km2"])
    if table.empty:
        rep.area_note = "No area figures: the polygon stage has not stored any (table faction_area)."
        return
    table = table[~table["side"].isin(_NO_GROUND)]
    table["day"] = table["day"].map(_as_date)
    before = rep.start - dt.timedelta(days=1)
    at_start = table[table["day"] == before].set_index("side")["km2"]
    at_end = table[table["day"] == rep.end].set_index("side")["km2"]
    order = {s: i for i, s in enumerate(vocab.sides())}
    for side in sorted(set(at_start.index) | set(at_end.index), key=lambda s: order.get(s, 99)):
        s0, s1 = _clean(at_start.get(side)), _clean(at_end.get(side))
        if (s0 or 0) < 0.5 and (s1 or 0) < 0.5:
            continue
        rep.areas.append(AreaRow(side=side, start_km2=float(s0) if s0 is not None else 0.0,
                                 end_km2=float(s1) if s1 is not None else 0.0))
    hist = table[table["day"].isin(ends)].rename(columns={"day": "week_end"})
    rep.area_history = hist[["week_end", "side", "km2"]].reset_index(drop=True)


# --- place states at the end of the week -----------------------------------------------------------------

def _states_on(con: duckdb.DuckDBPyConnection, day: dt.date, area: Area) -> tuple[list[PlaceState], list[PlaceState]]:
    cols = _columns(con, "control_intervals")
    if not cols:
        return [], []
    pid = _pick(cols, "place_id", "place")
    status = _pick(cols, "status")
    start = _pick(cols, "valid_from", "start", "day_from", "from_day", "start_day")
    stop = _pick(cols, "valid_to", "end", "day_to", "to_day", "end_day")
    side = _pick(cols, "side")
    other = _pick(cols, "other_side")
    if not (pid and status and start):
        return [], []
    stop_clause = f"AND ({_q(stop)} IS NULL OR {_q(stop)} > ?)" if stop else ""
    params: list[Any] = [day] + ([day] if stop else [])
    rows = _df(con, f"""
        SELECT {_q(pid)} AS place_id, {_q(status)} AS status, {_q(start)} AS since,
               {(_q(side) if side else 'NULL')} AS side, {(_q(other) if other else 'NULL')} AS other_side
        FROM control_intervals
        WHERE {_q(status)} IN ('contested', 'besieged') AND {_q(start)} <= ? {stop_clause}
        ORDER BY {_q(start)} DESC""", params)
    if rows.empty:
        return [], []
    places = _places(con, rows["place_id"].astype(str)).set_index("place_id")
    contested, besieged = [], []
    for row in rows.itertuples(index=False):
        info = places.loc[row.place_id] if row.place_id in places.index else None
        if info is None or not _inside(area, info["lat"], info["lon"]):
            continue
        state = PlaceState(place_id=row.place_id, name_en=_str(info["name_en"]) or row.place_id,
                           name_ar=_str(info["name_ar"]), status=row.status, side=_str(row.side) or None,
                           other_side=_str(row.other_side) or None, since=_as_date(row.since),
                           feature_type=_str(info["feature_type"]) or None)
        (contested if row.status == "contested" else besieged).append(state)
    return contested, besieged


def _states_from_claims(claims: pd.DataFrame, area: Area) -> tuple[list[PlaceState], list[PlaceState]]:
    """Without a timeline: places the week's claims describe as fought inside (advance) or besieged."""
    contested, besieged = [], []
    if claims.empty:
        return contested, besieged
    rows = claims[(claims["status"] == "asserted") & claims["place_id"].notna()
                  & claims["action"].isin(["advance", "siege"])]
    captured = set(claims[(claims["status"] == "asserted") & (claims["action"] == "capture")]["place_id"].dropna())
    for (pid, action), group in rows.groupby(["place_id", "action"], sort=False):
        first = group.iloc[0]
        if pid in captured or not _inside(area, first["lat"], first["lon"]):
            continue
        state = PlaceState(place_id=pid, name_en=_str(first["place_name"]) or pid,
                           name_ar=_str(first["place_text"]) if _str(first["lang"]) == "ar" else "",
                           status="contested" if action == "advance" else "besieged",
                           side=_clean(first["opponent"]), other_side=_clean(first["actor"]),
                           since=_as_date(first["date"]) or _as_date(first["published"]))
        (contested if action == "advance" else besieged).append(state)
    return contested, besieged


def _group_standing(rep: Sitrep) -> None:
    """Keep the recent contested and besieged places in the lists; count the long-standing ones by sides."""
    everything = rep.contested + rep.besieged
    if len(everything) <= LIST_ALL_STATES:
        return
    recent_from = rep.start - dt.timedelta(weeks=RECENT_WEEKS)
    recent = [p for p in everything if p.since and p.since >= recent_from]
    groups: dict[tuple, list[PlaceState]] = {}
    for p in everything:
        if not (p.since and p.since >= recent_from):
            groups.setdefault((p.status, p.side, p.other_side), []).append(p)
    rep.contested = [p for p in recent if p.status == "contested"]
    rep.besieged = [p for p in recent if p.status == "besieged"]
    rep.standing = [
        StandingGroup(status=k[0], side=k[1], other_side=k[2], count=len(ps),
                      examples=[p.name_en for p in sorted(ps, key=lambda p: (-_FEATURE_RANK.get(p.feature_type or "", 1),
                                                                               p.name_en))[:4]],
                      since=min((p.since for p in ps if p.since), default=None))
        for k, ps in sorted(groups.items(), key=lambda kv: -len(kv[1]))]


# --- disputed claims -------------------------------------------------------------------------------------

def _disputed(con: duckdb.DuckDBPyConnection, claims: pd.DataFrame, start: dt.date, end: dt.date,
              area: Area) -> list[Disputed]:
    out: list[Disputed] = []
    if not claims.empty:
        inside = claims[[_inside(area, r.lat, r.lon) or (area.bbox is None) for r in claims.itertuples()]]
        for row in inside[inside["status"] == "refuted"].itertuples(index=False):
            place = _str(row.place_name) or _str(row.place_text)
            out.append(Disputed(
                kind="refuted", day=_as_date(row.date) or _as_date(row.published), place=place,
                place_ar=_str(row.place_text) if is_rtl(_str(row.place_text)) else "",
                description=f"{side_label(row.actor)} {row.action}, denied in the same report",
                evidence=[_evidence(row)]))
        # claims of capture of one place by different sides in the same week
        caps = inside[(inside["status"] == "asserted") & (inside["action"] == "capture") & inside["place_id"].notna()]
        for pid, group in caps.groupby("place_id", sort=False):
            if group["actor"].nunique() > 1:
                actors = ", ".join(side_label(a) for a in dict.fromkeys(group["actor"]))
                out.append(Disputed(
                    kind="conflict", day=_as_date(group["date"].min()), place=_str(group["place_name"].iloc[0]) or pid,
                    place_ar="", description=f"captured by different sides in the same week: {actors}",
                    evidence=[_evidence(r) for r in group.itertuples(index=False)]))
    cols = _columns(con, "conflicts")
    day = _pick(cols, "day", "day_from", "date", "valid_from")
    if cols and day:
        pid = _pick(cols, "place_id", "place")
        desc = _pick(cols, "description", "reason", "kind", "note")
        ids = _pick(cols, "claim_ids", "claims")
        rows = _df(con, f"SELECT * FROM conflicts WHERE {_q(day)} BETWEEN ? AND ? ORDER BY {_q(day)}", [start, end])
        places = _places(con, rows[pid].dropna().astype(str)).set_index("place_id") if pid and not rows.empty else None
        for row in rows.to_dict("records"):
            place_id = _str(row.get(pid)) if pid else ""
            info = places.loc[place_id] if places is not None and place_id in places.index else None
            if info is not None and not _inside(area, info["lat"], info["lon"]):
                continue
            ev = _claims_by_id(con, _ids(row.get(ids))) if ids else pd.DataFrame()
            out.append(Disputed(
                kind="conflict", day=_as_date(row.get(day)),
                place=_str(info["name_en"]) if info is not None else place_id,
                place_ar=_str(info["name_ar"]) if info is not None else "",
                description=_conflict_text(row, desc),
                evidence=[_evidence(r) for r in ev.itertuples(index=False)] if not ev.empty else []))
    out.sort(key=lambda d: (d.day or dt.date.min, d.place))
    return out


def _conflict_text(row: dict, desc: str | None) -> str:
    if desc and _str(row.get(desc)):
        return _str(row.get(desc))
    sides = row.get("sides")
    sides = [s for s in (_ids(sides) if sides is not None else []) if s]
    text = "reports disagree on who held it"
    if sides:
        text += ": " + " or ".join(side_label(s) for s in sides)
    winner, resolution = _str(row.get("winner")), _str(row.get("resolution"))
    if winner:
        text += f"; weighed by source, {side_label(winner)} is shown"
    elif resolution:
        text += f"; {resolution}"
    if _clean(row.get("settled_on")) is not None:
        text += f" (settled {fmt_short(_as_date(row.get('settled_on')))})"
    return text


# --- reports ---------------------------------------------------------------------------------------------

def _reports(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, claims: pd.DataFrame,
             supporting: set[str]) -> list[ReportUsed]:
    ids = sorted(set(claims["report_id"]) if not claims.empty else set())
    rows = _df(con, """
        WITH newest AS (SELECT report_id, max(version) AS version FROM reports GROUP BY report_id)
        SELECT r.report_id, r.version, r.published, r.published_precision, r.kind, r.source, r.lang, r.title, r.path
        FROM reports r JOIN newest USING (report_id, version)
        WHERE r.published BETWEEN ? AND ? OR r.report_id IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY r.published NULLS LAST, r.report_id""", [start, end, ids])
    counts = claims.groupby("report_id").size().to_dict() if not claims.empty else {}
    out = []
    for row in rows.itertuples(index=False):
        basis = published_basis(_str(row.path) or None, row.report_id)
        out.append(ReportUsed(
            report_id=row.report_id, version=int(row.version), published=_as_date(row.published),
            published_estimated=_is_estimated(basis, _str(row.published_precision) or None), published_basis=basis,
            kind=_str(row.kind) or None, source=_str(row.source) or None, lang=_str(row.lang) or None,
            title=_str(row.title) or None, claims=int(counts.get(row.report_id, 0)),
            supports_changes=row.report_id in supporting))
    return out


# --- summary ---------------------------------------------------------------------------------------------

def _names(changes: Sequence[Change], limit: int = 3) -> str:
    # the most important first: the largest population, then the most confident
    ranked = sorted(changes, key=lambda c: (c.weight, c.day or dt.date.min))
    names = list(dict.fromkeys(c.name_en for c in ranked))
    shown = names[:limit]
    if len(names) > limit:
        shown.append(_plural(len(names) - limit, "other place"))
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1] if shown else ""


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def final_changes(changes: Sequence[Change]) -> list[Change]:
    """The last reported change of each place in the week (Mayadin contested on Thursday, taken on Sunday:
    taken), inferred changes left out."""
    last: dict[str, Change] = {}
    for c in sorted(changes, key=lambda c: c.day or dt.date.min):
        if not c.inferred and c.status != "inferred":
            last[c.place_id or c.name_en] = c
    return list(last.values())


def _known(side: str | None) -> bool:
    return bool(side) and side != "unknown"


def _the(side: str | None) -> str:
    """A side's label as the subject or object of a sentence: ``the Islamic State``, ``HTS``."""
    return ("" if side in {"hts", "turkey"} else "the ") + side_label(side)


def write_summary(rep: Sitrep) -> str:
    """The summary paragraph: who gained, how much ground, the most important changes, what is disputed."""
    where = "" if rep.region == "syria" else f" in {rep.region_label}"
    if not rep.reports and not rep.changes:
        text = (f"No reports in the database are dated in week {rep.week} of {rep.year} "
                f"({fmt_range(rep.start, rep.end)}){where}, so this report has nothing new to say")
        return text + (": the ground held below is carried over from earlier weeks." if rep.areas else ".")
    parts: list[str] = []
    final = final_changes(rep.changes)
    gains: dict[str, list[Change]] = {}
    for c in final:
        # a new holder, or the holder of a contested or besieged place now holding it outright
        if c.status == "held" and _known(c.to_side) and (
                c.to_side != c.from_side or c.from_status in {"contested", "besieged"}):
            gains.setdefault(c.to_side, []).append(c)
    area = {a.side: a for a in rep.areas}

    def net(side: str) -> float:
        return (area[side].change_km2 or 0.0) if side in area else 0.0

    for i, side in enumerate(sorted(gains, key=lambda s: (-net(s), -len(gains[s])))):
        cs = gains[side]
        losers = [s for s in dict.fromkeys(c.from_side for c in sorted(cs, key=lambda c: c.weight))
                  if _known(s) and s != side]
        frm = f" from {' and '.join(_the(s) for s in losers)}" if losers else ""
        ground = f", a net gain of {fmt_km2(net(side))}" if round(net(side)) > 0 else ""
        count = ""
        if i == 0:
            parts.append(f"The week's main gains{where} were by {_the(side)}, which took {_names(cs)}"
                         f"{count}{frm}{ground}.")
        else:
            sentence = f"{_the(side)} took {_names(cs)}{count}{frm}{ground}."
            parts.append(sentence[0].upper() + sentence[1:])
    claimed: dict[str, list[Change]] = {}
    for c in final:
        if c.status == "claimed" and _known(c.to_side):
            claimed.setdefault(c.to_side, []).append(c)
    if not gains:
        parts.append(f"No place{where} is reported to have changed hands this week"
                     + (" on evidence that settles it." if claimed else "."))
    for side, cs in claimed.items():
        sentence = (f"{_the(side)} is claimed to have taken {_names(cs)}, "
                    "not yet confirmed by an independent report.")
        parts.append(sentence[0].upper() + sentence[1:])
    losses = sorted((a for a in rep.areas if (a.change_km2 or 0) <= -0.5), key=lambda a: a.change_km2)
    if losses:
        text = " and ".join(f"{_the(a.side)} lost a net {fmt_km2(abs(a.change_km2))}" for a in losses) + "."
        parts.append(text[0].upper() + text[1:])
    fought = [c for c in final if c.status in {"contested", "besieged"}]
    if fought:
        verb = "is" if len(fought) == 1 else "are"
        parts.append(f"Fighting was reported in or around {_names(fought)}, which {verb} now contested or besieged.")
    new_states = [p for p in rep.contested + rep.besieged if p.since and p.since >= rep.start]
    old = len(rep.contested) + len(rep.besieged) - len(new_states) + sum(g.count for g in rep.standing)
    if old:
        parts.append(f"{_plural(old, 'other place')} {'remains' if old == 1 else 'remain'} contested or besieged "
                     "from earlier weeks.")
    if rep.disputed:
        parts.append(f"{_plural(len(rep.disputed), 'claim')} {'was' if len(rep.disputed) == 1 else 'were'} "
                     "denied or contradicted (listed below).")
    n = len(rep.reports)
    sources = sorted({r.source for r in rep.reports if r.source})
    est = sum(r.published_estimated for r in rep.reports if r.kind != "chronicle")
    tail = f"Based on {_plural(n, 'report')}" + (f" from {_plural(len(sources), 'source')}" if sources else "")
    if est:
        tail += ("; its publication date is an estimate" if n == 1 else
                 f"; {'their' if est == n else f'{est} of their'} publication dates are estimates")
    parts.append(tail + ".")
    return " ".join(parts)


# --- pictures --------------------------------------------------------------------------------------------

def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def area_chart(history: pd.DataFrame, start: dt.date, end: dt.date, title: str = "") -> bytes | None:
    """Ground by side at the end of each week, in the sides' colours: the totals (thousand km²) above, the
    change since the first week shown (km²) below, where a week's gains and losses are visible."""
    if history is None or history.empty:
        return None
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # noqa: PLC0415

    fig = Figure(figsize=(8.6, 5.4), dpi=110)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    order = {s: i for i, s in enumerate(vocab.sides())}
    hist = history.assign(week_end=history["week_end"].map(_as_date)).sort_values("week_end")
    days = sorted(hist["week_end"].unique())
    for side in sorted(hist["side"].unique(), key=lambda s: order.get(s, 99)):
        rows = hist[hist["side"] == side]
        colour = vocab.side_colour(side)
        edge = "#333333" if side == "sdf" else colour  # yellow needs an edge on white
        style = dict(marker="o", markersize=4, linewidth=2.2, color=colour, markeredgecolor=edge)
        top.plot(rows["week_end"], rows["km2"] / 1000, label=vocab.side_label(side), **style)
        bottom.plot(rows["week_end"], rows["km2"] - rows["km2"].iloc[0], **style)
    for ax in (top, bottom):
        ax.axvspan(start - dt.timedelta(days=0.5), end + dt.timedelta(days=0.5), color="#f0e6b0", alpha=0.55,
                   zorder=0, label="this week" if ax is top else None)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
    top.set_ylim(bottom=0)
    top.set_ylabel("held, thousand km²", fontsize=9)
    bottom.axhline(0, color="#888888", linewidth=0.8)
    bottom.set_ylabel(f"change since {days[0].day} {days[0]:%b}, km²", fontsize=9)
    bottom.set_xticks(days)
    bottom.set_xticklabels([f"{d.day} {d:%b}" for d in days], fontsize=8)
    top.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    top.set_title(title or "Ground held at the end of each week", fontsize=10, loc="left")
    fig.tight_layout()
    return _png(fig)


def _frame(rep: Sitrep, geo: Geo) -> Any:
    """The end-of-week :class:`tracker.frames.Frame`, with this report's changes (filtered to the region,
    named in both scripts) as the highlights, counted from the Sunday before the week."""
    from tracker import frames  # noqa: PLC0415

    # The map labels a contested or besieged change "contested by <to_side>": give it the attacker.
    changes = pd.DataFrame([{"place_id": c.place_id, "name_en": c.name_en, "name_ar": c.name_ar, "lat": c.lat,
                             "lon": c.lon, "from_side": c.from_side,
                             "to_side": c.other_side if c.status in {"contested", "besieged"} and c.other_side
                             else c.to_side, "status": c.status, "day": c.day}
                            for c in final_changes(rep.changes) if c.lat is not None],
                           columns=frames.CHANGE_COLUMNS)
    before = rep.start - dt.timedelta(days=1)
    if geo.source is None:
        return frames.Frame(day=rep.end, changes=changes, previous_day=before,
                            sources_note=f"{len(rep.reports)} reports of week {rep.week_id}")
    frame = geo.source(rep.end, before)
    frame.changes = changes
    return frame


def _render(frame: Any, region: Any) -> bytes:
    from PIL import Image  # noqa: PLC0415

    from tracker import plot  # noqa: PLC0415

    _, rgb = plot.render_map(frame, region)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _map(rep: Sitrep, area: Area, geo: Geo) -> tuple[bytes | None, bytes | None, str]:
    """The end-of-week map with the week's changes highlighted, and for Syria a close-up of where they are;
    (map, close-up, note)."""
    from tracker import regions  # noqa: PLC0415 (geodata loads only here)

    try:
        frame = _frame(rep, geo)
        if area.name == "syria":
            whole, detail = _render(frame, regions.region("syria")), None
            if len(frame.changes):
                detail = _render(frame, regions.region("front", frame.change_points()))
        else:
            whole = _render(frame, regions.Region(area.name, area.bbox, area.label))  # type: ignore[arg-type]
            detail = None
    except TrackerError as exc:
        return None, None, f"No map: {exc}"
    note = "" if len(frame.layers) else (
        f"No control layers for the map ({geo.error or 'the polygon stage has not run'}): "
        "it shows where the week's changes are, not who holds what.")
    return whole, detail, note


# --- gather ----------------------------------------------------------------------------------------------

def gather(con: duckdb.DuckDBPyConnection, week: str | tuple[int, int], region: str | None = None,
           with_map: bool = True, geo: Geo | None = None) -> Sitrep:
    """Read one ISO week (and region) from the database into a :class:`Sitrep`.

    Parameters
    ----------
    con
        An open tracker database (read-only is enough).
    week
        ``"2017-W41"`` or ``(2017, 41)``.
    region
        ``syria`` (default), ``front``, or a governorate by name (see :func:`tracker.regions.region`).
    with_map
        Render the map and chart (off for quick checks and tests that do not need pixels).
    geo
        The control timeline and cells (:func:`load_geo`); loaded from ``con`` when None. Pass
        ``Geo()`` to use the database tables alone.

    Raises
    ------
    SitrepError
        A malformed week.
    tracker.regions.RegionError
        An unknown region.
    """
    year, number = parse_week(week) if isinstance(week, str) else week
    if not isinstance(week, str):
        parse_week(f"{year}-W{number}")
    start, end = week_bounds(year, number)
    area = _region(region)
    rep = Sitrep(year=year, week=number, start=start, end=end, region=area.name, region_label=area.label)
    claims = _claims_in(con, start, end) if _columns(con, "claims") else pd.DataFrame()
    raw = _changes_from_control(con, start, end)
    if raw is None:
        rep.data_basis = "claims"
        raw = _changes_from_claims(claims)
        rep.notes.append("The control stage has not run on this database: changes below are the week's asserted "
                         "claims of capture and siege, not yet checked against a control timeline.")
    rep.changes = _build_changes(con, raw, claims, area)
    if area.name == "front":  # the front is where this week's changes are
        area = _region("front", [(c.lon, c.lat) for c in rep.changes if c.lat is not None])
    if geo is None:
        # the timeline takes seconds to rebuild: only for the map, per-region areas, or areas not stored
        needed = with_map or area.shape is not None or _area_table(con) is None
        geo = load_geo(con) if needed else Geo(error="not loaded")
    _gather_areas(con, rep, area, geo)
    if rep.data_basis == "control":
        rep.contested, rep.besieged = _states_on(con, end, area)
    else:
        rep.contested, rep.besieged = _states_from_claims(claims, area)
    _group_standing(rep)
    rep.disputed = _disputed(con, claims, start, end, area)
    supporting = {e.report_id for c in rep.changes for e in c.evidence}
    rep.reports = _reports(con, start, end, claims, supporting)
    if any(r.published_estimated and r.kind != "chronicle" for r in rep.reports):
        rep.notes.append("Publication dates marked 'estimated' were inferred from each report's content, not given "
                         "by its publisher; how each was reached is listed under 'Reports used'.")
    if any(r.kind == "chronicle" for r in rep.reports):
        rep.notes.append("Chronicles (dated histories such as Wikipedia campaign articles) were written later; "
                         "their sentences carry their own dates.")
    first = _timeline_start(con, geo)
    before_timeline = first is not None and end < first
    if before_timeline:
        rep.notes.append(f"The control timeline starts on {fmt_day(first)} (its baseline map); this week is "
                         "earlier, so there is no map of control and no area figures, and its claims change nothing.")
        rep.area_note = "No area figures before the control timeline starts."
    if with_map and not before_timeline:
        rep.map_png, rep.detail_png, note = _map(rep, area, geo)
        if note:
            rep.notes.append(note)
        rep.chart_png = area_chart(rep.area_history, start, end,
                                   f"Ground held at the end of each week ({area.label if area.bbox else 'all of Syria'})")
    rep.summary = write_summary(rep)
    return rep


def _timeline_start(con: duckdb.DuckDBPyConnection, geo: Geo) -> dt.date | None:
    """The first day the control timeline knows (its baseline), or None when there is no timeline."""
    if geo.timeline is not None and isinstance(getattr(geo.timeline, "start", None), dt.date):
        return geo.timeline.start
    cols = _columns(con, "control_intervals")
    if "valid_from" in cols:
        return _as_date(con.execute("SELECT min(valid_from) FROM control_intervals").fetchone()[0])
    return None


def weeks_covered(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The ISO weeks with a dated news report or an applied control change, in order (what ``tracker run``
    reports on); chronicles count through the changes their sentences caused, not their copy dates."""
    days = [r[0] for r in con.execute(
        "SELECT DISTINCT published FROM reports WHERE published IS NOT NULL AND coalesce(kind, 'news') <> 'chronicle'"
    ).fetchall()]
    cols = _columns(con, "control_events")
    day = _pick(cols, "day", "date", "valid_from")
    if day:
        # events kept only as history (before the baseline, superseded) changed nothing: no report for them
        applied = "AND applied" if "applied" in cols else ""
        days += [r[0] for r in con.execute(
            f"SELECT DISTINCT {_q(day)} FROM control_events WHERE {_q(day)} IS NOT NULL {applied}").fetchall()]
    return sorted({week_of(_as_date(d)) for d in days if d is not None})


# --- render and write ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2  # noqa: PLC0415

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tracker", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        day=fmt_day, short=fmt_short, km2=fmt_km2, signed_km2=fmt_signed_km2, side=side_label, state=state_label,
        colour=lambda s: vocab.side_colour(str(s).split("|")[0]) if s else vocab.side_colour("unknown"),
        rtl=is_rtl, b64=lambda b: base64.b64encode(b).decode("ascii"), md_cell=_md_cell, isolate=_isolate,
        pct=fmt_pct,
    )
    return env


def _isolate(text: str | None) -> str:
    # Arabic inside an English line: a right-to-left isolate keeps the words and the punctuation in order
    text = text or ""
    return f"{_RLM_ISOLATE[0]}{text}{_RLM_ISOLATE[1]}" if is_rtl(text) else text


def _md_cell(text: Any) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ").strip()


def render(rep: Sitrep, fmt: str = "md", images: dict[str, str] | None = None) -> str | bytes:
    """The report as Markdown or HTML text, or PDF bytes.

    Parameters
    ----------
    rep
        What to show.
    fmt
        ``md``, ``html`` or ``pdf``.
    images
        For Markdown: relative paths of the map and chart files (``{"map": ..., "chart": ...}``) to link.
    """
    if fmt not in FORMATS:
        raise SitrepError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "pdf":
        from tracker.sitrep_pdf import render_pdf  # noqa: PLC0415

        return render_pdf(rep)
    template = _env().get_template(f"sitrep.{fmt}.j2")
    return template.render(rep=rep, images=images or {}, one_day=dt.timedelta(days=1), recent_weeks=RECENT_WEEKS)


def check_out(out: Path) -> None:
    """Fail early, with a clear message, when ``out`` cannot be written."""
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise SitrepError(f"--out {out} is a folder; give a file name such as {out / 'sitrep.html'}")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SitrepError(f"cannot create the folder {parent}: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK):
        raise SitrepError(f"cannot write to {parent}: permission denied")


def default_path(rep: Sitrep, fmt: str, folder: Path | None = None) -> Path:
    """``<outputs>/sitreps/<stem>.<fmt>``."""
    return (folder or settings.outputs_dir() / "sitreps") / f"{rep.stem}.{fmt}"


def write(rep: Sitrep, fmt: str = "md", out: str | os.PathLike | None = None) -> list[Path]:
    """Write the report (and, for Markdown, its two PNG images beside it); every file atomically.

    Returns
    -------
    list of Path
        The files written, the report first.

    Raises
    ------
    SitrepError
        An unknown format or an unwritable place.
    """
    if fmt not in FORMATS:
        raise SitrepError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    path = Path(out) if out is not None else default_path(rep, fmt)
    check_out(path)
    written: list[Path] = []
    try:
        images: dict[str, str] = {}
        if fmt == "md":
            for key, data in (("map", rep.map_png), ("detail", rep.detail_png), ("chart", rep.chart_png)):
                if data:
                    image = path.with_name(f"{path.stem}-{key}.png")
                    write_atomic(image, data)
                    written.append(image)
                    images[key] = image.name
        write_atomic(path, render(rep, fmt, images))
    except OSError as exc:
        raise SitrepError(f"cannot write {path}: {exc.strerror or exc}") from None
    return [path, *written]


def format_for(out: str | os.PathLike | None, fmt: str | None = None) -> str:
    """The format asked for, else the one ``out``'s suffix names, else Markdown."""
    if fmt:
        return fmt
    suffix = Path(out).suffix.lstrip(".").lower() if out else ""
    return {"markdown": "md", "htm": "html"}.get(suffix, suffix) if suffix in {*FORMATS, "markdown", "htm"} else "md"


def make(week: str, region: str | None = None, fmt: str | None = None, out: str | os.PathLike | None = None,
         db: str | os.PathLike | None = None, with_map: bool = True) -> list[Path]:
    """What ``tracker sitrep`` does: check every argument, read the week, write the report.

    Bad arguments fail before the database is opened or anything is written.

    Returns
    -------
    list of Path
        The files written, the report first.
    """
    from tracker import store  # noqa: PLC0415

    parse_week(week)
    fmt = format_for(out, fmt)
    if fmt not in FORMATS:
        raise SitrepError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if region:
        _region(region)
    if out is not None:
        check_out(Path(out))
    con = store.connect(db, read_only=True)
    try:
        rep = gather(con, week, region, with_map=with_map)
    finally:
        con.close()
    return write(rep, fmt, out)


# --- many weeks: the script and the pipeline stage ---------------------------------------------------------

#: What the pipeline stage and the script write for each week.
BATCH_FORMATS: tuple[str, ...] = ("md", "html")


def write_weeks(con: duckdb.DuckDBPyConnection, weeks: Sequence[str], region: str | None = None,
                folder: str | os.PathLike | None = None, formats: Sequence[str] = BATCH_FORMATS,
                progress: Any = None, timeline: Any = None) -> list[Path]:
    """Write one report per week into ``folder`` (default ``<outputs>/sitreps``), then the folder's index.

    The control timeline is loaded once for all weeks. Returns the report files written (images left out).
    """
    folder = Path(folder) if folder is not None else settings.outputs_dir() / "sitreps"
    for fmt in formats:
        if fmt not in FORMATS:
            raise SitrepError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if region:
        _region(region)
    check_out(folder / "index.md")
    geo = load_geo(con) if timeline is None else load_geo(con, timeline)
    written: list[Path] = []
    for week in weeks:
        rep = gather(con, week, region, geo=geo)
        for fmt in formats:
            written.append(write(rep, fmt, default_path(rep, fmt, folder))[0])
        if progress:
            progress(rep)
    write_index(folder)
    return written


def write_index(folder: str | os.PathLike) -> Path:
    """``index.md`` and ``index.html`` listing every report in ``folder``, newest week first."""
    folder = Path(folder)
    entries = []
    for md in sorted(folder.glob("*-W*.md"), reverse=True):
        match = re.match(r"^(\d{4})-W(\d{2})(?:-(.+))?$", md.stem)
        if not match:
            continue
        year, week = int(match.group(1)), int(match.group(2))
        start, end = week_bounds(year, week)
        summary = ""
        text = md.read_text(encoding="utf-8")
        found = re.search(r"^## Summary\s*\n+(.+?)\n", text, re.MULTILINE)
        if found:
            summary = found.group(1).strip()
        entries.append({"stem": md.stem, "week": f"{year}-W{week:02d}", "range": fmt_range(start, end),
                        "region": match.group(3) or "syria", "summary": summary,
                        "html": (folder / f"{md.stem}.html").exists()})
    env = _env()
    for fmt in ("md", "html"):
        write_atomic(folder / f"index.{fmt}", env.get_template(f"sitrep_index.{fmt}.j2").render(entries=entries))
    return folder / "index.md"


def stage_sitreps(ctx: Any) -> dict:
    """Pipeline stage: the reports for every week with a dated news report or a control change."""
    weeks = weeks_covered(ctx.con)
    folder = Path(ctx.out_dir) / "sitreps"
    # the control stage's timeline, not rebuilt from the database
    files = write_weeks(ctx.con, weeks, folder=folder, timeline=getattr(ctx, "timeline", None)) if weeks else []
    return {"weeks": len(weeks), "first": weeks[0] if weeks else None, "last": weeks[-1] if weeks else None,
            "files": len(files), "folder": str(folder)}
