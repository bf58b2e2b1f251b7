"""The embedded DuckDB store: schema, migrations, connections and transactions.

One file holds everything (default ``outputs/tracker.duckdb``). Writers open it
read-write and apply any missing migrations; readers open it read-only. DuckDB lets one
process write at a time: a second process gets a clear ``busy`` error instead of a wait.
Every table and column is documented in ``docs/schema.md``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from tracker import settings
from tracker._errors import StoreError

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

SCHEMA_VERSION: int = MIGRATIONS[-1][0]


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


def _open(path: Path, read_only: bool, timeout: float | None = None) -> duckdb.DuckDBPyConnection:
    # DuckDB allows one writing process per file; wait a little for it, then say so plainly
    deadline = time.monotonic() + (BUSY_TIMEOUT_S if timeout is None else timeout)
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise StoreError(f"{path}: cannot open the database: {exc}") from None
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"{path}: busy: another process is writing to this database; try again when it finishes"
                ) from None
            time.sleep(0.2)
        except duckdb.Error as exc:
            raise StoreError(f"{path}: not a tracker database or damaged: {exc}") from None


def connect(
    path: str | Path | None = None, read_only: bool = False, timeout: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the database, creating and migrating it when writable.

    Parameters
    ----------
    path
        Database file; default :func:`tracker.settings.db_path`.
    read_only
        Open read-only (what ``tracker sql`` does). The file must exist and be current.
    timeout
        Seconds to wait while another process holds the file (default :data:`BUSY_TIMEOUT_S`).

    Raises
    ------
    StoreError
        When the file is missing (read-only), busy, damaged or of an unknown schema.
    """
    path = Path(path) if path is not None else settings.db_path()
    if read_only:
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
