"""The embedded DuckDB store: schema, migrations, snapshots, connections and transactions.

One file holds everything (default ``outputs/tracker.duckdb``); every table and column is
documented in ``docs/schema.md``.

Snapshots: readers never wait
-----------------------------
The database file is only ever replaced whole. A writing command (``tracker run``, ``tracker
ingest``) works in :func:`writing`: it copies the database to a hidden working file beside it
(``.tracker.<random>.duckdb``), applies any missing migrations and writes there, and when it
completes checkpoints the copy and renames it onto the database: it *publishes* a new snapshot in
one atomic step. A run that fails or is killed publishes nothing; its working file is removed
then, or by the next writer. Readers (:func:`connect` with ``read_only=True``: ``tracker sql``,
``control``, ``history``, ``export``, ``map``, ``sitrep``) open the last snapshot published and
never wait for a writer. Writers take turns through a lock file beside the database
(``.tracker.duckdb.lock``, released by the system when its process dies): a second writer waits
up to :data:`BUSY_TIMEOUT_S` and then fails with one line naming the first.

Read-only connections cannot reach the disk: external access (``COPY ... TO``, ``read_csv``,
``ATTACH``, ``EXPORT DATABASE``, ``INSTALL``/``LOAD``) is disabled and the configuration locked
(no ``SET`` turns it back on), with DuckDB's own settings (:data:`READ_ONLY_CONFIG`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from tracker import settings
from tracker._errors import StoreError
from tracker.fileio import temp_path

# Each migration is (version, SQL). Append only: never edit one that has shipped.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE reports (
            report_id            VARCHAR NOT NULL,
            version              INTEGER NOT NULL,
            published            DATE,
            published_precision  VARCHAR,
            source               VARCHAR,
            lang                 VARCHAR,
            title                VARCHAR,
            url                  VARCHAR,
            text                 VARCHAR NOT NULL,
            sha256               VARCHAR NOT NULL,
            path                 VARCHAR,
            ingested_at          TIMESTAMP NOT NULL,
            kind                 VARCHAR,
            meta                 JSON,
            PRIMARY KEY (report_id, version)
        );
        CREATE TABLE claims (
            claim_id         VARCHAR PRIMARY KEY,
            report_id        VARCHAR NOT NULL,
            report_version   INTEGER NOT NULL,
            actor            VARCHAR,
            action           VARCHAR NOT NULL,
            status           VARCHAR NOT NULL,
            place_text       VARCHAR,
            place_id         VARCHAR,
            place_name       VARCHAR,
            lat              DOUBLE,
            lon              DOUBLE,
            place_precision  VARCHAR,
            date             DATE,
            date_precision   VARCHAR,
            date_text        VARCHAR,
            distance_km      DOUBLE,
            quote            VARCHAR,
            quote_start      INTEGER,
            quote_end        INTEGER,
            attribution      VARCHAR,
            source           VARCHAR,
            lang             VARCHAR,
            published        DATE,
            confidence       DOUBLE,
            opponent         VARCHAR,
            place_start      INTEGER,
            place_end        INTEGER,
            candidates       JSON,
            resolution       VARCHAR,
            extracted_at     TIMESTAMP
        );
        """,
    ),
    (
        2,
        # the control timeline and its polygons (tracker/control.py, tracker/polygons.py; docs/control-model.md)
        """
        CREATE TABLE places (
            place_id         VARCHAR PRIMARY KEY,
            name_en          VARCHAR,
            name_ar          VARCHAR,
            feature_type     VARCHAR,
            lat              DOUBLE,
            lon              DOUBLE,
            coord_precision  VARCHAR,
            adm1_en          VARCHAR,
            adm2_en          VARCHAR,
            adm3_en          VARCHAR,
            country          VARCHAR,
            wikimap_idx      INTEGER,
            has_cell         BOOLEAN,
            cell_area_km2    DOUBLE,
            cell_wkb         BLOB,
            places_version   VARCHAR
        );
        CREATE TABLE baseline (
            place_id         VARCHAR NOT NULL,
            side             VARCHAR NOT NULL,
            status           VARCHAR NOT NULL,
            other_side       VARCHAR,
            day              DATE NOT NULL,
            date_precision   VARCHAR,
            source           VARCHAR,
            note             VARCHAR
        );
        CREATE TABLE control_events (
            event_id         VARCHAR NOT NULL,
            place_id         VARCHAR NOT NULL,
            day              DATE NOT NULL,
            reported         DATE,
            from_side        VARCHAR,
            from_status      VARCHAR,
            to_side          VARCHAR,
            to_status        VARCHAR,
            other_side       VARCHAR,
            action           VARCHAR,
            claim_ids        VARCHAR[],
            quotes           VARCHAR[],
            confidence       DOUBLE,
            date_precision   VARCHAR,
            inferred         BOOLEAN NOT NULL,
            applied          BOOLEAN NOT NULL,
            note             VARCHAR
        );
        CREATE TABLE control_intervals (
            place_id         VARCHAR NOT NULL,
            side             VARCHAR NOT NULL,
            status           VARCHAR NOT NULL,
            other_side       VARCHAR,
            valid_from       DATE NOT NULL,
            valid_to         DATE,
            inferred         BOOLEAN NOT NULL,
            event_id         VARCHAR,
            claim_ids        VARCHAR[]
        );
        CREATE TABLE conflicts (
            conflict_id      VARCHAR NOT NULL,
            place_id         VARCHAR NOT NULL,
            day_from         DATE NOT NULL,
            day_to           DATE NOT NULL,
            sides            VARCHAR[],
            claim_ids        VARCHAR[],
            weights          DOUBLE[],
            resolution       VARCHAR,
            winner           VARCHAR,
            settled_on       DATE
        );
        CREATE TABLE claim_outcomes (
            claim_id         VARCHAR NOT NULL,
            place_id         VARCHAR,
            outcome          VARCHAR NOT NULL,
            reason           VARCHAR,
            event_id         VARCHAR
        );
        CREATE TABLE faction_area (
            day              DATE NOT NULL,
            side             VARCHAR NOT NULL,
            status           VARCHAR NOT NULL,
            area_km2         DOUBLE NOT NULL
        );
        CREATE TABLE front_lines (
            day              DATE NOT NULL,
            valid_to         DATE,
            side_a           VARCHAR NOT NULL,
            side_b           VARCHAR NOT NULL,
            length_km        DOUBLE,
            wkb              BLOB
        );
        CREATE MACRO control_on(d) AS TABLE
            SELECT i.place_id, p.name_en, p.name_ar, i.side, i.status, i.other_side, i.valid_from AS since,
                   i.claim_ids, inf.side AS inferred_side, p.lat, p.lon, p.coord_precision
            FROM control_intervals i
            JOIN places p ON p.place_id = i.place_id
            LEFT JOIN control_intervals inf
              ON inf.place_id = i.place_id AND inf.inferred
             AND inf.valid_from <= CAST(d AS DATE) AND (inf.valid_to IS NULL OR inf.valid_to > CAST(d AS DATE))
            WHERE NOT i.inferred AND i.valid_from <= CAST(d AS DATE)
              AND (i.valid_to IS NULL OR i.valid_to > CAST(d AS DATE));
        CREATE MACRO control_as_reported(d, r) AS TABLE
            WITH known AS (
                SELECT place_id, to_side, to_status, other_side, day, claim_ids,
                       row_number() OVER (PARTITION BY place_id ORDER BY day DESC, reported DESC) AS k
                FROM control_events
                WHERE applied AND NOT inferred AND day <= CAST(d AS DATE) AND reported <= CAST(r AS DATE))
            SELECT p.place_id, p.name_en, p.name_ar,
                   coalesce(k.to_side, b.side, 'unknown') AS side,
                   coalesce(k.to_status, b.status, 'unknown') AS status,
                   CASE WHEN k.place_id IS NULL THEN b.other_side ELSE k.other_side END AS other_side,
                   coalesce(k.day, b.day) AS since, k.claim_ids
            FROM places p
            LEFT JOIN baseline b ON b.place_id = p.place_id
            LEFT JOIN known k ON k.place_id = p.place_id AND k.k = 1;
        """,
    ),
    (
        3,
        # issue 14: every state carries the day of its last evidence; areas split out thinly held and stale land;
        # the macros give both (control_on's stale_days: tracker.control.STALE_DAYS)
        """
        ALTER TABLE control_intervals ADD COLUMN last_evidence DATE;
        ALTER TABLE faction_area ADD COLUMN thin_km2 DOUBLE DEFAULT 0;
        ALTER TABLE faction_area ADD COLUMN stale_km2 DOUBLE DEFAULT 0;
        DROP MACRO TABLE control_on;
        CREATE MACRO control_on(d, stale_days := 120) AS TABLE
            SELECT i.place_id, p.name_en, p.name_ar, i.side, i.status, i.other_side, i.valid_from AS since,
                   i.claim_ids, inf.side AS inferred_side, p.lat, p.lon, p.coord_precision,
                   coalesce(inf.last_evidence, i.last_evidence) AS last_evidence,
                   coalesce(CAST(d AS DATE) - coalesce(inf.last_evidence, i.last_evidence) > stale_days, false)
                       AS stale
            FROM control_intervals i
            JOIN places p ON p.place_id = i.place_id
            LEFT JOIN control_intervals inf
              ON inf.place_id = i.place_id AND inf.inferred
             AND inf.valid_from <= CAST(d AS DATE) AND (inf.valid_to IS NULL OR inf.valid_to > CAST(d AS DATE))
            WHERE NOT i.inferred AND i.valid_from <= CAST(d AS DATE)
              AND (i.valid_to IS NULL OR i.valid_to > CAST(d AS DATE));
        """,
    ),
]

