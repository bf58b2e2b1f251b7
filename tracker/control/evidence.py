"""Evidence: how much a claim weighs, which sources are trusted, and claims as one frame.

The source profiles are in ``data/sources.toml``; every rule is written down with its reason in
``docs/control-model.md``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import pandas as pd

from tracker import vocab
from tracker.control.days import to_date
from tracker.control.rules import side_of
from tracker.records import Claim


def sources() -> dict[str, Any]:
    return vocab.data_file("sources.toml")


@lru_cache(maxsize=4096)
def source_profile(text: str | None) -> tuple[str | None, str, float]:
    """(source key, side it speaks for or '', base weight) for an attribution or report source text."""
    conf = sources()
    if text:
        for key, entry in conf["sources"].items():
            for alias in entry["aliases"]:
                if re.search(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", text, re.IGNORECASE):
                    return key, entry.get("side", ""), float(entry.get("weight", 1.0))
    return None, "", float(conf["default"]["weight"])


def claim_weight(claim: Mapping[str, Any], loser: str | None) -> float:
    """Weight of a claim in a conflict: source weight x claim confidence, less for a partisan claiming its
    own side's gain, more for a partisan admitting its own side's loss (``loser`` lost the place)."""
    factors = sources()["factors"]
    key, side, weight = source_profile(claim.get("attribution"))
    if key is None:
        key, side, weight = source_profile(claim.get("source"))
    holder = claim.get("holder")
    if side and holder == side:
        weight *= factors["partisan_gain"]
    elif side and loser == side and holder != side:
        weight *= factors["admission"]
    conf = claim.get("confidence")
    return weight * (float(conf) if conf is not None and not pd.isna(conf) else 0.5)


def claim_id_for(claim: Mapping[str, Any]) -> str:
    """A stable id for a claim record that has none (hash of report, version, span, action and place)."""
    key = "|".join(str(claim.get(k)) for k in ("report_id", "report_version", "start", "end", "action", "place_id"))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def claims_frame(claims: Iterable[Claim] | pd.DataFrame | None) -> pd.DataFrame:
    """Claims as one DataFrame with ``claim_id``, python ``date``/``reported`` dates and the acting ``side``.

    Accepts :class:`~tracker.records.Claim` objects, dicts, or a DataFrame (the ``claims`` table's columns,
    ``quote_start``/``quote_end`` or ``start``/``end``).
    """
    if claims is None:
        df = pd.DataFrame()
    elif isinstance(claims, pd.DataFrame):
        df = claims.copy()
    else:
        df = pd.DataFrame([dict(vars(c)) if isinstance(c, Claim) else dict(c) for c in claims])
    df = df.rename(columns={"quote_start": "start", "quote_end": "end"})
    for col in ("claim_id", "report_id", "report_version", "actor", "action", "status", "place_id", "place_name",
                "place_precision", "date", "date_precision", "distance_km", "quote", "start", "end", "attribution",
                "source", "published", "confidence", "opponent", "lat", "lon", "place_text"):
        if col not in df.columns:
            df[col] = None
    df = df.astype(object).where(df.notna(), None)
    if len(df):
        missing = df["claim_id"].isna()
        df.loc[missing, "claim_id"] = [claim_id_for(r) for r in df.loc[missing].to_dict("records")]
    df["date"] = [to_date(v) for v in df["date"]]
    df["published"] = [to_date(v) for v in df["published"]]
    # report time: the report's publication date; chronicles have none, so their sentence's own date
    df["reported"] = [p if p is not None else d for p, d in zip(df["published"], df["date"])]
    df["side"] = [side_of(a) for a in df["actor"]]
    return df.reset_index(drop=True)

