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

import bisect
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from tracker import vocab
from tracker.records import Claim

#: Claims about one place asserting different holders within this many days conflict (unless a sequence
#: explains them: the later one both happened and was reported later).
CONFLICT_WINDOW_DAYS: int = 3
#: Width (km) of the corridor between an actor's nearest held place and the place it is near, in which
#: places may become ``inferred`` for it.
APPROACH_CORRIDOR_KM: float = 3.0
#: An approach longer than this (km) infers nothing: the nearest held place is not where the force came from.
MAX_APPROACH_KM: float = 60.0
#: Sides that act for a holding side (they rarely hold ground themselves): the reason is in docs/control-model.md.
ACTING_FOR: dict[str, str] = {"russia": "government", "pmf": "government", "coalition": "sdf"}
#: Order of actions reported for one place on one day: the stronger claim is applied last.
_ACTION_RANK = {"proximity": 0, "siege": 1, "advance": 2, "withdraw": 3, "capture": 4}
_REGION_PRECISIONS = frozenset({"subdistrict", "district", "governorate", "region"})
#: A city's districts (separate map points, reports name only the city) lie within this many km of its point.
CITY_DISTRICT_KM: float = 3.5
_DISTRICT_NAME = re.compile(r"\bdistrict\b|\bneighbou?rhood\b", re.IGNORECASE)
_OPEN = np.iinfo(np.int64).max  # valid_to of an open interval, in day numbers

EVENT_COLUMNS = ("event_id", "place_id", "day", "reported", "from_side", "from_status", "to_side", "to_status",
                 "other_side", "action", "claim_ids", "quotes", "confidence", "date_precision", "inferred",
                 "applied", "note")
INTERVAL_COLUMNS = ("place_id", "side", "status", "other_side", "valid_from", "valid_to", "inferred", "event_id",
                    "claim_ids")
CONFLICT_COLUMNS = ("conflict_id", "place_id", "day_from", "day_to", "sides", "claim_ids", "weights",
                    "resolution", "winner", "settled_on")
OUTCOME_COLUMNS = ("claim_id", "place_id", "outcome", "reason", "event_id")


@dataclass(frozen=True)
class State:
    """A place's control on a day: ``side`` (holder), ``status`` and the other side of a contest or siege."""

    side: str = "unknown"
    status: str = "unknown"
    other_side: str | None = None
    since: date | None = None
    claim_ids: tuple[str, ...] = ()
    inferred: bool = False

    def key(self) -> tuple[str, str, str | None]:
        return (self.side, self.status, self.other_side)


UNKNOWN = State()


# ---------------------------------------------------------------- rules
class Rule:
    """The effect of one territorial action. Subclasses override :meth:`apply` (the one hook)."""

    action: str = ""

    def apply(self, state: State, claim: Mapping[str, Any]) -> State | None:
        """The place's new state after ``claim``, or None for no change.

        Parameters
        ----------
        state
            The place's state before the claim.
        claim
            The claim record; ``claim["side"]`` is the acting side (after :data:`ACTING_FOR`).
        """
        raise NotImplementedError

    def holder(self, claim: Mapping[str, Any]) -> str | None:
        """The side the claim says holds the place afterwards (whatever held it before), if it says one."""
        new = self.apply(UNKNOWN, claim)
        return new.side if new is not None and new.status == "held" else None


class CaptureRule(Rule):
    """Capture of P by A on day d: P is held by A from d."""

    action = "capture"

    def apply(self, state, claim):
        return State(claim["side"], "held")


class AdvanceRule(Rule):
    """Advance of A into P: P is contested between A and its holder (no change when A already holds it)."""

    action = "advance"

    def apply(self, state, claim):
        if state.side == claim["side"] and state.status in ("held", "contested", "besieged"):
            return None
        return State(state.side, "contested", claim["side"])


class SiegeRule(Rule):
    """Siege of P by A: P keeps its holder and is besieged by A (A besieging its own place is no change)."""

    action = "siege"

    def apply(self, state, claim):
        if state.side == claim["side"]:
            return None
        return State(state.side, "besieged", claim["side"])


class WithdrawRule(Rule):
    """Withdrawal of A from P: P passes to the named opponent, else it is contested."""

    action = "withdraw"

    def apply(self, state, claim):
        opponent = _side_of(claim.get("opponent"))
        if opponent and opponent != claim["side"]:
            return State(opponent, "held")
        holder = state.side if state.side != "unknown" else claim["side"]
        return State(holder, "contested", None if holder == claim["side"] else claim["side"])


