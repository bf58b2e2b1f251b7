"""The control timeline: a baseline plus claims, folded into who held each place on each day.

The core object is :class:`Timeline`, a time-indexed record of control per place (the way MovingPandas'
``Trajectory`` indexes positions by time). Build it from places, a baseline and claims; ask it::

    tl = Timeline(places, baseline, claims)
    tl.state_on("2017-10-10")                          # every place: side, status, since, last evidence, stale
    tl.state_on("2017-10-20", as_reported="2017-10-13")  # what the reports had said by 13 October
    tl.who_held("wm:2954", "2017-10-16")               # one place, fast (a State)
    tl.history("wm:2954")                              # intervals with the claims that caused them
    tl.changes_between("2017-10-01", "2017-10-31")     # the maps' change list
    tl.span_check("2030-01-01")                        # (False, why): nothing current can be said

Every rule is written down with its reason in ``docs/control-model.md``. The modules:

- :mod:`~tracker.control.rules`: one :class:`Rule` per action, one hook :meth:`Rule.apply` (``rules={...}`` to
  change one);
- :mod:`~tracker.control.evidence`: source profiles and trust (``data/sources.toml``), weights, major places,
  lists that read as provinces, claims as one frame;
- :mod:`~tracker.control.fold`: the pass over the claims in date order: evidence in proportion to what a claim
  moves (``claimed``, corroboration, ``pending``), conflicts, outcomes, the parts of a town;
- :mod:`~tracker.control.inference`: region claims, places left behind or enclosed by the front, the approach of a
  proximity claim (``inferred``, kept apart, switchable off);
- :mod:`~tracker.control.graph`: which places are next to which;
- :mod:`~tracker.control.timeline`: :class:`Timeline`, intervals with the day of their last evidence, staleness;
- :mod:`~tracker.control.tables`: the control stage, which writes the timeline once, and
  :func:`load_timeline`, which reads it back for every later stage and command (never folded again).

Two time axes: ``day`` is valid time (the claim's date); ``reported`` is report time (the report's publication
date, or for chronicles, which have none, the claim's date).

API for maps and other stages (stable)
--------------------------------------
- ``Timeline(places, baseline, claims=None, *, rules=None, infer=True, as_reported=None, window=3,
  neighbours=None)`` and ``Timeline.from_tables(places, baseline, events, intervals, conflicts, outcomes)``
- ``Timeline.state_on(day, as_reported=None, include_inferred=False) -> DataFrame`` indexed by ``place_id``:
  ``side, status, other_side, since, claim_ids, inferred, last_evidence, stale``
- ``Timeline.who_held(place_id, day, as_reported=None, include_inferred=False) -> State`` (with
  ``last_evidence``)
- ``Timeline.history(place_id) -> DataFrame`` (intervals) and ``Timeline.events_for(place_id)``
- ``Timeline.changes_between(d0, d1, include_inferred=False) -> DataFrame``: ``place_id, name_en, name_ar,
  lat, lon, from_side, to_side, status, day, claim_ids``
- ``Timeline.span_check(day) -> (ok, warning)``, ``Timeline.last_evidence``, ``Timeline.stale_rows(day, rows)``
- :func:`changes_between` ``(d0, d1, *, timeline=None, con=None)``: the same from the database
- :func:`load_timeline` ``(con=None) -> Timeline``: the stored timeline (the control stage's tables)
- :func:`stage_control` ``(ctx) -> dict``: the pipeline stage that fills the tables
"""

from __future__ import annotations

import importlib
from typing import Any

#: The package's names and the module each comes from: imported when first used, so that a command reading one
#: day's state from the stored tables does not load the fold (and the gazetteer code it needs).
_EXPORTS: dict[str, str] = {
    "as_date": "days", "STALE_DAYS": "days",
    "claim_id_for": "evidence", "claim_weight": "evidence", "claims_frame": "evidence", "source_profile": "evidence",
    "CONFLICT_COLUMNS": "records", "EVENT_COLUMNS": "records", "INTERVAL_COLUMNS": "records",
    "OUTCOME_COLUMNS": "records",
    **{name: "rules" for name in ("ACTING_FOR", "DEFAULT_RULES", "UNKNOWN", "AdvanceRule", "CaptureRule",
                                   "ProximityRule", "Rule", "SiegeRule", "State", "WithdrawRule")},
    **{name: "tables" for name in ("build_timeline", "changes_between", "load_timeline", "read_claims",
                                    "stage_control", "write_timeline")},
    "CONFIRM_DAYS": "fold", "CONFLICT_WINDOW_DAYS": "fold",
    "Timeline": "timeline",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tracker.control' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tracker.control.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
