"""Control for GIS: RFC 7946 GeoJSON, GeoParquet and GeoPackage (``tracker export``), all EPSG:4326.

Per exported day, three layers:

- ``control``: dissolved control polygons (``day, side, status, other_side, stale, n_places, area_km2``),
  partitioning Syria; ``status`` is ``held``, ``contested``, ``besieged``, ``claimed`` or ``inferred``; ``stale``
  marks states with no evidence for ``tracker.control.STALE_DAYS`` days
- ``front_lines``: front lines (``day, side_a, side_b, length_km``)
- ``places``: every place with a known state as a point (``day, place_id, name_en, name_ar, side, status,
  other_side, since, claim_ids, inferred, last_evidence, stale, coord_precision, has_cell``); places without a
  cell (known only to their subdistrict) are here with their precision, never as a cell

Every layer also carries ``valid_from`` (the day) and ``valid_to`` (the next exported day), so a run of days is a
time-enabled layer. GeoJSON and GeoParquet get one file per layer and day (``control_<day>.geojson``,
``control_<day>_front_lines.geojson``, ``control_<day>_places.geojson``), like the daily map archives; a GeoPackage
gets every day in one file, one table per layer, plus ``control_intervals``: the cell of every place for each
interval of its control (``valid_from`` to ``valid_to``, empty while it still holds), the time-enabled layer of
the whole timeline. Dates are real dates (GeoParquet ``date32``, GeoPackage ``DATE``, ISO strings in GeoJSON);
``claim_ids`` is a list (GeoParquet ``list<string>``, a JSON array in GeoJSON and, as GDAL writes lists, in
GeoPackage). GeoJSON follows RFC 7946 (GDAL's ``RFC7946=YES``: no ``crs`` member, 7 decimals, exterior rings
counter-clockwise); polygons are always MultiPolygons, so readers see one geometry type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from tracker import settings
from tracker._errors import InputError
from tracker.fileio import replacing

#: Formats and their file suffixes.
FORMATS: dict[str, str] = {"geojson": ".geojson", "geoparquet": ".parquet", "gpkg": ".gpkg"}
#: The layers of each exported day, in order.
LAYERS: tuple[str, ...] = ("control", "front_lines", "places")
#: The time-enabled layer of the whole timeline (GeoPackage only).
INTERVALS_LAYER: str = "control_intervals"


def _opt_date(value) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def places_on(day: dt.date, timeline, cells, include_inferred: bool = True) -> gpd.GeoDataFrame:
    """Every place with a known state on ``day`` as points, with the claims behind its state (an inferred state
    in place of the reported one, unless ``include_inferred`` is False)."""
    state = timeline.state_on(day, include_inferred=include_inferred)
    state = state[state["side"] != "unknown"]
    pl = timeline.places.reindex(state.index)
    ok = pl["lat"].notna().to_numpy()
    state, pl = state[ok], pl[ok]
    return gpd.GeoDataFrame({
        "place_id": state.index.to_numpy(), "name_en": pl["name_en"].to_numpy(),
        "name_ar": pl["name_ar"].to_numpy() if "name_ar" in pl else None,
        "side": state["side"].to_numpy(), "status": state["status"].to_numpy(),
        "other_side": state["other_side"].to_numpy(), "since": [_opt_date(s) for s in state["since"]],
        "claim_ids": [list(c) if c is not None else [] for c in state["claim_ids"]],
        "inferred": state["inferred"].to_numpy(bool),
        "last_evidence": [_opt_date(d) for d in state["last_evidence"]],
        "stale": state["stale"].to_numpy(bool),
        "coord_precision": pl["coord_precision"].to_numpy() if "coord_precision" in pl else "point",
        "has_cell": state.index.isin(cells.place_id),
    }, geometry=gpd.points_from_xy(pl["lon"], pl["lat"]), crs="EPSG:4326")


def day_layers(day: dt.date, timeline, cells, daily, valid_to: dt.date | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The ``control``, ``front_lines`` and ``places`` layers of one day, each with ``day``, ``valid_from`` and
    ``valid_to`` (default: the next day)."""
    from tracker import polygons

    layers = {"control": daily.layers_on(day).copy(),
              "front_lines": polygons.front_lines(timeline.state_on(day), cells),
              "places": places_on(day, timeline, cells)}
    until = valid_to or day + dt.timedelta(days=1)
    for frame in layers.values():
        frame.insert(0, "day", [day] * len(frame))
        frame.insert(1, "valid_from", [day] * len(frame))
        frame.insert(2, "valid_to", [until] * len(frame))
    return layers


def intervals_layer(timeline, cells) -> gpd.GeoDataFrame:
    """Every interval of every place's control with the place's cell: the time-enabled layer of the timeline
    (``place_id, name_en, name_ar, side, status, other_side, inferred, valid_from, valid_to, last_evidence,
    claim_ids``; places without a cell are left out)."""
    iv = timeline.intervals
    iv = iv[iv["place_id"].isin(cells.place_id) & (iv["side"] != "unknown")]
    geoms = cells.to_geodataframe().set_index("place_id").geometry
    names = timeline.places.reindex(iv["place_id"])
    return gpd.GeoDataFrame({
        "place_id": iv["place_id"].to_numpy(), "name_en": names["name_en"].to_numpy(),
        "name_ar": names["name_ar"].to_numpy() if "name_ar" in names else None,
        "side": iv["side"].to_numpy(), "status": iv["status"].to_numpy(),
        "other_side": iv["other_side"].where(iv["other_side"].notna(), None).to_numpy(),
        "inferred": iv["inferred"].to_numpy(bool),
        "valid_from": [_opt_date(d) for d in iv["valid_from"]], "valid_to": [_opt_date(d) for d in iv["valid_to"]],
        "last_evidence": [_opt_date(d) for d in iv["last_evidence"]],
        "claim_ids": [list(c) if c is not None else [] for c in iv["claim_ids"]],
    }, geometry=geoms.reindex(iv["place_id"]).to_numpy(), crs="EPSG:4326")


