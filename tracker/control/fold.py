"""The fold: one pass over the claims in date order, turning evidence into events, conflicts and outcomes.

Every rule is written down with its reason in ``docs/control-model.md``. In short: a claim first has to be
about control of a settlement (:meth:`Fold.skip_reason`); claims about one place that disagree within the
conflict window are weighed (:meth:`Fold.conflicts`); the action's :class:`~tracker.control.rules.Rule` gives
the new state; and a gain of ground needs evidence in proportion to what it moves (:meth:`Fold.gain`):

- a major place changes only where the gaining side holds ground near it that a report spoke of within
  :data:`GROUND_FRESH_DAYS`; otherwise nothing changes until an independent report says it too (``pending``);
- a claim of low confidence (:data:`LOW_CONFIDENCE`) against a holder that :data:`ATTESTED_SOURCES` independent
  sources reported there within :data:`HOLDER_FRESH_DAYS` waits for an independent report, even from a trusted
  source (``pending``);
- otherwise the gain is ``held`` at once when the source is trusted for the gaining side (``data/sources.toml``);
- otherwise, when the gaining side holds no ground near the place, nothing changes until an independent report
  says it too (``pending``);
- otherwise, when a report spoke for the holder there within :data:`HOLDER_FRESH_DAYS` before the claim, nothing
  changes until an independent report says it too (``pending``): a place held on recent reports is not drawn lost
  on one report nobody repeats;
- otherwise it is ``claimed``: ``held`` when an independent report corroborates it; if none does within
  :data:`CONFIRM_DAYS`, the claim stands (uncontradicted).
"""

from __future__ import annotations

import hashlib
import heapq
import re
import sys
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from gazetteer.normalize import skeleton, split_feature
from tracker import vocab
from tracker.control.days import opt
from tracker.control.evidence import (claim_rows, claim_weight, independent, listed_claims, major_places,
                                      named_in_clause, province_names, source_identity, sources, trusted,
                                      with_values)
from tracker.control.graph import NEAR_KM, Neighbours, encircled, groups, local_xy
from tracker.control.inference import claim_scope
from tracker.control.records import make_event
from tracker.control.rules import ACTION_RANK, UNKNOWN, Rule, State, side_of

#: Claims about one place asserting different holders within this many days conflict (unless a sequence
#: explains them: the later one both happened and was reported later).
CONFLICT_WINDOW_DAYS: int = 3
#: Days a ``claimed`` gain waits for corroboration before it stands, and a ``pending`` one for a second report.
CONFIRM_DAYS: int = 7
#: A holder reported there within this many days before a lone claim against it from a source not trusted for
#: the gaining side keeps the place until an independent report says it too: a place taken with reports weeks ago
#: is not lost on one report nobody repeats.
HOLDER_FRESH_DAYS: int = 60
#: A claim below this confidence (its side taken from the context, or its place from "the city") is one misread away
#: from a wrong change: against a holder that :data:`ATTESTED_SOURCES` independent sources reported there within
#: :data:`HOLDER_FRESH_DAYS`, it waits for an independent report even from a trusted source.
LOW_CONFIDENCE: float = 0.75
ATTESTED_SOURCES: int = 2
#: A side's ground near a place counts as fresh when a report spoke of it within this many days: a siege, and
#: the change of a major place, need the gaining side's fresh ground near it (stale ground may be long gone).
GROUND_FRESH_DAYS: int = 120
#: Place precisions and feature types that are areas, not settlements.
REGION_PRECISIONS = frozenset({"subdistrict", "district", "governorate", "region"})
#: A city's districts (separate map points, reports name only the city) lie within this many km of its point.
CITY_DISTRICT_KM: float = 3.5
#: Points named after a settlement (its border crossing, silos, airport) lie within this many km of it.
NAMED_PART_KM: float = 5.0
#: A side attacking or striking a place within this many days after it was reported taking it was not done taking
#: it: the capture was not complete (docs/control-model.md).
UNFINISHED_DAYS: int = 60
#: Actions by which a side fires on a place: its own fire on a place it holds says the enemy is still in it.
OWN_FIRE_ACTIONS = frozenset({"attack", "strike"})
_DISTRICT_NAME = re.compile(r"\bdistrict\b|\bneighbou?rhood\b", re.IGNORECASE)
_GAIN_ACTIONS = ("capture", "withdraw")


