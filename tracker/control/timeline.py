"""The control timeline: a baseline plus claims, folded into who held each place on each day (see the
package docstring of :mod:`tracker.control` for the API)."""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from tracker import vocab
from tracker.control.days import OPEN, as_date, day_number, opt
from tracker.control.evidence import claim_weight, claims_frame, sources
from tracker.control.records import CONFLICT_COLUMNS, EVENT_COLUMNS, INTERVAL_COLUMNS, OUTCOME_COLUMNS, make_event
from tracker.control.inference import approach_inferences, local_km
from tracker.control.rules import ACTION_RANK, DEFAULT_RULES, UNKNOWN, Rule, State

#: Claims about one place asserting different holders within this many days conflict (unless a sequence
#: explains them: the later one both happened and was reported later).
CONFLICT_WINDOW_DAYS: int = 3
REGION_PRECISIONS = frozenset({"subdistrict", "district", "governorate", "region"})
#: A city's districts (separate map points, reports name only the city) lie within this many km of its point.
CITY_DISTRICT_KM: float = 3.5
_DISTRICT_NAME = re.compile(r"\bdistrict\b|\bneighbou?rhood\b", re.IGNORECASE)



# ---------------------------------------------------------------- the fold
class Fold:
    """One pass over the claims: events, intervals, conflicts and outcomes (used by :class:`Timeline`)."""

    def __init__(self, places: pd.DataFrame, baseline: pd.DataFrame, claims: pd.DataFrame,
                 rules: Mapping[str, Rule], infer: bool, window: int):
        self.places, self.rules, self.infer, self.window = places, rules, infer, window
        self.base_state: dict[str, State] = {}
        self.start = min(baseline["day"]) if len(baseline) else None
        for rec in baseline.itertuples(index=False):
            other = opt(rec.other_side)
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
        if str(c["place_id"]).startswith("adm:") or self.places.at[c["place_id"], "feature_type"] in REGION_PRECISIONS:
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
            x, y = local_km(districts["lat"].to_numpy(float), districts["lon"].to_numpy(float), row["lat"], row["lon"])
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
                c["rank"] = ACTION_RANK.get(c["action"], 9)
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
                    self.events.append(make_event(c["place_id"], c["date"], c["reported"], UNKNOWN, UNKNOWN, [c],
                                                   applied=False, note=reason))
        self.proximity: list[dict] = []
        for pid in sorted(live):
            self._fold_place(pid, sorted(live[pid], key=lambda c: (c["date"], c["reported"] or c["date"],
                                                                    c["rank"], c["claim_id"])))

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
        dominance = sources()["factors"]["dominance"]
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
                ev = make_event(pid, c["date"], min(x["reported"] or x["date"] for x in members), state, new,
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
            ev = make_event(pid, c["date"], c["reported"], state, new, [c])
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
        self.reported_by = as_date(as_reported) if as_reported is not None else None
        used = self.claims
        if self.reported_by is not None:
            used = used[[r is not None and r <= self.reported_by for r in used["reported"]]]
        fold = Fold(places, self.baseline, used, self.rules, infer, window)
        self.start: date = fold.start
        self.events = pd.DataFrame(fold.events, columns=list(EVENT_COLUMNS))
        self.conflicts = pd.DataFrame(fold.conflicts, columns=list(CONFLICT_COLUMNS))
        self.outcomes = pd.DataFrame(fold.outcomes, columns=list(OUTCOME_COLUMNS))
        self._build_intervals(fold.base_state)
        if infer:
            self._add_inferred(*approach_inferences(self, fold.proximity))
        self.reindex()
        self._reported_cache: dict[date, Timeline] = {}

    # -- building
    def _add_inferred(self, events: list[dict], rows: list[tuple]) -> None:
        """Append inferred events and their overlay intervals."""
        if events:
            self.events = pd.concat([self.events, pd.DataFrame(events, columns=list(EVENT_COLUMNS))],
                                    ignore_index=True)
            self.intervals = pd.concat([self.intervals, pd.DataFrame(rows, columns=list(INTERVAL_COLUMNS))],
                                       ignore_index=True)

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
                st = State(ev.to_side, ev.to_status, opt(ev.other_side))
                start, ev_id, ids = ev.day, ev.event_id, list(ev.claim_ids)
            rows.append((pid, st.side, st.status, st.other_side, start, None, False, ev_id, ids))
        self.intervals = pd.DataFrame(rows, columns=list(INTERVAL_COLUMNS))

    def reindex(self) -> None:
        """Rebuild the lookup arrays after :attr:`intervals` changed."""
        iv = self.intervals
        self._from = np.array([day_number(d) for d in iv["valid_from"]], dtype=np.int64)
        self._to = np.array([day_number(d) for d in iv["valid_to"]], dtype=np.int64)
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
        r = as_date(reported_by)
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
        d = day_number(day)
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
        b = np.unique(np.concatenate([self._from, self._to[self._to != OPEN]]))
        return b

    def who_held(self, place_id: str, day: date | str, as_reported: date | str | None = None,
                 include_inferred: bool = False) -> State:
        """One place's :class:`State` on ``day`` (binary search: microseconds)."""
        if as_reported is not None:
            return self.as_reported(as_reported).who_held(place_id, day, include_inferred=include_inferred)
        d = day_number(day)
        iv = self.intervals
        if include_inferred:
            for i in self._inferred_by_place.get(place_id, ()):
                if self._from[i] <= d < self._to[i]:
                    r = iv.iloc[i]
                    return State(r["side"], "inferred", opt(r["other_side"]), r["valid_from"], tuple(r["claim_ids"]), True)
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
        return State(col["side"][i], col["status"][i], opt(col["other_side"][i]), col["valid_from"][i],
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
        m = ev["applied"] & (ev["day"] >= as_date(d0)) & (ev["day"] <= as_date(d1))
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
        a = as_date(d0) if d0 is not None else self.start
        b = as_date(d1) if d1 is not None else self.end
        return [a + timedelta(days=i) for i in range((b - a).days + 1)]

    def find_places(self, name: str) -> list[str]:
        """Place ids whose id, English or Arabic name matches ``name`` (exact first, then substring).

        Administrative units (which hold no control of their own) are left out unless asked for by id.
        """
        if name in self.places.index:
            return [name]
        places = self.places
        if "feature_type" in places:
            places = places[~places["feature_type"].isin(list(REGION_PRECISIONS))]
        en = places["name_en"].fillna("").str.casefold()
        ar = places["name_ar"].fillna("") if "name_ar" in places else en
        exact = places.index[(en == name.casefold()) | (ar == name)]
        if len(exact):
            return list(exact)
        sub = places.index[en.str.contains(name.casefold(), regex=False) | ar.str.contains(name, regex=False)]
        return list(sub)