def _write_layer(frame: gpd.GeoDataFrame, path: Path, fmt: str, layer: str, append: bool = False) -> None:
    if fmt == "geoparquet":
        frame.to_parquet(path, index=False)
        return
    # GeoJSON per RFC 7946; a GeoPackage of version 1.2, which GDAL 3.6 (Debian 12's) reads without a warning
    layer_options = {"RFC7946": "YES"} if fmt == "geojson" else {}
    dataset_options = {"VERSION": "1.2"} if fmt == "gpkg" and not append else {}
    # arrow keeps dates as dates and lists as lists; polygons and lines made multi: one geometry type per layer
    points = bool(len(frame)) and bool((frame.geom_type == "Point").all())
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GeoJSON" if fmt == "geojson" else "GPKG",
                            promote_to_multi=not points, use_arrow=True, append=append,
                            layer_options=layer_options, dataset_options=dataset_options)


def export_days(days: Sequence[dt.date], fmt: str = "geoparquet", out: str | Path | None = None, *, timeline=None,
                include_inferred: bool = True) -> list[Path]:
    """Write the control, front lines and places of each of ``days``; returns the paths written.

    Parameters
    ----------
    days
        The days (valid time), in order.
    fmt
        ``geojson``, ``geoparquet`` or ``gpkg``.
    out
        GeoJSON and GeoParquet: the control file of a single day, or a folder for several (default
        ``<outputs>/export``); the other layers go beside it with ``_front_lines`` and ``_places`` suffixes.
        GeoPackage: the file (default ``<outputs>/export/control_<first>_<last>.gpkg``).
    timeline
        Default: read from the database.
    include_inferred
        Keep the ``inferred`` layer of the polygons.

    Raises
    ------
    InputError
        An unknown format or no day.
    """
    from tracker import polygons
    from tracker.control import load_timeline

    if fmt not in FORMATS:
        raise InputError("--format", f"unknown format {fmt!r} ({', '.join(FORMATS)})")
    if not days:
        raise InputError("--date", "no day to export")
    ext = FORMATS[fmt]
    tl = timeline if timeline is not None else load_timeline()
    cells = polygons.load_cells(tl.places, tl.baseline)
    daily = polygons.DailyPolygons(tl, cells, include_inferred)
    default = settings.outputs_dir() / "export"
    step = days[1] - days[0] if len(days) > 1 else dt.timedelta(days=1)
    ends = [*days[1:], days[-1] + step]
    if fmt == "gpkg":
        name = f"control_{days[0].isoformat()}" + (f"_{days[-1].isoformat()}" if len(days) > 1 else "") + ext
        path = Path(out) if out else default / name
        by_layer: dict[str, list[gpd.GeoDataFrame]] = {layer: [] for layer in LAYERS}
        for day, until in zip(days, ends):
            for layer, frame in day_layers(day, tl, cells, daily, until).items():
                by_layer[layer].append(frame)
        with replacing(path) as tmp:
            tmp.unlink()  # GDAL creates the GeoPackage itself
            for layer in LAYERS:
                frame = gpd.GeoDataFrame(pd.concat(by_layer[layer], ignore_index=True), crs="EPSG:4326")
                _write_layer(frame, tmp, fmt, layer, append=tmp.exists())
            _write_layer(intervals_layer(tl, cells), tmp, fmt, INTERVALS_LAYER, append=True)
        return [path]
    single = len(days) == 1 and out is not None and Path(out).suffix
    folder = Path(out).parent if single else (Path(out) if out else default)
    written: list[Path] = []
    for day, until in zip(days, ends):
        stem = Path(out).with_suffix("") if single else folder / f"control_{day.isoformat()}"
        for layer, frame in day_layers(day, tl, cells, daily, until).items():
            path = Path(f"{stem}{'' if layer == 'control' else '_' + layer}{ext}")
            with replacing(path) as tmp:
                tmp.unlink()  # GDAL refuses to write over a file, even an empty one
                _write_layer(frame, tmp, fmt, layer)
            written.append(path)
    return written


def export_day(day: dt.date | str, fmt: str = "geoparquet", out: str | Path | None = None, *, timeline=None,
               include_inferred: bool = True) -> list[Path]:
    """One day's layers (see :func:`export_days`)."""
    from tracker.control import as_date

    return export_days([as_date(day)], fmt, out, timeline=timeline, include_inferred=include_inferred)


def days_between(start: dt.date | str, end: dt.date | str, every: int = 1) -> list[dt.date]:
    """``start``, ``start + every`` ... up to ``end`` (inclusive).

    Raises
    ------
    InputError
        ``end`` before ``start``, or ``every`` below 1.
    """
    from tracker.control import as_date

    a, b = as_date(start), as_date(end)
    if b < a:
        raise InputError("--end", f"{b} is before --start {a}")
    if every < 1:
        raise InputError("--every", f"must be at least 1 day, got {every}")
    return [a + dt.timedelta(days=k) for k in range(0, (b - a).days + 1, every)]


def area_on(day, timeline) -> pd.DataFrame:
    """Area per side and status on one day (km²)."""
    from tracker import polygons

    cells = polygons.load_cells(timeline.places, timeline.baseline)
    return polygons.area_table(timeline, cells, day, day)
