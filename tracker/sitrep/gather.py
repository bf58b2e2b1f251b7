"""Read one ISO week from the store into a :class:`~tracker.sitrep.model.Sitrep`.

Every query names the columns of ``docs/schema.md`` (``places``, ``control_events``, ``control_intervals``,
``faction_area``, ``conflicts``, ``claims``, ``reports``, ``baseline``): the control stage's tables are the one
control model, read as stored. A database on which the control stage has not run gets a clear error.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from tracker import vocab
from tracker.dates import publication_estimated
from tracker._errors import MissingDataError, TrackerError
from tracker.sitrep import figures
from tracker.sitrep.model import (CHART_WEEKS, FEATURE_RANK, LIST_ALL_STATES, RECENT_WEEKS, AreaRow, Change,
                                  Disputed, Evidence, PlaceState, ReportUsed, Sitrep, SitrepError, StandingGroup,
                                  parse_week, week_bounds, week_of)
from tracker.sitrep.summary import write_summary
from tracker.sitrep.words import fmt_day, fmt_short, is_rtl, side_label

#: Sides whose ground is never tabulated: they act but rarely hold ground on their own.
NO_GROUND: frozenset[str] = frozenset({"russia", "coalition", "pmf"})
#: A side's ground: what it holds, besieged or not, and where it holds while attacked (not inferred advances).
GROUND_STATUSES: tuple[str, ...] = ("held", "besieged", "contested")


# --- values as pandas hands them back ----------------------------------------------------------------------

def _clean(value: Any) -> Any:
    """None for SQL NULL (pandas gives NaN, NaT or NA)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return value
    return None if pd.isna(value) else value


def _as_date(value: Any) -> dt.date | None:
    value = _clean(value)
    if value is None:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _str(value: Any) -> str:
    value = _clean(value)
    return "" if value is None else str(value)


def _ids(value: Any) -> list[str]:
    """A ``VARCHAR[]`` column's value as a list of strings."""
    value = _clean(value)
    if value is None:
        return []
    return [str(v) for v in (value.tolist() if hasattr(value, "tolist") else value) if v]


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


# --- regions ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Area:
    """The region a report covers: all of Syria (``bbox`` None), the front, a box, or a governorate (``shape``)."""

    name: str
    label: str
    bbox: tuple[float, float, float, float] | None
    shape: Any = None

    def covers(self, lat: Any, lon: Any) -> bool:
        """Whether a place at (lat, lon) lies in the region (always, for Syria; never without coordinates)."""
        if self.bbox is None:
            return True
        lat, lon = _clean(lat), _clean(lon)
        if lat is None or lon is None:
            return False
        if self.shape is not None:
            import shapely  # noqa: PLC0415

            return bool(self.shape.covers(shapely.Point(float(lon), float(lat))))
        w, s, e, n = self.bbox
        return w <= float(lon) <= e and s <= float(lat) <= n


def region_area(name: str | None, points: Iterable[tuple[float, float]] = ()) -> Area:
    """The :class:`Area` of a region name (``syria``, ``front``, a governorate in any spelling).

    Raises
    ------
    tracker.regions.RegionError
        An unknown region.
    """
    if not name or name.strip().casefold() in {"syria", "all"}:
        return Area("syria", "Syria", None)
    from tracker import basemap, regions  # noqa: PLC0415 (geodata loads only when a region is asked for)

    reg = regions.region(name, points)
    if reg.name == "syria":
        return Area("syria", "Syria", None)
    shape = None
    if reg.name not in {"front", "bbox"}:
        govs = basemap.load().governorates
        slugs = govs["adm1_en"].map(lambda s: re.sub(r"[^a-z0-9]+", "-", str(s).casefold()).strip("-"))
        match = govs[slugs == reg.name]
        if len(match):
            shape = match.geometry.iloc[0]
    label = reg.label or ("Syria (front)" if reg.name == "front" else reg.name)
    return Area(reg.name, label, tuple(reg.bbox), shape)  # type: ignore[arg-type]


# --- the timeline and its polygons (maps, per-region areas) -------------------------------------------------

@dataclass
class Geo:
    """The control timeline and its polygons, behind the map and per-region areas.

    ``source`` is a :class:`tracker.frames.ControlFrames` (None when it could not be loaded; then ``error`` says
    why). ``Geo()`` means: use the database tables alone, draw no control layers.
    """

    source: Any = None
    error: str = ""

    @property
    def timeline(self) -> Any:
        """The control timeline, or None."""
        return None if self.source is None else self.source.timeline


