"""Snapshots (readers never wait, nothing half-done is published) and SQL that cannot reach the disk (issue 15)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker import store
from tracker._errors import StoreError
from tracker.cli import main
from tracker.query import QueryError, run_query


def _report(i: int) -> str:
    return json.dumps({"id": f"r{i}", "published": "2017-10-01", "source": "s", "lang": "en",
                       "text": f"Markets reopened on day {i} after the holiday."})


@pytest.fixture
def published(tmp_path) -> Path:
    """A database with one published snapshot of 3 reports."""
    path = tmp_path / "db" / "tracker.duckdb"
    src = tmp_path / "r.jsonl"
    src.write_text("\n".join(_report(i) for i in range(3)) + "\n", encoding="utf-8")
    from tracker.ingest import ingest

    with store.writing(path) as con:
        ingest(con, [src])
    return path


def _count(path: Path) -> int:
    con = store.connect(path, read_only=True, timeout=0.5)
    try:
        return con.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        con.close()


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_a_completed_block_is_published_and_a_failed_one_is_not(published):
    assert _count(published) == 3
    with pytest.raises(RuntimeError):
        with store.writing(published) as con:
            con.execute("DELETE FROM reports")
            assert _count(published) == 3  # the reader sees the last snapshot, not the working copy
            raise RuntimeError("the run failed")
    assert _count(published) == 3
    assert _siblings(published) == [".tracker.duckdb.lock", "tracker.duckdb"]
    with store.writing(published) as con:
        con.execute("DELETE FROM reports WHERE report_id = 'r0'")
    assert _count(published) == 2 and _siblings(published) == [".tracker.duckdb.lock", "tracker.duckdb"]


HOLD = textwrap.dedent("""
    import sys, time
    from tracker import store
    with store.writing(sys.argv[1]) as con:
        con.execute("DELETE FROM reports")
        print("writing", flush=True)
        time.sleep(60)
""")


@pytest.fixture
def writer(published):
    """Another process in the middle of writing ``published`` (it has deleted every report in its copy)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(published)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def test_readers_answer_from_the_last_snapshot_while_another_process_writes(published, writer):
    t0 = time.monotonic()
    answers = [_count(published) for _ in range(5)]
    assert answers == [3] * 5 and time.monotonic() - t0 < 5  # no wait for the writer
    result = CliRunner().invoke(main, ["sql", "SELECT count(*) AS n FROM reports", "--db", str(published), "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == {"n": 3}


def test_a_second_writer_fails_with_one_line_naming_the_first(published, writer):
    with pytest.raises(StoreError) as err:
        with store.writing(published, timeout=0.5):
            pass
    message = str(err.value)
    assert "busy" in message and f"pid {writer.pid}" in message and "\n" not in message


def test_a_killed_writer_publishes_nothing_and_its_working_file_is_swept(published, writer):
    stray = [n for n in _siblings(published) if n.endswith(".duckdb") and n.startswith(".tracker.")]
    assert stray  # the killed writer's copy
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(10)
    assert _count(published) == 3
    with store.writing(published, timeout=5):  # the lock died with its process: no wait
        pass
    assert _siblings(published) == [".tracker.duckdb.lock", "tracker.duckdb"]
    assert _count(published) == 3


def test_a_program_holding_the_database_read_write_is_named(published):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
                               "time.sleep(60)", str(published)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="another program holds this database open for writing"):
            with store.writing(published, timeout=0.5):
                pass
    finally:
        holder.kill()
        holder.wait(10)


# --- SQL that cannot reach the disk --------------------------------------------------------------------------------

def _escapes(tmp_path: Path, published: Path) -> list[str]:
    other = tmp_path / "other.duckdb"
    link = tmp_path / "link.duckdb"
    os.link(published, link)  # a hard link to the opened database: ATTACH must not write through it
    out = tmp_path / "leak"
    return [
        f"COPY reports TO '{out}.csv'",
        f"COPY (SELECT 1) TO '{out}.parquet' (FORMAT parquet)",
        f"EXPORT DATABASE '{out}'",
        f"SET log_query_path = '{out}.log'",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET lock_configuration = false",
        "PRAGMA enable_profiling = 'json'",
        f"SET profiling_output = '{out}.json'",
        f"SET temp_directory = '{out}.tmp'",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM read_blob('/etc/hostname')",
        "SELECT * FROM read_csv('/etc/hostname')",
        "SELECT * FROM '/etc/hostname'",
        "SELECT * FROM glob('/etc/*')",
        f"ATTACH '{link}' AS o (READ_ONLY false)",
        f"ATTACH '{other}' AS o",
        "INSTALL httpfs",
        "LOAD httpfs",
        "CREATE SECRET (TYPE s3)",
        "DELETE FROM reports",
        "DROP TABLE reports",
        "",
        ";",
        " ;; ",
    ]


def test_sql_escapes_are_refused_in_one_line_and_touch_nothing(tmp_path, published):
    before = sorted(p.name for p in tmp_path.iterdir())
    queries = _escapes(tmp_path, published)
    for query in queries:
        with pytest.raises(QueryError) as err:
            run_query(query, published)
        assert "\n" not in str(err.value), query
    assert len(queries) == 25
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before + ["link.duckdb"])
    assert _count(published) == 3
    assert run_query("SELECT count(*) FROM claims", published)[1] == [(0,)]


@pytest.mark.parametrize("query", ["", ";", "COPY reports TO 'x.csv'", "SET enable_external_access = true"])
def test_cli_sql_refusals_are_one_line_errors(published, query, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["sql", query, "--db", str(published)])
    assert result.exit_code == 2 and result.output.startswith("error: ") and result.output.count("\n") == 1
    assert not (tmp_path / "x.csv").exists()


def test_every_read_path_is_locked(published):
    con = store.connect(published, read_only=True)
    try:
        assert con.execute("SELECT current_setting('enable_external_access')").fetchone() == (False,)
        with pytest.raises(Exception, match="locked"):
            con.execute("SET enable_external_access = true")
    finally:
        con.close()


def test_a_notebook_reading_does_not_block_a_writer(published):
    reader = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
                               "print('ready', flush=True); time.sleep(60)", str(published)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "ready"
        with store.writing(published, timeout=0.5) as con:
            con.execute("DELETE FROM reports WHERE report_id = 'r2'")
        assert _count(published) == 2
    finally:
        reader.kill()
        reader.wait(10)
