"""The extraction stage: claims of the stored reports not yet read, stored in one transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
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


def store_claims(con: Any, gazetteer: Any | None = None) -> dict[str, int]:
    """Extract the latest version of every stored report this extractor has not read; store its claims.

    A report read by another version of the extractor is read again and its claims replaced. One
    transaction: a report's claims are all stored or none are. Returns counts for the run summary.
    """
    from tracker import store
    from tracker.ingest import latest_reports

    version = extractor_version(gazetteer)
    done = store.extracted(con, version)
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
    store.replace_claims(con, [(r.report_id, r.version) for r in todo], _CLAIM_COLUMNS, rows, version, now)
    territorial = sum(1 for r in rows if r[4] in TERRITORIAL)
    return {"reports": len(todo), "claims": len(rows), "territorial": territorial}
