"""Helpers for testing code that uses the control timeline (like GeoPandas' ``assert_geodataframe_equal``).

- :func:`make_claim` builds a :class:`~tracker.records.Claim` with sensible defaults.
- :func:`make_places` / :func:`make_baseline` build small places and baseline frames.
- :func:`assert_timeline_equal` compares two timelines' intervals; :func:`assert_state` checks one place on a day.
"""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd

from tracker.records import Claim

_counter = itertools.count()


def make_claim(place_id: str | None, actor: str, action: str = "capture", day: date | str | None = None, *,
               status: str = "asserted", reported: date | str | None = None, source: str | None = "AFP",
               attribution: str | None = None, confidence: float = 0.8, distance_km: float | None = None,
               opponent: str | None = None, quote: str = "", place_precision: str | None = "point",
               report_id: str | None = None, date_precision: str = "day") -> Claim:
    """A claim about ``place_id`` by ``actor`` on ``day``; ``reported`` becomes the report's ``published`` date
    (omit it for a chronicle, whose report time is the claim's date). The default ``source`` is a neutral news
    agency, trusted for every side's gains (``data/sources.toml``); pass ``source=None`` for an unknown source."""
    n = next(_counter)
    claim = Claim(
        report_id=report_id or f"test_{n:05d}", actor=actor, action=action, status=status, place_id=place_id,
        place_precision=place_precision if place_id else "region",
        date=str(day) if day is not None else None, date_precision=date_precision,
        distance_km=distance_km, quote=quote or f"{actor} {action} {place_id}", start=n, end=n + 1,
        attribution=attribution, source=source, confidence=confidence, opponent=opponent,
    )
    return claim if reported is None else _with_published(claim, reported)


def _with_published(claim: Claim, reported) -> Claim:
    claim.__dict__["published"] = str(reported)  # Claim has no 'published' field; claims_frame reads it
    return claim


def make_places(rows: list[tuple]) -> pd.DataFrame:
    """A places frame from ``(place_id, name_en, lat, lon[, coord_precision])`` tuples."""
    recs = []
    for r in rows:
        pid, name, lat, lon, *rest = r
        recs.append({"place_id": pid, "name_en": name, "name_ar": None, "lat": lat, "lon": lon,
                     "coord_precision": rest[0] if rest else "point", "country": "SY", "feature_type": "village",
                     "adm3_en": None})
    return pd.DataFrame(recs).set_index("place_id")


def make_baseline(rows: list[tuple], day: date | str = date(2017, 7, 15)) -> pd.DataFrame:
    """A baseline frame from ``(place_id, side[, status[, other_side]])`` tuples."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    recs = []
    for r in rows:
        pid, side, *rest = r
        recs.append({"place_id": pid, "side": side, "status": rest[0] if rest else "held",
                     "other_side": rest[1] if len(rest) > 1 else None, "day": d, "date_precision": "estimated",
                     "source": "test", "note": ""})
    return pd.DataFrame(recs)


def assert_state(timeline, place_id: str, day, side: str, status: str = "held", *, as_reported=None,
                 include_inferred: bool = False) -> None:
    """Assert that ``place_id`` is ``side``/``status`` on ``day``."""
    got = timeline.who_held(place_id, day, as_reported=as_reported, include_inferred=include_inferred)
    assert (got.side, got.status) == (side, status), (
        f"{place_id} on {day}: expected {side}/{status}, got {got.side}/{got.status} (since {got.since})")


def assert_timeline_equal(left, right, check_claims: bool = False) -> None:
    """Assert two timelines give every place the same intervals (side, status, other side, dates)."""
    cols = ["place_id", "side", "status", "other_side", "valid_from", "valid_to", "inferred"]
    if check_claims:
        cols.append("claim_ids")

    def norm(tl) -> pd.DataFrame:
        iv = tl.intervals[cols].copy()
        iv["other_side"] = iv["other_side"].where(iv["other_side"].notna(), None)
        if check_claims:
            iv["claim_ids"] = iv["claim_ids"].map(lambda x: tuple(sorted(x)))
        return iv.astype(str).sort_values(cols).reset_index(drop=True)

    a, b = norm(left), norm(right)
    if not a.equals(b):
        diff = a.merge(b, how="outer", indicator=True).query("_merge != 'both'")
        raise AssertionError(f"timelines differ in {len(diff)} interval rows:\n{diff.head(20).to_string()}")


def built_gazetteer():
    """The real gazetteer at tracker's settings, built when missing, stale or damaged (about 15 s)."""
    from gazetteer.testing import built_gazetteer as build_in
    from tracker import settings

    return build_in(settings.gazetteer_dir(), settings.sources_dir())
