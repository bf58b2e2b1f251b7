"""The Python API: ``tracker.open(path)`` and what a notebook asks of a tracker database.

Everything is read from the stored tables (the control stage's timeline, its polygons, the claims), read-only:
the object holds no connection between calls, so ``tracker run`` can write to the file meanwhile (the next call
sees the new data). Days are ``datetime.date`` or ``"YYYY-MM-DD"``. See ``docs/api.md``.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from tracker import settings, store
from tracker._errors import InputError


def places_named(timeline: Any, name: str) -> list[str]:
    """The place ids a name or id means, by the gazetteer's resolver (every spelling, importance); the timeline's
    own name match when the gazetteer is not built or knows nothing of the name (a place a user's baseline added).

    Raises
    ------
    InputError
        When the name is ambiguous: the message lists the candidates, ranked, with their admin path.
    """
    if name in timeline.places.index:
        return [name]
    import gazetteer

    try:
        res = gazetteer.load(settings.gazetteer_dir()).find_places(name)
    except gazetteer.MissingDataError:
        return timeline.find_places(name)
    known = [c for c in res.candidates if c.place_id in timeline.places.index]
    if res.best is not None and res.best.place_id in timeline.places.index:
        return [res.best.place_id]
    if not known:
        return timeline.find_places(name)
    if len(known) == 1:
        return [known[0].place_id]
    lines = [f"  {c.place_id}\t{c.name_en or ''} | {c.name_ar or ''}\t[{c.feature_type}]\t{c.admin_path}"
             for c in known[:10]]
    raise InputError(name, "several places have this name; give one of these place ids:\n" + "\n".join(lines))


def _as_date(day: dt.date | str) -> dt.date:
    from tracker.control import as_date

    return as_date(day)


class Tracker:
    """A tracker database opened for reading (:func:`tracker.open`).

    Parameters
    ----------
    path
        The DuckDB file (default: :func:`tracker.settings.db_path`, ``outputs/tracker.duckdb``).

    Raises
    ------
    tracker._errors.StoreError
        The file is missing, busy, damaged, or of an older schema.
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path) if path is not None else settings.db_path()
        store.connect(self.path, read_only=True).close()  # a clear error now rather than at the first question
        self._loaded: tuple[float, Any] | None = None
        self._frames: tuple[float, Any] | None = None

    def __repr__(self) -> str:
        return f"tracker.open({str(self.path)!r})"

    # -- what is stored ------------------------------------------------------------------------------------
    @property
    def timeline(self) -> Any:
        """The stored control timeline (:class:`tracker.control.Timeline`), read again when the file changed."""
        from tracker.control import load_timeline

        stamp = self.path.stat().st_mtime
        if self._loaded is None or self._loaded[0] != stamp:
            con = store.connect(self.path, read_only=True)
            try:
                self._loaded = (stamp, load_timeline(con))
            finally:
                con.close()
        return self._loaded[1]

    def _source(self) -> Any:
        from tracker.frames import ControlFrames

        timeline = self.timeline
        if self._frames is None or self._frames[0] != self._loaded[0]:
            self._frames = (self._loaded[0], ControlFrames(timeline=timeline))
        return self._frames[1]

    def _check(self, day: dt.date) -> None:
        ok, why = self.timeline.span_check(day)
        if not ok:
            raise InputError("day", why)
        if why:
            warnings.warn(why, stacklevel=3)

    def sql(self, query: str) -> pd.DataFrame:
        """A read-only SQL query on the database (tables and macros of ``docs/schema.md``) as a DataFrame."""
        con = store.connect(self.path, read_only=True)
        try:
            return con.execute(query).df()
        finally:
            con.close()

    # -- control -------------------------------------------------------------------------------------------
    def control_on(self, day: dt.date | str, *, include_inferred: bool = False,
                   as_reported: dt.date | str | None = None) -> gpd.GeoDataFrame:
        """Every place with a known state on ``day``, as points (EPSG:4326).

        Columns: ``place_id, name_en, name_ar, side, status, other_side, since, last_evidence, stale, inferred,
        claim_ids, coord_precision, has_cell, geometry``. ``as_reported`` keeps only what the reports published
        by then said. A day after the last evidence warns (:class:`UserWarning`); a day before the baseline
        raises :class:`tracker._errors.InputError`.
        """
        from tracker.export import places_on

        day = _as_date(day)
        self._check(day)
        tl = self.timeline
        if as_reported is None:
            return places_on(day, tl, self._source().cells, include_inferred)
        state = tl.state_on(day, as_reported=_as_date(as_reported))
        state = state[state["side"] != "unknown"]
        pl = tl.places.reindex(state.index)
        ok = pl["lat"].notna().to_numpy()
        state, pl = state[ok], pl[ok]
        return gpd.GeoDataFrame({"place_id": state.index.to_numpy(), "name_en": pl["name_en"].to_numpy(),
                                 "name_ar": pl["name_ar"].to_numpy(), **{c: state[c].to_numpy() for c in state}},
                                geometry=gpd.points_from_xy(pl["lon"], pl["lat"]), crs="EPSG:4326")

    def polygons_on(self, day: dt.date | str, *, include_inferred: bool = True) -> gpd.GeoDataFrame:
        """Control on ``day`` dissolved by side and status: ``side, status, other_side, stale, n_places, area_km2,
        geometry`` (EPSG:4326; the polygons partition Syria)."""
        from tracker.polygons import DailyPolygons

        day = _as_date(day)
        self._check(day)
        source = self._source()
        return DailyPolygons(self.timeline, source.cells, include_inferred).layers_on(day)

    def front_lines_on(self, day: dt.date | str) -> gpd.GeoDataFrame:
        """Front lines on ``day``: ``side_a, side_b, length_km, geometry`` (EPSG:4326)."""
        from tracker.polygons import front_lines

        day = _as_date(day)
        self._check(day)
        return front_lines(self.timeline.state_on(day), self._source().cells)

    def history(self, place: str) -> pd.DataFrame:
        """Every interval of a place's control, by name in any spelling or by id: ``place_id, name_en,
        valid_from, valid_to, side, status, other_side, inferred, last_evidence, claim_ids, quotes`` (the quotes
        of the claims that opened each interval).

        Raises
        ------
        InputError
            No place has this name, or several do (the message lists them).
        """
        tl = self.timeline
        pids = places_named(tl, place)
        if not pids:
            raise InputError(place, "no place matches this name or id")
        parts = []
        for pid in pids:
            hist = tl.history(pid)
            hist.insert(1, "name_en", tl.places.at[pid, "name_en"] if pid in tl.places.index else None)
            parts.append(hist)
        columns = ["place_id", "name_en", "valid_from", "valid_to", "side", "status", "other_side", "inferred",
                   "last_evidence", "claim_ids", "quotes"]
        return pd.concat(parts, ignore_index=True)[columns]

    def changes(self, start: dt.date | str, end: dt.date | str, *, include_inferred: bool = False) -> gpd.GeoDataFrame:
        """Control changes with ``start <= day <= end``, as points: ``day, place_id, name_en, name_ar, from_side,
        to_side, status, other_side, inferred, claim_ids, event_id, geometry`` (EPSG:4326)."""
        ch = self.timeline.changes_between(_as_date(start), _as_date(end), include_inferred=include_inferred)
        columns = ["day", "place_id", "name_en", "name_ar", "from_side", "to_side", "status", "other_side",
                   "inferred", "claim_ids", "event_id"]
        return gpd.GeoDataFrame(ch[columns], geometry=gpd.points_from_xy(ch["lon"], ch["lat"]), crs="EPSG:4326")

    # -- pictures and reports ------------------------------------------------------------------------------
    def map(self, day: dt.date | str, region: str | None = None, bbox: str | None = None) -> Any:
        """The map of ``day`` (as ``tracker map`` draws it) as a matplotlib Figure: ``region`` is ``syria``
        (default), ``front`` or a governorate; ``bbox`` ``"W,S,E,N"``. Save it with ``fig.savefig(...)``."""
        from matplotlib.figure import Figure

        from tracker.plot import map_view, render_map

        day = _as_date(day)
        self._check(day)
        frame, view = map_view(day, region, bbox, self._source())
        _, rgb = render_map(frame, view)
        height, width = rgb.shape[:2]
        fig = Figure(figsize=(width / 100, height / 100), dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.imshow(rgb)
        ax.set_axis_off()
        return fig

    def sitrep(self, week: str, region: str | None = None, with_map: bool = False) -> Any:
        """The weekly report of an ISO week (``"2017-W41"``) as a :class:`tracker.sitrep.Sitrep`; render it with
        :func:`tracker.sitrep.render` or write it with :func:`tracker.sitrep.write`."""
        from tracker.sitrep import Geo, gather, load_geo

        con = store.connect(self.path, read_only=True)
        try:
            geo = load_geo(con, self.timeline) if with_map or region else Geo()
            return gather(con, week, region, with_map=with_map, geo=geo)
        finally:
            con.close()

