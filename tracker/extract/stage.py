"""The extraction stage: claims of the stored reports not yet read, in bounded batches, on every core.

Reports are read from the store a batch at a time (:data:`BATCH_REPORTS`), extracted in a pool of worker
processes (each loads the gazetteer and the lexicons once), and each batch's claims are stored as one columnar
insert in one transaction: memory holds one batch (two while the next is extracted), whatever the input's size,
and a report's claims are all stored or none are. Extraction is a pure function of a report, so the claims are
the same with any number of workers (:func:`extract_rows` is also what :mod:`tracker.distributed` runs).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
from tqdm import tqdm

from tracker import dates as dates_mod
from tracker.extract.lexicon import LANGS, lexicon
from tracker.extract.report import extract_report
from tracker.records import Claim, Report
from tracker.vocab import TERRITORIAL

#: The claims table's columns but ``extracted_at``, and their Arrow types (``docs/schema.md``).
CLAIM_SCHEMA = pa.schema([
    ("claim_id", pa.string()), ("report_id", pa.string()), ("report_version", pa.int32()), ("actor", pa.string()),
    ("action", pa.string()), ("status", pa.string()), ("place_text", pa.string()), ("place_id", pa.string()),
    ("place_name", pa.string()), ("lat", pa.float64()), ("lon", pa.float64()), ("place_precision", pa.string()),
    ("date", pa.date32()), ("date_precision", pa.string()), ("date_text", pa.string()),
    ("distance_km", pa.float64()), ("quote", pa.string()), ("quote_start", pa.int32()), ("quote_end", pa.int32()),
    ("attribution", pa.string()), ("source", pa.string()), ("lang", pa.string()), ("published", pa.date32()),
    ("confidence", pa.float64()), ("opponent", pa.string()), ("place_start", pa.int32()), ("place_end", pa.int32()),
    ("candidates", pa.string()), ("resolution", pa.string()),
])
#: Reports read, extracted and stored together.
BATCH_REPORTS: int = 2000
#: Reports sent to a worker at a time (small enough that the workers finish a batch together).
CHUNK_REPORTS: int = 16
#: Fewer reports than this are extracted in this process: the pool is not worth starting.
POOL_MIN_REPORTS: int = 100


def load_gazetteer() -> Any | None:
    """The built gazetteer, or None when the package or its build is missing."""
    try:
        import gazetteer  # noqa: PLC0415  (optional: the extractor works without it)
    except ImportError:
        return None
    try:
        from tracker import settings  # noqa: PLC0415

        return gazetteer.load(settings.gazetteer_dir())
    except Exception as exc:  # the gazetteer's MissingDataError: not built yet
        if type(exc).__name__ in {"MissingDataError", "FileNotFoundError"}:
            return None
        raise


def prepare(langs: Iterable[str] = LANGS) -> None:
    """Build the lexicons and date patterns of ``langs`` and load dateparser, once per process, so the
    first report read does not carry that cost (about 0.3 s)."""
    for lang in langs:
        lexicon(lang)
    dates_mod.prepare(langs)


def extract_reports(reports: Iterable[Report], gazetteer: Any | None = None) -> list[Claim]:
    """Claims of many reports, in order."""
    out: list[Claim] = []
    for r in reports:
        out.extend(extract_report(r, gazetteer))
    return out


def claim_id(claim: Claim) -> str:
    """A stable id: the same report version, offsets, action and place give the same id."""
    key = f"{claim.report_id}|{claim.report_version}|{claim.start}|{claim.end}|{claim.action}|{claim.actor}|" \
          f"{claim.place_start}|{claim.place_text}|{claim.status}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def extractor_version(gazetteer: Any | None = None) -> str:
    """A hash of what decides the claims of a report: this package's code, the lexicons and actor aliases,
    date reading, folding, and the gazetteer build."""
    root = Path(__file__).resolve().parent
    tracker_dir = root.parent
    files = sorted(root.glob("*.py")) + sorted((tracker_dir / "data").glob("lexicon_*.toml")) + \
        [tracker_dir / "data" / "actors.toml", tracker_dir / "dates.py", tracker_dir / "textfold.py"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(str(getattr(gazetteer, "version", "no gazetteer")).encode())
    return digest.hexdigest()[:16]


def extract_rows(reports: Iterable[Report], gazetteer: Any | None = None) -> list[tuple]:
    """The claims table rows of ``reports`` (columns of :data:`CLAIM_SCHEMA`, in order): each report's claims
    once (a claim found twice in one report has one id)."""
    rows = []
    for report in reports:
        seen = set()
        for c in extract_report(report, gazetteer):
            cid = claim_id(c)
            if cid in seen:
                continue
            seen.add(cid)
            rows.append((cid, c.report_id, c.report_version, c.actor, c.action, c.status, c.place_text, c.place_id,
                         c.place_name, c.lat, c.lon, c.place_precision, c.date, c.date_precision, c.date_text,
                         c.distance_km, c.quote, c.start, c.end, c.attribution, report.source, c.lang,
                         report.published, c.confidence, c.opponent, c.place_start, c.place_end,
                         json.dumps(c.candidates, ensure_ascii=False), c.resolution))
    return rows


def claims_table(rows: Sequence[tuple]) -> pa.Table:
    """Claim rows (:func:`extract_rows`) as an Arrow table of :data:`CLAIM_SCHEMA` (the ISO dates read as dates)."""
    columns = list(zip(*rows)) if rows else [()] * len(CLAIM_SCHEMA)
    arrays = [pa.array(col, type=pa.string()).cast(f.type) if f.name == "date" else pa.array(col, type=f.type)
              for col, f in zip(columns, CLAIM_SCHEMA)]
    return pa.Table.from_arrays(arrays, schema=CLAIM_SCHEMA)


# ---------------------------------------------------------------- the worker processes
_WORKER: dict[str, Any] = {}


def _start_worker(gazetteer: Any | None) -> None:
    """A worker's start: keep the gazetteer (sent once, pickled) and build the lexicons before any report."""
    _WORKER["gazetteer"] = gazetteer
    prepare()


