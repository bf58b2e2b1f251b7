"""The viewer's data and folder: geometry round trips, states and fronts per day against the timeline, the
events with their quotes and sources, the command, its errors, and a folder that needs no network.

The store here is the real baseline (every cell of Syria) with two claims written for these tests: Mayadin taken
by the government on 14 October 2017 (an Arabic quote), Raqqa by the SDF on 17 October. The browser test
(test_viewer_browser.py) opens the viewer written from it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from tracker import polygons, settings, store
from tracker.cli import main
from tracker.viewer import STATIC_FILES, write_viewer
from tracker.viewer.geometry import SCALE, decode_ring, encode_lines, encode_polygon

D = dt.date
MAYADIN, RAQQA = "C5192", "C5710"
MAYADIN_QUOTE = "أعلن الجيش أنه بسط سيطرته على مدينة الميادين بعد معارك"
RAQQA_QUOTE = "Fighters said Raqqa was fully in their hands"
# claim id, report, actor, place id, place name, the words naming it, lat, lon, day, quote, source, lang, published
CLAIMS = [
    ("v1", "r1", "government", MAYADIN, "Al Mayadin", "الميادين", 35.015, 40.45, D(2017, 10, 14), MAYADIN_QUOTE,
     "AFP", "ar", D(2017, 10, 15)),
    ("v2", "r2", "sdf", RAQQA, "Ar-Raqqa", "Raqqa", 35.95, 39.01, D(2017, 10, 17), RAQQA_QUOTE, "Reuters", "en",
     D(2017, 10, 18)),
]
_STORE: dict[str, Path] = {}


def viewer_store(factory: pytest.TempPathFactory) -> Path:
    """The test database (built once per session): reports and claims stored as the extract stage stores them,
    then the control and polygons stages run on them."""
    if "db" in _STORE:
        return _STORE["db"]
    if not (settings.sources_dir() / "geo").is_dir():
        pytest.skip(f"sources directory {settings.sources_dir()} not found")
    from tracker.control import stage_control

    db = factory.mktemp("viewer") / "tracker.duckdb"
    con = store.connect(db)
    try:
        con.executemany(
            "INSERT INTO reports (report_id, version, published, published_precision, source, lang, title, url, text, "
            "sha256, ingested_at, kind) VALUES (?, 1, ?, 'day', ?, ?, ?, ?, ?, ?, now(), 'news')",
            [[c[1], c[12], c[10], c[11], f"report {c[1]}", f"https://example.org/{c[1]}", c[9], c[1]]
             for c in CLAIMS])
        con.executemany(
            "INSERT INTO claims (claim_id, report_id, report_version, actor, action, status, place_text, place_id, "
            "place_name, lat, lon, place_precision, date, date_precision, quote, source, lang, published, confidence) "
            "VALUES (?, ?, 1, ?, 'capture', 'asserted', ?, ?, ?, ?, ?, 'point', ?, 'day', ?, ?, ?, ?, 0.9)",
            [[c[0], c[1], c[2], c[5], c[3], c[4], c[6], c[7], c[8], c[9], c[10], c[11], c[12]] for c in CLAIMS])
        ctx = SimpleNamespace(con=con)
        stage_control(ctx)
        polygons.stage_polygons(ctx)
    finally:
        con.close()
    _STORE["db"] = db
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return viewer_store(tmp_path_factory)


@pytest.fixture(scope="module")
def timeline(db):
    from tracker.control import load_timeline

    con = store.connect(db, read_only=True)
    try:
        return load_timeline(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def written(db, tmp_path_factory):
    """The viewer of the whole test timeline, 15 July to 31 October 2017, and its data."""
    out = tmp_path_factory.mktemp("written") / "viewer"
    con = store.connect(db, read_only=True)
    try:
        result = write_viewer(out, end=D(2017, 10, 31), con=con)
    finally:
        con.close()
    text = (out / "data.js").read_text(encoding="utf-8")
    data = json.loads(text[text.index("=") + 1:].rstrip().rstrip(";"))
    return result, data


def states_on(data: dict, k: int) -> np.ndarray:
    """Each place's class on day ``k``, by applying the deltas as the page does."""
    state = np.array(data["state0"])
    for delta in data["deltas"][1:k + 1]:
        state[delta[0::2]] = delta[1::2]
    return state


