"""Exports read back with pyogrio and geopandas: RFC 7946 GeoJSON, GeoParquet with real date and list columns,
a GeoPackage with a time-enabled intervals layer, a file per day over a range, and the command line."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from tracker import polygons as P
from tracker.cli import main
from tracker.control import Timeline, write_timeline
from tracker.export import days_between, export_day, export_days
from tracker.testing import make_baseline, make_claim, make_places


@pytest.fixture
def timeline(tmp_path, monkeypatch):
    from tracker import settings

    settings.configure(build=tmp_path / "build")
    rows = [(f"V{i}{j}", f"v{i}{j}", 35.0 + 0.05 * i, 38.5 + 0.05 * j) for i in range(3) for j in range(3)]
    places = make_places(rows)
    base = make_baseline([(r[0], "government" if r[3] < 38.55 else "sdf") for r in rows])
    monkeypatch.setattr(P, "syria_outline", lambda: shapely.box(-100_000, -100_000, 100_000, 100_000))
    yield Timeline(places, base, [make_claim("V10", "sdf", "advance", "2017-08-01"),
                                  make_claim("V20", "sdf", "capture", "2017-08-03")])
    settings.reset()


def _signed_area(ring) -> float:
    x, y = zip(*ring)
    return sum(x[i] * y[i + 1] - x[i + 1] * y[i] for i in range(len(ring) - 1)) / 2


def _positions(coords):
    if coords and isinstance(coords[0], str):
        yield coords
    else:
        for part in coords:
            yield from _positions(part)


def rfc7946_faults(path) -> list[str]:
    """Where a GeoJSON file breaks the rules of RFC 7946 a reader relies on: a ``crs`` member (section 4),
    positions of more than 7 decimals (section 11.2), exterior rings not counter-clockwise or holes not
    clockwise (section 3.1.6); and more than one geometry type in a file."""
    faults = []
    data = json.loads(path.read_text(encoding="utf-8"), parse_float=str)
    if data.get("type") != "FeatureCollection":
        faults.append("not a FeatureCollection")
    if "crs" in data:
        faults.append("crs member")
    if len({f["geometry"]["type"] for f in data["features"]}) > 1:
        faults.append("mixed geometry types")
    for feature in data["features"]:
        geometry = feature["geometry"]
        if any(len(v.split(".")[1]) > 7 for pos in _positions(geometry["coordinates"]) for v in pos if "." in v):
            faults.append("more than 7 decimals")
        polygons = {"Polygon": [geometry["coordinates"]], "MultiPolygon": geometry["coordinates"]}.get(geometry["type"], [])
        for polygon in polygons:
            rings = [[(float(x), float(y)) for x, y, *_ in ring] for ring in polygon]
            if _signed_area(rings[0]) <= 0 or any(_signed_area(hole) >= 0 for hole in rings[1:]):
                faults.append("ring orientation")
    return sorted(set(faults))


def test_the_rfc7946_check_sees_what_gdal_writes_without_the_option(tmp_path):
    frame = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[shapely.Polygon([(0, 0), (0, 1.123456789), (1, 1), (1, 0)]),
                                                      shapely.Point(1, 2)], crs="EPSG:4326")
    plain = tmp_path / "plain.geojson"
    frame.to_file(plain, driver="GeoJSON")
    assert rfc7946_faults(plain) == ["crs member", "mixed geometry types", "more than 7 decimals", "ring orientation"]


@pytest.mark.parametrize("fmt", ["geoparquet", "geojson"])
def test_export_opens_in_geopandas(timeline, tmp_path, fmt):
    ext = ".parquet" if fmt == "geoparquet" else ".geojson"
    paths = export_day("2017-08-02", fmt, tmp_path / f"c{ext}", timeline=timeline)
    assert [p.name for p in paths] == [f"c{ext}", f"c_front_lines{ext}", f"c_places{ext}"]
    reader = gpd.read_parquet if fmt == "geoparquet" else gpd.read_file
    polys, fronts, pts = (reader(p) for p in paths)
    assert polys.crs.to_epsg() == 4326
    assert {"side", "status", "other_side", "area_km2", "day", "valid_from", "valid_to"} <= set(polys.columns)
    assert "contested" in set(polys["status"])
    assert {"side_a", "side_b", "length_km"} <= set(fronts.columns)
    assert len(pts) == 9 and {"place_id", "since", "claim_ids", "has_cell"} <= set(pts.columns)


def test_geojson_follows_rfc7946_and_reads_back_typed(timeline, tmp_path):
    paths = export_day("2017-08-04", "geojson", tmp_path / "c.geojson", timeline=timeline)
    for path in paths:
        assert rfc7946_faults(path) == [], path.name
    info = pyogrio.read_info(paths[0])
    assert info["geometry_type"] == "MultiPolygon" and info["crs"] == "EPSG:4326"
    assert pyogrio.read_info(paths[1])["geometry_type"] == "MultiLineString"
    places = pyogrio.read_info(paths[2])
    assert places["geometry_type"] == "Point"
    types = dict(zip(places["fields"], places["dtypes"]))
    assert types["day"].startswith("datetime64") and types["since"].startswith("datetime64")
    # a JSON array: GDAL reads it as a string list, or (when the first features have empty lists) as JSON
    subtype = dict(zip(places["fields"], places["ogr_subtypes"]))["claim_ids"]
    assert types["claim_ids"] == "list(str)" or subtype == "OFSTJSON"
    pts = json.loads(paths[2].read_text(encoding="utf-8"))["features"]
    v20 = next(f["properties"] for f in pts if f["properties"]["place_id"] == "V20")
    assert isinstance(v20["claim_ids"], list) and len(v20["claim_ids"]) == 1 and v20["since"] == "2017-08-03"


def test_geoparquet_has_date_and_list_columns(timeline, tmp_path):
    paths = export_day("2017-08-04", "geoparquet", tmp_path / "c.parquet", timeline=timeline)
    schema = pq.read_schema(paths[2])
    assert str(schema.field("day").type) == "date32[day]" and str(schema.field("since").type) == "date32[day]"
    assert str(schema.field("claim_ids").type) == "list<element: string>"
    assert str(pq.read_schema(paths[0]).field("valid_to").type) == "date32[day]"


def test_a_range_gives_a_file_per_day(timeline, tmp_path):
    days = days_between("2017-08-01", "2017-08-07", every=3)
    assert days == [dt.date(2017, 8, 1), dt.date(2017, 8, 4), dt.date(2017, 8, 7)]
    paths = export_days(days, "geojson", tmp_path / "archive", timeline=timeline)
    assert [p.name for p in paths[::3]] == ["control_2017-08-01.geojson", "control_2017-08-04.geojson",
                                            "control_2017-08-07.geojson"]
    first = gpd.read_file(paths[0])
    assert set(first["valid_to"].astype(str)) == {"2017-08-04"}  # valid until the next exported day


def test_geopackage_has_layers_and_a_time_enabled_intervals_layer(timeline, tmp_path):
    days = days_between("2017-08-01", "2017-08-05", every=2)
    (path,) = export_days(days, "gpkg", tmp_path / "c.gpkg", timeline=timeline)
    import sqlite3

    with sqlite3.connect(path) as db:  # GeoPackage 1.2: GDAL 3.6 (Debian 12, older QGIS) reads it without warnings
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"control": "MultiPolygon", "front_lines": "MultiLineString", "places": "Point",
                      "control_intervals": "MultiPolygon"}
    info = pyogrio.read_info(path, layer="control_intervals")
    types = dict(zip(info["fields"], info["dtypes"]))
    assert types["valid_from"] == "datetime64[D]" and types["valid_to"] == "datetime64[D]"  # GeoPackage DATE
    intervals = pyogrio.read_dataframe(path, layer="control_intervals", use_arrow=True)
    v20 = intervals[intervals["place_id"] == "V20"].sort_values("valid_from")
    assert list(v20["side"]) == ["government", "sdf"] and v20["valid_to"].iloc[0] == dt.date(2017, 8, 3)
    assert v20["valid_to"].isna().iloc[-1]  # still held
    control = pyogrio.read_dataframe(path, layer="control")
    assert sorted(control["day"].dt.date.unique()) == days
    places = pyogrio.read_dataframe(path, layer="places", use_arrow=True)
    assert isinstance(places["claim_ids"].iloc[0], list)


def test_cli_export_range_json_and_dates_outside(timeline, tmp_path):
    from tracker import store

    db = tmp_path / "t.duckdb"
    con = store.connect(db)
    write_timeline(con, timeline)
    con.close()
    run = CliRunner().invoke
    out = tmp_path / "x"
    res = run(main, ["export", "--start", "2017-08-01", "--end", "2017-08-03", "--every", "2", "--format", "geojson",
                     "--out", str(out), "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    assert summary["days"] == 2 and len(summary["files"]) == 6 and summary["warnings"] == []
    res = run(main, ["export", "--date", "2017-08-20", "--format", "gpkg", "--out", str(tmp_path / "late.gpkg"),
                     "--db", str(db)])
    assert res.exit_code == 1 and "warning: 2017-08-20 is after the last evidence" in res.output
    assert (tmp_path / "late.gpkg").exists()
    res = run(main, ["export", "--date", "2016-01-01", "--out", str(tmp_path / "early.parquet"), "--db", str(db)])
    assert res.exit_code == 2 and "before the timeline starts" in res.output
    assert not (tmp_path / "early.parquet").exists()
