"""The control timeline: a baseline plus claims, folded into who held each place on each day.

The core object is :class:`Timeline`, a time-indexed record of control per place (the way MovingPandas'
``Trajectory`` indexes positions by time). Build it from places, a baseline and claims; ask it::

    tl = Timeline(places, baseline, claims)
    tl.state_on("2017-10-10")                          # every place: side, status, since, claim ids
    tl.state_on("2017-10-20", as_reported="2017-10-13")  # what the reports had said by 13 October
    tl.who_held("wm:2954", "2017-10-16")               # one place, fast (a State)
    tl.history("wm:2954")                              # intervals with the claims that caused them
    tl.changes_between("2017-10-01", "2017-10-31")     # the maps' change list

Every rule is written down with its reason in ``docs/control-model.md``. In short: each territorial action has a
:class:`Rule` whose one hook, :meth:`Rule.apply`, turns the place's state and a claim into the new state
(pass ``rules={...}`` to change one). Refuted and intent claims, context actions, region-level and unresolved
places, places outside Syria and claims dated before the baseline never change control (they are kept, with the
reason, in :attr:`Timeline.outcomes`). Claims asserting different holders of one place within
:data:`CONFLICT_WINDOW_DAYS` that a sequence cannot explain are a conflict: weighed by source
(``data/sources.toml``); the place stays contested while unsettled; every conflict is recorded.
Proximity claims may mark places on the approach ``inferred`` (kept apart, switchable off).

Two time axes: ``day`` is valid time (the claim's date); ``reported`` is report time (the report's publication
date, or for chronicles, which have none, the claim's date).

API for maps and other stages (stable)
--------------------------------------
- ``Timeline(places, baseline, claims=None, *, rules=None, infer=True, as_reported=None)``
- ``Timeline.state_on(day, as_reported=None, include_inferred=False) -> DataFrame`` indexed by ``place_id``:
  ``side, status, other_side, since, claim_ids, inferred``
- ``Timeline.who_held(place_id, day, as_reported=None, include_inferred=False) -> State``
- ``Timeline.history(place_id) -> DataFrame`` (intervals) and ``Timeline.events_for(place_id)``
- ``Timeline.changes_between(d0, d1, include_inferred=False) -> DataFrame``: ``place_id, name_en, name_ar,
  lat, lon, from_side, to_side, status, day, claim_ids``
- :func:`changes_between` ``(d0, d1, *, timeline=None, con=None)``: the same from the database
- :func:`load_timeline` ``(con=None) -> Timeline``: rebuilt from the database's places, baseline and claims
- :func:`stage_control` ``(ctx) -> dict``: the pipeline stage that fills the tables
"""

from __future__ import annotations

from tracker.control.days import as_date
from tracker.control.evidence import claim_id_for, claim_weight, claims_frame, source_profile
from tracker.control.records import CONFLICT_COLUMNS, EVENT_COLUMNS, INTERVAL_COLUMNS, OUTCOME_COLUMNS
from tracker.control.rules import (ACTING_FOR, DEFAULT_RULES, UNKNOWN, AdvanceRule, CaptureRule, ProximityRule, Rule,
                                   SiegeRule, State, WithdrawRule)
from tracker.control.tables import (build_timeline, changes_between, load_timeline, read_claims, stage_control,
                                    write_timeline)
from tracker.control.fold import CONFIRM_DAYS, CONFLICT_WINDOW_DAYS
from tracker.control.timeline import STALE_DAYS, Timeline

__all__ = [
    "ACTING_FOR", "CONFIRM_DAYS", "CONFLICT_COLUMNS", "CONFLICT_WINDOW_DAYS", "STALE_DAYS", "DEFAULT_RULES", "EVENT_COLUMNS", "INTERVAL_COLUMNS",
    "OUTCOME_COLUMNS", "UNKNOWN", "AdvanceRule", "CaptureRule", "ProximityRule", "Rule", "SiegeRule", "State",
    "Timeline", "WithdrawRule", "as_date", "build_timeline", "changes_between", "claim_id_for", "claim_weight",
    "claims_frame", "load_timeline", "read_claims", "source_profile", "stage_control", "write_timeline",
]