def fronts_on(data: dict, k: int) -> set[int]:
    on = set(data["front0"])
    for delta in data["frontDeltas"][1:k + 1]:
        on ^= set(delta)
    return on


def test_rings_round_trip_and_neighbours_share_their_points():
    a = shapely.Polygon([(40.0, 35.0), (40.1, 35.0), (40.1, 35.1), (40.0, 35.1)],
                        holes=[[(40.02, 35.02), (40.04, 35.02), (40.04, 35.04)]])
    b = shapely.Polygon([(40.1, 35.0), (40.2, 35.05), (40.1, 35.1)])
    ea, eb = encode_polygon(a), encode_polygon(b)
    assert len(ea) == 1 and len(ea[0]) == 2 and len(eb[0]) == 1           # outer ring and hole; one ring
    outer = decode_ring(ea[0][0])
    np.testing.assert_allclose(outer, np.asarray(a.exterior.coords)[:-1], atol=0.5 / SCALE)
    shared_a = {tuple(p) for p in np.rint(outer * SCALE).astype(int)}
    shared_b = {tuple(p) for p in np.rint(decode_ring(eb[0][0]) * SCALE).astype(int)}
    assert {(401000, 350000), (401000, 351000)} <= shared_a & shared_b    # the shared edge, identical integers
    assert encode_polygon(shapely.box(40, 35, 40.00001, 35.00001)) == []  # collapses at this precision
    line = encode_lines(shapely.MultiLineString([[(40, 35), (40.5, 35.5)], [(41, 36), (41.5, 36.2)]]))
    assert [len(x) for x in line] == [4, 4]


def test_states_per_day_are_the_maps_keys(written, timeline):
    result, data = written
    cells = polygons.load_cells(timeline.places, timeline.baseline)
    daily = polygons.DailyPolygons(timeline, cells)
    rows = [cells.index[pid] for pid in data["places"]["id"][:data["places"]["cells"]]]
    keys = ["|".join([data["sides"][s]["name"] if s >= 0 else "", st, data["sides"][o]["name"] if o >= 0 else "",
                      "stale" if old else ""]) if st else "" for s, st, o, old in data["classes"]]
    start = D.fromisoformat(data["start"])
    assert data["days"] == (D(2017, 10, 31) - start).days + 1 == (result.end - result.start).days + 1
    for day in (start, D(2017, 10, 10), D(2017, 10, 14), D(2017, 10, 20), D(2017, 10, 31)):
        k = (day - start).days
        got = [keys[c] for c in states_on(data, k)[:len(rows)]]
        assert got == list(daily.keys_on(day)[rows]), day


def test_mayadin_changes_between_the_tenth_and_the_twentieth(written):
    _, data = written
    start = D.fromisoformat(data["start"])
    p = data["places"]["id"].index(MAYADIN)
    side = {k: data["sides"][data["classes"][states_on(data, (D(2017, 10, k) - start).days)[p]][0]]["name"]
            for k in (10, 20)}
    assert side == {10: "isis", 20: "government"}
    assert data["places"]["en"][p] == "Al Mayadin" and data["places"]["ar"][p] == "الميادين"


def test_front_edges_per_day_are_the_polygons_fronts(written, timeline):
    _, data = written
    cells = polygons.load_cells(timeline.places, timeline.baseline)
    start = D.fromisoformat(data["start"])
    shown = set(data["places"]["id"][:data["places"]["cells"]])
    for day in (D(2017, 10, 10), D(2017, 10, 20)):
        mask = polygons.front_edges(timeline.state_on(day), cells)
        expected = {(cells.edge_i[e], cells.edge_j[e]) for e in np.flatnonzero(mask)}
        assert len(expected) > 100
        n = len(fronts_on(data, (day - start).days))
        assert n == len(expected)                          # all of Syria: every front edge is shown
    assert len(shown) == len(cells)


