"""The rows the timeline writes (``control_events``, ``control_intervals``, ``conflicts``, ``claim_outcomes``):
their columns and the event constructor."""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import pandas as pd

from tracker.control.rules import State

EVENT_COLUMNS = ("event_id", "place_id", "day", "reported", "from_side", "from_status", "to_side", "to_status",
                 "other_side", "action", "claim_ids", "quotes", "confidence", "date_precision", "inferred",
                 "applied", "note")
INTERVAL_COLUMNS = ("place_id", "side", "status", "other_side", "valid_from", "valid_to", "inferred", "event_id",
                    "claim_ids", "last_evidence")
CONFLICT_COLUMNS = ("conflict_id", "place_id", "day_from", "day_to", "sides", "claim_ids", "weights",
                    "resolution", "winner", "settled_on")
OUTCOME_COLUMNS = ("claim_id", "place_id", "outcome", "reason", "event_id")


def events_frame(rows: list[dict]) -> pd.DataFrame:
    """``control_events`` rows as a frame whose flags are booleans even with no row (a batch without a
    control claim): an empty object column would make ``events[events["applied"]]`` select columns."""
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS)).astype({"inferred": bool, "applied": bool})


def make_event(pid: str, day: date, reported: date | None, old: State, new: State, claims: list[dict],
               applied: bool = True, inferred: bool = False, note: str = "") -> dict:
    """One ``control_events`` row: a change of ``pid`` from ``old`` to ``new`` caused by ``claims``."""
    ids = [c["claim_id"] for c in claims]
    conf = 1.0 - float(np.prod([1.0 - min(0.99, float(c.get("confidence") or 0.5)) for c in claims]))
    precisions = [c.get("date_precision") for c in claims if c.get("date_precision")]
    return {
        "event_id": hashlib.sha1(f"{pid}|{day}|{','.join(ids)}|{inferred}|{note}".encode()).hexdigest()[:16],
        "place_id": pid, "day": day, "reported": reported,
        "from_side": old.side, "from_status": old.status, "to_side": new.side, "to_status": new.status,
        "other_side": new.other_side, "action": "+".join(dict.fromkeys(c["action"] for c in claims)),
        "claim_ids": ids, "quotes": [c.get("quote") or "" for c in claims], "confidence": round(conf, 4),
        "date_precision": precisions[0] if precisions else None, "inferred": inferred, "applied": applied,
        "note": note,
    }
