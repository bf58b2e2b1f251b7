"""Read-only SQL for analysts (``tracker sql``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from tracker import store
from tracker._errors import TrackerError


class QueryError(TrackerError):
    """The query failed; the message is DuckDB's, without a traceback."""


def run_query(query: str, db: str | Path | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run ``query`` on a read-only connection; return column names and rows.

    The connection is read-only, so nothing typed here changes data: DuckDB refuses
    INSERT, UPDATE, DELETE, CREATE and friends with an error; and it cannot reach the disk
    (:data:`tracker.store.READ_ONLY_CONFIG`): COPY TO, read_csv, ATTACH, EXPORT, INSTALL and SET
    are refused too.
    """
    if not query.strip().strip(";").strip():
        raise QueryError("empty query: give a statement, e.g. tracker sql \"SELECT count(*) FROM reports\"")
    con = store.connect(db, read_only=True)
    try:
        rel = con.execute(query)
        if rel is None or rel.description is None:
            return [], []
        columns = [d[0] for d in rel.description]
        return columns, rel.fetchall()
    except duckdb.Error as exc:
        message = (str(exc).splitlines() or [type(exc).__name__])[0]
        if "read-only" in message.lower() or "read only" in message.lower():
            message = "the database is opened read-only by `tracker sql`: " + message
        elif "disabled by configuration" in message or "configuration has been locked" in message:
            message = "`tracker sql` reads the database only, never other files or settings: " + message
        raise QueryError(message) from None
    finally:
        con.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value).replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "..."


def format_table(columns: list[str], rows: list[tuple[Any, ...]], limit: int = 200) -> str:
    """A plain-text table with a row count line."""
    if not columns:
        return "(no result)"
    shown = [[_cell(v) for v in row] for row in rows[:limit]]
    widths = [max([len(c)] + [len(r[i]) for r in shown]) for i, c in enumerate(columns)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(columns, widths)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(v.ljust(w) for v, w in zip(r, widths)) for r in shown]
    more = f" (showing {limit})" if len(rows) > limit else ""
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{more})")
    return "\n".join(lines)
