"""GeoParquet and GeoJSON exports open in geopandas with EPSG:4326 and the documented columns."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from tracker import polygons as P
from tracker.control import Timeline
from tracker.export import export_day
from tracker.testing import make_baseline, make_claim, make_places


@pytest.fixture
def timeline(tmp_path, monkeypatch):
    from tracker import settings

    settings.configure(build=tmp_path / "build")
    rows = [(f"V{i}{j}", f"v{i}{j}", 35.0 + 0.05 * i, 38.5 + 0.05 * j) for i in range(3) for j in range(3)]
    places = make_places(rows)
    base = make_baseline([(r[0], "government" if r[3] < 38.55 else "sdf") for r in rows])
    monkeypatch.setattr(P, "syria_outline", lambda: shapely.box(-100_000, -100_000, 100_000, 100_000))
    yield Timeline(places, base, [make_claim("V10", "sdf", "advance", "2017-08-01")])
    settings.reset()


@pytest.mark.parametrize("fmt", ["geoparquet", "geojson"])
def test_export_opens_in_geopandas(timeline, tmp_path, fmt):
    ext = ".parquet" if fmt == "geoparquet" else ".geojson"
    paths = export_day("2017-08-02", fmt, tmp_path / f"c{ext}", timeline=timeline)
    assert [p.name for p in paths] == [f"c{ext}", f"c_front_lines{ext}", f"c_places{ext}"]
    reader = gpd.read_parquet if fmt == "geoparquet" else gpd.read_file
    polys, fronts, pts = (reader(p) for p in paths)
    assert polys.crs.to_epsg() == 4326
    assert {"side", "status", "other_side", "area_km2"} <= set(polys.columns)
    assert "contested" in set(polys["status"])
    assert {"side_a", "side_b", "length_km"} <= set(fronts.columns)
    assert len(pts) == 9 and {"place_id", "since", "claim_ids", "has_cell"} <= set(pts.columns)
