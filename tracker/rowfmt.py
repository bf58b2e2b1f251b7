"""Rows printed by the command line as an aligned table, CSV with a header, or JSON lines (``--format``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

from tracker.query import format_table

#: What ``--format`` accepts wherever rows are printed.
FORMATS: tuple[str, ...] = ("table", "csv", "json")


def _plain(value: Any) -> Any:
    """A value JSON and CSV can hold: dates as ISO text, arrays as lists."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def format_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table",
                limit: int | None = None) -> str:
    """``rows`` under ``columns`` as ``table`` (aligned, with a row count), ``csv`` (RFC 4180, a header line;
    lists as JSON arrays) or ``json`` (one object per line)."""
    if fmt == "table":
        return format_table(list(columns), [tuple(r) for r in rows], limit=limit if limit is not None else len(rows))
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, list) else ("" if v is None else v)
                             for v in map(_plain, row)])
        return buf.getvalue().rstrip("\n")
    if fmt == "json":
        return "\n".join(json.dumps({c: _plain(v) for c, v in zip(columns, row)}, ensure_ascii=False, default=str)
                         for row in rows)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