def loser_phrasing(c: dict) -> dict:
    """A capture or withdrawal that names only the side that lost ("X fell", "ISIL lost X": no acting side, the loser
    as ``opponent``) is the loser's withdrawal: the place then goes to the side holding the ground around it."""
    loser = side_of(c.get("opponent"))
    if c.get("side") is None and loser is not None and c.get("action") in ("capture", "withdraw"):
        return with_values(c, side=loser, action="withdraw", opponent=None, note="the loser named alone")
    return c


def _name_words(name) -> list[str]:
    """The word skeletons of a place name without its feature word ("Nassib Crossing" -> the skeleton of
    "nassib"), so spellings of one name compare equal."""
    if not isinstance(name, str) or not name.strip():
        return []
    core, _ = split_feature(name)
    return [k for k in (skeleton(w) for w in re.split(r"[\s\-()/,]+", core) if w) if len(k) >= 2]


def _contains(words: list[str], part: list[str]) -> bool:
    """Whether ``part`` occurs as a run of consecutive words in ``words``."""
    n = len(part)
    return any(words[i:i + n] == part for i in range(len(words) - n + 1))


@dataclass
class Claimed:
    """A gain waiting for corroboration: who claims it, since when, with which claims, and the state before."""

    side: str
    since: date
    claims: list[dict]
    prior: State
    major: bool
    token: int = 0


@dataclass
class PlaceLog:
    """What the fold knows of one place while it runs."""

    last: dict | None = None  # the last applied event
    claimed: Claimed | None = None
    waiting: list[dict] = field(default_factory=list)  # gains far from the side's ground, awaiting a second report
    handled_conflicts: set[str] = field(default_factory=set)
    lost: dict[str, date] = field(default_factory=dict)  # side -> the last day it lost the place by a report


class Rows(list):
    """A list of a fold's output rows that also keeps, for each row, the fold's :attr:`Fold.position` when it
    was written: the rows of folds over separate groups of places sort back into one fold's order."""

    def __init__(self, fold: Fold) -> None:
        super().__init__()
        # a weak reference: a reference cycle would keep the fold's whole working state (every claim's copies,
        # logs, lists) alive after the fold until Python's next full collection, in the middle of the stage
        self.fold = weakref.proxy(fold)
        self.keys: list[tuple] = []

    def append(self, row: Any) -> None:
        super().append(row)
        self.keys.append(self.fold.position)


