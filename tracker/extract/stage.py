"""The extraction stage: claims of the stored reports not yet read, stored in one transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from tracker import dates as dates_mod
from tracker.extract.lexicon import LANGS, lexicon
from tracker.extract.report import extract_report
from tracker.records import Claim, Report
from tracker.vocab import TERRITORIAL

_CLAIM_COLUMNS = (
    "claim_id", "report_id", "report_version", "actor", "action", "status", "place_text", "place_id", "place_name",
    "lat", "lon", "place_precision", "date", "date_precision", "date_text", "distance_km", "quote", "quote_start",
    "quote_end", "attribution", "source", "lang", "published", "confidence", "opponent", "place_start", "place_end",
    "candidates", "resolution", "extracted_at",
)


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


def store_claims(con: Any, gazetteer: Any | None = None) -> dict[str, int]:
    """Extract the latest version of every stored report not yet extracted; store its claims.

    One transaction: a report's claims are all stored or none are. Returns counts for the run summary.
    """
    from tracker.ingest import latest_reports
    from tracker.store import transaction

    done = set(con.execute("SELECT DISTINCT report_id, report_version FROM claims").fetchall())
    todo = [r for r in latest_reports(con) if (r.report_id, r.version) not in done]
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows, seen = [], set()
    for report in todo:
        for c in extract_report(report, gazetteer):
            cid = claim_id(c)
            if cid in seen:
                continue
            seen.add(cid)
            rows.append((cid, c.report_id, c.report_version, c.actor, c.action, c.status, c.place_text, c.place_id,
                         c.place_name, c.lat, c.lon, c.place_precision, c.date, c.date_precision, c.date_text,
                         c.distance_km, c.quote, c.start, c.end, c.attribution, report.source, c.lang,
                         report.published, c.confidence, c.opponent, c.place_start, c.place_end,
                         json.dumps(c.candidates, ensure_ascii=False), c.resolution, now))
    if rows:
        with transaction(con):
            con.executemany(f"INSERT INTO claims ({', '.join(_CLAIM_COLUMNS)}) VALUES "
                            f"({', '.join('?' for _ in _CLAIM_COLUMNS)})", rows)
    territorial = sum(1 for r in rows if r[4] in TERRITORIAL)
    return {"reports": len(todo), "claims": len(rows), "territorial": territorial}
