from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from tracker._errors import InputError
from tracker.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_help_lists_subcommands():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("ingest", "run", "sql"):
        assert command in result.output


def test_ingest_twice_says_nothing_new(sources, db_path):
    first = invoke("ingest", str(sources / "seeds"), "--db", str(db_path))
    assert first.exit_code == 0 and first.output.startswith("5 new, 0 duplicate, 0 new version, 0 rejected")
    second = invoke("ingest", str(sources / "seeds"), "--db", str(db_path))
    assert second.exit_code == 0 and "nothing new" in second.output


def test_ingest_json_and_rejection_exit_code(fixtures_dir, tmp_path, db_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "published": "2017-01-01", "text": "The army took the town."}\nnot json\n', encoding="utf-8")
    result = invoke("ingest", str(fixtures_dir), str(bad), "--db", str(db_path), "--json")
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["new"] == 7 and out["rejected"] == 1  # the good line of bad.jsonl is stored
    assert out["rejections"][0]["line"] == 2 and out["rejections"][0]["path"] == str(bad)


def test_sql_table_json_and_read_only(fixtures_dir, db_path):
    invoke("ingest", str(fixtures_dir), "--db", str(db_path))
    table = invoke("sql", "SELECT report_id, lang FROM reports ORDER BY report_id", "--db", str(db_path))
    assert table.exit_code == 0 and "fx-ar-1" in table.output and "(6 rows)" in table.output
    lines = invoke("sql", "SELECT report_id FROM reports ORDER BY 1", "--db", str(db_path), "--json").output
    assert json.loads(lines.splitlines()[0]) == {"report_id": "fx-ar-1"}
    for statement in ("DELETE FROM reports", "DROP TABLE reports", "CREATE TABLE x (a INT)"):
        denied = invoke("sql", statement, "--db", str(db_path))
        assert denied.exit_code == 2 and "read-only" in denied.output
    count = invoke("sql", "SELECT count(*) AS n FROM reports", "--db", str(db_path), "--json").output
    assert json.loads(count) == {"n": 6}


def test_sql_without_database_says_what_to_run(tmp_path):
    result = invoke("sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert result.exit_code == 2 and "tracker run" in result.output


def test_bad_sql_is_one_line(fixtures_dir, db_path):
    invoke("ingest", str(fixtures_dir), "--db", str(db_path))
    result = invoke("sql", "SELEC nonsense", "--db", str(db_path))
    assert result.exit_code == 2 and result.output.startswith("error: ") and "Traceback" not in result.output


@pytest.fixture(scope="module")
def real_timeline():
    from tracker.baseline import load_baseline, load_places
    from tracker.control import Timeline

    places, _ = load_places()
    base, extra = load_baseline(None, places)
    return Timeline(pd.concat([places, extra]), base)


@pytest.mark.parametrize("name,place_id", [
    ("Sukhnah", "C2893"), ("Al-Mayadeen", "C5192"), ("Mayadin", "C5192"), ("Raqqa", "C5710"),
    ("Baghuz", "C5184"), ("Ras al-Ayn", "C4988"), ("Menbij", "C1767"), ("Maarat al-Numan", "C3985"),
    ("Deir el-Zour", "C5086"), ("C2893", "C2893"),
])
def test_place_names_resolve_as_the_gazetteer_does(real_timeline, name, place_id):
    from tracker.api import places_named as resolve

    assert resolve(real_timeline, name) == [place_id]


def test_ambiguous_place_name_lists_ranked_candidates(real_timeline):
    from tracker.api import places_named as resolve

    with pytest.raises(InputError) as err:
        resolve(real_timeline, "Tiba")
    lines = str(err.value).splitlines()[1:]
    assert len(lines) >= 5 and all("/" in line for line in lines)        # each with its admin path
