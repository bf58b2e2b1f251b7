"""The viewer's data: everything the page shows for a run of days, from the stored timeline, in a compact form.

Geometry is written once (each place's cell, each front edge, the base map); what changes is written as deltas:

- ``classes``: the distinct states drawn, ``[side, status, other side, stale]`` (side indices into ``sides``;
  class 0 is "nothing known", not drawn);
- ``state0``: each place's class on the first day; ``deltas[k]``: ``[place, class, place, class, ...]`` for the
  places whose class changes on day ``k`` (empty on most days);
- ``front0`` and ``frontDeltas[k]``: the front edges on the first day, then the edges that appear or go on day
  ``k`` (each listed edge toggles);
- ``events``: every applied change of a shown place up to the last day, with the claims (source, report date,
  exact quote) behind it: the change list of each day and each place's history are read from it.

States come from :class:`tracker.polygons.DailyPolygons` (the maps' own per-cell keys), front edges from
:func:`tracker.polygons.front_edges`, points without a cell from :func:`tracker.polygons.uncertain_on`; quotes
from ``control_events.quotes``, sources from the ``claims`` and ``reports`` tables. Nothing is refolded.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import shapely

from tracker import basemap, polygons, vocab
from tracker.regions import Region
from tracker.viewer.geometry import SCALE, encode_lines, encode_point, encode_polygon

#: Cells are simplified (as one coverage) by this tolerance in metres before encoding: invisible below zoom 11.
CELL_TOLERANCE_M: float = 60.0
#: The base map (neighbours, governorates, the Euphrates) is simplified by this tolerance in degrees.
BASE_TOLERANCE_DEG: float = 0.004
#: Label ranks of places by feature type; 0 and 1 are the towns of ``render.toml``. A label of rank r shows from
#: zoom ``LABEL_ZOOMS[r]`` of ``static/viewer.js`` on, where no label of a lower rank stands.
TYPE_RANK: dict[str, int] = {"city": 2, "town": 3, "village": 4, "neighbourhood": 4}
#: The rank of every other place (hills, bases, oil fields...).
OTHER_RANK: int = 5
#: A town of ``render.toml`` stands for the nearest settlement within this many degrees (not labelled twice).
TOWN_MATCH_DEG: float = 0.05


def _opt(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _iso(value) -> str | None:
    """A day as ``YYYY-MM-DD`` (dates, timestamps and date strings alike); None when missing."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def change_days(timeline, start: date, end: date) -> list[date]:
    """``start`` and every later day up to ``end`` on which some place's state or staleness changes."""
    lo, hi = start.toordinal(), end.toordinal()
    return [start] + [date.fromordinal(int(n)) for n in timeline.boundaries() if lo < n <= hi]


def select_cells(cells: polygons.Cells, region: Region) -> np.ndarray:
    """Rows of the cells that meet the region's box (every cell for all of Syria)."""
    if region.name == "syria":
        return np.arange(len(cells))
    # the box's edges are parallels and meridians: densified, they stay so in the equal-area projection
    box = shapely.segmentize(shapely.box(*region.bbox), 0.02)
    return np.flatnonzero(shapely.intersects(cells.geometry, polygons.to_equal_area(np.array([box], dtype=object))[0]))


def event_days(timeline, start: date, end: date) -> list[date]:
    """``start`` and every later day up to ``end`` with an applied change (reported or inferred): the only days on
    which a side or status, and so a front, can change (the other change days only age states into stale)."""
    ev = timeline.events
    days = ev.loc[ev["applied"] & (ev["day"] > start) & (ev["day"] <= end), "day"]
    return [start] + sorted(set(days))


def point_places(timeline, cells: polygons.Cells, region: Region) -> list[str]:
    """Places without a cell whose coordinate lies in the region's box: drawn as points on the days their state is
    known (:func:`tracker.polygons.uncertain_on`'s places)."""
    pl = timeline.places
    w, s, e, n = region.bbox
    inside = pl["lon"].between(w, e) & pl["lat"].between(s, n)
    return sorted(set(pl.index[inside.to_numpy()]) - set(cells.place_id))