class Fold:
    """One pass over the claims: events, conflicts and outcomes (used by :class:`tracker.control.Timeline`).

    Parameters
    ----------
    places, baseline, claims
        As :class:`tracker.control.Timeline` takes them (claims already a :func:`claims_frame`).
    rules
        Action -> :class:`~tracker.control.rules.Rule`.
    window
        Conflict window in days.
    neighbours
        The places' :class:`~tracker.control.graph.Neighbours` (default: built from ``places``).
    listed
        The claim ids of lists (:func:`~tracker.control.evidence.listed_claims`), when ``claims`` are a part
        of the claims they were found in.
    start
        The first day (default: the baseline's, else the first claim's).
    records
        ``claims`` as dicts (``DataFrame.to_dict("records")``), when the caller has them already (kept as
        :attr:`records`; the pass adds its own keys to them).
    """

    def __init__(self, places: pd.DataFrame, baseline: pd.DataFrame, claims: pd.DataFrame,
                 rules: Mapping[str, Rule], window: int = CONFLICT_WINDOW_DAYS,
                 neighbours: Neighbours | None = None, listed: set[str] | None = None, start: date | None = None,
                 records: list[dict] | None = None):
        self.places, self.rules, self.window = places, rules, window
        self.base_state: dict[str, State] = {}
        self.start = start if start is not None else min(baseline["day"]) if len(baseline) else None
        for rec in baseline.itertuples(index=False):
            self.base_state[rec.place_id] = State(rec.side, rec.status, opt(rec.other_side), rec.day)
        if self.start is None:
            self.start = min((d for d in claims["date"] if d is not None), default=date.today())
        self.base_day = {pid: s.since for pid, s in self.base_state.items()}
        self.major = major_places(places)
        self.neighbours = neighbours if neighbours is not None else Neighbours(
            places[places.index.isin(list(self.base_state))] if self.base_state else places)
        self.state: dict[str, State] = dict(self.base_state)
        # place -> the side ringing the pocket it lies in on the baseline's map: that side is at its edge
        self.ring: dict[str, str] = encircled(self.neighbours, {p: s.side for p, s in self.base_state.items()})
        self._parts: dict[str, list[str]] = {}
        # (claim, town) -> the town's state before the claim: a part is judged against the town as it was
        self._town_before: dict[tuple[str, str], State] = {}
        self._fields: dict[str, tuple[Any, Any] | None] = {}
        self.log: dict[str, PlaceLog] = {}
        # where the pass is (:meth:`live_key`): each output row keeps it (:class:`Rows`)
        self.position: tuple = ()
        self.events: Rows = Rows(self)
        self.outcomes: Rows = Rows(self)
        self.conflicts: Rows = Rows(self)
        self.proximity: Rows = Rows(self)
        self.evidence: Rows = Rows(self)  # (place, day, claim id): what a state's age is read from
        # the last day a report (or the baseline) spoke of each place: the age of what is known there
        self.heard: dict[str, date] = {pid: d for pid, d in self.base_day.items() if d is not None}
        # place -> side -> the last day a report by or for that side spoke of the place (not the baseline)
        self.backed: dict[str, dict[str, date]] = {}
        # place -> side -> source -> the last day that source spoke for the side there (a well-attested holder)
        self.attested: dict[str, dict[str, dict[str, date]]] = {}
        # place -> side -> the last day a report put that side at the place's edge (near it, advancing, besieging)
        self.at_edge: dict[str, dict[str, date]] = {}
        self._timers: list[tuple[date, int, str]] = []
        self._timer_at: dict[int, tuple] = {}  # timer token -> the position of the claim that set it
        self._tokens = 0
        self.records: list[dict] = records if records is not None else claim_rows(claims)
        self._run(claims, listed)

    # ------------------------------------------------------------ classification
    def skip_reason(self, c: Mapping[str, Any], listed: set[str]) -> str | None:
        """Why a claim changes no control, or None when it is evidence about a settlement (a side's own fire on a
        place other than a major one is read in the pass: :meth:`_own_fire`)."""
        if c["action"] in OWN_FIRE_ACTIONS:
            if self._skip_reason(c, listed) is not None or c["place_id"] in self.major:
                return "context action: changes no control"
            return None
        if c["action"] not in vocab.TERRITORIAL:
            return "context action: changes no control"
        return self._skip_reason(c, listed)

    def _skip_reason(self, c: Mapping[str, Any], listed: set[str]) -> str | None:
        if c["status"] != "asserted":
            return f"{c['status']} claim: never changes control"
        if c["side"] is None:
            return f"actor {c['actor']!r} holds no ground"
        if c["place_id"] is None or c["place_precision"] == "region":
            return "region-level or unresolved place: changes no settlement by itself"
        pid = c["place_id"]
        known = self._place_fields(pid)
        if known is None:
            return "place not in the gazetteer"
        feature, country = known
        if str(pid).startswith("adm:") or feature in REGION_PRECISIONS:
            return "the place is an administrative area: changes no settlement by itself"
        if isinstance(country, str) and country not in ("SY", "Syria"):
            return "place outside Syria"
        if c["date"] is None:
            return "no date"
        if c["date"] < self.base_day.get(pid, self.start):
            return "before the baseline: kept in the history, does not overrule it"
        if pid in self.major and c["action"] != "proximity":
            if c["claim_id"] in listed:
                return "a list or region-wide phrase: never moves a major place"
            if not named_in_clause(c):
                return "the clause does not name the major place (it came from the context)"
        return None

    def _place_fields(self, pid: str) -> tuple[Any, Any] | None:
        """A place's feature type and country (None when the place is unknown), looked up once per place."""
        if pid not in self._fields:
            places = self.places
            self._fields[pid] = None if pid not in places.index else (
                places.at[pid, "feature_type"], places.at[pid, "country"] if "country" in places else "SY")
        return self._fields[pid]

    def parts_of(self, pid: str) -> list[str]:
        """The points the map draws apart from a settlement that a report naming it means too: a city's districts
        (named '... district' or of feature ``neighbourhood``, within :data:`CITY_DISTRICT_KM`), and any point named
        after it within :data:`NAMED_PART_KM` (its crossing, silos, airport, or a second record of the same town)."""
        if pid in self._parts:
            return self._parts[pid]
        out: list[str] = []
        places = self.places
        if pid in self.neighbours.index and {"lat", "lon", "name_en"} <= set(places.columns):
            i = self.neighbours.index[pid]
            near = [self.neighbours.ids[j] for j in self.neighbours.near[i]]
            x0, y0 = self.neighbours.x[i], self.neighbours.y[i]
            own = _name_words(places.at[pid, "name_en"])
            if sum(len(w) for w in own) < 3:
                own = []  # too short a name ("Tal", "Deir") to say a point is named after this place
            is_city = places.at[pid, "feature_type"] == "city" if "feature_type" in places else False
            for q in near:
                j = self.neighbours.index[q]
                km = np.hypot(self.neighbours.x[j] - x0, self.neighbours.y[j] - y0)
                name = places.at[q, "name_en"] if q in places.index else None
                district = is_city and km <= CITY_DISTRICT_KM and (
                    str(places.at[q, "feature_type"]) == "neighbourhood" or bool(_DISTRICT_NAME.search(str(name or ""))))
                if district or (km <= NAMED_PART_KM and own and _contains(_name_words(name), own)):
                    out.append(q)
        self._parts[pid] = out
        return out

    # ------------------------------------------------------------ the pass
    def live_key(self, c: Mapping[str, Any]) -> tuple:
        """The order of the pass: date order across places (the ground around a place is read as it stands that
        day); on one day, villages before major places (a city's capture is judged with its villages' changes of
        that day)."""
        return (c["date"], c["place_id"] in self.major, c["rank"], c["reported"] or c["date"], c["claim_id"],
                c["place_id"])

    def _run(self, claims: pd.DataFrame, listed: set[str] | None = None) -> None:
        if listed is None:
            listed = listed_claims(claims, province_names(self.places))
        live: list[dict] = []
        first: dict[str, tuple] = {}  # place -> where its first live claim came in the claims
        for c in self.records:
            self.position = (0, c["claim_id"])
            c = loser_phrasing(c)
            reason = self.skip_reason(c, listed)
            if reason is not None:
                reason = sys.intern(reason)  # one text for every claim skipped for the same reason
                self._outcome(c, "ignored", reason)
                if reason.startswith("before the baseline"):
                    self.events.append(make_event(c["place_id"], c["date"], c["reported"], UNKNOWN, UNKNOWN, [c],
                                                  applied=False, note=reason))
                continue
            c["rank"] = ACTION_RANK.get(c["action"], 9)
            c["holder"] = self.rules[c["action"]].holder(c) if c["action"] in self.rules else None
            live.append(c)
            first.setdefault(c["place_id"], (c["claim_id"], 0))
            if c["action"] == "capture":
                # taking a town takes its parts: reports name the town, the map draws its districts apart
                for k, did in enumerate(self.parts_of(c["place_id"]), 1):
                    if c["date"] >= self.base_day.get(did, self.start):
                        live.append(with_values(c, place_id=did, part_of=c["place_id"]))
                        first.setdefault(did, (c["claim_id"], k))
        by_place: dict[str, list[dict]] = {}
        for c in live:
            by_place.setdefault(c["place_id"], []).append(c)
        self.marks: dict[tuple[str, str], str] = {}
        for pid, cs in by_place.items():
            self.position = (1, *first[pid])
            cs.sort(key=lambda c: (c["date"], c["reported"] or c["date"], c["rank"], c["claim_id"]))
            for cid, mark in self.find_conflicts(pid, cs, self.base_state.get(pid, UNKNOWN)).items():
                self.marks[(pid, cid)] = mark
        self._members = by_place
        live.sort(key=self.live_key)
        for c in live:
            self._fire_timers(before=c["date"])
            self.position = (2, c["date"], 0, self.live_key(c))
            self._apply(c)
        self._fire_timers(before=None)
        self._settle_conflicts()

    def _outcome(self, c: Mapping[str, Any], outcome: str, reason: str, event: dict | None = None) -> dict:
        row = {"claim_id": c["claim_id"], "place_id": c["place_id"], "outcome": outcome, "reason": sys.intern(reason),
               "event_id": event["event_id"] if event else None}
        self.outcomes.append(row)
        if outcome in ("applied", "no change", "conflict") and c.get("place_id") is not None:
            pid, day = c["place_id"], c["date"]
            self.evidence.append((pid, day, c["claim_id"]))
            self.heard[pid] = max(day, self.heard.get(pid, day))
            for side in {c.get("side"), c.get("holder")} - {None}:
                backed = self.backed.setdefault(pid, {})
                backed[side] = max(day, backed.get(side, day))
                by_source = self.attested.setdefault(pid, {}).setdefault(side, {})
                src = source_identity(c)
                by_source[src] = max(day, by_source.get(src, day))
        return row

    def _apply(self, c: dict) -> None:
        try:
            self._apply_rules(c)
        finally:  # a report putting a side at the place's edge counts for the claims after it, not for itself
            if c["action"] in ("proximity", "advance", "siege") and (
                    c["action"] != "proximity" or c.get("distance_km") is None or c["distance_km"] <= NEAR_KM):
                edge = self.at_edge.setdefault(c["place_id"], {})
                edge[c["side"]] = max(c["date"], edge.get(c["side"], c["date"]))

    def _apply_rules(self, c: dict) -> None:
        pid = c["place_id"]
        log = self.log.setdefault(pid, PlaceLog())
        state = self.state.get(pid, UNKNOWN)
        mark = self.marks.get((pid, c["claim_id"]))
        if c["action"] == "proximity":
            self.proximity.append(c)
        if mark == "overruled":
            self._outcome(c, "overruled", "outweighed in a conflict")
            return
        if mark and mark.startswith("unsettled:"):
            self._unsettled(c, pid, mark, log, state)
            return
        if c["action"] in OWN_FIRE_ACTIONS:
            self._own_fire(c, pid, state, log)
            return
        if c.get("part_of") is None and self._parts.get(pid):
            self._town_before[(c["claim_id"], pid)] = state
        elif c.get("part_of") is not None and self._other_sides_pocket(c, state):
            self._outcome(c, "no change", f"a pocket of {state.side} inside {c['part_of']}, which {state.side} does "
                          "not hold: a report on the town does not speak of it", log.last)
            return
        rule = self.rules.get(c["action"])
        if c["action"] == "siege" and state.side != c["side"]:
            lost = log.lost.get(c["side"])
            if lost is not None and (c["date"] - lost).days <= GROUND_FRESH_DAYS:
                self._outcome(c, "no change", f"{c['side']} was driven from the place on {lost}: a siege by the "
                              "side just driven out is a look back, not news", log.last)
                return
            if not self._fresh_near(pid, c["side"], c["date"]):
                self._outcome(c, "no change", f"{c['side']} was not reported around the place in the last "
                              f"{GROUND_FRESH_DAYS} days: a siege needs the besieger there", log.last)
                return
        if c["action"] == "withdraw" and c.get("opponent") in (None, "") and state.side == c["side"]:
            # loser phrasing without the winner: the place goes to the side holding the ground around it
            around = self._taker_around(pid, c["side"], c["date"])
            if around is not None:
                c = with_values(c, opponent=around, note=f"to {around}, which holds the ground around it")
        new = rule.apply(state, c) if rule is not None else None
        if new is not None and new.status == "held" and c["action"] in _GAIN_ACTIONS and (
                new.side != state.side or state.status == "claimed"):
            self.gain(c, pid, state, new, log)
            return
        if new is None or new.key() == state.key():
            why = "confirms the current state" if new is not None else "no change under the rule"
            self._outcome(c, "no change", why, log.last)
            return
        self._change(c, pid, state, new, log, [c], c.get("note", ""))

    def _own_fire(self, c: dict, pid: str, state: State, log: PlaceLog) -> None:
        """A side (or its ally) attacking or striking a place it was reported taking within
        :data:`UNFINISHED_DAYS`, on a later day: the enemy is still in it, so the capture was not complete; the place
        goes back to the side it was taken from, contested by the taker. Any other fire changes nothing."""
        taken = [(d, s) for s, d in log.lost.items() if not vocab.allied(s, state.side) and s != "unknown"]
        if state.status in ("held", "claimed") and vocab.allied(state.side, c["side"]) and taken:
            day, loser = max(taken)
            if day < c["date"] <= day + timedelta(days=UNFINISHED_DAYS):
                self._change(c, pid, state, State(loser, "contested", state.side), log, [c],
                             f"{state.side} still fighting for the place it was reported taking on {day}: "
                             "the capture was not complete")
                return
        self._outcome(c, "ignored", "context action: changes no control")

    def _other_sides_pocket(self, c: Mapping[str, Any], state: State) -> bool:
        """Whether the part ``c`` reaches is held by a side other than the town's sides (holder, or the side
        contesting or besieging it) before the claim, and the claim does not say all of the town changed: a pocket
        (IS's Yarmouk inside government Damascus) that a report on the town does not speak of."""
        town = c["part_of"]
        before = self._town_before.get((c["claim_id"], town), self.state.get(town, UNKNOWN))
        if state.side in ("unknown", before.side) or before.side == "unknown" or vocab.allied(state.side, c["side"]):
            return False
        if any(vocab.allied(state.side, s) for s in (before.side, before.other_side) if s):
            return False
        return claim_scope(c) != "whole"

    # ------------------------------------------------------------ evidence for a gain
    def gain(self, c: dict, pid: str, state: State, new: State, log: PlaceLog) -> None:
        """Apply a claim that ``new.side`` holds ``pid`` with the evidence it needs (see the module docstring)."""
        side = new.side
        major = pid in self.major
        if log.claimed is not None and log.claimed.side == side and state.status == "claimed":
            if any(independent(x, c) for x in log.claimed.claims):
                claims = log.claimed.claims + [c]
                log.claimed = None
                self._change(c, pid, state, State(side, "held"), log, claims, "corroborated by an independent report")
            else:
                log.claimed.claims.append(c)
                self._outcome(c, "no change", "the same source again: awaits an independent report", log.last)
            return
        if state.side == side and state.status in ("held", "contested", "besieged"):
            if new.key() == state.key():
                self._outcome(c, "no change", "confirms the current state", log.last)
            else:
                self._change(c, pid, state, new, log, [c], c.get("note", ""))
            return
        last = log.last
        if c["action"] == "capture" and last is not None and last["day"] == c["date"] and last["applied"] and \
                "withdraw" in last["action"].split("+") and last["from_side"] not in (side, "unknown") and \
                (c.get("quote") or "") in last["quotes"]:
            # "IS lost Al-Qa'im and Abu Kamal" (to the army): the holder's own loss, in the same words, is the
            # evidence a far or major gain otherwise waits for
            self._change(c, pid, state, State(side, "held", None), log, [c], "the holder's loss, said in the same words")
            return
        fresh = c["action"] == "withdraw" or not major or self._fresh_near(pid, side, c["date"])
        prior = state if state.status != "claimed" else (log.claimed.prior if log.claimed else state)
        doubted = self._doubted(c, pid, prior.side, side)
        if fresh and trusted(c, side) and not doubted:
            self._change(c, pid, state, State(side, "held", None), log, [c],
                         c.get("note", "") or "source trusted for this side")
            return
        near = fresh and (c["action"] == "withdraw" or self.neighbours.side_near(pid, side, self.state))
        backed = self.backed.get(pid, {}).get(prior.side)
        holder_fresh = prior.side != side and backed is not None and (c["date"] - backed).days <= HOLDER_FRESH_DAYS
        if not near or holder_fresh or doubted:
            # far from the side's ground and not from a trusted source: a second, independent report must say it
            earlier = [w for w in log.waiting if w["holder_side"] == side and (c["date"] - w["date"]).days
                       <= CONFIRM_DAYS and independent(w, c)]
            if earlier:
                log.waiting = [w for w in log.waiting if w not in earlier]
                self._change(c, pid, state, State(side, "held"), log, earlier + [c],
                             "far from the side's ground: corroborated by an independent report")
                for w in earlier:
                    w["_outcome"].update(outcome="applied", reason="corroborated later",
                                         event_id=log.last["event_id"] if log.last else None)
                return
            c["holder_side"] = side
            why = (f"a claim of low confidence against {prior.side}, reported holding the place by "
                   f"{ATTESTED_SOURCES} or more sources" if doubted and near and trusted(c, side) else
                   f"{prior.side} was reported holding the place on {backed}, and the source is not trusted for "
                   f"{side}" if near else
                   f"{side} was not reported near this major place in the last {GROUND_FRESH_DAYS} days"
                   if major else f"{side} holds no ground near the place and the source is not trusted for it")
            c["_outcome"] = self._outcome(c, "pending", f"{why}: awaits an independent report", log.last)
            log.waiting.append(c)
            return
        self._tokens += 1
        log.claimed = Claimed(side, c["date"], [c], prior, major, self._tokens)
        self._change(c, pid, state, State(side, "claimed", prior.side), log, [c],
                     "claimed: stands unless contradicted")
        heapq.heappush(self._timers, (c["date"] + timedelta(days=CONFIRM_DAYS), self._tokens, pid))
        self._timer_at[self._tokens] = self.position

    def _doubted(self, c: Mapping[str, Any], pid: str, holder: str, side: str) -> bool:
        """Whether a gain is a lone claim of low confidence (:data:`LOW_CONFIDENCE`) against a holder that
        :data:`ATTESTED_SOURCES` independent sources reported there within :data:`HOLDER_FRESH_DAYS`."""
        conf = c.get("confidence")
        if conf is None or pd.isna(conf) or float(conf) >= LOW_CONFIDENCE or holder == side or \
                c["action"] == "withdraw":
            return False
        since = c["date"] - timedelta(days=HOLDER_FRESH_DAYS)
        sources_there = self.attested.get(pid, {}).get(holder, {})
        return sum(1 for d in sources_there.values() if d >= since) >= ATTESTED_SOURCES

    def _fresh_near(self, pid: str, side: str, day: date) -> bool:
        """Whether ``side`` holds a place near ``pid`` that a report spoke of within :data:`GROUND_FRESH_DAYS`, or a
        report put it at the place's edge (near it, advancing into it, besieging it) within that time, or ``pid``
        lay in a pocket ``side`` rings on the baseline's map (:func:`~tracker.control.graph.encircled`)."""
        since = day - timedelta(days=GROUND_FRESH_DAYS)
        if any(vocab.allied(s, side) and d >= since for s, d in self.at_edge.get(pid, {}).items()):
            return True
        if vocab.allied(self.ring.get(pid), side):
            return True  # a pocket's ring is its besieger's ground, however long since a report named it
        fresh = {p: s for p in [pid, *self.neighbours.near_ids(pid)]
                 if (s := self.state.get(p)) is not None and self.heard.get(p, date.min) >= since}
        return self.neighbours.side_near(pid, side, fresh) if fresh else False

    def _taker_around(self, pid: str, loser: str, day: date) -> str | None:
        """Who takes a place its holder ``loser`` left without a winner named: the side pressing it (the one a
        report put at its edge, or on ground touching it, most recently within :data:`GROUND_FRESH_DAYS`), else
        the side holding most of the cells around it. A place by a river or a front line touches the cells of a
        side that is not fighting for it; the side the reports speak of there is the one that came."""
        since = day - timedelta(days=GROUND_FRESH_DAYS)
        latest: dict[str, date] = {s: d for s, d in self.at_edge.get(pid, {}).items()
                                   if d >= since and not vocab.allied(s, loser)}
        for q in self.neighbours.touching_ids(pid):
            st, heard = self.state.get(q), self.heard.get(q)
            if st is None or heard is None or heard < since or st.side in ("unknown", loser) or \
                    heard <= self.base_day.get(q, date.min):
                continue
            latest[st.side] = max(heard, latest.get(st.side, heard))
        if latest:
            return max(sorted(latest), key=lambda s: latest[s])
        return self.neighbours.side_around(pid, self.state, exclude={loser})

    def _fire_timers(self, before: date | None) -> None:
        """Settle the claimed gains whose wait ended before ``before`` (all of them for None)."""
        while self._timers and (before is None or self._timers[0][0] < before):
            day, token, pid = heapq.heappop(self._timers)
            # after every claim of its day, before any later one, in the order the timers were set
            self.position = (2, day, 1, self._timer_at.pop(token))
            log = self.log.get(pid)
            state = self.state.get(pid, UNKNOWN)
            if log is None or log.claimed is None or log.claimed.token != token or state.status != "claimed":
                continue
            claimed, log.claimed = log.claimed, None
            first = claimed.claims[0]
            new = State(claimed.side, "held")
            note = f"uncontradicted for {CONFIRM_DAYS} days"
            ev = make_event(pid, day, first["reported"], state, new, claimed.claims, note=note)
            log.last = self._append(ev, log.last)
            self.state[pid] = State(new.side, new.status, new.other_side)

    # ------------------------------------------------------------ changes and conflicts
    def _change(self, c: dict, pid: str, state: State, new: State, log: PlaceLog, claims: list[dict],
                note: str) -> None:
        ev = make_event(pid, c["date"], c["reported"], state, new, claims, note=note)
        log.last = self._append(ev, log.last)
        if new.side != state.side and state.side != "unknown":
            log.lost[state.side] = c["date"]
        if state.other_side and state.status in ("besieged", "contested") and new.other_side != state.other_side:
            log.lost[state.other_side] = c["date"]  # the attacker's siege or fight there ended
        self.state[pid] = State(new.side, new.status, new.other_side)
        if new.status != "claimed" and log.claimed is not None and log.claimed.side != new.side:
            log.claimed = None  # contradicted: the pending claim is settled by what came after it
        self._outcome(c, "applied", c["action"] if not note else f"{c['action']}: {note}", log.last)

    def _unsettled(self, c: dict, pid: str, mark: str, log: PlaceLog, state: State) -> None:
        cid = mark.split(":", 1)[1]
        if cid in log.handled_conflicts:
            self._outcome(c, "conflict", "part of an unsettled conflict", log.last)
            return
        log.handled_conflicts.add(cid)
        conflict = next(x for x in self.conflicts if x["conflict_id"] == cid)
        members = [x for x in self._members[pid] if self.marks.get((pid, x["claim_id"])) == mark]
        sides = list(dict.fromkeys(x["holder"] for x in sorted(members, key=lambda x: -x.get("weight", 0))))
        holder = state.side if state.side in sides else sides[0]
        other = next(s for s in sides if s != holder)
        new = State(holder, "contested", other)
        ev = make_event(pid, c["date"], min(x["reported"] or x["date"] for x in members), state, new, members,
                        note=f"conflict {cid}: contested until settled")
        log.last = self._append(ev, log.last)
        self.state[pid] = new
        log.claimed = None
        for x in members:
            self._outcome(x, "conflict", "part of an unsettled conflict", log.last)
        conflict["event_id"] = log.last["event_id"]

    def find_conflicts(self, pid: str, claims: list[dict], base: State) -> dict[str, str]:
        """Find and weigh conflicts among one place's claims; returns claim_id -> 'overruled' | 'unsettled:<cid>'.

        Claims asserting different holders within the window conflict unless a sequence explains them (the later
        claim both happened and was reported later). Each side's weight is the sum, over the reports that say it,
        of the report's heaviest claim (:func:`~tracker.control.evidence.claim_weight`: a report repeating itself is
        still one piece of evidence); one side outweighing the next by the ``dominance``
        ratio wins, else the place is contested until a later claim settles it. Every conflict is recorded.
        """
        asserting = [c for c in claims if c["holder"] is not None]
        pairs = []
        for i, a in enumerate(asserting):
            for j in range(i + 1, len(asserting)):
                b = asserting[j]
                if (b["date"] - a["date"]).days > self.window:
                    break
                if vocab.allied(a["holder"], b["holder"]):
                    continue
                sequence = b["date"] > a["date"] and (b["reported"] or b["date"]) > (a["reported"] or a["date"])
                if not sequence:
                    pairs.append((i, j))
        marks: dict[str, str] = {}
        dominance = sources()["factors"]["dominance"]
        for idx in groups(len(asserting), pairs):
            members = [asserting[i] for i in idx]
            holders = {c["holder"] for c in members}
            if len(holders) < 2:
                continue
            best: dict[tuple[str, Any], float] = {}  # one report is one piece of evidence, however often it repeats
            for c in members:
                loser = base.side if base.side != c["holder"] else None
                c["weight"] = claim_weight(c, loser)
                key = (c["holder"], c.get("report_id"))
                best[key] = max(best.get(key, 0.0), c["weight"])
            weights: dict[str, float] = {}
            for (holder, _), w in best.items():
                weights[holder] = weights.get(holder, 0.0) + w
            ranked = sorted(weights.items(), key=lambda kv: -kv[1])
            (top, w1), (_, w2) = ranked[0], ranked[1]
            ids = [c["claim_id"] for c in members]
            cid = hashlib.sha1(f"{pid}|{','.join(ids)}".encode()).hexdigest()[:16]
            settled = w1 >= dominance * w2
            self.conflicts.append({
                "conflict_id": cid, "place_id": pid, "day_from": min(c["date"] for c in members),
                "day_to": max(c["date"] for c in members), "sides": [c["holder"] for c in members],
                "claim_ids": ids, "weights": [round(c["weight"], 4) for c in members],
                "resolution": "weighed" if settled else "contested until settled",
                "winner": top if settled else None, "settled_on": None,
            })
            for c in members:
                if settled and c["holder"] != top:
                    marks[c["claim_id"]] = "overruled"
                elif not settled:
                    marks[c["claim_id"]] = f"unsettled:{cid}"
        return marks

    def _settle_conflicts(self) -> None:
        by_place: dict[str, list[date]] = {}
        for e in self.events:
            if e["applied"] and not e["note"].startswith("conflict"):
                by_place.setdefault(e["place_id"], []).append(e["day"])
        for conflict in self.conflicts:
            after = [d for d in by_place.get(conflict["place_id"], []) if d > conflict["day_to"]]
            conflict["settled_on"] = min(after) if after else None
            conflict.pop("event_id", None)

    def _append(self, ev: dict, last: dict | None) -> dict:
        """Store an applied event; one place's events on one day merge into one (the last state wins)."""
        if last is not None and last["day"] == ev["day"] and last["applied"] and not last["inferred"]:
            last.update(to_side=ev["to_side"], to_status=ev["to_status"], other_side=ev["other_side"],
                        action=last["action"] + "+" + ev["action"],
                        claim_ids=last["claim_ids"] + [i for i in ev["claim_ids"] if i not in last["claim_ids"]],
                        quotes=last["quotes"] + [q for i, q in zip(ev["claim_ids"], ev["quotes"])
                                                 if i not in last["claim_ids"]],
                        confidence=max(last["confidence"], ev["confidence"]),
                        note=(last["note"] + "; " + ev["note"]).strip("; "))
            return last
        self.events.append(ev)
        return ev

