"""Command-line conventions: rows as a table, CSV or JSON lines (--format); a JSON summary (--json) from commands
that write files; warnings and a non-zero exit for dates outside the data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from tracker import store
from tracker.cli import main
from tracker.control import Timeline, write_timeline
from tracker.testing import make_baseline, make_claim, make_places

PLACES = make_places([(f"V{i}{j}", f"v{i}{j}", 35.0 + 0.05 * i, 38.5 + 0.05 * j) for i in range(3) for j in range(3)])
BASE = make_baseline([(p, "government" if p[1] == "0" else "isis") for p in PLACES.index])
CLAIMS = [make_claim("V11", "government", "capture", "2017-08-01", reported="2017-08-03")]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "t.duckdb"
    con = store.connect(path)
    try:
        write_timeline(con, Timeline(PLACES, BASE, CLAIMS), "test")
    finally:
        con.close()
    return path


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_sql_prints_a_table_csv_or_json_lines(db):
    query = "SELECT place_id, side FROM control_on('2017-08-02') WHERE place_id IN ('V00', 'V11') ORDER BY 1"
    table = invoke("sql", query, "--db", db)
    assert table.exit_code == 0 and table.output.splitlines()[0].split() == ["place_id", "|", "side"]
    assert "(2 rows)" in table.output
    rows = list(csv.reader(io.StringIO(invoke("sql", query, "--db", db, "--format", "csv").output)))
    assert rows == [["place_id", "side"], ["V00", "government"], ["V11", "government"]]
    lines = invoke("sql", query, "--db", db, "--format", "json").output.splitlines()
    assert [json.loads(x) for x in lines] == [{"place_id": "V00", "side": "government"},
                                              {"place_id": "V11", "side": "government"}]
    assert invoke("sql", query, "--db", db, "--json").output.splitlines() == lines


def test_control_and_history_rows_have_a_header(db):
    table = invoke("control", "--date", "2017-08-01", "--db", db)
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0].startswith("place_id") and "(9 rows)" in table.stdout
    rows = list(csv.DictReader(io.StringIO(invoke("control", "--date", "2017-08-01", "--db", db, "--format",
                                                  "csv").stdout)))
    v11 = next(r for r in rows if r["place_id"] == "V11")
    assert v11["side"] == "government" and v11["since"] == "2017-08-01" and json.loads(v11["claim_ids"])
    history = list(csv.DictReader(io.StringIO(invoke("history", "V11", "--db", db, "--format", "csv").output)))
    assert [(h["side"], h["valid_from"]) for h in history] == [("isis", "2017-07-15"), ("government", "2017-08-01")]
    assert json.loads(invoke("history", "V11", "--db", db, "--format", "json").output)["place_id"] == "V11"


def test_map_prints_a_json_summary_and_warns_after_the_data(tmp_path, sources):
    empty = tmp_path / "empty.duckdb"
    store.connect(empty).close()
    out = tmp_path / "m.png"
    res = invoke("map", "--date", "2017-10-14", "--region", "deir-ez-zor", "--out", out, "--db", empty, "--json")
    summary = json.loads(res.stdout)
    assert res.exit_code == 1 and summary["files"] == [str(out)] and out.exists()
    assert summary["warnings"] and "tracker run" in summary["warnings"][0]
