"""Bad input, crashes and concurrent use (issue: robust against bad input)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tracker import store
from tracker._errors import MissingDataError, StoreError
from tracker.ingest import ingest, read_reports


def _jsonl(path, n, text="The Syrian Army took the village of {i} near Mayadin."):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"r{i}", "published": "2017-10-01", "source": "s", "lang": "en",
                                "text": text.format(i=i)}) + "\n")


def test_truncated_utf8_keeps_the_rest(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("id,published,source,text\nx,2017-10-01,s,الجيش تقدم نحو الميادين\n".encode()[:-2])
    result = read_reports([path])
    assert not result.errors and result.reports[0].text.startswith("الجيش تقدم")


def test_jsonl_with_wrong_types(tmp_path):
    path = tmp_path / "w.jsonl"
    path.write_text('{"id": "a", "published": 20171001, "source": "s", "text": "The army took the town."}\n')
    err = read_reports([path]).errors[0]
    assert err.line == 1 and "publication date must be a string" in err.reason


def test_oversized_report_is_rejected_clearly(tmp_path, monkeypatch):
    from tracker import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "MAX_REPORT_CHARS", 1000)
    path = tmp_path / "big.jsonl"
    _jsonl(path, 1, text="The army advanced. " * 100)
    err = read_reports([path]).errors[0]
    assert "longer than one report can be" in err.reason and err.line == 1


def test_folder_of_many_small_files(tmp_path, con):
    folder = tmp_path / "many"
    folder.mkdir()
    meta = []
    for i in range(2000):
        (folder / f"{i}.txt").write_text(f"The Syrian Army entered village number {i}.", encoding="utf-8")
        meta.append(json.dumps({"id": f"m{i}", "file": f"{i}.txt", "published": "2017-10-01", "source": "s"}))
    (folder / "meta.jsonl").write_text("\n".join(meta), encoding="utf-8")
    summary = ingest(con, [folder])
    assert len(summary.new) == 2000 and not summary.rejected


def test_missing_sources_directory_says_where(tmp_path):
    from tracker import settings

    settings.configure(sources=tmp_path / "nowhere")
    try:
        with pytest.raises(MissingDataError, match="TRACKER_SOURCES"):
            settings.default_inputs()
    finally:
        settings.reset()


def test_second_writer_gets_busy_message(db_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, time; c = duckdb.connect({str(db_path)!r}); print('ready', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="busy"):
            store.connect(db_path, timeout=0.5)
        with pytest.raises(StoreError, match="busy"):
            store.connect(db_path, read_only=True, timeout=0.5)
    finally:
        holder.kill()
        holder.wait()


def test_kill_during_ingest_leaves_database_consistent(tmp_path, db_path):
    path = tmp_path / "big.jsonl"
    _jsonl(path, 60000)
    env = {**os.environ, "TRACKER_DB": str(db_path)}
    proc = subprocess.Popen([sys.executable, "-m", "tracker", "ingest", str(path), "--db", str(db_path)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # kill it while it reads or writes (about half a second in)
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    con = store.connect(db_path)
    count = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert count in (0, 60000)  # a transaction is stored whole or not at all
    summary = ingest(con, [path])
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 60000
    assert con.execute("SELECT count(DISTINCT report_id) FROM reports").fetchone()[0] == 60000
    assert len(summary.new) + len(summary.duplicate) == 60000
    con.close()
