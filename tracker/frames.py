"""What one map shows, as plain data: :class:`Frame`, and where frames come from.

The renderer (:mod:`tracker.plot`) draws a :class:`Frame` and knows nothing else. :func:`frame_for` asks
the control and polygon modules for a day's data; :func:`wikimap_frames` builds frames from the Wikipedia
map points alone (the July 2017 baseline), for development, tests and the benchmark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tracker import basemap, settings, vocab
from tracker._errors import MissingDataError

LAYER_COLUMNS = ["side", "status", "geometry"]
CHANGE_COLUMNS = ["place_id", "name_en", "name_ar", "lat", "lon", "from_side", "to_side", "status", "day"]
BESIEGED_COLUMNS = ["name_en", "name_ar", "lat", "lon", "side"]

WIKIMAP_NOTE = "Baseline: Wikipedia 'Syrian Civil War detailed map', about 10-21 July 2017 (CC BY-SA)"
WIKIMAP_BASELINE = dt.date(2017, 7, 15)


def empty_layers() -> gpd.GeoDataFrame:
    """A layers table with no rows (a day with no data)."""
    return gpd.GeoDataFrame({"side": [], "status": []}, geometry=[], crs="EPSG:4326")


def empty_changes() -> pd.DataFrame:
    """A changes table with no rows."""
    return pd.DataFrame({c: [] for c in CHANGE_COLUMNS})


@dataclass
class Frame:
    """One day's map data.

    Attributes
    ----------
    day : date
        The day shown (the title).
    layers : GeoDataFrame
        ``side``, ``status`` (held, contested, besieged, inferred), ``geometry`` in EPSG:4326. A contested
        row may name two sides as ``"a|b"`` (drawn in a's colour hatched in b's).
    front_lines : GeoDataFrame or None
        Line geometries (any columns).
    changes : DataFrame
        What changed since ``previous_day``: ``name_en``, ``name_ar``, ``lat``, ``lon``, ``from_side``,
        ``to_side``, ``status``; an optional ``geometry`` column (the place's cell) is outlined.
    besieged : DataFrame or None
        Besieged places to ring: ``name_en``, ``lat``, ``lon`` (``name_ar``, ``side`` optional).
    previous_day : date or None
        The day the changes are counted from.
    sources_note : str
        Who reported what (footnote).
    baseline_date : date or None
        Date of the baseline control map (footnote).
    thin : GeoDataFrame or None
        Thinly held land (cells larger than a disc of radius ``tracker.polygons.THIN_KM``), stippled on the map.
    recent : DataFrame or None
        In an animation: the changes of this frame and of the few frames before it (``CHANGE_COLUMNS`` plus
        ``geometry``, the place's cell, and ``fade``, 1 for this frame's changes down towards 0), highlighted
        and listed instead of ``changes`` so a reader can follow them.
    trail : GeoDataFrame or None
        In an animation: the cells that changed hands earlier in it (outlined faintly: where the front moved).
    span : tuple of date or None
        In an animation: its first and last day, drawn as a time bar with ``marks``.
    marks : list of date
        The days of the animation on which control changed (ticks on the time bar).
    """

    day: dt.date
    layers: gpd.GeoDataFrame = field(default_factory=empty_layers)
    front_lines: gpd.GeoDataFrame | None = None
    changes: pd.DataFrame = field(default_factory=empty_changes)
    besieged: pd.DataFrame | None = None
    previous_day: dt.date | None = None
    sources_note: str = ""
    baseline_date: dt.date | None = None
    thin: gpd.GeoDataFrame | None = None
    recent: pd.DataFrame | None = None
    trail: gpd.GeoDataFrame | None = None
    span: tuple[dt.date, dt.date] | None = None
    marks: list[dt.date] = field(default_factory=list)

    def change_points(self) -> list[tuple[float, float]]:
        """(lon, lat) of every change, for the ``front`` region."""
        if self.changes is None or self.changes.empty:
            return []
        return list(zip(self.changes["lon"].astype(float), self.changes["lat"].astype(float)))


class ControlFrames:
    """Frames from the control timeline and its polygons (:mod:`tracker.control`, :mod:`tracker.polygons`).

    Call it as ``source(day, previous_day)``. The dissolved layers are updated incrementally from one call to
    the next, so successive days (an animation) are cheap.

    Parameters
    ----------
    timeline
        A ``tracker.control.Timeline``; default: rebuilt from the database (``control.load_timeline(con)``).
    con
        Database connection for ``load_timeline``.
    include_inferred
        Draw inferred advances (lighter).

    Raises
    ------
    MissingDataError
        If the control model is not available.
    """

    def __init__(self, timeline=None, con=None, include_inferred: bool = True) -> None:
        try:
            from tracker import control, polygons  # noqa: PLC0415 (optional at import time)
        except ImportError as exc:
            raise MissingDataError(f"the control model is not available ({exc})") from None
        if timeline is None:
            if not hasattr(control, "load_timeline"):
                raise MissingDataError("tracker.control has no load_timeline(): run the control stage first")
            timeline = control.load_timeline(con)
        self.timeline = timeline
        self.polygons = polygons
        self.cells = polygons.load_cells(timeline.places, timeline.baseline)
        self.daily = polygons.DailyPolygons(timeline, self.cells, include_inferred)
        self.thin = polygons.thin_layer(self.cells)
        self._fronts: dict = {}  # merged front lines by pair of sides and edges: a frame merges only the new ones
        claims = getattr(timeline, "claims", None)
        self._source_of: dict[str, str] = {}
        if claims is not None and len(claims):
            label = claims["attribution"].where(claims["attribution"].notna(), claims["source"])
            self._source_of = {cid: str(v) for cid, v in zip(claims["claim_id"], label) if v}
        start = getattr(timeline, "start", None)
        self.baseline_date = start if isinstance(start, dt.date) else None

    def __call__(self, day: dt.date, previous_day: dt.date | None = None) -> Frame:
        previous_day = previous_day or day - dt.timedelta(days=1)
        layers = self.daily.layers_on(day)
        state = self.timeline.state_on(day)
        fronts = self.polygons.front_lines(state, self.cells, self._fronts)
        changes = self.changes_since(day, previous_day)
        ringed = state[state["status"] == "besieged"]
        places = self.timeline.places.reindex(ringed.index)
        besieged = pd.DataFrame({"name_en": places.get("name_en"), "lat": places["lat"], "lon": places["lon"],
                                 "side": ringed["side"]}).dropna(subset=["lat", "lon"])
        return Frame(day=day, layers=layers, front_lines=fronts, changes=changes, besieged=besieged,
                     previous_day=previous_day, sources_note=self._note(changes), baseline_date=self.baseline_date,
                     thin=self.thin)

    def changes_since(self, day: dt.date, previous_day: dt.date) -> pd.DataFrame:
        """The control changes after ``previous_day`` up to ``day`` (what a frame lists)."""
        # changes_between is inclusive at both ends: count from the day after the previous frame.
        return self.timeline.changes_between(min(previous_day + dt.timedelta(days=1), day), day)

    def state_key(self, day: dt.date) -> bytes:
        """A hash of every place's drawn state on ``day`` (side, status, other side, staleness)."""
        state = self.timeline.state_on(day, include_inferred=True)[["side", "status", "other_side", "stale"]]
        return pd.util.hash_pandas_object(state, index=True).to_numpy().tobytes()

    def cell_geometries(self, place_ids) -> np.ndarray:
        """The cells of ``place_ids`` in EPSG:4326 (None for a place without a cell)."""
        index = self.cells.index
        rows = [index.get(pid, -1) for pid in place_ids]
        geoms = np.array([self.cells.geometry[i] if i >= 0 else None for i in rows], dtype=object)
        known = np.array([g is not None for g in geoms], dtype=bool)
        if known.any():
            geoms[known] = self.polygons.to_wgs84(geoms[known])
        return geoms

    def _note(self, changes: pd.DataFrame) -> str:
        names: list[str] = []
        for ids in changes.get("claim_ids", []):
            names += [self._source_of[c] for c in (ids if ids is not None else []) if c in self._source_of]
        if not names:
            return "claims extracted from the ingested reports"
        common = pd.Series(names).value_counts().index[:4]
        return ", ".join(common) + (" and others" if len(set(names)) > 4 else "")


def frame_for(day: dt.date, previous_day: dt.date | None = None, timeline=None, con=None) -> Frame:
    """The frame for ``day`` (changes counted after ``previous_day``, default the day before).

    Without the control model, or without data, the frame has empty layers: it still renders. For many days
    in a row, make one :class:`ControlFrames` and call it per day (what ``tracker animate`` does).
    """
    try:
        source = ControlFrames(timeline=timeline, con=con)
    except MissingDataError as exc:
        return Frame(day=day, previous_day=previous_day or day - dt.timedelta(days=1), sources_note=str(exc))
    return source(day, previous_day)


# --- frames from the Wikipedia map points alone (development, tests, benchmark) ---------------------------

@dataclass(frozen=True)
class WikimapCells:
    """Voronoi cells of the Wikipedia map points: ``cells`` (name_en, side, status, lat, lon, geometry)."""

    cells: gpd.GeoDataFrame


@lru_cache(maxsize=2)
def wikimap_cells(bbox: tuple[float, float, float, float] | None = None) -> WikimapCells:
    """Voronoi cells of the July 2017 Wikipedia map points, clipped to Syria (and to ``bbox`` if given).

    Raises
    ------
    MissingDataError
        If ``<sources>/geo/wikimap/scw_detailed_map_points.csv`` is absent.
    """
    path = settings.geo_dir() / "wikimap" / "scw_detailed_map_points.csv"
    if not path.exists():
        raise MissingDataError(f"missing {path}")
    pts = pd.read_csv(path, usecols=["lat", "lon", "sides", "status", "label"])
    pts = pts[pts["sides"].notna() & pts["status"].isin(["control", "mixed", "contested"])]
    pts = pts[pts["lat"].between(32, 37.5) & pts["lon"].between(35.5, 42.5)].drop_duplicates(["lat", "lon"])
    codes = pts["sides"].str.split("|")
    pts["side"] = codes.map(lambda cs: "|".join(s for s in (vocab.side_from_wikimap(c) for c in cs) if s))
    pts = pts[pts["side"] != ""]
    pts["status"] = np.where(pts["side"].str.contains("|", regex=False), "contested", "held")
    syria = basemap.syria_shape()
    if bbox is not None:
        syria = syria.intersection(shapely.box(*bbox))
    # Cap each cell at ~12 km so empty desert is not painted by a far-away village.
    pts_geom = shapely.points(pts["lon"].to_numpy(), pts["lat"].to_numpy())
    vor = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts_geom), extend_to=syria))
    order = shapely.STRtree(vor).query(pts_geom, predicate="within")
    cell_of = np.empty(len(pts), dtype=object)
    cell_of[order[0]] = vor[order[1]]
    caps = shapely.buffer(pts_geom, 0.12, quad_segs=4)
    geoms = shapely.intersection(shapely.intersection(cell_of, caps), syria)
    cells = gpd.GeoDataFrame({"name_en": pts["label"].fillna("").to_numpy(), "side": pts["side"].to_numpy(),
                              "status": pts["status"].to_numpy(), "lat": pts["lat"].to_numpy(),
                              "lon": pts["lon"].to_numpy()}, geometry=geoms, crs="EPSG:4326")
    return WikimapCells(cells[~cells.geometry.is_empty].reset_index(drop=True))


