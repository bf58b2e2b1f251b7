"""Scale (issue 17): the extraction in worker processes and in bounded batches gives the claims of one serial pass;
the number of workers is a setting."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from tracker import settings, store
from tracker._errors import InputError
from tracker.extract import load_gazetteer, stage
from tracker.ingest import ingest

WRITTEN = Path(__file__).parent / "data" / "written_reports.jsonl"
_REAL_EXTRACT_ROWS = stage.extract_rows


def _claims(con) -> list[tuple]:
    return con.execute("SELECT * EXCLUDE (extracted_at) FROM claims ORDER BY claim_id").fetchall()


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> list[tuple]:
    """The claims of 40 written reports, extracted in one pass in this process."""
    con = store.connect(tmp_path_factory.mktemp("serial") / "db.duckdb")
    ingest(con, [_subset(tmp_path_factory.mktemp("in"))])
    counts = stage.store_claims(con, load_gazetteer(), workers=1)
    assert counts["workers"] == 1 and counts["reports"] == 40 and counts["claims"] > 40
    rows = _claims(con)
    con.close()
    return rows


def _subset(folder: Path) -> Path:
    path = folder / "reports.jsonl"
    path.write_text("".join(WRITTEN.read_text(encoding="utf-8").splitlines(keepends=True)[:40]), encoding="utf-8")
    return path


def test_workers_and_batches_store_the_claims_of_one_serial_pass(serial, tmp_path, monkeypatch):
    monkeypatch.setattr(stage, "POOL_MIN_REPORTS", 1)
    monkeypatch.setattr(stage, "CHUNK_REPORTS", 3)
    con = store.connect(tmp_path / "db.duckdb")
    ingest(con, [_subset(tmp_path)])
    counts = stage.store_claims(con, load_gazetteer(), workers=2, batch=7)
    assert counts["workers"] == 2 and counts["reports"] == 40
    assert _claims(con) == serial
    again = stage.store_claims(con, load_gazetteer(), workers=2)  # every report read once, with or without claims
    assert again["claims"] == 0 and again["reports"] == 0
    con.close()


def test_a_failing_batch_keeps_the_batches_before_it_whole(serial, tmp_path, monkeypatch):
    con = store.connect(tmp_path / "db.duckdb")
    ingest(con, [_subset(tmp_path)])
    real = stage.extract_rows
    calls = []

    def failing(reports, gazetteer=None):
        calls.append(len(reports))
        if sum(calls) > 20:
            raise RuntimeError("worker died")
        return real(reports, gazetteer)

    monkeypatch.setattr(stage, "extract_rows", failing)
    monkeypatch.setattr(stage, "CHUNK_REPORTS", 5)
    with pytest.raises(RuntimeError, match="worker died"):
        stage.store_claims(con, load_gazetteer(), workers=1, batch=10)
    stored = con.execute("SELECT count(DISTINCT report_id) FROM claims").fetchone()[0]
    assert 0 < stored <= 20  # the first batches, each whole; the failing one not at all
    monkeypatch.setattr(stage, "extract_rows", real)
    stage.store_claims(con, load_gazetteer(), workers=1)  # the next run goes on where it stopped
    assert _claims(con) == serial
    con.close()


def test_workers_setting(monkeypatch):
    monkeypatch.delenv("TRACKER_WORKERS", raising=False)
    assert settings.workers() >= 1
    monkeypatch.setenv("TRACKER_WORKERS", "3")
    assert settings.workers() == 3
    settings.configure(workers=2)
    try:
        assert settings.workers() == 2
    finally:
        settings.reset()
    monkeypatch.setenv("TRACKER_WORKERS", "none")
    with pytest.raises(InputError, match="TRACKER_WORKERS: .*at least 1, not 'none'"):
        settings.workers()


def test_ingest_stores_batch_by_batch_as_one_whole(tmp_path, monkeypatch):
    import json

    from tracker import ingest as ingest_mod

    monkeypatch.setattr(ingest_mod, "INGEST_BATCH", 3)
    lines = [{"id": f"r{i}", "published": "2017-10-12", "source": "s", "lang": "en",
              "text": f"Government forces took village number {i % 5} near Mayadin."} for i in range(12)]
    lines[7] = {**lines[7], "id": "r1", "text": "Government forces took Tal near Mayadin."}  # r1's second version
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    con = store.connect(tmp_path / "db.duckdb")
    summary = ingest(con, [path])
    # texts repeat every 5 reports: duplicates across batches are found as within one
    assert (len(summary.new), len(summary.duplicate), len(summary.new_version)) == (5, 6, 1)
    assert con.execute("SELECT count(*), max(version) FROM reports").fetchone() == (6, 2)
    # strict: a bad line after several batches stores nothing at all
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps({**x, "id": f"b{i}", "text": x["text"] + " Again."}) + "\n"
                           for i, x in enumerate(lines)) + "{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl:13: malformed JSON"):
        ingest(con, [bad], strict=True)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 6
    con.close()


def _die_in_a_worker(reports, gazetteer=None):
    """Extraction that kills the worker process it runs in (as the kernel does to a process out of memory)."""
    import os
    if multiprocessing.current_process().name != "MainProcess":
        os._exit(9)
    return _REAL_EXTRACT_ROWS(reports, gazetteer)


def test_a_dead_worker_does_not_hang_the_stage(serial, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(stage, "POOL_MIN_REPORTS", 1)
    monkeypatch.setattr(stage, "CHUNK_REPORTS", 3)
    monkeypatch.setattr(stage, "extract_rows", _die_in_a_worker)  # forked workers inherit it
    con = store.connect(tmp_path / "db.duckdb")
    ingest(con, [_subset(tmp_path)])
    counts = stage.store_claims(con, load_gazetteer(), workers=2, batch=7)
    assert counts["workers"] == 1 and counts["reports"] == 40  # the rest went on in this process
    assert _claims(con) == serial
    assert "an extraction worker died" in capsys.readouterr().err
    con.close()