def test_events_carry_the_quote_source_and_report(written):
    _, data = written
    start = D.fromisoformat(data["start"])
    p = data["places"]["id"].index(MAYADIN)
    mine = [e for e in data["events"] if e[1] == p and not e[7]]
    assert [start + dt.timedelta(days=e[0]) for e in mine] == [D(2017, 10, 14)]
    claim = data["claims"][mine[0][10][0]]
    assert claim[0] == "v1" and claim[1] == "AFP" and claim[3] == "2017-10-15" and claim[4] == "ar"
    assert claim[5] == MAYADIN_QUOTE and claim[7] == "https://example.org/r1"
    assert data["sides"][mine[0][2]]["name"] == "isis" and data["sides"][mine[0][4]]["name"] == "government"


def test_folder_is_small_complete_and_needs_no_network(written):
    result, _ = written
    names = {str(p.relative_to(result.path)) for p in result.path.rglob("*") if p.is_file()}
    assert names == set(STATIC_FILES) | {"data.js"}
    assert result.bytes < 20e6 and result.bytes == sum(p.stat().st_size for p in result.path.rglob("*") if p.is_file())
    html = (result.path / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all((result.path / r).is_file() for r in refs)      # every script and style is beside it
    for name in ("index.html", "viewer.js", "viewer.css"):
        code = (result.path / name).read_text(encoding="utf-8")
        assert not re.search(r"fetch\(|XMLHttpRequest|import\(|@import|url\(\s*['\"]?https?:", code), name
    assert "BSD 2-Clause" in (result.path / "vendor/leaflet/LICENSE").read_text(encoding="utf-8")


def test_command_writes_the_folder_and_replaces_an_old_one(db, tmp_path):
    out = tmp_path / "viewer"
    out.mkdir()
    (out / "stale.txt").write_text("from before")
    runner = CliRunner()
    result = runner.invoke(main, ["viewer", "--start", "2017-10-01", "--end", "2017-10-31", "--region",
                                  "deir-ez-zor", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "index.html" in result.output and "2017-10-01 to 2017-10-31" in result.output
    assert not (out / "stale.txt").exists() and (out / "index.html").is_file()
    text = (out / "data.js").read_text(encoding="utf-8")
    data = json.loads(text[text.index("=") + 1:].rstrip().rstrip(";"))
    assert data["days"] == 31 and data["region"]["name"] == "deir-ez-zor"
    assert MAYADIN in data["places"]["id"] and RAQQA not in data["places"]["id"]  # Raqqa lies west of the box
    assert 100 < data["places"]["cells"] < 3000                                    # not the whole country
    assert [p.name for p in tmp_path.iterdir()] == ["viewer"]                     # nothing left beside it


def test_front_region_is_where_control_changed(db, tmp_path):
    con = store.connect(db, read_only=True)
    try:
        result = write_viewer(tmp_path / "v", start=D(2017, 10, 1), end=D(2017, 10, 31), region="front", con=con)
    finally:
        con.close()
    text = (result.path / "data.js").read_text(encoding="utf-8")
    data = json.loads(text[text.index("=") + 1:].rstrip().rstrip(";"))
    w, s, e, n = data["region"]["bbox"]
    assert data["region"]["name"] == "front" and w < 39.01 < 40.45 < e and s < 35.015 < 35.95 < n
    assert e - w < 4 and {MAYADIN, RAQQA} <= set(data["places"]["id"])


@pytest.mark.parametrize("args,words", [
    (["--start", "2017-01-01"], "before the timeline starts"),
    (["--start", "2017-10-20", "--end", "2017-10-10"], "before --start"),
    (["--end", "2019-01-01"], "after the last evidence"),
    (["--region", "atlantis"], "unknown region"),
])
def test_bad_days_or_region_fail_clearly_and_write_nothing(db, tmp_path, args, words):
    out = tmp_path / "viewer"
    result = CliRunner().invoke(main, ["viewer", *args, "--out", str(out), "--db", str(db)])
    assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_without_a_database_it_says_what_to_run(tmp_path):
    result = CliRunner().invoke(main, ["viewer", "--out", str(tmp_path / "v"), "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "tracker run" in result.output