def _dissolve(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if cells.empty:
        return empty_layers()
    out = cells[["side", "status", "geometry"]].dissolve(by=["side", "status"], as_index=False)
    return gpd.GeoDataFrame(out[LAYER_COLUMNS], geometry="geometry", crs="EPSG:4326")


def wikimap_frames(start: dt.date, days: int, step: int = 1, per_day: int = 3, seed: int = 0,
                   bbox: tuple[float, float, float, float] | None = None) -> Iterator[Frame]:
    """Synthetic frames: the July 2017 baseline, then each frame ``per_day`` cells on a front change side.

    Flipped cells are drawn as extra rows over the dissolved baseline (no re-dissolving per frame), so the
    frames are cheap: they exercise the renderer, not the control model.
    """
    cells = wikimap_cells(bbox).cells
    base = _dissolve(cells[cells["status"] == "held"])
    contested = _dissolve(cells[cells["status"] == "contested"])
    rng = np.random.default_rng(seed)
    sides = cells["side"].str.split("|").str[0].to_numpy()
    # Cells whose nearest neighbours include another side: the fronts.
    tree = shapely.STRtree(cells.geometry.values)
    left, right = tree.query(cells.geometry.values, predicate="touches")
    frontier = np.unique(left[sides[left] != sides[right]])
    frontier_pairs = pd.DataFrame({"a": left, "b": right})
    frontier_pairs = frontier_pairs[sides[left] != sides[right]]
    fronts = shapely.line_merge(shapely.union_all(shapely.intersection(
        cells.geometry.values[frontier_pairs["a"].to_numpy()], cells.geometry.values[frontier_pairs["b"].to_numpy()])))
    front_gdf = gpd.GeoDataFrame(geometry=[fronts], crs="EPSG:4326")
    flipped: dict[int, str] = {}
    # Flipped cells dissolved per new side, updated incrementally (like tracker.polygons.DailyPolygons).
    gained: dict[str, shapely.Geometry] = {}
    note = "synthetic changes over the Wikipedia July 2017 map (development data)"
    prev = None
    for i in range(days):
        day = start + dt.timedelta(days=i * step)
        picks = rng.choice(frontier, size=min(per_day, len(frontier)), replace=False) if i and len(frontier) else []
        rows = []
        for k in picks:
            current = flipped.get(k, sides[k])
            nbrs = right[(left == k) & (sides[right] != current)]
            to = sides[rng.choice(nbrs)] if len(nbrs) else ("isis" if current == "government" else "government")
            rows.append({"place_id": str(k), "name_en": cells.at[k, "name_en"], "name_ar": "",
                         "lat": cells.at[k, "lat"], "lon": cells.at[k, "lon"],
                         "from_side": current, "to_side": to, "status": "held", "day": day,
                         "geometry": cells.geometry.iat[k]})
            old = flipped.get(k)
            if old is not None and old in gained:
                gained[old] = shapely.difference(gained[old], cells.geometry.iat[k])
            gained[to] = shapely.union(gained.get(to, shapely.Polygon()), cells.geometry.iat[k])
            flipped[k] = to
        extra = gpd.GeoDataFrame({"side": list(gained), "status": "held"}, geometry=list(gained.values()),
                                 crs="EPSG:4326")
        layers = pd.concat([base, contested, extra], ignore_index=True)
        changes = pd.DataFrame(rows) if rows else empty_changes()
        yield Frame(day=day, layers=gpd.GeoDataFrame(layers, geometry="geometry", crs="EPSG:4326"),
                    front_lines=front_gdf, changes=changes, previous_day=prev, sources_note=note,
                    baseline_date=WIKIMAP_BASELINE)
        prev = day
