"""Control polygons: a cell per settlement, dissolved by side per day; front lines; areas.

Each place the baseline knows, with a point coordinate, governs its Voronoi cell, clipped to Syria's outline
(``<sources>/geo/boundaries/syr_adm0_from_ocha2016.geojson``) and nothing else: the cells partition the whole
country, so every square kilometre belongs to the side holding the settlement nearest it, every day, and the areas
add up to Syria's. A cell larger than a disc of radius :data:`THIN_KM` (a settlement standing for the desert
around it: most of the Badia) is *thinly held*: it stays its side's, is stippled on maps (:attr:`Cells.thin`) and is
counted apart in the areas (``thin_km2``).
Cells are computed in an equal-area projection (:data:`EQUAL_AREA_CRS`, a Lambert azimuthal equal-area centred on
Syria), cleaned into an exact coverage (shared edges identical, so a day's dissolve is a fast coverage union), and
cached in ``<build>/polygons/`` once per set of places (the gazetteer version and the baseline). Places known only
to their subdistrict (or with an inferred coordinate) get no cell: their control is recorded and shown as a point
layer with its uncertainty (:func:`uncertain_on`).

Per day, cells dissolve by (side, status, other side) into layers ``held``, ``contested``, ``besieged`` and
``inferred``; :class:`DailyPolygons` keeps the dissolved layers and updates only the groups whose cells changed.
Front lines are the shared edges of neighbouring cells held by different sides.

API for maps (stable)
---------------------
- ``layers_on(day, *, timeline=None, cells=None, include_inferred=True) -> GeoDataFrame``: columns
  ``side, status, other_side, n_places, area_km2, geometry`` (EPSG:4326, one dissolved row per group)
- ``front_lines_on(day, *, timeline=None, cells=None) -> GeoDataFrame``: ``side_a, side_b, length_km, geometry``
- ``front_edges(state, cells) -> ndarray``: which shared cell edges lie on a front (the viewer's per-edge fronts)
- ``uncertain_on(day, *, timeline=None, cells=None) -> GeoDataFrame``: places without a cell, as points, with
  ``place_id, name_en, side, status, coord_precision, adm3_en, geometry``
- ``area_table(timeline, cells, d0=None, d1=None, include_inferred=False) -> DataFrame``: ``day, side, status,
  area_km2`` for every day (what the ``faction_area`` table holds)
- ``DailyPolygons(timeline, cells).iter_days(d0, d1)``: ``(day, GeoDataFrame)`` for a run of days (animations)
With ``timeline=None`` the timeline comes from the database (:func:`tracker.control.load_timeline`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from tracker import settings
from tracker._errors import MissingDataError
from tracker.fileio import replacing, write_atomic

#: A cell larger than a disc of this radius (km) is thinly held: its side's, stippled on maps and counted apart.
#: 12 km is the reach within which the villages of the river valleys and the west join into continuous areas
#: (compared at 8, 12 and 20 km against the Wikipedia map of July 2017); larger cells are the desert between outposts.
THIN_KM: float = 12.0
#: Lambert azimuthal equal-area centred on Syria: areas in km² and Voronoi distances in true metres.
EQUAL_AREA_CRS: str = "+proj=laea +lat_0=35 +lon_0=38.5 +datum=WGS84 +units=m +no_defs"
#: Coordinate precisions that earn a cell; others are drawn as uncertain points.
CELL_PRECISIONS: tuple[str, ...] = ("point",)
#: Syria's outline, inside the sources directory.
SYRIA_OUTLINE: str = "boundaries/syr_adm0_from_ocha2016.geojson"
#: Statuses drawn as layers.
LAYER_STATUSES: tuple[str, ...] = ("held", "contested", "besieged", "claimed", "inferred")

_TO_WGS84 = pyproj.Transformer.from_crs(EQUAL_AREA_CRS, "EPSG:4326", always_xy=True)
_FROM_WGS84 = pyproj.Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)


def syria_outline() -> shapely.Geometry:
    """Syria's outline in :data:`EQUAL_AREA_CRS`."""
    path = settings.geo_dir() / SYRIA_OUTLINE
    if not path.exists():
        raise MissingDataError(f"{path}: Syria's outline is missing (set TRACKER_SOURCES or --sources)")
    g = gpd.read_file(path).to_crs(EQUAL_AREA_CRS)
    return shapely.make_valid(shapely.union_all(g.geometry.to_numpy()))