def load_geo(con: duckdb.DuckDBPyConnection, timeline: Any = None) -> Geo:
    """The control timeline of this database (or ``timeline``, already built) and its polygons.

    Load once and pass to :func:`gather` when writing many weeks: building it takes seconds.
    """
    from tracker import frames  # noqa: PLC0415 (geodata loads only when maps are wanted)

    try:
        return Geo(source=frames.ControlFrames(timeline=timeline, con=con))
    except (TrackerError, duckdb.Error) as exc:
        return Geo(error=str(exc).splitlines()[0])


# --- places and claims -----------------------------------------------------------------------------------

_PLACE_COLUMNS = ["place_id", "name_en", "name_ar", "lat", "lon", "feature_type"]


def _places(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> pd.DataFrame:
    """Names and coordinates of the given places, indexed by ``place_id``."""
    ids = sorted({i for i in ids if i})
    frame = _df(con, f"SELECT {', '.join(_PLACE_COLUMNS)} FROM places JOIN (SELECT unnest(?::VARCHAR[]) AS place_id) "
                     "wanted USING (place_id)", [ids]) if ids else pd.DataFrame(columns=_PLACE_COLUMNS)
    return frame.set_index("place_id")


_CLAIMS = """
    SELECT c.claim_id, c.report_id, c.actor, c.action, c.status, c.place_text, c.place_id, c.place_name, c.lat,
           c.lon, c.date, c.quote, c.attribution, c.source, c.lang, c.published, c.confidence, c.opponent,
           r.published_precision, r.kind, json_extract_string(r.meta, '$.published_basis') AS published_basis
    FROM claims c LEFT JOIN reports r ON r.report_id = c.report_id AND r.version = c.report_version"""


def _claims_in(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Claims dated in the week (by their own date, else their report's publication)."""
    return _df(con, f"""{_CLAIMS}
        WHERE coalesce(c.date, c.published) BETWEEN ? AND ?
        ORDER BY coalesce(c.date, c.published), c.report_id, c.quote_start""", [start, end])


def _claims_by_id(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> pd.DataFrame:
    ids = sorted({i for i in ids if i})
    if not ids:
        return pd.DataFrame()
    # a join, not `IN (SELECT unnest(?))`, which DuckDB does not hash (1.4 s against 0.03 s at 42,000 claims)
    return _df(con, f"{_CLAIMS} JOIN (SELECT unnest(?::VARCHAR[]) AS claim_id) wanted USING (claim_id) "
                    "ORDER BY c.rowid", [ids])


def _evidence(row: Any) -> Evidence:
    return Evidence(
        claim_id=_str(row.claim_id) or None, report_id=str(row.report_id), source=_str(row.source) or None,
        published=_as_date(row.published),
        published_estimated=publication_estimated(_str(row.published_basis) or None, _str(row.published_precision) or None),
        lang=_str(row.lang) or None, quote=_str(row.quote), attribution=_str(row.attribution) or None,
        confidence=_clean(row.confidence), actor=_str(row.actor) or None, action=_str(row.action) or None,
        status=_str(row.status) or None, kind=_str(row.kind) or None,
    )


# --- changes ---------------------------------------------------------------------------------------------

def _changes(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, claims: pd.DataFrame,
             area: Area) -> list[Change]:
    """The week's applied control events, with the quotes of their claims."""
    raw = _df(con, """
        SELECT place_id, day, from_side, from_status, to_side, to_status, other_side, claim_ids, confidence, inferred
        FROM control_events WHERE applied AND day BETWEEN ? AND ? ORDER BY day, place_id""", [start, end])
    if raw.empty:
        return []
    places = _places(con, raw["place_id"].astype(str))
    linked = _claims_by_id(con, [i for v in raw["claim_ids"] for i in _ids(v)])
    by_id = {str(r.claim_id): r for r in linked.itertuples(index=False)} if not linked.empty else {}
    changes: list[Change] = []
    for row in raw.itertuples(index=False):
        pid = str(row.place_id)
        info = places.loc[pid] if pid in places.index else None
        ev_rows = [by_id[i] for i in _ids(row.claim_ids) if i in by_id]
        if not ev_rows and not claims.empty:
            # an event without claims of its own (inferred): the week's asserted claims on the same place
            ev_rows = list(claims[(claims["place_id"] == pid) & (claims["status"] == "asserted")].itertuples(index=False))
        lat = _clean(info["lat"]) if info is not None else None
        lon = _clean(info["lon"]) if info is not None else None
        if not area.covers(lat, lon):
            continue
        name_ar = _str(info["name_ar"]) if info is not None else ""
        if not name_ar:  # the words of an Arabic claim about this very place, when the gazetteer has none
            name_ar = next((_str(ev.place_text) for ev in ev_rows if is_rtl(_str(ev.place_text))
                            and _str(ev.place_id) == pid), "")
        evidence = sorted((_evidence(ev) for ev in ev_rows), key=lambda e: -(e.confidence or 0))
        seen: set[str] = set()
        unique = [e for e in evidence if not (e.quote in seen or seen.add(e.quote))]  # same quote, one row
        changes.append(Change(
            day=_as_date(row.day), place_id=pid, name_en=(_str(info["name_en"]) if info is not None else "") or pid,
            name_ar=name_ar, lat=lat, lon=lon, from_side=_str(row.from_side) or None,
            to_side=_str(row.to_side) or None, other_side=_str(row.other_side) or None,
            from_status=_str(row.from_status) or None, status=_str(row.to_status) or "held",
            confidence=_clean(row.confidence), inferred=bool(row.inferred),
            feature_type=(_str(info["feature_type"]) or None) if info is not None else None, evidence=unique,
        ))
    changes.sort(key=lambda c: (c.day or dt.date.min, c.name_en))
    return changes


# --- areas -----------------------------------------------------------------------------------------------

def _areas_on(con: duckdb.DuckDBPyConnection, days: Sequence[dt.date]) -> pd.DataFrame:
    """``day``, ``side``, ``km2`` for each of ``days``: the latest ``faction_area`` figures on or before it."""
    if not days:
        return pd.DataFrame(columns=["day", "side", "km2"])
    return _df(con, """
        WITH area AS (SELECT * FROM faction_area WHERE status IN (SELECT unnest(?::VARCHAR[]))),
             wanted AS (SELECT unnest(?::DATE[]) AS day),
             latest AS (SELECT w.day, a.side, max(a.day) AS asof
                        FROM wanted w JOIN area a ON a.day <= w.day GROUP BY w.day, a.side)
        SELECT l.day, l.side, sum(a.area_km2) AS km2
        FROM latest l JOIN area a ON a.side = l.side AND a.day = l.asof
        GROUP BY l.day, l.side ORDER BY l.day, l.side""", [list(GROUND_STATUSES), list(days)])


def _areas_from_layers(geo: Geo, days: Sequence[dt.date], shape: Any) -> pd.DataFrame:
    """Ground per side inside ``shape`` from the day's polygon layers (equal-area km²)."""
    rows = []
    for day in days:
        layers = geo.source.daily.layers_on(day)
        held = layers[layers["status"].isin(list(GROUND_STATUSES))]
        if not len(held):
            continue
        km2 = held.geometry.intersection(shape).to_crs("EPSG:6933").area / 1e6
        for side, value in pd.Series(km2.to_numpy(), index=held["side"].astype(str)).groupby(level=0).sum().items():
            rows.append({"day": day, "side": side, "km2": float(value)})
    return pd.DataFrame(rows, columns=["day", "side", "km2"])


def _gather_areas(con: duckdb.DuckDBPyConnection, rep: Sitrep, area: Area, geo: Geo) -> None:
    ends = [rep.end - dt.timedelta(weeks=k) for k in range(CHART_WEEKS - 1, -1, -1)]
    days = sorted({rep.start - dt.timedelta(days=1), *ends})
    table = pd.DataFrame(columns=["day", "side", "km2"])
    if area.shape is not None and geo.timeline is not None:
        table = _areas_from_layers(geo, days, area.shape)
        rep.area_note = f"Ground inside {area.label}, from the control polygons."
    if table.empty:
        table = _areas_on(con, days)
        rep.area_note = ("Ground held across all of Syria (per-region figures exist for governorates only)."
                         if area.bbox is not None else "Ground held across all of Syria.")
    if table.empty:
        rep.area_note = "No area figures: the polygon stage has not stored any (table faction_area)."
        return
    table = table[~table["side"].isin(NO_GROUND)].copy()
    table["day"] = table["day"].map(_as_date)
    at_start = table[table["day"] == rep.start - dt.timedelta(days=1)].set_index("side")["km2"]
    at_end = table[table["day"] == rep.end].set_index("side")["km2"]
    order = {s: i for i, s in enumerate(vocab.sides())}
    for side in sorted(set(at_start.index) | set(at_end.index), key=lambda s: order.get(s, 99)):
        s0, s1 = _clean(at_start.get(side)), _clean(at_end.get(side))
        if (s0 or 0) < 0.5 and (s1 or 0) < 0.5:
            continue
        rep.areas.append(AreaRow(side=side, start_km2=float(s0 or 0.0), end_km2=float(s1 or 0.0)))
    hist = table[table["day"].isin(ends)].rename(columns={"day": "week_end"})
    rep.area_history = hist[["week_end", "side", "km2"]].reset_index(drop=True)


# --- contested and besieged places at the end of the week ------------------------------------------------

def _states_on(con: duckdb.DuckDBPyConnection, day: dt.date, area: Area) -> tuple[list[PlaceState], list[PlaceState]]:
    rows = _df(con, """
        SELECT i.place_id, i.status, i.side, i.other_side, i.valid_from AS since,
               p.name_en, p.name_ar, p.lat, p.lon, p.feature_type
        FROM control_intervals i JOIN places p USING (place_id)
        WHERE NOT i.inferred AND i.status IN ('contested', 'besieged') AND i.valid_from <= ?
          AND (i.valid_to IS NULL OR i.valid_to > ?)
        ORDER BY i.valid_from DESC, i.place_id""", [day, day])
    contested: list[PlaceState] = []
    besieged: list[PlaceState] = []
    for row in rows.itertuples(index=False):
        if not area.covers(row.lat, row.lon):
            continue
        state = PlaceState(place_id=row.place_id, name_en=_str(row.name_en) or row.place_id,
                           name_ar=_str(row.name_ar), status=row.status, side=_str(row.side) or None,
                           other_side=_str(row.other_side) or None, since=_as_date(row.since),
                           feature_type=_str(row.feature_type) or None)
        (contested if row.status == "contested" else besieged).append(state)
    return contested, besieged


def group_standing(rep: Sitrep) -> None:
    """Keep the recent contested and besieged places in the lists; count the long-standing ones by sides."""
    everything = rep.contested + rep.besieged
    if len(everything) <= LIST_ALL_STATES:
        return
    recent_from = rep.start - dt.timedelta(weeks=RECENT_WEEKS)

    def recent(p: PlaceState) -> bool:
        return p.since is not None and p.since >= recent_from

    groups: dict[tuple, list[PlaceState]] = {}
    for p in everything:
        if not recent(p):
            groups.setdefault((p.status, p.side, p.other_side), []).append(p)
    rep.contested = [p for p in everything if recent(p) and p.status == "contested"]
    rep.besieged = [p for p in everything if recent(p) and p.status == "besieged"]
    rep.standing = [
        StandingGroup(status=k[0], side=k[1], other_side=k[2], count=len(ps),
                      examples=[p.name_en for p in sorted(ps, key=lambda p: (-FEATURE_RANK.get(p.feature_type or "", 1),
                                                                               p.name_en))[:4]],
                      since=min((p.since for p in ps if p.since), default=None))
        for k, ps in sorted(groups.items(), key=lambda kv: -len(kv[1]))]


# --- disputed claims -------------------------------------------------------------------------------------

def _conflict_text(sides: list[str], winner: str, resolution: str, settled: dt.date | None) -> str:
    text = "reports disagree on who held it"
    if sides:
        text += ": " + " or ".join(side_label(s) for s in dict.fromkeys(sides))
    if winner:
        text += f"; weighed by source, {side_label(winner)} is shown"
    elif resolution:
        text += f"; {resolution}"
    if settled is not None:
        text += f" (settled {fmt_short(settled)})"
    return text


def _disputed(con: duckdb.DuckDBPyConnection, claims: pd.DataFrame, start: dt.date, end: dt.date,
              area: Area) -> list[Disputed]:
    out: list[Disputed] = []
    if not claims.empty:
        inside = claims if area.bbox is None else claims[[area.covers(r.lat, r.lon) for r in claims.itertuples()]]
        for row in inside[inside["status"] == "refuted"].itertuples(index=False):
            out.append(Disputed(
                kind="refuted", day=_as_date(row.date) or _as_date(row.published),
                place=_str(row.place_name) or _str(row.place_text),
                place_ar=_str(row.place_text) if is_rtl(_str(row.place_text)) else "",
                description=f"{side_label(row.actor)} {row.action}, denied in the same report",
                evidence=[_evidence(row)]))
        # captures of one place claimed by different sides in the same week
        caps = inside[(inside["status"] == "asserted") & (inside["action"] == "capture") & inside["place_id"].notna()]
        for pid, group in caps.groupby("place_id", sort=False):
            if group["actor"].nunique() > 1:
                actors = ", ".join(side_label(a) for a in dict.fromkeys(group["actor"]))
                out.append(Disputed(
                    kind="conflict", day=_as_date(group["date"].min()), place=_str(group["place_name"].iloc[0]) or pid,
                    place_ar="", description=f"captured by different sides in the same week: {actors}",
                    evidence=[_evidence(r) for r in group.itertuples(index=False)]))
    rows = _df(con, """
        SELECT c.place_id, c.day_from, c.sides, c.claim_ids, c.resolution, c.winner, c.settled_on,
               p.name_en, p.name_ar, p.lat, p.lon
        FROM conflicts c LEFT JOIN places p USING (place_id)
        WHERE c.day_from BETWEEN ? AND ? ORDER BY c.day_from, c.place_id""", [start, end])
    rows = rows[pd.Series([_clean(r.lat) is None or area.covers(r.lat, r.lon) for r in rows.itertuples(index=False)],
                          index=rows.index, dtype=bool)]
    # the claims of every conflict of the week in one query (one per conflict scans the claims once each)
    every = _claims_by_id(con, [i for ids in rows["claim_ids"] for i in _ids(ids)])
    for row in rows.itertuples(index=False):
        ev = every[every["claim_id"].isin(_ids(row.claim_ids))] if not every.empty else every
        out.append(Disputed(
            kind="conflict", day=_as_date(row.day_from), place=_str(row.name_en) or row.place_id,
            place_ar=_str(row.name_ar),
            description=_conflict_text(_ids(row.sides), _str(row.winner), _str(row.resolution),
                                       _as_date(row.settled_on)),
            evidence=[_evidence(r) for r in ev.itertuples(index=False)] if not ev.empty else []))
    out.sort(key=lambda d: (d.day or dt.date.min, d.place))
    return out


# --- reports ---------------------------------------------------------------------------------------------

def _reports(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, claims: pd.DataFrame,
             supporting: set[str]) -> list[ReportUsed]:
    ids = sorted(set(claims["report_id"]) if not claims.empty else set())
    # the week's claims' reports by a join (DuckDB does not hash `IN (SELECT unnest(?))`: it compared every
    # report with every id, each week)
    rows = _df(con, """
        WITH newest AS (SELECT report_id, max(version) AS version FROM reports GROUP BY report_id),
             wanted AS (SELECT DISTINCT unnest(?::VARCHAR[]) AS report_id)
        SELECT r.report_id, r.version, r.published, r.published_precision, r.kind, r.source, r.lang, r.title,
               json_extract_string(r.meta, '$.published_basis') AS published_basis
        FROM reports r JOIN newest USING (report_id, version) LEFT JOIN wanted w ON w.report_id = r.report_id
        WHERE r.published BETWEEN ? AND ? OR w.report_id IS NOT NULL
        ORDER BY r.published NULLS LAST, r.report_id""", [ids, start, end])
    counts = claims.groupby("report_id").size().to_dict() if not claims.empty else {}
    return [ReportUsed(
        report_id=row.report_id, version=int(row.version), published=_as_date(row.published),
        published_estimated=publication_estimated(_str(row.published_basis) or None, _str(row.published_precision) or None),
        published_basis=_str(row.published_basis) or None, kind=_str(row.kind) or None,
        source=_str(row.source) or None, lang=_str(row.lang) or None, title=_str(row.title) or None,
        claims=int(counts.get(row.report_id, 0)), supports_changes=row.report_id in supporting)
        for row in rows.itertuples(index=False)]


# --- the span of the data ----------------------------------------------------------------------------------

def data_span(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date | None]:
    """The first day of the control timeline (its baseline) and the day of its last evidence.

    Raises
    ------
    MissingDataError
        When the control stage has not run on this database.
    """
    first, last, n = con.execute(
        "SELECT min(valid_from), max(last_evidence), count(*) FROM control_intervals WHERE NOT inferred").fetchone()
    if not n:
        raise MissingDataError("no control timeline in this database: run `tracker run` (the control stage) first")
    return _as_date(first), _as_date(last)


def weeks_covered(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The ISO weeks with a dated news report or an applied control change, in order (what ``tracker run``
    reports on); chronicles count through the changes their sentences caused, not their copy dates."""
    days = [r[0] for r in con.execute("""
        SELECT DISTINCT published FROM reports WHERE published IS NOT NULL AND coalesce(kind, 'news') <> 'chronicle'
        UNION SELECT DISTINCT day FROM control_events WHERE applied""").fetchall()]
    return sorted({week_of(_as_date(d)) for d in days if d is not None})


# --- gather ----------------------------------------------------------------------------------------------

@dataclass
class Week:
    """One week read from the store (:func:`read_week`): the report without its pictures, the region it covers
    (for ``front``, where the week's changes are), and whether there is a map to draw (the week is not before
    the timeline's start)."""

    rep: Sitrep
    area: Area
    mappable: bool


def read_week(con: duckdb.DuckDBPyConnection, week: str | tuple[int, int], region: str | None = None,
              geo: Geo | None = None) -> Week:
    """Read one ISO week (and region) from the database: :func:`gather` without drawing the pictures.

    ``geo`` serves the areas inside a governorate (default: loaded when the region needs it); see :func:`gather`
    for the rest and the errors.
    """
    year, number = parse_week(week) if isinstance(week, str) else parse_week(f"{week[0]}-W{week[1]}")
    start, end = week_bounds(year, number)
    first, last = data_span(con)
    area = region_area(region)
    rep = Sitrep(year=year, week=number, start=start, end=end, region=area.name, region_label=area.label)
    claims = _claims_in(con, start, end)
    rep.changes = _changes(con, start, end, claims, area)
    if area.name == "front":  # the front is where this week's changes are
        area = region_area("front", [(c.lon, c.lat) for c in rep.changes if c.lat is not None])
    if geo is None:
        geo = load_geo(con) if area.shape is not None else Geo(error="not loaded")
    _gather_areas(con, rep, area, geo)
    rep.contested, rep.besieged = _states_on(con, end, area)
    group_standing(rep)
    rep.disputed = _disputed(con, claims, start, end, area)
    rep.reports = _reports(con, start, end, claims, {e.report_id for c in rep.changes for e in c.evidence})
    if any(r.published_estimated and r.kind != "chronicle" for r in rep.reports):
        rep.notes.append("Publication dates marked 'estimated' were inferred from each report's content, not given "
                         "by its publisher; how each was reached is listed under 'Reports used'.")
    if any(r.kind == "chronicle" for r in rep.reports):
        rep.notes.append("Chronicles (dated histories such as Wikipedia campaign articles) were written later; "
                         "their sentences carry their own dates.")
    if end < first:
        rep.outside_data = f"the control timeline starts on {fmt_day(first)}, after this week"
        rep.notes.append(f"The control timeline starts on {fmt_day(first)} (its baseline map); this week is "
                         "earlier, so there is no map of control and no area figures, and its claims change nothing.")
        rep.area_note = "No area figures before the control timeline starts."
        rep.areas, rep.area_history = [], rep.area_history.iloc[0:0]
    elif last is not None and start > last:
        rep.outside_data = f"the data's last evidence is of {fmt_day(last)}, before this week"
        rep.notes.append(f"The data's last evidence is of {fmt_day(last)}; this week is later, so what it shows is "
                         "carried forward from then.")
    rep.summary = write_summary(rep)
    return Week(rep, area, end >= first)


def gather(con: duckdb.DuckDBPyConnection, week: str | tuple[int, int], region: str | None = None,
           with_map: bool = True, geo: Geo | None = None, print_scale: float = 1.0) -> Sitrep:
    """Read one ISO week (and region) from the database into a :class:`Sitrep`.

    Parameters
    ----------
    con
        An open tracker database (read-only is enough) on which the control stage has run.
    week
        ``"2017-W41"`` or ``(2017, 41)``.
    region
        ``syria`` (default), ``front``, or a governorate by name (see :func:`tracker.regions.region`).
    with_map
        Render the maps and the chart (off for quick checks and fingerprints).
    geo
        The control timeline and cells (:func:`load_geo`); loaded from ``con`` when needed and None. ``Geo()``
        uses the database tables alone.
    print_scale
        Pixels of the maps per pixel on screen (2 for print).

    Raises
    ------
    SitrepError
        A malformed week.
    MissingDataError
        The control stage has not run.
    tracker.regions.RegionError
        An unknown region.
    """
    if geo is None and with_map:
        geo = load_geo(con)
    got = read_week(con, week, region, geo)
    if with_map and got.mappable:
        figures.draw(got.rep, got.area, geo, print_scale)
    return got.rep
