"""Extraction on a Dask cluster: a Parquet table of reports in, a Parquet table of claims out.

The extraction stage (:mod:`tracker.extract.stage`) uses the cores of one machine; for more reports than one machine
extracts in time, the same per-report function (:func:`tracker.extract.stage.extract_rows`) runs on the workers of
a ``dask.distributed`` cluster, one task per Parquet file of reports, each writing the claims of its file as a
Parquet file of the claims table's columns (``docs/scale.md``: a recipe for a cluster)::

    con = tracker.store.connect("tracker.duckdb")
    export_reports(con, "reports/")                       # the reports not yet extracted, 5,000 per file
    extract_parquet("reports/", "claims/", client)        # on the cluster (a LocalCluster when client is None)
    import_claims(con, "claims/")                         # into the store: `tracker run` extracts nothing again

The gazetteer is sent to each worker once (``Client.scatter(..., broadcast=True)``) and the lexicons are built
once per worker process. Only the extraction runs on the cluster: control stays one ordered fold on one machine.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tracker.extract.stage import CLAIM_SCHEMA, claims_table, extract_rows, extractor_version, prepare
from tracker.records import Report

#: The columns of a report table (Parquet) that the extraction reads; ``version`` defaults to 1.
REPORT_COLUMNS: tuple[str, ...] = ("report_id", "version", "text", "published", "published_precision", "source",
                                   "lang", "title", "url", "kind", "meta")
#: Reports per Parquet file written by :func:`export_reports`: one task of the cluster each.
REPORTS_PER_FILE: int = 5000
#: A claims Parquet file has the claims table's columns but ``extracted_at`` (:data:`CLAIM_SCHEMA`); its metadata
#: names the extractor version and every report version read, with or without claims.
EXTRACTOR_KEY: bytes = b"tracker.extractor"
READ_KEY: bytes = b"tracker.read"

_PREPARED: list[bool] = []


def export_reports(con: Any, folder: str | Path, per_file: int = REPORTS_PER_FILE,
                   extractor: str | None = None) -> list[Path]:
    """Write the latest version of each stored report that ``extractor`` (default: this one, with the built
    gazetteer) has not read to ``folder`` as Parquet files of ``per_file`` reports (``part-00000.parquet``...),
    the input of :func:`extract_parquet`."""
    from tracker.extract import load_gazetteer  # noqa: PLC0415
    from tracker.extract.stage import pending_reports  # noqa: PLC0415
    from tracker.ingest import latest_reports  # noqa: PLC0415

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    keys = pending_reports(con, extractor or extractor_version(load_gazetteer()))
    files = []
    for n, i in enumerate(range(0, len(keys), per_file)):
        reports = latest_reports(con, [k[0] for k in keys[i:i + per_file]])
        table = pa.Table.from_pylist([{c: getattr(r, c) for c in REPORT_COLUMNS} for r in reports])
        path = out / f"part-{n:05d}.parquet"
        pq.write_table(table, path)
        files.append(path)
    return files


def read_reports(path: str | Path) -> list[Report]:
    """The reports of one Parquet file of :data:`REPORT_COLUMNS` (``report_id``, ``text`` and ``lang`` needed)."""
    table = pq.read_table(path)
    missing = {"report_id", "text", "lang"} - set(table.column_names)
    if missing:
        from tracker._errors import InputError  # noqa: PLC0415

        raise InputError(path, f"a report table needs the columns {', '.join(sorted(missing))}")
    fields = [c for c in REPORT_COLUMNS if c in table.column_names]
    if "version" in fields and table.column("version").null_count:
        from tracker._errors import InputError  # noqa: PLC0415

        raise InputError(path, "column 'version' has empty values (a report version is a number from 1)")
    # a column the table lacks takes the record's default; a value, even NULL, is kept as the store would give it
    return [Report(**{"version": 1, "published": None, **{k: v for k, v in row.items() if k in fields}})
            for row in table.select(fields).to_pylist()]


def extract_file(source: str, target: str, gazetteer: Any | None) -> dict[str, Any]:
    """One task: the claims of the reports in Parquet file ``source`` written to ``target`` (returns counts)."""
    if not _PREPARED:  # once per worker process
        prepare()
        _PREPARED.append(True)
    reports = read_reports(source)
    rows = extract_rows(reports, gazetteer)
    read = [[r.report_id, r.version] for r in reports]
    table = claims_table(rows).replace_schema_metadata({EXTRACTOR_KEY: extractor_version(gazetteer).encode(),
                                                        READ_KEY: json.dumps(read).encode()})
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(f"{target}.tmp")
    pq.write_table(table, tmp)
    tmp.replace(target)  # a task run again (a worker lost) replaces its file whole
    return {"file": str(source), "reports": len(reports), "claims": len(rows)}


def extract_parquet(reports: str | Path, claims: str | Path, client: Any | None = None,
                    gazetteer: Any | None = None) -> dict[str, Any]:
    """Extract every Parquet file of reports in folder (or file) ``reports`` on a Dask cluster into ``claims``
    (one claims file per reports file, same name).

    Parameters
    ----------
    reports, claims
        Folders (on a file system every worker reads and writes, for a cluster of several machines).
    client
        A ``dask.distributed.Client``; None starts a ``LocalCluster`` with a worker per core for this call.
    gazetteer
        Default: the built gazetteer (:func:`tracker.extract.load_gazetteer`), sent to every worker once.

    Returns
    -------
    dict
        ``files``, ``reports``, ``claims``, ``workers``.
    """
    from dask.distributed import Client, LocalCluster  # noqa: PLC0415

    from tracker.extract import load_gazetteer  # noqa: PLC0415

    source = Path(reports)
    files = sorted(source.glob("*.parquet")) if source.is_dir() else [source]
    out = Path(claims)
    out.mkdir(parents=True, exist_ok=True)
    gz = gazetteer if gazetteer is not None else load_gazetteer()
    own = client is None
    if own:
        from tracker import settings  # noqa: PLC0415

        client = Client(LocalCluster(n_workers=settings.workers(), threads_per_worker=1, dashboard_address=None))
    try:
        shared = client.scatter(gz, broadcast=True) if gz is not None else None
        futures = client.map(extract_file, [str(f) for f in files], [str(out / f.name) for f in files],
                             gazetteer=shared, pure=False)
        done = client.gather(futures)
        workers = len(client.scheduler_info()["workers"])
    finally:
        if own:
            cluster = client.cluster
            client.close()
            cluster.close()
    return {"files": len(done), "reports": sum(d["reports"] for d in done), "claims": sum(d["claims"] for d in done),
            "workers": workers}


def import_claims(con: Any, claims: str | Path) -> int:
    """Store the claims Parquet files of ``claims`` (:func:`extract_parquet`), each file in one transaction: the
    report versions a file read get its claims in place of theirs and are marked read by its extractor; those
    that extractor had already read are left as they are. Returns the claims stored."""
    from tracker.store import replace_claims  # noqa: PLC0415

    folder = Path(claims)
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else [folder]
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    stored = 0
    for path in files:
        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        if EXTRACTOR_KEY not in meta or READ_KEY not in meta:
            from tracker._errors import InputError  # noqa: PLC0415

            raise InputError(path, "not a claims file of tracker.distributed (no extractor or reports read)")
        extractor = meta[EXTRACTOR_KEY].decode()
        done = set(con.execute("SELECT report_id, report_version FROM extractions WHERE extractor = ?",
                               [extractor]).fetchall())
        read = [(rid, ver) for rid, ver in json.loads(meta[READ_KEY]) if (rid, ver) not in done]
        keys = set(read)
        keep = [(rid, ver) in keys for rid, ver in zip(table.column("report_id").to_pylist(),
                                                      table.column("report_version").to_pylist())]
        table = table.select(CLAIM_SCHEMA.names).cast(CLAIM_SCHEMA).filter(pa.array(keep, pa.bool_()))
        if read:
            replace_claims(con, read, table, extractor, now)
        stored += table.num_rows
    return stored


def main(argv: list[str] | None = None) -> int:
    """``python -m tracker.distributed REPORTS CLAIMS [--scheduler ADDRESS]``: extract on a cluster."""
    parser = argparse.ArgumentParser(prog="python -m tracker.distributed", description=main.__doc__)
    parser.add_argument("reports", type=Path, help="a Parquet file or folder of reports")
    parser.add_argument("claims", type=Path, help="the folder to write the claims to")
    parser.add_argument("--scheduler", default=None, help="a dask scheduler's address (default: a LocalCluster)")
    args = parser.parse_args(argv)
    client = None
    if args.scheduler:
        from dask.distributed import Client  # noqa: PLC0415

        client = Client(args.scheduler)
    print(json.dumps(extract_parquet(args.reports, args.claims, client)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