def to_wgs84(geoms: np.ndarray) -> np.ndarray:
    """Projected geometries back to lon/lat."""
    return shapely.transform(geoms, lambda xy: np.column_stack(_TO_WGS84.transform(xy[:, 0], xy[:, 1])))


def to_equal_area(geoms: np.ndarray) -> np.ndarray:
    """Lon/lat geometries into :data:`EQUAL_AREA_CRS` (metres)."""
    return shapely.transform(geoms, lambda xy: np.column_stack(_FROM_WGS84.transform(xy[:, 0], xy[:, 1])))


@dataclass
class Cells:
    """The cells of one set of places: projected geometry, area (all of it thinly held for a cell larger than a disc
    of radius :data:`THIN_KM`, else 0), the shared edges of neighbours, and the thinly held land as one geometry."""

    place_id: np.ndarray
    geometry: np.ndarray
    area_km2: np.ndarray
    edge_i: np.ndarray
    edge_j: np.ndarray
    edge_geometry: np.ndarray
    key: str = ""
    thin_km2: np.ndarray | None = None
    thin: shapely.Geometry | None = None

    def __post_init__(self) -> None:
        self.index = {pid: i for i, pid in enumerate(self.place_id)}

    def __len__(self) -> int:
        return len(self.place_id)

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The cells as a GeoDataFrame in EPSG:4326 (``place_id``, ``area_km2``)."""
        return gpd.GeoDataFrame({"place_id": self.place_id, "area_km2": self.area_km2},
                                geometry=to_wgs84(self.geometry), crs="EPSG:4326")


def thin_layer(cells: Cells) -> gpd.GeoDataFrame:
    """The thinly held land of a set of cells (the cells larger than a disc of radius :data:`THIN_KM`), EPSG:4326."""
    geoms = [] if cells.thin is None or shapely.is_empty(cells.thin) else [cells.thin]
    return gpd.GeoDataFrame({"area_km2": [shapely.area(g) / 1e6 for g in geoms]},
                            geometry=to_wgs84(np.array(geoms, dtype=object)) if geoms else [], crs="EPSG:4326")


def cell_places(places: pd.DataFrame, baseline: pd.DataFrame | None = None) -> pd.DataFrame:
    """The places that get a cell: point coordinates in Syria, and (when given) known to the baseline."""
    ok = places["lat"].notna() & places["lon"].notna()
    if "coord_precision" in places:
        ok &= places["coord_precision"].isin(list(CELL_PRECISIONS))
    if "country" in places:
        ok &= places["country"].isin(["SY"]) | places["country"].isna()
    if baseline is not None:
        ok &= places.index.isin(baseline["place_id"])
    return places[ok]


def _cells_key(pts: pd.DataFrame, thin_km: float) -> str:
    h = hashlib.sha1(f"{thin_km}|partition-thin-cells|{EQUAL_AREA_CRS}".encode())
    h.update(pd.util.hash_pandas_object(pts[["lat", "lon"]].reset_index(), index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def build_cells(pts: pd.DataFrame, thin_km: float = THIN_KM, outline: shapely.Geometry | None = None) -> Cells:
    """Voronoi cells of ``pts`` (indexed by place_id, with lat/lon), clipped to Syria: a partition of the country.

    Points at the same coordinate are moved apart by a few metres so each keeps a (split) cell.
    """
    outline = syria_outline() if outline is None else outline
    x, y = _FROM_WGS84.transform(pts["lon"].to_numpy(float), pts["lat"].to_numpy(float))
    key = pd.Series(list(zip(np.round(x), np.round(y))))
    x = x + key.groupby(key).cumcount().to_numpy() * 3.0  # 3 m apart: duplicates split one cell
    points = shapely.points(x, y)
    vor = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline.envelope.buffer(50_000),
                                   ordered=True)
    cells = np.asarray(shapely.get_parts(vor))
    shapely.prepare(outline)
    inside = shapely.contains_properly(outline, cells)
    cells[~inside] = shapely.intersection(cells[~inside], outline)
    # cells clipped one by one disagree by rounding where they meet; cleaning makes them an exact coverage
    # (shared edges identical), which dissolves by coverage union in milliseconds
    cells = shapely.coverage_clean(cells)
    # neighbours: cells that share an edge (not just a corner)
    tree = shapely.STRtree(cells)
    a, b = tree.query(cells, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.intersection(cells[a], cells[b])
    length = shapely.length(shared)
    keep = length > 0
    # thinly held: a cell larger than a disc of radius thin_km, whose settlement stands for more land than it can
    # be seen to hold (the desert between outposts); whole cells, so the pattern follows the cells, not circles
    area = shapely.area(cells) / 1e6
    wide = area > np.pi * thin_km ** 2
    thin_km2 = np.where(wide, area, 0.0)
    thin = shapely.coverage_union_all(cells[wide]) if wide.any() else shapely.Polygon()
    return Cells(pts.index.to_numpy(object), cells, area, a[keep], b[keep], shared[keep],
                 _cells_key(pts, thin_km), thin_km2, thin)


def _cache_dir() -> Path:
    return settings.build_dir() / "polygons"


def load_cells(places: pd.DataFrame, baseline: pd.DataFrame | None = None, thin_km: float = THIN_KM,
               rebuild: bool = False) -> Cells:
    """Cells for ``places`` from the cache in ``<build>/polygons``, building them on the first call."""
    pts = cell_places(places, baseline)
    key = _cells_key(pts, thin_km)
    folder = _cache_dir()
    cpath, epath = folder / f"cells-{key}.parquet", folder / f"edges-{key}.parquet"
    tpath = folder / f"thin-{key}.wkb"
    if not rebuild and cpath.exists() and epath.exists() and tpath.exists():
        c = pd.read_parquet(cpath)
        e = pd.read_parquet(epath)
        return Cells(c["place_id"].to_numpy(object), shapely.from_wkb(c["wkb"].to_numpy()), c["area_km2"].to_numpy(),
                     e["i"].to_numpy(), e["j"].to_numpy(), shapely.from_wkb(e["wkb"].to_numpy()), key,
                     c["thin_km2"].to_numpy(), shapely.from_wkb(tpath.read_bytes()))
    cells = build_cells(pts, thin_km)
    # each file whole or absent: a run killed while writing the cache leaves nothing truncated to read back
    with replacing(cpath) as tmp:
        pd.DataFrame({"place_id": cells.place_id.astype(str), "area_km2": cells.area_km2,
                      "thin_km2": cells.thin_km2, "wkb": shapely.to_wkb(cells.geometry)}).to_parquet(tmp)
    with replacing(epath) as tmp:
        pd.DataFrame({"i": cells.edge_i, "j": cells.edge_j, "wkb": shapely.to_wkb(cells.edge_geometry)}).to_parquet(tmp)
    write_atomic(tpath, shapely.to_wkb(cells.thin))
    return cells


# ---------------------------------------------------------------- per day
def _group_keys(state: pd.DataFrame, cells: Cells) -> np.ndarray:
    """One key 'side|status|other|stale' per cell for the state of a day ('' for unknown: not drawn)."""
    st = state.reindex(cells.place_id)
    side = st["side"].fillna("unknown").to_numpy(str)
    status = st["status"].fillna("unknown").to_numpy(str)
    other = st["other_side"].where(st["other_side"].notna(), "").to_numpy(str)
    stale = np.where(st["stale"].fillna(False).to_numpy(bool), "stale", "") if "stale" in st else ""
    keys = np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(side, "|"), status), "|"), other),
                                   "|"), stale)
    return np.where((side == "unknown") | ~np.isin(status, LAYER_STATUSES), "", keys).astype(object)


class DailyPolygons:
    """Dissolved control layers for successive days, updating only the groups whose cells changed.

    Parameters
    ----------
    timeline
        A :class:`tracker.control.Timeline`.
    cells
        Its :class:`Cells` (default :func:`load_cells` over the timeline's places and baseline).
    include_inferred
        Draw ``inferred`` cells as their own layer (else those places keep their reported state).
    """

    def __init__(self, timeline, cells: Cells | None = None, include_inferred: bool = True):
        self.timeline = timeline
        self.cells = cells if cells is not None else load_cells(timeline.places, timeline.baseline)
        self.include_inferred = include_inferred
        self.keys = np.full(len(self.cells), "", dtype=object)
        self.geoms: dict[str, shapely.Geometry] = {}
        self.day: date | None = None
        self._frames: dict[bool, gpd.GeoDataFrame] = {}
        iv = timeline.intervals
        cell = pd.Series(np.arange(len(self.cells)), index=pd.Index(self.cells.place_id))
        self._cell_of_row = cell.reindex(iv["place_id"].to_numpy(object)).fillna(-1).to_numpy(int)
        other = iv["other_side"].where(iv["other_side"].notna(), "")
        key = iv["side"].astype(str) + "|" + iv["status"].astype(str) + "|" + other.astype(str)
        drawn = (iv["side"] != "unknown") & iv["status"].isin(list(LAYER_STATUSES))
        self._key_of_row = np.where(drawn.to_numpy(), (key + "|").to_numpy(object), "").astype(object)
        self._side_of_row = iv["side"].to_numpy(object)
        self._status_of_row = iv["status"].to_numpy(object)
        self._bounds = timeline.boundaries()

    def keys_on(self, day) -> np.ndarray:
        """The group key of every cell on ``day`` ('' where the state is unknown)."""
        rows = self.timeline.rows_on(day, self.include_inferred)
        keys = np.full(len(self.cells), "", dtype=object)
        cell = self._cell_of_row[rows]
        ok = cell >= 0
        row_keys = self._key_of_row[rows[ok]]
        stale = self.timeline.stale_rows(day, rows[ok]) & (row_keys != "")
        keys[cell[ok]] = np.where(stale, row_keys + "stale", row_keys)
        return keys

    def sides_on(self, day) -> tuple[np.ndarray, np.ndarray]:
        """The reported side (``unknown`` where none) and status (None) of every cell on ``day``."""
        rows = self.timeline.rows_on(day)
        side = np.full(len(self.cells), "unknown", dtype=object)
        status = np.full(len(self.cells), None, dtype=object)
        cell = self._cell_of_row[rows]
        ok = cell >= 0
        side[cell[ok]] = self._side_of_row[rows[ok]]
        status[cell[ok]] = self._status_of_row[rows[ok]]
        return side, status

    def advance(self, day) -> list[str]:
        """Move to ``day``; returns the groups whose geometry changed (only those are dissolved again)."""
        from tracker.control import as_date

        day = as_date(day)
        if self.day is not None and day >= self.day:
            lo, hi = np.searchsorted(self._bounds, [self.day.toordinal() + 1, day.toordinal() + 1])
            if lo == hi:  # no place changed state since the last day drawn
                self.day = day
                return []
        self._frames.clear()
        new = self.keys_on(day)
        changed = np.flatnonzero(new != self.keys)
        touched = set(self.keys[changed]) | set(new[changed])
        touched.discard("")
        self.keys = new
        self.day = day
        geom = self.cells.geometry
        for key in touched:
            members = np.flatnonzero(new == key)
            if len(members):
                self.geoms[key] = shapely.coverage_union_all(geom[members])
            else:
                self.geoms.pop(key, None)
        return list(touched)

    def frame(self, projected: bool = False) -> gpd.GeoDataFrame:
        """The current day's layers as a GeoDataFrame (EPSG:4326 unless ``projected``)."""
        if projected in self._frames:
            return self._frames[projected]
        keys = sorted(self.geoms)
        parts = [k.split("|") for k in keys]
        geoms = np.array([self.geoms[k] for k in keys], dtype=object)
        counts = pd.Series(self.keys).value_counts()
        df = gpd.GeoDataFrame({
            "side": [p[0] for p in parts], "status": [p[1] for p in parts],
            "other_side": [p[2] or None for p in parts], "stale": [p[3] == "stale" for p in parts],
            "n_places": [int(counts.get(k, 0)) for k in keys],
            "area_km2": shapely.area(geoms) / 1e6 if len(geoms) else [],
        }, geometry=geoms if projected else (to_wgs84(geoms) if len(geoms) else geoms),
            crs=EQUAL_AREA_CRS if projected else "EPSG:4326")
        self._frames[projected] = df
        return df

    def layers_on(self, day, projected: bool = False) -> gpd.GeoDataFrame:
        self.advance(day)
        return self.frame(projected)

    def iter_days(self, d0, d1, projected: bool = False) -> Iterator[tuple[date, gpd.GeoDataFrame]]:
        """``(day, layers)`` for every day from ``d0`` to ``d1``."""
        for day in self.timeline.days(d0, d1):
            self.advance(day)
            yield day, self.frame(projected)


def _resolve(timeline, cells):
    if timeline is None:
        from tracker.control import load_timeline

        timeline = load_timeline()
    if cells is None:
        cells = load_cells(timeline.places, timeline.baseline)
    return timeline, cells


def layers_on(day, *, timeline=None, cells: Cells | None = None, include_inferred: bool = True) -> gpd.GeoDataFrame:
    """Dissolved control on ``day``: one row per (side, status, other_side), EPSG:4326.

    ``status`` is ``held``, ``contested`` (``side`` holds, ``other_side`` attacks), ``besieged`` (``other_side``
    besieges) or ``inferred`` (derived from a proximity claim; ``include_inferred=False`` leaves it out).
    """
    timeline, cells = _resolve(timeline, cells)
    return DailyPolygons(timeline, cells, include_inferred).layers_on(day)


#: The statuses that hold a cell for a front line: a front runs between cells held by different known sides.
FRONT_STATUSES: tuple[str, ...] = ("held", "contested", "besieged", "claimed")


def front_edges(state: pd.DataFrame, cells: Cells) -> np.ndarray:
    """Which shared edges of ``cells`` lie on a front under ``state``: a boolean mask over ``cells.edge_i``, true
    where the two neighbours are held (held, contested, besieged or claimed) by different known sides."""
    st = state.reindex(cells.place_id)
    side = st["side"].fillna("unknown").to_numpy(str)
    return front_mask(side, st["status"].isin(list(FRONT_STATUSES)).to_numpy(), cells)


def front_mask(side: np.ndarray, drawn: np.ndarray, cells: Cells) -> np.ndarray:
    """:func:`front_edges` from each cell's side (``unknown`` where none) and whether its status is drawn."""
    si, sj = side[cells.edge_i], side[cells.edge_j]
    return (si != sj) & drawn[cells.edge_i] & drawn[cells.edge_j] & (si != "unknown") & (sj != "unknown")


def _pair_lines(side: np.ndarray, drawn: np.ndarray, cells: Cells,
                cache: dict | None = None) -> list[tuple[str, str, float, shapely.Geometry]]:
    """``(side_a, side_b, length_km, line)`` of each pair of sides facing each other across the front (projected).
    ``cache`` keeps each pair's merged line by its edges: a pair whose edges did not change is not merged again."""
    m = front_mask(side, drawn, cells)
    si, sj = side[cells.edge_i], side[cells.edge_j]
    a = np.where(si < sj, si, sj)[m]
    b = np.where(si < sj, sj, si)[m]
    edges = np.flatnonzero(m)
    rows = []
    for (sa, sb), idx in pd.Series(range(len(a))).groupby([a, b]).groups.items():
        members = edges[np.asarray(idx)]
        key = (sa, sb, members.tobytes())
        if cache is None or key not in cache:
            line = shapely.line_merge(shapely.union_all(cells.edge_geometry[members]))
            found = (sa, sb, shapely.length(line) / 1000.0, line)
            if cache is None:
                rows.append(found)
                continue
            cache[key] = found
        rows.append(cache[key])
    return rows


def front_lines(state: pd.DataFrame, cells: Cells, cache: dict | None = None) -> gpd.GeoDataFrame:
    """Shared edges of neighbouring cells whose holders differ, merged per pair of sides (EPSG:4326); ``cache``
    (a dict kept between calls) keeps each pair's merged line by its edges (see :func:`_pair_lines`)."""
    st = state.reindex(cells.place_id)
    side = st["side"].fillna("unknown").to_numpy(str)
    rows = _pair_lines(side, st["status"].isin(list(FRONT_STATUSES)).to_numpy(), cells, cache)
    df = pd.DataFrame(rows, columns=["side_a", "side_b", "length_km", "geometry"])
    return gpd.GeoDataFrame(df.drop(columns="geometry"),
                            geometry=to_wgs84(df["geometry"].to_numpy()) if len(df) else [], crs="EPSG:4326")


def front_lines_on(day, *, timeline=None, cells: Cells | None = None) -> gpd.GeoDataFrame:
    """Front lines on ``day`` (reported control only): ``side_a, side_b, length_km, geometry``."""
    timeline, cells = _resolve(timeline, cells)
    return front_lines(timeline.state_on(day), cells)


def uncertain_on(day, *, timeline=None, cells: Cells | None = None) -> gpd.GeoDataFrame:
    """Places with a known state on ``day`` but no cell (subdistrict-precision or inferred coordinates,
    places outside the baseline): points at their (approximate) coordinate, with ``coord_precision``."""
    timeline, cells = _resolve(timeline, cells)
    state = timeline.state_on(day, include_inferred=True)
    state = state[(state["side"] != "unknown") & ~state.index.isin(cells.place_id)]
    pl = timeline.places.reindex(state.index)
    ok = pl["lat"].notna().to_numpy()
    pl, state = pl[ok], state[ok]
    return gpd.GeoDataFrame({
        "place_id": state.index.to_numpy(), "name_en": pl["name_en"].to_numpy(),
        "side": state["side"].to_numpy(), "status": state["status"].to_numpy(),
        "coord_precision": pl["coord_precision"].to_numpy() if "coord_precision" in pl else "point",
        "adm3_en": pl["adm3_en"].to_numpy() if "adm3_en" in pl else None,
    }, geometry=gpd.points_from_xy(pl["lon"], pl["lat"]), crs="EPSG:4326")


def _change_days(timeline, d0: date, d1: date) -> list[date]:
    """Days after ``d0`` up to ``d1`` on which some place's state or staleness changes."""
    return [date.fromordinal(int(n)) for n in timeline.boundaries() if d0.toordinal() < n <= d1.toordinal()]


def area_table(timeline, cells: Cells, d0=None, d1=None, include_inferred: bool = True) -> pd.DataFrame:
    """Area (km², equal-area) per side and status for every day from ``d0`` to ``d1``, what the map shows
    (inferred control as its own status unless ``include_inferred`` is False): ``day, side, status, area_km2,
    thin_km2, stale_km2``. The cells partition the country, so a day's areas add up to Syria's; ``thin_km2`` is
    the part farther than :data:`THIN_KM` from any settlement, ``stale_km2`` the part whose state is stale.
    The areas are summed again only on days some place's state or staleness changes, and only when a cell's
    group changed then."""
    from tracker.control import as_date

    a = as_date(d0) if d0 is not None else timeline.start
    b = as_date(d1) if d1 is not None else timeline.end
    changes = set(_change_days(timeline, a, b))
    thin = cells.thin_km2 if cells.thin_km2 is not None else np.zeros(len(cells))
    daily = DailyPolygons(timeline, cells, include_inferred)
    rows, current, last_keys = [], None, None
    for day in timeline.days(a, b):
        if current is None or day in changes:
            keys = daily.keys_on(day)
            if last_keys is None or not np.array_equal(keys, last_keys):
                parts = pd.DataFrame({"key": [k.rsplit("|", 2)[0] if k else "unknown|unknown" for k in keys],
                                      "stale": [k.endswith("|stale") or not k for k in keys],
                                      "area": cells.area_km2, "thin": thin})
                parts["stale_area"] = np.where(parts["stale"], parts["area"], 0.0)
                g = parts.groupby("key")[["area", "thin", "stale_area"]].sum()
                current = [(k.split("|")[0], k.split("|")[1], float(r.area), float(r.thin), float(r.stale_area))
                           for k, r in g.iterrows()]
                last_keys = keys
        rows.extend((day, *row) for row in current)
    return pd.DataFrame(rows, columns=["day", "side", "status", "area_km2", "thin_km2", "stale_km2"])


def front_line_table(timeline, cells: Cells, d0=None, d1=None) -> pd.DataFrame:
    """Front lines by interval: ``day, valid_to, side_a, side_b, length_km, wkb`` (new rows only on days they
    change; ``valid_to`` is the first day they no longer hold, NULL for the last). A pair of sides whose front
    edges did not change keeps its line from the day before (not merged again)."""
    from tracker.control import as_date

    a = as_date(d0) if d0 is not None else timeline.start
    b = as_date(d1) if d1 is not None else timeline.end
    daily = DailyPolygons(timeline, cells, include_inferred=False)
    held = set(FRONT_STATUSES)
    rows: list[list] = []
    cache: dict = {}
    wkb: dict[int, bytes] = {}
    for day in [a, *_change_days(timeline, a, b)]:
        side, status = daily.sides_on(day)
        drawn = np.fromiter((s in held for s in status), dtype=bool, count=len(status))
        lines = _pair_lines(side.astype(str), drawn, cells, cache)
        cache = {k: v for k, v in cache.items() if any(v is line for line in lines)}  # today's lines only
        for r in rows:
            if r[1] is None:
                r[1] = day
        for sa, sb, length, line in lines:
            if id(line) not in wkb:
                wkb[id(line)] = shapely.to_wkb(to_wgs84(np.array([line], dtype=object))[0])
            rows.append([day, None, sa, sb, length, wkb[id(line)]])
        wkb = {id(line[3]): wkb[id(line[3])] for line in lines}
    return pd.DataFrame(rows, columns=["day", "valid_to", "side_a", "side_b", "length_km", "wkb"])


# ---------------------------------------------------------------- bench
def synthetic_timeline(changes_per_day: int = 20, days: int = 365, seed: int = 0):
    """The default baseline plus ``changes_per_day`` captures a day, each of a place by a neighbour's side
    (a front that moves every day, far busier than the real war): the bench's input."""
    from tracker import baseline as bl
    from tracker.control import Timeline
    from tracker.testing import make_claim

    places, _ = bl.load_places()
    base, extra = bl.load_baseline(places=places)
    places = pd.concat([places, extra])
    cells = load_cells(places, base)
    rng = np.random.default_rng(seed)
    side = dict(zip(base["place_id"], base["side"]))
    claims = []
    for k in range(days):
        day = bl.BASELINE_DATE + timedelta(days=k + 1)
        for e in rng.choice(len(cells.edge_i), changes_per_day, replace=False):
            i, j = cells.place_id[cells.edge_i[e]], cells.place_id[cells.edge_j[e]]
            if side.get(i) != side.get(j) and side.get(j):
                claims.append(make_claim(i, side[j], "capture", day))
                side[i] = side[j]
    return Timeline(places, base, claims, infer=False), cells


def bench(days: int = 365, changes_per_day: int = 20) -> dict:
    """Timings (s) of the figures in issue 5: daily polygons for ``days`` days, one lookup, one day's state."""
    tl, cells = synthetic_timeline(changes_per_day, days)
    t0 = time.perf_counter()
    dp = DailyPolygons(tl, cells)
    n = 0
    for _day, _frame in dp.iter_days(tl.start, tl.start + timedelta(days=days - 1), projected=True):
        n += 1
    polygons_s = time.perf_counter() - t0
    pids = cells.place_id[:1000]
    day = tl.start + timedelta(days=days // 2)
    t0 = time.perf_counter()
    for pid in pids:
        tl.who_held(pid, day)
    lookup_ms = (time.perf_counter() - t0) / len(pids) * 1000
    t0 = time.perf_counter()
    for k in range(20):
        tl.state_on(tl.start + timedelta(days=k * 7))
    state_ms = (time.perf_counter() - t0) / 20 * 1000
    return {"days": n, "events": int(tl.events["applied"].sum()), "cells": len(cells),
            "daily_polygons_s": round(polygons_s, 2), "who_held_ms": round(lookup_ms, 4),
            "state_on_ms": round(state_ms, 2)}


# ---------------------------------------------------------------- the database
def write_polygons(con, timeline, cells: Cells) -> dict:
    """Fill ``places.cell_wkb``/``cell_area_km2``/``has_cell``, ``faction_area`` and ``front_lines``."""
    from tracker.store import transaction

    cell_df = pd.DataFrame({"place_id": cells.place_id.astype(str), "cell_area_km2": cells.area_km2,
                            "cell_wkb": shapely.to_wkb(to_wgs84(cells.geometry))})
    area = area_table(timeline, cells)
    fronts = front_line_table(timeline, cells)
    with transaction(con):
        con.execute("UPDATE places SET has_cell = false, cell_area_km2 = NULL, cell_wkb = NULL")
        con.register("_cells", cell_df)
        con.execute("UPDATE places SET has_cell = true, cell_area_km2 = c.cell_area_km2, cell_wkb = c.cell_wkb "
                    "FROM _cells c WHERE places.place_id = c.place_id")
        con.unregister("_cells")
        for table, df in (("faction_area", area), ("front_lines", fronts)):
            con.execute(f"DELETE FROM {table}")
            if len(df):
                con.register("_frame", df)
                con.execute(f"INSERT INTO {table} ({', '.join(df.columns)}) SELECT * FROM _frame")
                con.unregister("_frame")
    return {"cells": len(cells), "area_rows": len(area), "front_line_rows": len(fronts)}


def stage_polygons(ctx) -> dict:
    """Pipeline stage: cells (cached per set of places), daily areas and front lines into the database."""
    timeline = getattr(ctx, "timeline", None)
    if timeline is None:
        from tracker.control import load_timeline

        timeline = load_timeline(ctx.con)
    cells = load_cells(timeline.places, timeline.baseline)
    return write_polygons(ctx.con, timeline, cells)