def worker_pool(workers: int, gazetteer: Any | None) -> Any:
    """A pool of ``workers`` processes that extract with ``gazetteer``. On Linux they are forked: each starts with
    this process's gazetteer and lexicons, loaded once (nothing is re-read or re-imported, and a script needs no
    ``if __name__ == "__main__"`` guard); elsewhere they are spawned and sent the gazetteer once each."""
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    if method == "fork":
        prepare()  # built once here, shared by every worker
    # an executor, not a multiprocessing.Pool: a worker that dies (killed for memory) breaks the executor
    # with BrokenProcessPool at once, where a Pool waits for its result for ever
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_start_worker,
                               initargs=(gazetteer,))


def _work(reports: list[Report]) -> list[tuple]:
    return extract_rows(reports, _WORKER["gazetteer"])


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def pending_reports(con: Any, extractor: str) -> list[tuple[str, int]]:
    """``(report_id, version)`` of the latest version of each stored report that ``extractor`` (a
    :func:`extractor_version`) has not read, in the order they are extracted (publication date, id)."""
    return [tuple(r) for r in con.execute("""
        SELECT report_id, version FROM reports r
        WHERE version = (SELECT max(version) FROM reports q WHERE q.report_id = r.report_id)
          AND NOT EXISTS (SELECT 1 FROM extractions e WHERE e.report_id = r.report_id
                          AND e.report_version = r.version AND e.extractor = ?)
        ORDER BY published, report_id""", [extractor]).fetchall()]


def store_claims(con: Any, gazetteer: Any | None = None, workers: int | None = None, progress: bool = False,
                 batch: int = BATCH_REPORTS) -> dict[str, int]:
    """Extract the latest version of every stored report this extractor has not read; store its claims.

    A report read by another version of the extractor (:func:`extractor_version`) is read again and its claims
    replaced; each batch is one transaction: a report's claims are all stored or none are.

    Parameters
    ----------
    con
        The database.
    gazetteer
        Resolves place names (None: places stay unresolved).
    workers
        Worker processes (default :func:`tracker.settings.workers`: every core); 1, or fewer reports than
        :data:`POOL_MIN_REPORTS`, extracts in this process.
    progress
        Show a progress bar (reports done, rate, time left) on a terminal when the stage takes over a second.
    batch
        Reports read, extracted and stored together (one transaction each).

    Returns counts for the run summary: ``reports``, ``claims``, ``territorial``, ``workers``.
    """
    from tracker import settings
    from tracker.ingest import latest_reports
    from tracker.store import replace_claims

    version = extractor_version(gazetteer)
    todo = pending_reports(con, version)
    workers = max(1, min(workers or settings.workers(), len(todo) // CHUNK_REPORTS or 1))
    if len(todo) < POOL_MIN_REPORTS:
        workers = 1
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    counts = {"reports": len(todo), "claims": 0, "territorial": 0, "workers": workers}
    pool = None
    if workers > 1:
        pool = worker_pool(workers, gazetteer)  # before the progress bar starts its thread: a fork copies no lock
    bar = tqdm(total=len(todo), desc="extracting", unit="report", disable=not progress or None, delay=1.0,
               leave=False, smoothing=0.1)
    try:
        def drop_pool() -> None:
            # a worker died (most often killed for memory): go on in this process, nothing is lost
            nonlocal pool
            print(f"warning: an extraction worker died; the remaining {len(todo) - done} reports are extracted "
                  "in this process", file=sys.stderr)
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
            counts["workers"] = 1

        def submit(keys: list[tuple[str, int]]) -> Iterator[tuple[list[tuple], int]]:
            """The rows of a batch, chunk by chunk, with each chunk's size; a pool starts on them at once."""
            reports = latest_reports(con, [k[0] for k in keys])
            chunks = list(_chunks(reports, CHUNK_REPORTS))
            if pool is not None:
                try:
                    return zip(pool.map(_work, chunks), [len(c) for c in chunks])
                except BrokenProcessPool:
                    drop_pool()
            return ((extract_rows(c, gazetteer), len(c)) for c in chunks)

        batches = [todo[i:i + batch] for i in range(0, len(todo), batch)]
        done = 0  # reports stored
        queued = submit(batches[0]) if batches else iter(())
        for k in range(len(batches)):
            # the next batch is queued before this one is stored: the workers never wait for the store
            current, queued = queued, submit(batches[k + 1]) if k + 1 < len(batches) else iter(())
            rows: list[tuple] = []
            got = 0  # reports of this batch done
            try:
                for found, size in current:
                    rows.extend(found)
                    got += size
                    bar.update(size)
            except BrokenProcessPool:
                drop_pool()
                rows = [row for found, _ in submit(batches[k]) for row in found]
                bar.update(len(batches[k]) - got)
                queued = submit(batches[k + 1]) if k + 1 < len(batches) else iter(())
            replace_claims(con, batches[k], claims_table(rows), version, now)
            done += len(batches[k])
            counts["claims"] += len(rows)
            counts["territorial"] += sum(1 for r in rows if r[4] in TERRITORIAL)
    finally:
        bar.close()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return counts