def _points_by_day(timeline, ids: list[str], days: list[date]) -> dict[date, pd.DataFrame]:
    """The points with a known state (inferred included, as on the maps) on each of ``days``: ``place_id, side,
    status``."""
    out = {}
    iv = timeline.intervals
    order = {pid: k for k, pid in enumerate(ids)}
    # the intervals of these places, found once: a day's state of every place (a frame of thousands of rows, for
    # a handful of points) is not built for each day
    ours = iv["place_id"].map(order).to_numpy(float)
    pid, side, status = iv["place_id"].to_numpy(object), iv["side"].to_numpy(object), iv["status"].to_numpy(object)
    for day in days:
        rows = timeline.rows_on(day, include_inferred=True)
        rows = rows[~np.isnan(ours[rows])]
        rows = rows[np.argsort(ours[rows], kind="stable")]  # in the order of ``ids``
        known = rows[pd.notna(side[rows]) & (side[rows] != "unknown")]
        out[day] = pd.DataFrame({"place_id": pid[known], "side": side[known], "status": status[known]})
    return out


def _labels(places: pd.DataFrame) -> tuple[np.ndarray, list[dict]]:
    """A label rank per place (:data:`TYPE_RANK`, -1: never labelled) and the towns of ``render.toml`` with their
    own names (its rank 1 as 0, rank 2 as 1). The settlement a town names is not labelled a second time."""
    types = places["feature_type"] if "feature_type" in places else pd.Series("village", index=places.index)
    rank = types.map(TYPE_RANK).fillna(OTHER_RANK).to_numpy(int)
    lon, lat = places["lon"].to_numpy(float), places["lat"].to_numpy(float)
    settled = types.isin(list(TYPE_RANK)).to_numpy()
    towns = []
    for town in basemap.style()["towns"]:
        towns.append({"en": town["en"], "ar": town.get("ar"), "at": encode_point(town["lon"], town["lat"]),
                      "rank": int(town["rank"]) - 1})
        dist = np.where(settled, np.hypot(lon - town["lon"], lat - town["lat"]), np.inf)
        if len(dist) and np.nanmin(dist) <= TOWN_MATCH_DEG:
            rank[int(np.nanargmin(dist))] = -1
    return rank, towns


def _lookup(values: list, table: dict) -> list[int]:
    """Indices of ``values`` into a growing table of distinct values (None -> -1)."""
    out = []
    for v in values:
        if v is None:
            out.append(-1)
            continue
        out.append(table.setdefault(v, len(table)))
    return out


def _claims_info(con, ids: set[str]) -> dict[str, dict]:
    """Source, attribution, report date, language, report title and URL of each claim in ``ids``."""
    if not ids or con is None:
        return {}
    frame = pd.DataFrame({"claim_id": sorted(ids)})
    con.register("_viewer_ids", frame)
    try:
        rows = con.execute(
            "SELECT c.claim_id, c.source, c.attribution, coalesce(c.published, r.published) AS published, c.lang, "
            "c.quote, c.report_id, r.title, r.url "
            "FROM _viewer_ids i JOIN claims c ON c.claim_id = i.claim_id "
            "LEFT JOIN reports r ON r.report_id = c.report_id AND r.version = c.report_version").df()
    finally:
        con.unregister("_viewer_ids")
    rows = rows.astype(object).where(rows.notna(), None)
    return {r["claim_id"]: r for r in rows.to_dict("records")}


def _basemap() -> dict:
    """Neighbouring countries, Syria's outline, governorate borders and names, the Euphrates and Lake Assad."""
    base = basemap.load()
    tol = BASE_TOLERANCE_DEG

    def polys(frame) -> list:
        return [encode_polygon(shapely.simplify(g, tol)) for g in frame.geometry]

    govs = base.governorates
    return {
        "countries": [{"name": n, "at": encode_point(p.x, p.y), "g": g}
                      for n, g, p in zip(base.countries["name"], polys(base.countries),
                                         shapely.point_on_surface(base.countries.geometry.values)) if g],
        "outline": [g for g in polys(base.outline) if g],
        "governorates": [encode_lines(shapely.simplify(shapely.boundary(g), tol)) for g in govs.geometry],
        "rivers": [line for g in base.rivers.geometry for line in encode_lines(shapely.simplify(g, tol))],
        "lakes": [p for p in polys(base.lakes) if p],
    }


