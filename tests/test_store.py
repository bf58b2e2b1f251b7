from __future__ import annotations

import duckdb
import pytest

from tracker import store
from tracker._errors import StoreError
from tracker.ingest import ingest


def test_fresh_database_is_at_current_schema(db_path):
    con = store.connect(db_path)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == store.SCHEMA_VERSION
    con.close()
    # reopening migrates nothing and keeps one row per migration
    con = store.connect(db_path)
    assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(store.MIGRATIONS)
    con.close()


def test_old_schema_is_migrated_by_a_writer_and_refused_by_a_reader(db_path):
    raw = duckdb.connect(str(db_path))
    raw.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)")
    raw.execute("INSERT INTO schema_version VALUES (1, now())")
    raw.execute(store.MIGRATIONS[0][1])
    raw.close()
    if store.SCHEMA_VERSION > 1:
        with pytest.raises(StoreError, match="older"):
            store.connect(db_path, read_only=True)
    con = store.connect(db_path)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == store.SCHEMA_VERSION
    con.close()


def test_newer_schema_is_refused(db_path):
    con = store.connect(db_path)
    con.execute("INSERT INTO schema_version VALUES (999, now())")
    con.close()
    with pytest.raises(StoreError, match="newer"):
        store.connect(db_path)


def test_transaction_rolls_back_on_error(con, fixtures_dir):
    ingest(con, [fixtures_dir])
    with pytest.raises(RuntimeError):
        with store.transaction(con):
            con.execute("DELETE FROM reports")
            raise RuntimeError("interrupted")
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 6


def test_not_a_database(tmp_path):
    path = tmp_path / "x.duckdb"
    path.write_text("hello, I am not a database")
    with pytest.raises(StoreError, match="x.duckdb"):
        store.connect(path)


def test_a_snapshot_being_written_stands_for_its_database(tmp_path):
    # the stage keys of an incremental run live beside the published database, not the working copy
    from tracker import pipeline, store

    db = tmp_path / "t.duckdb"
    with store.writing(db) as con:
        assert store.database_path(con) == db
        assert pipeline.manifest_path(con) == tmp_path / "t.duckdb.stages.json"
    con = store.connect(db, read_only=True)
    try:
        assert store.database_path(con) == db
    finally:
        con.close()


def test_a_new_extractor_reads_every_report_again_and_replaces_its_claims(tmp_path, monkeypatch):
    from tracker import store
    from tracker.extract import stage
    from tracker.ingest import ingest

    report = tmp_path / "r.jsonl"
    report.write_text('{"id": "r1", "published": "2017-10-15", "lang": "en", "text": '
                      '"Syrian government forces captured Mayadin on Saturday."}\n', encoding="utf-8")
    with store.writing(tmp_path / "t.duckdb") as con:
        ingest(con, [report])
        first = stage.store_claims(con)
        again = stage.store_claims(con)
        monkeypatch.setattr(stage, "extractor_version", lambda gazetteer=None: "another")
        newer = stage.store_claims(con)
        claims = con.execute("SELECT count(*) FROM claims").fetchone()[0]
        marks = con.execute("SELECT extractor, claims FROM extractions").fetchall()
    assert first["reports"] == 1 and first["claims"] >= 1
    assert again["reports"] == 0                       # read once per extractor, even with no claim
    assert newer["reports"] == 1 and claims == first["claims"]  # replaced, not added
    assert marks == [("another", first["claims"])]