MIGRATIONS.append((
    4,
    # every spelling of every gazetteer place, for analysts' joins (gazetteer.Gazetteer.names_frame)
    """
    CREATE TABLE place_names (
        place_id         VARCHAR NOT NULL,
        name             VARCHAR NOT NULL,
        script           VARCHAR NOT NULL,
        key              VARCHAR NOT NULL,
        places_version   VARCHAR
    );
    """,
))

MIGRATIONS.append((
    5,
    # which extractor read each report version: a new extractor reads them again (claims replaced)
    """
    CREATE TABLE extractions (
        report_id        VARCHAR NOT NULL,
        report_version   INTEGER NOT NULL,
        extractor        VARCHAR NOT NULL,
        claims           INTEGER NOT NULL,
        extracted_at     TIMESTAMP NOT NULL,
        PRIMARY KEY (report_id, report_version)
    );
    """,
))

SCHEMA_VERSION: int = MIGRATIONS[-1][0]


def replace_claims(con: duckdb.DuckDBPyConnection, read: Sequence[tuple[str, int]], claims: Any,
                   extractor: str, at: datetime) -> None:
    """In one transaction: the claims of the report versions ``read`` become the rows of ``claims`` (an Arrow
    table of the claims table's columns but ``extracted_at``), and each is marked read by ``extractor`` with its
    claim count. Columnar inserts: ``executemany`` goes row by row and is some 50 times slower.

    ``claims`` is a ``pyarrow.Table`` (pyarrow is imported here, not with the module: reading commands skip it)."""
    import pyarrow as pa  # noqa: PLC0415

    keys = pa.table({"report_id": pa.array([k[0] for k in read], pa.string()),
                     "report_version": pa.array([k[1] for k in read], pa.int32())})
    con.register("read_batch", keys)
    con.register("claims_batch", claims)
    try:
        with transaction(con):
            for table in ("claims", "extractions"):
                con.execute(f"""DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM read_batch k
                                WHERE k.report_id = t.report_id AND k.report_version = t.report_version)""")
            con.execute("""INSERT INTO extractions
                SELECT k.report_id, k.report_version, ?, count(c.report_id), ?
                FROM read_batch k LEFT JOIN claims_batch c
                  ON c.report_id = k.report_id AND c.report_version = k.report_version
                GROUP BY k.report_id, k.report_version""", [extractor, at])
            con.execute("INSERT INTO claims BY NAME SELECT *, ?::TIMESTAMP AS extracted_at FROM claims_batch", [at])
    finally:
        con.unregister("read_batch")
        con.unregister("claims_batch")