def _states(timeline, cells, rows: np.ndarray, ids: list[str], days: list[date], points_by_day: dict,
            start: date, n_days: int) -> tuple[list[str], list[int], list[list[int]]]:
    """Class keys (``side|status|other|stale``, "" first), each place's class on ``start``, and per day the
    ``[place, class, ...]`` of the places whose class changes: cells by the maps' own keys, points by side and
    status."""
    daily = polygons.DailyPolygons(timeline, cells)
    index = {pid: i for i, pid in enumerate(ids)}
    keys: dict[str, int] = {"": 0}
    state = np.zeros(len(ids), dtype=np.int64)
    state0: list[int] = []
    deltas: list[list[int]] = [[] for _ in range(n_days)]
    points = np.zeros(len(ids) - len(rows), dtype=np.int64)
    for day in days:
        new = np.zeros(len(ids), dtype=np.int64)
        cell_keys = daily.keys_on(day)[rows]
        for k in pd.unique(cell_keys):  # new classes numbered in the order the cells first show them
            keys.setdefault(k, len(keys))
        new[:len(rows)] = pd.Index(list(keys)).get_indexer(cell_keys)
        if day in points_by_day:  # points change only on event days
            pts = points_by_day[day]
            points[:] = 0
            points[[index[p] - len(rows) for p in pts["place_id"]]] = [
                keys.setdefault(f"{side}|{status}||", len(keys)) for side, status in zip(pts["side"], pts["status"])]
        new[len(rows):] = points
        if day == start:
            state0 = new.tolist()
        else:
            changed = np.flatnonzero(new != state)
            deltas[(day - start).days] = np.column_stack([changed, new[changed]]).ravel().tolist()
        state = new
    return list(keys), state0, deltas


def _fronts(timeline, cells, rows: np.ndarray, days: list[date], start: date,
            n_days: int) -> tuple[np.ndarray, list[int], list[list[int]]]:
    """The cell edges ever on a front between two shown cells, the ones on ``start`` (indices into the first),
    and per day the ones that appear or go."""
    shown = np.zeros(len(cells), bool)
    shown[rows] = True
    candidate = shown[cells.edge_i] & shown[cells.edge_j]
    daily = polygons.DailyPolygons(timeline, cells)
    masks = []
    for day in days:  # each cell's reported side and status, without a frame of every place's state a day
        side, status = daily.sides_on(day)
        side = np.where(pd.isna(side), "unknown", side).astype(str)
        masks.append(polygons.front_mask(side, np.isin(status, list(polygons.FRONT_STATUSES)), cells) & candidate)
    ever = np.flatnonzero(np.any(np.vstack(masks), axis=0))
    renumber = np.full(len(candidate), -1)
    renumber[ever] = np.arange(len(ever))
    front0 = renumber[np.flatnonzero(masks[0])].tolist()
    deltas: list[list[int]] = [[] for _ in range(n_days)]
    for k in range(1, len(days)):
        deltas[(days[k] - start).days] = renumber[np.flatnonzero(masks[k] != masks[k - 1])].tolist()
    return ever, front0, deltas


def _places(timeline, ids: list[str], n_cells: int) -> dict:
    """Names, point, admin names, coordinate precision, baseline and label rank of each shown place."""
    places = timeline.places.reindex(ids)
    empty = pd.Series([None] * len(ids), index=places.index, dtype=object)
    lon, lat = places["lon"].to_numpy(float), places["lat"].to_numpy(float)
    rank, towns = _labels(places)
    adm: dict = {}
    precisions: dict = {}
    baselines: dict = {}
    base = timeline.baseline.drop_duplicates("place_id", keep="last").set_index("place_id").reindex(ids)
    return {
        "id": ids, "cells": n_cells,
        "en": [_opt(v) for v in places["name_en"]],
        "ar": [_opt(v) for v in places.get("name_ar", empty)],
        "pt": [encode_point(x, y) if x == x and y == y else None for x, y in zip(lon, lat)],
        "rank": rank.tolist(), "towns": towns,
        "adm1": _lookup([_opt(v) for v in places.get("adm1_en", empty)], adm),
        "adm3": _lookup([_opt(v) for v in places.get("adm3_en", empty)], adm),
        "precision": _lookup([_opt(v) for v in places.get("coord_precision", empty)], precisions),
        "baseline": _lookup([(_iso(d), _opt(src), _opt(note)) if _iso(d) else None
                             for d, src, note in zip(base["day"], base["source"], base["note"])], baselines),
        "adm_names": list(adm), "precisions": list(precisions), "baselines": [list(b) for b in baselines],
    }


