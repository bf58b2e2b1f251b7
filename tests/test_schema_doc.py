"""docs/schema.md must describe exactly the tables and columns the code creates."""

from __future__ import annotations

import re
from pathlib import Path

from tracker import store

DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def documented() -> dict[str, set[str]]:
    tables: dict[str, set[str]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^##\s+`?(\w+)`?\s*$", line)
        if heading:
            current = heading.group(1)
            tables[current] = set()
            continue
        row = re.match(r"^\|\s*`?(\w+)`?\s*\|", line)
        if current and row and row.group(1) not in {"column"} and not set(row.group(1)) <= {"-"}:
            tables[current].add(row.group(1))
    return tables


def test_every_table_and_column_is_documented(con):
    docs = documented()
    actual: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
    ).fetchall():
        actual.setdefault(table, set()).add(column)
    for table, columns in actual.items():
        assert table in docs, f"table {table} is not documented in docs/schema.md"
        assert columns == docs[table], f"{table}: undocumented {columns - docs[table]}, stale {docs[table] - columns}"
    stale = set(docs) - set(actual)
    assert not stale, f"docs/schema.md documents tables that do not exist: {stale}"