class ProximityRule(Rule):
    """A is x km from P: P itself does not change (places on the approach may be inferred, see :class:`Timeline`)."""

    action = "proximity"

    def apply(self, state, claim):
        return None


DEFAULT_RULES: dict[str, Rule] = {r.action: r for r in
                                  (CaptureRule(), AdvanceRule(), SiegeRule(), WithdrawRule(), ProximityRule())}


# ---------------------------------------------------------------- sources and weights
def _sources() -> dict[str, Any]:
    return vocab.data_file("sources.toml")


@lru_cache(maxsize=4096)
def source_profile(text: str | None) -> tuple[str | None, str, float]:
    """(source key, side it speaks for or '', base weight) for an attribution or report source text."""
    conf = _sources()
    if text:
        for key, entry in conf["sources"].items():
            for alias in entry["aliases"]:
                if re.search(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", text, re.IGNORECASE):
                    return key, entry.get("side", ""), float(entry.get("weight", 1.0))
    return None, "", float(conf["default"]["weight"])


def claim_weight(claim: Mapping[str, Any], loser: str | None) -> float:
    """Weight of a claim in a conflict: source weight x claim confidence, less for a partisan claiming its
    own side's gain, more for a partisan admitting its own side's loss (``loser`` lost the place)."""
    factors = _sources()["factors"]
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


# ---------------------------------------------------------------- inputs
def _side_of(actor: Any) -> str | None:
    if actor is None or (isinstance(actor, float) and np.isnan(actor)):
        return None
    actor = str(actor)
    actor = ACTING_FOR.get(actor, actor)
    return actor if actor in vocab.sides() and actor != "unknown" else None


def _opt(value: Any) -> Any:
    """None for a missing value (pandas gives NaN)."""
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _to_date(value: Any) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # datetime -> date
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


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
    df["date"] = [_to_date(v) for v in df["date"]]
    df["published"] = [_to_date(v) for v in df["published"]]
    # report time: the report's publication date; chronicles have none, so their sentence's own date
    df["reported"] = [p if p is not None else d for p, d in zip(df["published"], df["date"])]
    df["side"] = [_side_of(a) for a in df["actor"]]
    return df.reset_index(drop=True)


def _day_number(d: date | str | None) -> int:
    if d is None:
        return _OPEN
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    elif isinstance(d, pd.Timestamp):
        d = d.date()
    return d.toordinal()


def _as_date(d: date | str | pd.Timestamp) -> date:
    if isinstance(d, str):
        return date.fromisoformat(d[:10])
    if isinstance(d, pd.Timestamp):
        return d.date()
    return d if type(d) is date else d.date()


# ---------------------------------------------------------------- the fold
class _Fold:
    """One pass over the claims: events, intervals, conflicts and outcomes (used by :class:`Timeline`)."""

    def __init__(self, places: pd.DataFrame, baseline: pd.DataFrame, claims: pd.DataFrame,
                 rules: Mapping[str, Rule], infer: bool, window: int):
        self.places, self.rules, self.infer, self.window = places, rules, infer, window
        self.base_state: dict[str, State] = {}
        self.start = min(baseline["day"]) if len(baseline) else None
        for rec in baseline.itertuples(index=False):
            other = _opt(rec.other_side)
            self.base_state[rec.place_id] = State(rec.side, rec.status, other, rec.day)
        if self.start is None:
            self.start = min((d for d in claims["date"] if d is not None), default=date.today())
        self.base_day = {pid: s.since for pid, s in self.base_state.items()}
        self.events: list[dict] = []
        self.outcomes: list[dict] = []
        self.conflicts: list[dict] = []
        self.inferred_events: list[dict] = []
        self._run(claims)

    # -- classification
    def _skip_reason(self, c: Mapping[str, Any]) -> str | None:
        if c["action"] not in vocab.TERRITORIAL:
            return "context action: changes no control"
        if c["status"] != "asserted":
            return f"{c['status']} claim: never changes control"
        if c["side"] is None:
            return f"actor {c['actor']!r} holds no ground"
        if c["place_id"] is None or c["place_precision"] == "region":
            return "region-level or unresolved place: changes no settlement"
        if c["place_id"] not in self.places.index:
            return "place not in the gazetteer"
        if str(c["place_id"]).startswith("adm:") or self.places.at[c["place_id"], "feature_type"] in _REGION_PRECISIONS:
            return "the place is an administrative area: changes no settlement"
        country = self.places.at[c["place_id"], "country"] if "country" in self.places else "SY"
        if isinstance(country, str) and country not in ("SY", "Syria"):
            return "place outside Syria"
        if c["date"] is None:
            return "no date"
        if c["date"] < self.base_day.get(c["place_id"], self.start):
            return "before the baseline: kept in the history, does not overrule it"
        return None

    def _districts(self) -> dict[str, list[str]]:
        """City place id -> the districts drawn apart from it: points named '... district' or of feature
        ``neighbourhood`` within :data:`CITY_DISTRICT_KM` of the city's point."""
        places = self.places
        if not {"lat", "lon", "feature_type", "name_en"} <= set(places.columns):
            return {}
        pts = places[places["lat"].notna() & (places.get("coord_precision", "point") == "point")]
        is_district = (pts["feature_type"].eq("neighbourhood")
                       | pts["name_en"].fillna("").str.contains(_DISTRICT_NAME))
        districts = pts[is_district]
        out: dict[str, list[str]] = {}
        if districts.empty:
            return out
        for pid, row in pts[pts["feature_type"].eq("city")].iterrows():
            x, y = _local_km(districts["lat"].to_numpy(float), districts["lon"].to_numpy(float), row["lat"], row["lon"])
            near = districts.index[np.hypot(x, y) <= CITY_DISTRICT_KM]
            if len(near):
                out[pid] = list(near)
        return out

    def _run(self, claims: pd.DataFrame) -> None:
        live: dict[str, list[dict]] = {}
        districts: dict[str, list[str]] | None = None
        for c in claims.to_dict("records"):
            reason = self._skip_reason(c)
            if reason is None:
                c["rank"] = _ACTION_RANK.get(c["action"], 9)
                live.setdefault(c["place_id"], []).append(c)
                if c["action"] == "capture" and self.places.at[c["place_id"], "feature_type"] == "city":
                    # taking a city takes its districts: reports name the city, the map draws its districts
                    districts = self._districts() if districts is None else districts
                    for did in districts.get(c["place_id"], ()):
                        if c["date"] >= self.base_day.get(did, self.start):
                            live.setdefault(did, []).append({**c, "place_id": did})
            else:
                self.outcomes.append({"claim_id": c["claim_id"], "place_id": c["place_id"], "outcome": "ignored",
                                      "reason": reason, "event_id": None})
                if reason.startswith("before the baseline"):
                    self.events.append(self._event(c["place_id"], c["date"], c["reported"], UNKNOWN, UNKNOWN, [c],
                                                   applied=False, note=reason))
        self.proximity: list[dict] = []
        for pid in sorted(live):
            self._fold_place(pid, sorted(live[pid], key=lambda c: (c["date"], c["reported"] or c["date"],
                                                                    c["rank"], c["claim_id"])))

    @staticmethod
    def _event(pid, day, reported, old: State, new: State, claims: list[dict], applied=True,
               inferred=False, note="") -> dict:
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

    def _conflicts(self, pid: str, claims: list[dict], base: State) -> dict[str, str]:
        """Find and weigh conflicts among one place's claims; returns claim_id -> 'overruled' | 'unsettled:<cid>'."""
        asserting = [c for c in claims if c["holder"] is not None]
        parent = list(range(len(asserting)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, a in enumerate(asserting):
            for j in range(i + 1, len(asserting)):
                b = asserting[j]
                if (b["date"] - a["date"]).days > self.window:
                    break
                if a["holder"] == b["holder"]:
                    continue
                sequence = b["date"] > a["date"] and (b["reported"] or b["date"]) > (a["reported"] or a["date"])
                if not sequence:
                    parent[find(j)] = find(i)
        groups: dict[int, list[dict]] = {}
        for i, c in enumerate(asserting):
            groups.setdefault(find(i), []).append(c)
        marks: dict[str, str] = {}
        dominance = _sources()["factors"]["dominance"]
        for members in groups.values():
            holders = {c["holder"] for c in members}
            if len(holders) < 2:
                continue
            prior = base.side
            weights: dict[str, float] = {}
            for c in members:
                loser = prior if prior != c["holder"] else None
                c["weight"] = claim_weight(c, loser)
                weights[c["holder"]] = weights.get(c["holder"], 0.0) + c["weight"]
            ranked = sorted(weights.items(), key=lambda kv: -kv[1])
            (top, w1), (second, w2) = ranked[0], ranked[1]
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

    def _fold_place(self, pid: str, claims: list[dict]) -> None:
        state = self.base_state.get(pid, UNKNOWN)
        for c in claims:
            c["holder"] = self.rules[c["action"]].holder(c) if c["action"] in self.rules else None
        marks = self._conflicts(pid, claims, state)
        last: dict | None = None  # the last applied event of this place
        handled_conflicts: set[str] = set()
        for c in claims:
            rule = self.rules.get(c["action"])
            mark = marks.get(c["claim_id"])
            if c["action"] == "proximity":
                self.proximity.append(c)
            if mark == "overruled":
                self.outcomes.append({"claim_id": c["claim_id"], "place_id": pid, "outcome": "overruled",
                                      "reason": "outweighed in a conflict", "event_id": None})
                continue
            if mark and mark.startswith("unsettled:"):
                cid = mark.split(":", 1)[1]
                conflict = next(x for x in self.conflicts if x["conflict_id"] == cid)
                members = [x for x in claims if marks.get(x["claim_id"]) == mark]
                if cid in handled_conflicts:
                    self.outcomes.append({"claim_id": c["claim_id"], "place_id": pid, "outcome": "conflict",
                                          "reason": "part of an unsettled conflict", "event_id": last["event_id"]})
                    continue
                handled_conflicts.add(cid)
                sides = [s for s in dict.fromkeys(x["holder"] for x in sorted(
                    members, key=lambda x: -x.get("weight", 0)))]
                holder = state.side if state.side in sides else sides[0]
                other = next(s for s in sides if s != holder)
                new = State(holder, "contested", other)
                ev = self._event(pid, c["date"], min(x["reported"] or x["date"] for x in members), state, new,
                                 members, note=f"conflict {cid}: contested until settled")
                last = self._append(ev, last)
                state = new
                for x in members:
                    self.outcomes.append({"claim_id": x["claim_id"], "place_id": pid, "outcome": "conflict",
                                          "reason": "part of an unsettled conflict", "event_id": last["event_id"]})
                conflict["event_id"] = last["event_id"]
                continue
            new = rule.apply(state, c) if rule is not None else None
            if new is None or new.key() == state.key():
                why = "confirms the current state" if new is not None else "no change under the rule"
                self.outcomes.append({"claim_id": c["claim_id"], "place_id": pid, "outcome": "no change",
                                      "reason": why, "event_id": last["event_id"] if last else None})
                continue
            ev = self._event(pid, c["date"], c["reported"], state, new, [c])
            last = self._append(ev, last)
            state = new
            self.outcomes.append({"claim_id": c["claim_id"], "place_id": pid, "outcome": "applied",
                                  "reason": c["action"], "event_id": last["event_id"]})
        for conflict in self.conflicts:
            if conflict["place_id"] == pid:
                after = [e["day"] for e in self.events if e["place_id"] == pid and e["applied"]
                         and e["day"] > conflict["day_to"] and not e["note"].startswith("conflict")]
                conflict["settled_on"] = min(after) if after else None
                conflict.pop("event_id", None)

    def _append(self, ev: dict, last: dict | None) -> dict:
        """Store an applied event; one place's events on one day merge into one (the last state wins)."""
        if last is not None and last["day"] == ev["day"] and last["applied"] and not last["inferred"]:
            last.update(to_side=ev["to_side"], to_status=ev["to_status"], other_side=ev["other_side"],
                        action=last["action"] + "+" + ev["action"], claim_ids=last["claim_ids"] + ev["claim_ids"],
                        quotes=last["quotes"] + ev["quotes"],
                        confidence=max(last["confidence"], ev["confidence"]),
                        note=(last["note"] + " " + ev["note"]).strip())
            return last
        self.events.append(ev)
        return ev


# ---------------------------------------------------------------- geometry helpers for inference
def _local_km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular km around (lat0, lon0): good to a fraction of a percent over 100 km."""
    return (np.radians(lon - lon0) * 6371.0 * np.cos(np.radians(lat0)), np.radians(lat - lat0) * 6371.0)


class Timeline:
    """Control of every place over time, from a baseline and claims.

    Parameters
    ----------
    places
        Places indexed by ``place_id`` with ``lat``, ``lon``, ``coord_precision``, ``country``, ``name_en``,
        ``name_ar`` (a gazetteer's ``places`` frame or :func:`tracker.baseline.load_places`).
    baseline
        One row per place: ``place_id, side, status, other_side, day`` (:func:`tracker.baseline.load_baseline`).
    claims
        Claim objects, dicts or a DataFrame (see :func:`claims_frame`); None for the baseline alone.
    rules
        Replace the rule of an action, e.g. ``{"advance": MyAdvance()}``.
    infer
        Derive ``inferred`` places from proximity claims (kept apart from reported control either way).
    as_reported
        Use only claims reported on or before this date (the report-time axis).
    window
        Conflict window in days (default :data:`CONFLICT_WINDOW_DAYS`).
    """

    def __init__(self, places: pd.DataFrame, baseline: pd.DataFrame, claims=None, *,
                 rules: Mapping[str, Rule] | None = None, infer: bool = True,
                 as_reported: date | str | None = None, window: int = CONFLICT_WINDOW_DAYS):
        self.places = places
        self.baseline = baseline.reset_index(drop=True)
        self.rules = {**DEFAULT_RULES, **(rules or {})}
        self.infer = infer
        self.window = window
        self.claims = claims_frame(claims)
        self.reported_by = _as_date(as_reported) if as_reported is not None else None
        used = self.claims
        if self.reported_by is not None:
            used = used[[r is not None and r <= self.reported_by for r in used["reported"]]]
        fold = _Fold(places, self.baseline, used, self.rules, infer, window)
        self.start: date = fold.start
        self.events = pd.DataFrame(fold.events, columns=list(EVENT_COLUMNS))
        self.conflicts = pd.DataFrame(fold.conflicts, columns=list(CONFLICT_COLUMNS))
        self.outcomes = pd.DataFrame(fold.outcomes, columns=list(OUTCOME_COLUMNS))
        self._build_intervals(fold.base_state)
        if infer:
            self._infer(fold.proximity)
        self._index()
        self._reported_cache: dict[date, Timeline] = {}

    # -- building
    def _build_intervals(self, base_state: dict[str, State]) -> None:
        rows = []
        applied = self.events[self.events["applied"] & ~self.events["inferred"]].sort_values(["place_id", "day"])
        by_place = {pid: grp for pid, grp in applied.groupby("place_id", sort=False)}
        for pid in self.places.index.union(pd.Index(list(by_place))):
            st = base_state.get(pid, UNKNOWN)
            start = self.start
            ev_id, ids = None, []
            for ev in (by_place[pid].itertuples(index=False) if pid in by_place else ()):
                if ev.day > start:
                    rows.append((pid, st.side, st.status, st.other_side, start, ev.day, False, ev_id, ids))
                st = State(ev.to_side, ev.to_status, _opt(ev.other_side))
                start, ev_id, ids = ev.day, ev.event_id, list(ev.claim_ids)
            rows.append((pid, st.side, st.status, st.other_side, start, None, False, ev_id, ids))
        self.intervals = pd.DataFrame(rows, columns=list(INTERVAL_COLUMNS))

    def _infer(self, proximity: list[dict]) -> None:
        """Mark places on an actor's approach ``inferred`` for it (see docs/control-model.md)."""
        pl = self.places
        ok = pl["lat"].notna() & pl["lon"].notna()
        if "coord_precision" in pl:
            ok &= pl["coord_precision"].isin(["point", "inferred"]) | pl["coord_precision"].isna()
        pts = pl[ok]
        rows, events = [], []
        if proximity:
            self._index()
        for c in proximity:
            dist = c.get("distance_km")
            if dist is None or pd.isna(dist) or float(dist) <= 0 or c["place_id"] not in pts.index:
                continue
            dist = float(dist)
            day = c["date"]
            lat0, lon0 = float(pts.at[c["place_id"], "lat"]), float(pts.at[c["place_id"], "lon"])
            x, y = _local_km(pts["lat"].to_numpy(float), pts["lon"].to_numpy(float), lat0, lon0)
            r = np.hypot(x, y)
            state = self.state_on(day).reindex(pts.index)
            held = (state["side"].to_numpy() == c["side"]) & (state["status"].to_numpy() == "held")
            held &= pts.index.to_numpy() != c["place_id"]
            if not held.any():
                continue
            h = int(np.argmin(np.where(held, r, np.inf)))
            hx, hy, hr = x[h], y[h], r[h]
            if hr <= dist or hr > MAX_APPROACH_KM:
                continue
            t = (x * hx + y * hy) / (hr * hr)  # position along P -> H (0 at P, 1 at H)
            perp = np.abs(x * hy - y * hx) / hr
            cand = (t > 0) & (t < 1) & (perp <= APPROACH_CORRIDOR_KM) & (r > dist) & ~held
            cand &= state["side"].to_numpy() != c["side"]
            for i in np.flatnonzero(cand):
                pid = pts.index[i]
                old = State(state["side"].iat[i], state["status"].iat[i], _opt(state["other_side"].iat[i]))
                new = State(c["side"], "inferred", old.side)
                ev = {**_Fold._event(pid, day, c["reported"], old, new, [c], inferred=True,
                                     note=f"on the approach of a {dist:g} km proximity claim"), "applied": True}
                events.append(ev)
                nxt = self.intervals[(self.intervals["place_id"] == pid) & (self.intervals["valid_from"] > day)]
                until = nxt["valid_from"].min() if len(nxt) else None
                rows.append((pid, c["side"], "inferred", old.side, day, until, True, ev["event_id"],
                             [c["claim_id"]]))
        if events:
            self.events = pd.concat([self.events, pd.DataFrame(events, columns=list(EVENT_COLUMNS))],
                                    ignore_index=True)
            inferred = pd.DataFrame(rows, columns=list(INTERVAL_COLUMNS))
            self.intervals = pd.concat([self.intervals, inferred], ignore_index=True)

    def _index(self) -> None:
        iv = self.intervals
        self._from = np.array([_day_number(d) for d in iv["valid_from"]], dtype=np.int64)
        self._to = np.array([_day_number(d) for d in iv["valid_to"]], dtype=np.int64)
        self._inf = iv["inferred"].to_numpy(bool)
        self._rep_rows = np.flatnonzero(~self._inf)
        self._cols = {k: iv[k].to_numpy(object) for k in ("place_id", "side", "status", "other_side", "valid_from",
                                                          "claim_ids")}
        pids = self._cols["place_id"]
        self._by_place: dict[str, tuple[list[int], list[int]]] = {}
        for i in np.lexsort((self._from, pids.astype(str))):
            if self._inf[i]:
                continue
            starts, rows = self._by_place.setdefault(pids[i], ([], []))
            starts.append(int(self._from[i]))
            rows.append(int(i))
        self._inferred_by_place: dict[str, list[int]] = {}
        for i in np.flatnonzero(self._inf):
            self._inferred_by_place.setdefault(pids[i], []).append(int(i))

    # -- queries
    def as_reported(self, reported_by: date | str) -> Timeline:
        """The timeline as the reports published on or before ``reported_by`` told it (cached)."""
        r = _as_date(reported_by)
        if r not in self._reported_cache:
            self._reported_cache[r] = Timeline(self.places, self.baseline, self.claims, rules=self.rules,
                                               infer=self.infer, as_reported=r, window=self.window)
        return self._reported_cache[r]

    def state_on(self, day: date | str, as_reported: date | str | None = None,
                 include_inferred: bool = False) -> pd.DataFrame:
        """The state of every place on ``day``.

        Returns
        -------
        DataFrame indexed by ``place_id`` with ``side, status, other_side, since, claim_ids, inferred``.
        """
        if as_reported is not None:
            return self.as_reported(as_reported).state_on(day, include_inferred=include_inferred)
        rows = self.rows_on(day, include_inferred)
        col = self._cols
        return pd.DataFrame({
            "side": col["side"][rows], "status": col["status"][rows], "other_side": col["other_side"][rows],
            "since": col["valid_from"][rows], "claim_ids": col["claim_ids"][rows], "inferred": self._inf[rows],
        }, index=pd.Index(col["place_id"][rows], name="place_id"))

    def rows_on(self, day: date | str, include_inferred: bool = False) -> np.ndarray:
        """Positions in :attr:`intervals` of the interval each place is in on ``day`` (one per place; an
        inferred interval replaces the reported one when ``include_inferred``). The fast path under
        :meth:`state_on` and the daily polygons."""
        d = _day_number(day)
        rep = self._rep_rows[(self._from[self._rep_rows] <= d) & (d < self._to[self._rep_rows])]
        if not include_inferred or not self._inf.any():
            return rep
        inf = np.flatnonzero(self._inf & (self._from <= d) & (d < self._to))
        if not len(inf):
            return rep
        pids = self._cols["place_id"]
        covered = np.isin(pids[rep], pids[inf])
        _, first = np.unique(pids[inf][::-1], return_index=True)  # the latest inferred interval per place
        return np.concatenate([rep[~covered], inf[::-1][first]])

    def boundaries(self) -> np.ndarray:
        """Sorted day numbers (``date.toordinal``) on which some place's state changes."""
        b = np.unique(np.concatenate([self._from, self._to[self._to != _OPEN]]))
        return b

    def who_held(self, place_id: str, day: date | str, as_reported: date | str | None = None,
                 include_inferred: bool = False) -> State:
        """One place's :class:`State` on ``day`` (binary search: microseconds)."""
        if as_reported is not None:
            return self.as_reported(as_reported).who_held(place_id, day, include_inferred=include_inferred)
        d = _day_number(day)
        iv = self.intervals
        if include_inferred:
            for i in self._inferred_by_place.get(place_id, ()):
                if self._from[i] <= d < self._to[i]:
                    r = iv.iloc[i]
                    return State(r["side"], "inferred", _opt(r["other_side"]), r["valid_from"], tuple(r["claim_ids"]), True)
        entry = self._by_place.get(place_id)
        if entry is None:
            return UNKNOWN
        k = bisect.bisect_right(entry[0], d) - 1
        if k < 0:
            return UNKNOWN
        i = entry[1][k]
        if d >= self._to[i]:
            return UNKNOWN
        col = self._cols
        return State(col["side"][i], col["status"][i], _opt(col["other_side"][i]), col["valid_from"][i],
                     tuple(col["claim_ids"][i]))

    def history(self, place_id: str) -> pd.DataFrame:
        """The intervals of one place in order, with the quotes of the claims that opened each."""
        iv = self.intervals[self.intervals["place_id"] == place_id].sort_values(["valid_from", "inferred"])
        quotes = self.events.set_index("event_id")["quotes"].to_dict() if len(self.events) else {}
        iv = iv.assign(quotes=[quotes.get(e, []) if e else [] for e in iv["event_id"]])
        return iv.reset_index(drop=True)

    def events_for(self, place_id: str) -> pd.DataFrame:
        """Every event of one place (applied, inferred and those kept only as history), by day."""
        return self.events[self.events["place_id"] == place_id].sort_values("day").reset_index(drop=True)

    def changes_between(self, d0: date | str, d1: date | str, include_inferred: bool = False) -> pd.DataFrame:
        """Control changes with ``d0 <= day <= d1``: ``place_id, name_en, name_ar, lat, lon, from_side, to_side,
        status, day, claim_ids`` (plus ``other_side``, ``inferred``, ``event_id``)."""
        ev = self.events
        m = ev["applied"] & (ev["day"] >= _as_date(d0)) & (ev["day"] <= _as_date(d1))
        if not include_inferred:
            m &= ~ev["inferred"]
        ev = ev[m].sort_values(["day", "place_id"])
        pl = self.places.reindex(ev["place_id"])
        return pd.DataFrame({
            "place_id": ev["place_id"].to_numpy(), "name_en": pl.get("name_en").to_numpy(),
            "name_ar": pl.get("name_ar").to_numpy() if "name_ar" in pl else None,
            "lat": pl["lat"].to_numpy(), "lon": pl["lon"].to_numpy(), "from_side": ev["from_side"].to_numpy(),
            "to_side": ev["to_side"].to_numpy(), "status": ev["to_status"].to_numpy(), "day": ev["day"].to_numpy(),
            "claim_ids": ev["claim_ids"].to_numpy(), "other_side": ev["other_side"].to_numpy(),
            "inferred": ev["inferred"].to_numpy(), "event_id": ev["event_id"].to_numpy(),
        })

    @property
    def end(self) -> date:
        """The last day with an applied event (or the start)."""
        applied = self.events[self.events["applied"]]
        return max([self.start, *applied["day"].tolist()])

    def days(self, d0: date | str | None = None, d1: date | str | None = None) -> list[date]:
        """Every day from ``d0`` (default the start) to ``d1`` (default :attr:`end`)."""
        a = _as_date(d0) if d0 is not None else self.start
        b = _as_date(d1) if d1 is not None else self.end
        return [a + timedelta(days=i) for i in range((b - a).days + 1)]

    def find_places(self, name: str) -> list[str]:
        """Place ids whose id, English or Arabic name matches ``name`` (exact first, then substring).

        Administrative units (which hold no control of their own) are left out unless asked for by id.
        """
        if name in self.places.index:
            return [name]
        places = self.places
        if "feature_type" in places:
            places = places[~places["feature_type"].isin(list(_REGION_PRECISIONS))]
        en = places["name_en"].fillna("").str.casefold()
        ar = places["name_ar"].fillna("") if "name_ar" in places else en
        exact = places.index[(en == name.casefold()) | (ar == name)]
        if len(exact):
            return list(exact)
        sub = places.index[en.str.contains(name.casefold(), regex=False) | ar.str.contains(name, regex=False)]
        return list(sub)


# ---------------------------------------------------------------- the database
_PLACE_TABLE_COLUMNS = ("place_id", "name_en", "name_ar", "feature_type", "lat", "lon", "coord_precision",
                        "adm1_en", "adm2_en", "adm3_en", "country", "wikimap_idx")


def read_claims(con) -> pd.DataFrame:
    """The stored claims (newest version of each report), with the report's publication date as report time."""
    return con.execute(
        "SELECT c.*, coalesce(c.published, r.published) AS published_report FROM claims c "
        "LEFT JOIN reports r ON r.report_id = c.report_id AND r.version = c.report_version"
    ).df().assign(published=lambda f: f["published_report"]).drop(columns="published_report")


def write_timeline(con, tl: Timeline, places_version: str = "") -> dict:
    """Replace the places, baseline, control_events, control_intervals, conflicts and claim_outcomes tables."""
    pl = tl.places.reset_index()
    for col in _PLACE_TABLE_COLUMNS:
        if col not in pl.columns:
            pl[col] = None
    pl = pl[list(_PLACE_TABLE_COLUMNS)].copy()
    pl["wikimap_idx"] = pd.to_numeric(pl["wikimap_idx"], errors="coerce").astype("Int64")
    pl["has_cell"] = False
    pl["cell_area_km2"] = np.nan
    pl["cell_wkb"] = None
    pl["places_version"] = places_version
    pl = pl.drop_duplicates("place_id")
    frames = {
        "places": pl,
        "baseline": tl.baseline[["place_id", "side", "status", "other_side", "day", "date_precision", "source",
                                 "note"]],
        "control_events": tl.events[list(EVENT_COLUMNS)],
        "control_intervals": tl.intervals[list(INTERVAL_COLUMNS)],
        "conflicts": tl.conflicts[list(CONFLICT_COLUMNS)],
        "claim_outcomes": tl.outcomes[list(OUTCOME_COLUMNS)],
    }
    from tracker.store import transaction

    con.execute("SET pandas_analyze_sample = 1000000")  # columns that start with NULLs still get their type
    with transaction(con):
        for table, df in frames.items():
            con.execute(f"DELETE FROM {table}")
            if len(df):
                df = df.astype(object).where(df.notna(), None)
                con.register("_frame", df)
                cols = ", ".join(df.columns)
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _frame")
                con.unregister("_frame")
    return {k: len(v) for k, v in frames.items()}


def _read_places(con) -> pd.DataFrame:
    return con.execute(f"SELECT {', '.join(_PLACE_TABLE_COLUMNS)} FROM places").df().set_index("place_id")


_TIMELINE_CACHE: dict[tuple, Timeline] = {}


def load_timeline(con=None, *, infer: bool = True) -> Timeline:
    """The timeline rebuilt from a database's places, baseline and claims (default: the configured database,
    read-only, cached until the file changes).

    Raises
    ------
    MissingDataError
        When the control stage has not filled the places table yet.
    """
    from tracker import settings, store
    from tracker._errors import MissingDataError

    key = None
    own = con is None
    if own:
        path = settings.db_path()
        key = (str(path), path.stat().st_mtime if path.exists() else 0, infer)
        if key in _TIMELINE_CACHE:
            return _TIMELINE_CACHE[key]
        con = store.connect(path, read_only=True)
    try:
        places = _read_places(con)
        if not len(places):
            raise MissingDataError("no places in the database: run `tracker run` (the control stage) first")
        base = con.execute("SELECT * FROM baseline").df()
        base["day"] = [_to_date(d) for d in base["day"]]
        base = base.astype(object).where(base.notna(), None)
        claims = read_claims(con)
    finally:
        if own:
            con.close()
    tl = Timeline(places, base, claims, infer=infer)
    if key is not None:
        _TIMELINE_CACHE.clear()
        _TIMELINE_CACHE[key] = tl
    return tl


def changes_between(d0: date | str, d1: date | str, *, timeline: Timeline | None = None, con=None,
                    include_inferred: bool = False) -> pd.DataFrame:
    """Control changes with ``d0 <= day <= d1`` (see :meth:`Timeline.changes_between`), from the database
    unless a ``timeline`` is given."""
    tl = timeline if timeline is not None else load_timeline(con)
    return tl.changes_between(d0, d1, include_inferred=include_inferred)


def build_timeline(con, baseline_path=None) -> tuple[Timeline, str]:
    """The timeline from the gazetteer (or the Wikipedia map places), a baseline and the stored claims."""
    from tracker import baseline as bl

    places, version = bl.load_places()
    base, extra = bl.load_baseline(baseline_path, places=places)
    if len(extra):
        places = pd.concat([places, extra[[c for c in places.columns if c in extra.columns]]])
    return Timeline(places, base, read_claims(con)), version


def stage_control(ctx) -> dict:
    """Pipeline stage: fold the baseline and the stored claims into events, intervals and conflicts."""
    tl, version = build_timeline(ctx.con)
    counts = write_timeline(ctx.con, tl, version)
    ctx.timeline = tl  # the polygons stage draws this timeline
    applied = tl.events[tl.events["applied"]]
    return {"places": counts["places"], "events": int((~applied["inferred"]).sum()),
            "inferred": int(applied["inferred"].sum()), "conflicts": len(tl.conflicts),
            "ignored_claims": int((tl.outcomes["outcome"] == "ignored").sum()), "places_version": version,
            "start": str(tl.start), "end": str(tl.end)}
