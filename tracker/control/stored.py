"""One day's state of every place, read straight from the control stage's tables: no timeline is loaded, no
fold code and no pandas imported (``tracker control --date D`` answers in a fraction of a second at any size)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.control.days import STALE_DAYS, as_date, span_check, to_date

#: The state of every place on a day as :meth:`Timeline.state_on` gives it, read from the stored intervals
#: (``$1`` the day, ``$2`` whether inferred intervals replace reported ones): each place's reported interval
#: holding that day (in stored order) or, with ``$2``, its latest inferred one (in place order, after them).
STATE_ON_SQL = """
WITH valid AS (
    SELECT rowid AS k, * FROM control_intervals
    WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)),
inferred AS (
    SELECT * FROM valid WHERE inferred AND $2 QUALIFY k = max(k) OVER (PARTITION BY place_id)),
chosen AS (
    SELECT 0 AS part, v.* FROM valid v
    WHERE NOT v.inferred AND v.place_id NOT IN (SELECT place_id FROM inferred)
    UNION ALL SELECT 1 AS part, * FROM inferred)
SELECT c.place_id, c.side, c.status, c.other_side,
       CASE WHEN c.event_id IS NOT NULL THEN coalesce(e.day, c.valid_from)
            WHEN b.place_id IS NOT NULL THEN b.day ELSE c.valid_from END AS since,
       c.claim_ids, c.inferred, c.last_evidence,
       c.last_evidence IS NULL OR $1 - c.last_evidence > $3 AS stale
FROM chosen c
LEFT JOIN control_events e ON e.event_id = c.event_id
LEFT JOIN (SELECT place_id, any_value(day) AS day FROM baseline GROUP BY place_id) b ON b.place_id = c.place_id
ORDER BY c.part, CASE WHEN c.part = 0 THEN c.k END, c.place_id
"""


def stored_span(con) -> tuple[date, date]:
    """The stored timeline's start (its baseline's first day) and the day of its newest evidence (the start when
    there is none), as :class:`Timeline` reads them."""
    start, first, last = con.execute("""SELECT (SELECT min(day) FROM baseline),
        (SELECT min(valid_from) FROM control_intervals), (SELECT max(last_evidence) FROM control_intervals)""").fetchone()
    start = to_date(start) or to_date(first)
    if start is None:
        from tracker._errors import MissingDataError

        raise MissingDataError("no control timeline in the database: run `tracker run` (the control stage) first")
    return start, to_date(last) or start


def stored_span_check(con, day: date | str) -> tuple[bool, str | None]:
    """:meth:`Timeline.span_check` of the stored timeline, from its tables."""
    return span_check(day, *stored_span(con))



def state_rows(con, day: date | str, include_inferred: bool = False) -> list[dict[str, Any]]:
    """The rows ``tracker control --date`` prints: every place whose side is known on ``day`` (in the order of
    :data:`STATE_ON_SQL`) with ``place_id, name_en, name_ar, side, status, other_side, since, claim_ids, inferred,
    last_evidence, stale`` (dates as ISO text)."""
    # the values written into the query, not passed as parameters: DuckDB imports pandas to read parameters
    # (a third of a second); they are a date, a bool and an int, never text from outside
    sql = STATE_ON_SQL.replace("$1", f"DATE '{as_date(day).isoformat()}'").replace(
        "$2", "true" if include_inferred else "false").replace("$3", str(int(STALE_DAYS)))
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    found = [r for r in (dict(zip(names, row)) for row in cur.fetchall()) if r["side"] != "unknown"]
    label: dict[str, tuple] = {}
    for pid, en, ar in con.execute("SELECT place_id, name_en, name_ar FROM places").fetchall():
        label.setdefault(pid, (en, ar))

    def text(value: Any) -> str | None:
        return str(value) if value is not None else None

    return [{"place_id": r["place_id"], "name_en": label.get(r["place_id"], (None, None))[0],
             "name_ar": label.get(r["place_id"], (None, None))[1], "side": r["side"], "status": r["status"],
             "other_side": r["other_side"], "since": text(r["since"]), "claim_ids": list(r["claim_ids"] or []),
             "inferred": bool(r["inferred"]), "last_evidence": text(r["last_evidence"]), "stale": bool(r["stale"])}
            for r in found]