def _events(timeline, ids: list[str], end: date, start: date, con, side_of) -> tuple[list, list]:
    """Applied changes of the shown places up to ``end`` (``[day, place, from side, from status, to side,
    to status, other side, inferred, action, note, [claims]]``, day counted from ``start``, negative before it)
    and their claims (``[claim id, source, attribution, report date, language, quote, report title, url]``)."""
    index = {pid: i for i, pid in enumerate(ids)}
    ev = timeline.events
    ev = ev[ev["applied"] & ev["place_id"].isin(list(index)) & (ev["day"] <= end)].sort_values(["day", "place_id"])
    info = _claims_info(con, {c for cs in ev["claim_ids"] if cs is not None for c in cs})
    claims: list[list] = []
    seen: dict[tuple[str, str], int] = {}
    events = []
    for e in ev.itertuples(index=False):
        refs = []
        quotes = list(e.quotes) if e.quotes is not None else []
        for k, cid in enumerate(e.claim_ids if e.claim_ids is not None else []):
            c = info.get(cid, {})
            quote = (quotes[k] if k < len(quotes) else "") or c.get("quote") or ""
            if (cid, quote) not in seen:
                seen[(cid, quote)] = len(claims)
                claims.append([cid, _opt(c.get("source")), _opt(c.get("attribution")), _iso(c.get("published")),
                               _opt(c.get("lang")), quote, _opt(c.get("title")), _opt(c.get("url"))])
            refs.append(seen[(cid, quote)])
        events.append([(e.day - start).days, index[e.place_id], side_of(e.from_side), _opt(e.from_status),
                       side_of(e.to_side), _opt(e.to_status), side_of(e.other_side), bool(e.inferred),
                       _opt(e.action), _opt(e.note), refs])
    return events, claims


def build(timeline, cells: polygons.Cells, start: date, end: date, region: Region, con=None) -> dict:
    """The data of one viewer: days ``start`` to ``end`` over ``region`` (see the module docstring).

    Parameters
    ----------
    timeline
        The stored timeline (:func:`tracker.control.load_timeline`, or the control stage's).
    cells
        Its cells (:func:`tracker.polygons.load_cells`).
    start, end
        The first and last day shown.
    region
        The box whose cells and points are shown; the page opens on it.
    con
        The database, for the claims' sources (None: the quotes alone).
    """
    from tracker.control import STALE_DAYS
    from tracker.frames import WIKIMAP_NOTE
    from tracker.plot import BASE_CREDIT

    n_days = (end - start).days + 1
    days, moves = change_days(timeline, start, end), event_days(timeline, start, end)
    rows = select_cells(cells, region)
    points_by_day = _points_by_day(timeline, point_places(timeline, cells, region), moves)
    ids = [str(p) for p in cells.place_id[rows]] + sorted({p for f in points_by_day.values() for p in f["place_id"]})
    keys, state0, deltas = _states(timeline, cells, rows, ids, days, points_by_day, start, n_days)
    edges, front0, front_deltas = _fronts(timeline, cells, rows, moves, start, n_days)

    side_ix = {s: i for i, s in enumerate(vocab.sides())}

    def side_of(value) -> int:
        value = _opt(value)
        return -1 if value is None else side_ix.setdefault(value, len(side_ix))

    classes = [[0, "", -1, False]] + [[side_of(k.split("|")[0]), k.split("|")[1], side_of(k.split("|")[2]),
                                       k.split("|")[3] == "stale"] for k in keys[1:]]
    events, claims = _events(timeline, ids, end, start, con, side_of)
    # the cells simplified as one coverage (shared edges stay shared), in lon/lat
    simple = shapely.coverage_simplify(cells.geometry, CELL_TOLERANCE_M)
    cell_geoms = polygons.to_wgs84(simple[rows]) if len(rows) else []
    edge_geoms = polygons.to_wgs84(cells.edge_geometry[edges]) if len(edges) else []
    thin = (cells.thin_km2[rows] > 0) if cells.thin_km2 is not None else np.zeros(len(rows), bool)
    style = basemap.style()
    return {
        "format": 1, "start": start.isoformat(), "days": n_days, "scale": SCALE,
        "region": {"name": region.name, "label": region.label or region.name.title(), "bbox": list(region.bbox)},
        "sides": [{"name": s, "label": vocab.side_label(s), "colour": vocab.side_colour(s)} for s in side_ix],
        "classes": classes, "places": _places(timeline, ids, len(rows)),
        "cells": [encode_polygon(g) for g in cell_geoms], "thin": np.flatnonzero(thin).tolist(),
        "state0": state0, "deltas": deltas,
        "edges": [encode_lines(g) for g in edge_geoms], "front0": front0, "frontDeltas": front_deltas,
        "events": events, "claims": claims,
        "basemap": _basemap(),
        "style": {"colours": style["colours"], "alpha": style["alpha"], "lines": style["lines"]},
        "notes": {"credit": BASE_CREDIT, "baseline": WIKIMAP_NOTE, "stale_days": STALE_DAYS,
                  "thin_km": polygons.THIN_KM},
    }
