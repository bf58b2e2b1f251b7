"""Export a day's control as GeoParquet or GeoJSON (opens in QGIS and geopandas).

``export_day(day, fmt)`` writes three files side by side, all EPSG:4326:

- ``control_<day>.<ext>``: dissolved control polygons (``side, status, other_side, stale, n_places, area_km2``),
  partitioning Syria; ``status`` is ``held``, ``contested``, ``besieged``, ``claimed`` or ``inferred``; ``stale``
  marks states with no evidence for ``tracker.control.STALE_DAYS`` days
- ``control_<day>_front_lines.<ext>``: front lines (``side_a, side_b, length_km``)
- ``control_<day>_places.<ext>``: every place with a known state as a point (``place_id, name_en, name_ar, side,
  status, other_side, since, claim_ids, inferred, last_evidence, stale, coord_precision, has_cell``); places without
  a cell (known only to their subdistrict) are here with their precision, never as a cell
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from tracker import settings
from tracker._errors import InputError

FORMATS = {"geoparquet": ".parquet", "geojson": ".geojson"}


def _write(gdf: gpd.GeoDataFrame, path: Path, fmt: str) -> Path:
    if fmt == "geoparquet":
        gdf.to_parquet(path, index=False)
    else:
        gdf.to_file(path, driver="GeoJSON")
    return path


def places_on(day, timeline, cells) -> gpd.GeoDataFrame:
    """Every place with a known state on ``day`` as points, with the claims behind its state."""
    state = timeline.state_on(day, include_inferred=True)
    state = state[state["side"] != "unknown"]
    pl = timeline.places.reindex(state.index)
    ok = pl["lat"].notna().to_numpy()
    state, pl = state[ok], pl[ok]
    has_cell = state.index.isin(cells.place_id)
    return gpd.GeoDataFrame({
        "place_id": state.index.to_numpy(), "name_en": pl["name_en"].to_numpy(),
        "name_ar": pl["name_ar"].to_numpy() if "name_ar" in pl else None,
        "side": state["side"].to_numpy(), "status": state["status"].to_numpy(),
        "other_side": state["other_side"].to_numpy(), "since": [str(s) if s else None for s in state["since"]],
        "claim_ids": [",".join(c) if c is not None else "" for c in state["claim_ids"]],
        "inferred": state["inferred"].to_numpy(bool),
        "last_evidence": [str(d) if d else None for d in state["last_evidence"]],
        "stale": state["stale"].to_numpy(bool),
        "coord_precision": pl["coord_precision"].to_numpy() if "coord_precision" in pl else "point",
        "has_cell": has_cell,
    }, geometry=gpd.points_from_xy(pl["lon"], pl["lat"]), crs="EPSG:4326")


def export_day(day: date | str, fmt: str = "geoparquet", out: str | Path | None = None, *, timeline=None,
               include_inferred: bool = True) -> list[Path]:
    """Write the day's polygons, front lines and places; returns the paths written.

    Parameters
    ----------
    day
        The day (valid time).
    fmt
        ``geoparquet`` or ``geojson``.
    out
        The polygons file; the other two go beside it with ``_front_lines`` and ``_places`` suffixes
        (default ``<outputs>/export/control_<day>.<ext>``).
    timeline
        Default: rebuilt from the database.
    """
    from tracker import polygons
    from tracker.control import as_date, load_timeline

    if fmt not in FORMATS:
        raise InputError("--format", f"unknown format {fmt!r} (geoparquet or geojson)")
    day = as_date(day)
    tl = timeline if timeline is not None else load_timeline()
    cells = polygons.load_cells(tl.places, tl.baseline)
    ext = FORMATS[fmt]
    path = Path(out) if out else settings.outputs_dir() / "export" / f"control_{day.isoformat()}{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.with_suffix("")
    layers = polygons.DailyPolygons(tl, cells, include_inferred).layers_on(day)
    fronts = polygons.front_lines(tl.state_on(day), cells)
    pts = places_on(day, tl, cells)
    layers.insert(0, "day", day.isoformat())
    fronts.insert(0, "day", day.isoformat())
    pts.insert(0, "day", day.isoformat())
    return [_write(layers, path, fmt), _write(fronts, Path(f"{stem}_front_lines{ext}"), fmt),
            _write(pts, Path(f"{stem}_places{ext}"), fmt)]


def area_on(day, timeline) -> pd.DataFrame:
    """Area per side and status on one day (km²)."""
    from tracker import polygons

    cells = polygons.load_cells(timeline.places, timeline.baseline)
    return polygons.area_table(timeline, cells, day, day)