def _current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every missing migration in one transaction; return the schema version."""
    version = _current_version(con)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the database has schema version {version}, newer than this tracker ({SCHEMA_VERSION}): upgrade tracker"
        )
    if version == SCHEMA_VERSION:
        return version
    con.execute("BEGIN TRANSACTION")
    try:
        if version == 0:
            con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)")
        for number, sql in MIGRATIONS:
            if number > version:
                con.execute(sql)
                con.execute("INSERT INTO schema_version VALUES (?, now())", [number])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


def write_place_names(con: duckdb.DuckDBPyConnection, names, version: str) -> int:
    """Replace the ``place_names`` table with ``names`` (``place_id, name, script, key``); returns the row count."""
    frame = names.assign(places_version=version)
    with transaction(con):
        con.execute("DELETE FROM place_names")
        con.register("_names", frame)
        con.execute("INSERT INTO place_names SELECT place_id, name, script, key, places_version FROM _names")
        con.unregister("_names")
    return len(frame)


#: How long a command waits for another process's lock on the database before saying "busy".
BUSY_TIMEOUT_S: float = 10.0

#: DuckDB settings of every read-only connection: no query reads or writes a file other than the database
#: (``COPY ... TO``, ``read_text``, ``ATTACH``, ``EXPORT DATABASE``, ``INSTALL``/``LOAD`` fail), and
#: the configuration is locked (``SET enable_external_access = true`` or ``SET log_query_path`` fail).
READ_ONLY_CONFIG: dict[str, object] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}


def _open(path: Path, read_only: bool, timeout: float | None = None) -> duckdb.DuckDBPyConnection:
    # another program may hold the file read-write (tracker's own writers never do: they write a copy);
    # wait a little for it, then say so plainly
    deadline = time.monotonic() + (BUSY_TIMEOUT_S if timeout is None else timeout)
    config = READ_ONLY_CONFIG if read_only else {}
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise StoreError(f"{path}: cannot open the database: {exc}") from None
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"{path}: busy: another process holds this database open for writing (tracker's commands "
                    "never do; a notebook or script? open it with read_only=True); try again when it closes"
                ) from None
            time.sleep(0.2)
        except duckdb.Error as exc:
            raise StoreError(f"{path}: not a tracker database or damaged: {exc}") from None


def connect(
    path: str | Path | None = None, read_only: bool = False, timeout: float | None = None,
    empty_if_missing: bool = False,
) -> duckdb.DuckDBPyConnection:
    """Open the database, creating and migrating it when writable.

    Parameters
    ----------
    path
        Database file; default :func:`tracker.settings.db_path`.
    read_only
        Open the last published snapshot read-only, without access to any other file (what every
        reading command does; :data:`READ_ONLY_CONFIG`). The file must exist and be current.
    timeout
        Seconds to wait while another process holds the file (default :data:`BUSY_TIMEOUT_S`).
    empty_if_missing
        With ``read_only``: when the file does not exist, an empty database in memory (the drawing
        commands then say there is nothing to draw) instead of an error; no file is created.

    A read-write connection writes the file in place: for tests and one-off scripts. Commands
    write through :func:`writing`, so that readers never wait and nothing half-done is published.

    Raises
    ------
    StoreError
        When the file is missing (read-only), busy, damaged or of an unknown schema.
    """
    path = Path(path) if path is not None else settings.db_path()
    if read_only:
        if not path.exists() and empty_if_missing:
            con = duckdb.connect(":memory:", config=READ_ONLY_CONFIG)
            migrate(con)
            return con
        if not path.exists():
            raise StoreError(f"{path}: no database yet: run `tracker ingest PATH` or `tracker run` first")
        con = _open(path, read_only=True, timeout=timeout)
        version = _current_version(con)
        if version < SCHEMA_VERSION:
            con.close()
            raise StoreError(
                f"{path}: schema version {version} is older than {SCHEMA_VERSION}: "
                "run `tracker run` (or any writing command) once to migrate it"
            )
        return con
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only=False, timeout=timeout)
    try:
        migrate(con)
    except Exception:
        con.close()
        raise
    return con


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lock_path(path: Path) -> Path:
    """The writers' lock file of database ``path``: ``.<name>.lock`` beside it."""
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def _writer_lock(path: Path, timeout: float | None) -> Iterator[None]:
    """Hold the writers' lock of ``path``: wait up to ``timeout`` seconds, then fail naming the holder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + (BUSY_TIMEOUT_S if timeout is None else timeout)
    with open(lock_path(path), "a+", encoding="utf-8") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise StoreError(f"{path}: busy: {holder} is writing this database; it publishes when it "
                                     "completes (readers see the last snapshot meanwhile): try again then") from None
                time.sleep(0.2)
        try:
            handle.seek(0)
            handle.truncate()
            command = " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv[:2])) or "python"
            handle.write(f"`{command}` (pid {os.getpid()}, since {datetime.now():%Y-%m-%d %H:%M:%S})\n")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def sweep_working_files(path: Path) -> list[Path]:
    """Remove the working files writers killed before publishing left beside ``path`` (call with the
    writers' lock held: no writer is alive then). Returns what was removed."""
    stem, suffix = path.stem, path.suffix or ".tmp"
    gone = []
    for pattern in (f".{stem}.*{suffix}", f".{stem}.*{suffix}.wal"):
        for stray in path.parent.glob(pattern):
            if stray != lock_path(path):
                stray.unlink(missing_ok=True)
                gone.append(stray)
    return gone


def _held_for_writing(path: Path) -> bool:
    """Whether another program holds the published file open read-write (its writes would be lost)."""
    try:
        duckdb.connect(str(path), read_only=True, config=READ_ONLY_CONFIG).close()
    except duckdb.IOException as exc:
        return "lock" in str(exc).lower()
    except duckdb.Error:
        return False
    return False


@contextlib.contextmanager
def writing(path: str | Path | None = None, timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a new snapshot of the database, published when the block completes.

    The snapshot is a copy of the database (migrated) in a hidden working file beside it; when the
    block ends without an error it is checkpointed and renamed onto the database in one step. On an
    error, or if the process is killed, nothing is published and the database is as it was.

    Parameters
    ----------
    path
        Database file; default :func:`tracker.settings.db_path`.
    timeout
        Seconds to wait for another writer (default :data:`BUSY_TIMEOUT_S`).

    Raises
    ------
    StoreError
        When another writer holds the database past ``timeout``, when another program holds it open
        read-write, or when it is damaged or of an unknown schema.
    """
    path = Path(path) if path is not None else settings.db_path()
    with _writer_lock(path, timeout):
        sweep_working_files(path)
        if path.exists() and _held_for_writing(path):
            raise StoreError(f"{path}: another program holds this database open for writing (a notebook or "
                             "script?); its changes would be lost: close it, or open it with read_only=True")
        work = temp_path(path)
        try:
            if path.exists():
                shutil.copyfile(path, work)
                if _wal(path).exists():  # changes a crashed in-place writer left unmerged: carried along
                    shutil.copyfile(_wal(path), _wal(work))
            else:
                work.unlink()  # DuckDB creates the file; an empty one is not a database
            con = connect(work, timeout=timeout)
            _PUBLISHED[str(work.resolve())] = path
            try:
                yield con
                con.execute("CHECKPOINT")
            finally:
                con.close()
                _PUBLISHED.pop(str(work.resolve()), None)
            if _wal(work).exists():
                raise StoreError(f"{work}: the snapshot did not checkpoint; nothing was published")
            _fsync(work)
            _wal(path).unlink(missing_ok=True)  # merged into the snapshot
            os.replace(work, path)
            _fsync(path.parent)
        except BaseException:
            work.unlink(missing_ok=True)
            _wal(work).unlink(missing_ok=True)
            raise


#: the database each open snapshot (working copy) will be published as
_PUBLISHED: dict[str, Path] = {}


def database_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The database file a connection stands for: for a snapshot being written (:func:`writing`), the
    database it will be published as; None for an in-memory database."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not row or not row[0]:
        return None
    return _PUBLISHED.get(str(Path(row[0]).resolve()), Path(row[0]))


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: all of it is stored, or none of it."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
