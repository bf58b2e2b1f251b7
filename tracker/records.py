"""The plain records that flow between pipeline stages.

Stages are functions over these dataclasses (or DataFrames with the same columns), so any
stage can be run or tested alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Report:
    """One version of one report, as read from an input file.

    ``published_precision`` is ``day`` for a full date or ``month`` when the input says less.
    ``kind`` is ``news`` or ``chronicle`` (a dated history such as a Wikipedia campaign
    article, whose sentences carry their own dates); ``meta`` is JSON with what else the
    input said (a chronicle's period).
    """

    report_id: str
    text: str
    published: date | None
    source: str | None = None
    lang: str | None = None
    title: str | None = None
    url: str | None = None
    published_precision: str = "day"
    path: str | None = None
    line: int | None = None
    sha256: str = ""
    version: int = 1
    kind: str = "news"
    meta: str | None = None


@dataclass
class Claim:
    """One claim found in one report: the record ``tracker extract --jsonl`` prints.

    Offsets ``start``/``end`` index the stored report text (Python string indices).
    ``place_precision`` is ``point``/``subdistrict``/``district``/``governorate``/``region``;
    ``place_id`` is None when the place is unresolved or region-level, and
    ``candidates`` then keeps the ranked alternatives with their reasons.
    """

    report_id: str
    actor: str
    action: str
    status: str = "asserted"
    place_text: str | None = None
    place_id: str | None = None
    place_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    place_precision: str | None = None
    date: str | None = None
    date_precision: str | None = None
    date_text: str | None = None
    distance_km: float | None = None
    quote: str = ""
    start: int = 0
    end: int = 0
    attribution: str | None = None
    confidence: float = 0.5
    # beyond the printed record: kept in the claims table
    report_version: int = 1
    source: str | None = None
    lang: str | None = None
    opponent: str | None = None
    place_start: int | None = None
    place_end: int | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    resolution: str | None = None

    PRINTED = (
        "report_id", "actor", "action", "status", "place_text", "place_id", "place_name", "lat", "lon",
        "place_precision", "date", "date_precision", "date_text", "distance_km", "quote", "start", "end",
        "attribution", "confidence",
    )

    def printed(self) -> dict[str, Any]:
        """The fields of the public claim record, in order."""
        return {k: getattr(self, k) for k in self.PRINTED}

    def as_dict(self) -> dict[str, Any]:
        """Every field."""
        return dataclasses.asdict(self)
