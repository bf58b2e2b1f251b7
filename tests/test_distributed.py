"""The extraction on a Dask cluster (a LocalCluster of two worker processes) gives the claims of the serial stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker import store
from tracker.extract import load_gazetteer, stage
from tracker.ingest import ingest

distributed = pytest.importorskip("dask.distributed")

WRITTEN = Path(__file__).parent / "data" / "written_reports.jsonl"


def _reports(folder: Path) -> Path:
    path = folder / "reports.jsonl"
    path.write_text("".join(WRITTEN.read_text(encoding="utf-8").splitlines(keepends=True)[:30]), encoding="utf-8")
    return path


def _claims(con) -> list[tuple]:
    return con.execute("SELECT * EXCLUDE (extracted_at) FROM claims ORDER BY claim_id").fetchall()


def test_claims_from_a_local_cluster_equal_the_serial_runs(tmp_path):
    from tracker.distributed import export_reports, extract_parquet, import_claims

    gz = load_gazetteer()
    serial = store.connect(tmp_path / "serial.duckdb")
    ingest(serial, [_reports(tmp_path)])
    stage.store_claims(serial, gz, workers=1)
    expected = _claims(serial)
    serial.close()

    con = store.connect(tmp_path / "cluster.duckdb")
    ingest(con, [_reports(tmp_path)])
    files = export_reports(con, tmp_path / "reports", per_file=12)
    assert [f.name for f in files] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        done = extract_parquet(tmp_path / "reports", tmp_path / "claims", client, gazetteer=gz)
    finally:
        client.close()
        cluster.close()
    assert done["files"] == 3 and done["reports"] == 30 and done["workers"] == 2
    assert sorted(p.name for p in (tmp_path / "claims").iterdir()) == [f.name for f in files]
    assert import_claims(con, tmp_path / "claims") == len(expected) == done["claims"]
    assert _claims(con) == expected
    assert import_claims(con, tmp_path / "claims") == 0  # a second import stores nothing twice
    # nothing is left for the extraction stage, not even the reports in which nothing was found
    assert stage.pending_reports(con, stage.extractor_version(gz)) == []
    assert stage.store_claims(con, gz, workers=1)["reports"] == 0
    con.close()
