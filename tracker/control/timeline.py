"""The control timeline: a baseline plus claims, folded into who held each place on each day (see the
package docstring of :mod:`tracker.control` for the API)."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tracker.control import incremental
from tracker.control.days import OPEN, STALE_DAYS, as_date, day_number, opt, span_check, to_date
from tracker.control.evidence import claims_frame, major_places
from tracker.control.fold import CONFLICT_WINDOW_DAYS, REGION_PRECISIONS, Fold
from tracker.control.graph import Neighbours
from tracker.control.inference import (approach_assignments, counts, front_assignments, overlay,
                                       region_assignments)
from tracker.control.records import CONFLICT_COLUMNS, INTERVAL_COLUMNS, OUTCOME_COLUMNS, events_frame
from tracker.control.rules import DEFAULT_RULES, UNKNOWN, Rule, State

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
        Derive ``inferred`` places (region claims, the front, proximity claims); kept apart from reported
        control either way.
    as_reported
        Use only claims reported on or before this date (the report-time axis).
    window
        Conflict window in days (default :data:`CONFLICT_WINDOW_DAYS`).
    neighbours
        The places' :class:`~tracker.control.graph.Neighbours` (default: built from the baseline's places).
    fold_cache
        Fold incrementally (:mod:`tracker.control.incremental`): the groups of places of an earlier run kept in
        this dict are reused when their claims did not change; the dict then holds this run's (an empty dict:
        everything is folded, in ``claim_id`` order). :attr:`fold_counts` says how much was folded again.
    """

    def __init__(self, places: pd.DataFrame, baseline: pd.DataFrame, claims=None, *,
                 rules: Mapping[str, Rule] | None = None, infer: bool = True,
                 as_reported: date | str | None = None, window: int = CONFLICT_WINDOW_DAYS,
                 neighbours: Neighbours | None = None, fold_cache: dict | None = None):
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
        if fold_cache is None:
            fold = Fold(places, self.baseline, used, self.rules, window, neighbours)
            self.fold_counts: dict[str, int] = {}
        else:
            fold = incremental.fold(places, self.baseline, used, self.rules, window, neighbours, fold_cache)
            self.fold_counts = {"groups": fold.groups, "refolded_groups": fold.refolded_groups,
                                "refolded_claims": fold.refolded_claims}
        self.neighbours = fold.neighbours
        self.start: date = fold.start
        self.events = events_frame(fold.events)
        self.conflicts = pd.DataFrame(fold.conflicts, columns=list(CONFLICT_COLUMNS))
        self.outcomes = pd.DataFrame(fold.outcomes, columns=list(OUTCOME_COLUMNS))
        self._build_intervals(fold.base_state, fold.evidence)
        self.reindex()
        self.inferred_counts: dict[str, int] = {}
        if infer:
            self._infer(fold)
        self._reported_cache: dict[date, Timeline] = {}

    @classmethod
    def from_tables(cls, places: pd.DataFrame, baseline: pd.DataFrame, events: pd.DataFrame,
                    intervals: pd.DataFrame, conflicts: pd.DataFrame, outcomes: pd.DataFrame,
                    claims: pd.DataFrame | None = None) -> Timeline:
        """A timeline as the control stage stored it (``tracker.control.tables.load_timeline``): nothing is
        folded again. ``claims`` (optional) only label the sources of changes; the report-time axis of a stored
        timeline reads the stored events (:meth:`state_on`)."""
        tl = cls.__new__(cls)
        tl.places, tl.baseline = places, baseline.reset_index(drop=True)
        tl.rules, tl.infer, tl.window, tl.reported_by = dict(DEFAULT_RULES), bool(intervals["inferred"].any()), \
            CONFLICT_WINDOW_DAYS, None
        tl.claims = claims if claims is not None else claims_frame(None)
        tl.neighbours = None
        tl.events, tl.intervals, tl.conflicts, tl.outcomes = events, intervals, conflicts, outcomes
        starts = [d for d in baseline["day"] if d is not None]
        tl.start = min(starts) if starts else min(intervals["valid_from"])
        tl.inferred_counts = {}
        tl.fold_counts = {}
        tl.reindex()
        tl._reported_cache = {}
        tl._stored = True
        return tl

    #: The claims' columns a timeline keeps once folded (:meth:`shed`): what labels the sources of changes.
    SOURCE_COLUMNS: tuple[str, ...] = ("claim_id", "report_id", "attribution", "source")

    def shed(self) -> Timeline:
        """Drop what only folding needs (the claims but for their sources, the neighbours, the timelines as
        reported earlier), once the tables are stored: the timeline then answers as one read back from the store
        (:meth:`from_tables`) does, and the stages after the fold do not carry every claim (at 430,000 claims, the
        largest thing left of the control stage)."""
        keep = [c for c in self.SOURCE_COLUMNS if c in self.claims]
        self.claims = self.claims[keep].copy() if len(keep) == len(self.SOURCE_COLUMNS) else claims_frame(None)
        self.neighbours = None
        self._reported_cache = {}
        self._stored = True
        return self

    # -- building
    def _build_intervals(self, base_state: dict[str, State], evidence: list[tuple[str, date, str]]) -> None:
        """Reported intervals from the baseline and the applied events; an interval is also cut where new
        evidence about the place arrives without changing its state, so each carries the day of its last
        evidence (``last_evidence``) and the claims behind it."""
        rows = []
        applied = self.events[self.events["applied"] & ~self.events["inferred"]].sort_values(["place_id", "day"])
        by_place = {pid: list(grp.itertuples(index=False)) for pid, grp in applied.groupby("place_id", sort=False)}
        seen: dict[str, list[tuple[date, str]]] = {}
        for pid, day, cid in evidence:
            seen.setdefault(pid, []).append((day, cid))
        for pid in self.places.index.union(pd.Index(list(by_place))):
            st = base_state.get(pid, UNKNOWN)
            start = self.start
            last_ev = st.since if st.since is not None else None
            ev_id, ids = None, []
            changes = [(ev.day, 1, ev) for ev in by_place.get(pid, ())]
            news = [(d, 0, cid) for d, cid in sorted(seen.get(pid, ())) if d > self.start]
            for day, kind, item in sorted(changes + news, key=lambda t: (t[0], t[1])):
                if kind == 0 and (last_ev is not None and day <= last_ev or item in ids):
                    continue
                if day > start:
                    rows.append((pid, st.side, st.status, st.other_side, start, day, False, ev_id, list(ids), last_ev))
                    start = day
                if kind == 1:
                    st = State(item.to_side, item.to_status, opt(item.other_side))
                    ev_id, ids = item.event_id, list(item.claim_ids)
                else:
                    ids = ids + [item]
                last_ev = day
            rows.append((pid, st.side, st.status, st.other_side, start, None, False, ev_id, ids, last_ev))
        self.intervals = pd.DataFrame(rows, columns=list(INTERVAL_COLUMNS))

    def _infer(self, fold: Fold | incremental.FoldResult) -> None:
        """Region claims, the front and proximity claims, as inferred events and overlay intervals."""
        records = fold.records  # the claims as dicts, made once for the fold
        by_id = {c["claim_id"]: c for c in records}
        regions = region_assignments(self, records, self.neighbours)
        cities = set(self.places.index[self.places["feature_type"].eq("city").to_numpy()]) \
            if "feature_type" in self.places else set()
        front = front_assignments(self, self.neighbours, regions, by_id, major_places(self.places), fold.evidence,
                                  cities)
        approach = approach_assignments(self, fold.proximity)
        assignments = regions + front + approach
        self.inferred_counts = counts(assignments)
        events, rows = overlay(self, assignments, fold.evidence)
        if events:
            self.events = pd.concat([self.events, events_frame(events)], ignore_index=True)
            self.intervals = pd.concat([self.intervals, pd.DataFrame(rows, columns=list(INTERVAL_COLUMNS))],
                                       ignore_index=True)
            self.reindex()

    def reindex(self) -> None:
        """Rebuild the lookup arrays after :attr:`intervals` changed."""
        iv = self.intervals
        self._from = np.array([day_number(d) for d in iv["valid_from"]], dtype=np.int64)
        self._to = np.array([day_number(d) for d in iv["valid_to"]], dtype=np.int64)
        self._inf = iv["inferred"].to_numpy(bool)
        self._rep_rows = np.flatnonzero(~self._inf)
        self._cols = {k: iv[k].to_numpy(object) for k in ("place_id", "side", "status", "other_side", "valid_from",
                                                          "claim_ids", "last_evidence")}
        # since: the day the state began (its opening event), not the day an interval was cut by new evidence
        opened = dict(zip(self.events["event_id"], self.events["day"])) if len(self.events) else {}
        base_day = dict(zip(self.baseline["place_id"], self.baseline["day"])) if len(self.baseline) else {}
        self._cols["since"] = np.array([opened.get(e, vf) if isinstance(e, str) else base_day.get(p, vf)
                                        for e, vf, p in zip(iv["event_id"], iv["valid_from"], iv["place_id"])],
                                       dtype=object)
        ev = [to_date(d) for d in iv["last_evidence"]]
        self._evidence = np.array([d.toordinal() if d is not None else -1 for d in ev], dtype=np.int64)
        pids = self._cols["place_id"]
        # place ids as integers in the order of the ids (comparing and sorting them is what rows_on does per day)
        self._pcode = pd.factorize(pids.astype(str), sort=True)[0] if len(pids) else np.zeros(0, dtype=np.int64)
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
        """The timeline as the reports published on or before ``reported_by`` told it (cached; refolded from the
        claims, so only for a timeline built from claims)."""
        r = as_date(reported_by)
        if r not in self._reported_cache:
            self._reported_cache[r] = Timeline(self.places, self.baseline, self.claims, rules=self.rules,
                                               infer=self.infer, as_reported=r, window=self.window,
                                               neighbours=self.neighbours)
        return self._reported_cache[r]

    def _stored_as_reported(self, day: date, reported_by: date) -> pd.DataFrame:
        """A stored timeline's state on ``day`` as the reports published by ``reported_by`` told it: each place's
        latest applied reported event with ``day`` and ``reported`` not later, else its baseline (what the SQL
        macro ``control_as_reported`` gives)."""
        ev = self.events
        known = ev[ev["applied"] & ~ev["inferred"] & (ev["day"] <= day)
                   & ev["reported"].map(lambda r: r is not None and to_date(r) is not None and to_date(r) <= reported_by)]
        known = known.sort_values(["day", "reported"]).drop_duplicates("place_id", keep="last").set_index("place_id")
        base = self.baseline.set_index("place_id")
        ids = self.places.index
        side, status, other, since, claims = [], [], [], [], []
        for pid in ids:
            if pid in known.index:
                k = known.loc[pid]
                side.append(k["to_side"]), status.append(k["to_status"]), other.append(opt(k["other_side"]))
                since.append(k["day"]), claims.append(list(k["claim_ids"]))
            elif pid in base.index:
                b = base.loc[pid]
                side.append(b["side"]), status.append(b["status"]), other.append(opt(b["other_side"]))
                since.append(b["day"]), claims.append([])
            else:
                side.append("unknown"), status.append("unknown"), other.append(None), since.append(None)
                claims.append([])
        return pd.DataFrame({"side": side, "status": status, "other_side": other, "since": since,
                             "claim_ids": claims, "inferred": False, "last_evidence": since,
                             "stale": [s is not None and (day - s).days > STALE_DAYS for s in since]},
                            index=pd.Index(ids, name="place_id"))

    def state_on(self, day: date | str, as_reported: date | str | None = None,
                 include_inferred: bool = False) -> pd.DataFrame:
        """The state of every place on ``day``.

        Returns
        -------
        DataFrame indexed by ``place_id`` with ``side, status, other_side, since, claim_ids, inferred,
        last_evidence, stale`` (``stale``: the last evidence is more than :data:`STALE_DAYS` days old).
        """
        if as_reported is not None:
            if getattr(self, "_stored", False):
                return self._stored_as_reported(as_date(day), as_date(as_reported))
            return self.as_reported(as_reported).state_on(day, include_inferred=include_inferred)
        rows = self.rows_on(day, include_inferred)
        col = self._cols
        return pd.DataFrame({
            "side": col["side"][rows], "status": col["status"][rows], "other_side": col["other_side"][rows],
            "since": col["since"][rows], "claim_ids": col["claim_ids"][rows], "inferred": self._inf[rows],
            "last_evidence": col["last_evidence"][rows], "stale": self.stale_rows(day, rows),
        }, index=pd.Index(col["place_id"][rows], name="place_id"))

    def stale_rows(self, day: date | str, rows: np.ndarray) -> np.ndarray:
        """Whether the intervals at ``rows`` are stale on ``day`` (their last evidence older than
        :data:`STALE_DAYS`; a state with no evidence at all is stale)."""
        ev = self._evidence[rows]
        return (ev < 0) | (day_number(day) - ev > STALE_DAYS)

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
        codes = self._pcode
        covered = np.isin(codes[rep], codes[inf])
        _, first = np.unique(codes[inf][::-1], return_index=True)  # the latest inferred interval per place
        return np.concatenate([rep[~covered], inf[::-1][first]])

    def boundaries(self) -> np.ndarray:
        """Sorted day numbers (``date.toordinal``) on which some place's state, or its staleness, changes."""
        stale = self._evidence[self._evidence >= 0] + STALE_DAYS + 1
        return np.unique(np.concatenate([self._from, self._to[self._to != OPEN], stale]))

    def who_held(self, place_id: str, day: date | str, as_reported: date | str | None = None,
                 include_inferred: bool = False) -> State:
        """One place's :class:`State` on ``day`` (binary search: microseconds)."""
        if as_reported is not None:
            if getattr(self, "_stored", False):
                st = self._stored_as_reported(as_date(day), as_date(as_reported))
                if place_id not in st.index:
                    return UNKNOWN
                r = st.loc[place_id]
                return State(r["side"], r["status"], opt(r["other_side"]), r["since"], tuple(r["claim_ids"]))
            return self.as_reported(as_reported).who_held(place_id, day, include_inferred=include_inferred)
        d = day_number(day)
        col = self._cols
        if include_inferred:
            for i in self._inferred_by_place.get(place_id, ()):
                if self._from[i] <= d < self._to[i]:
                    return State(col["side"][i], "inferred", opt(col["other_side"][i]), col["since"][i],
                                 tuple(col["claim_ids"][i]), True, to_date(col["last_evidence"][i]))
        entry = self._by_place.get(place_id)
        if entry is None:
            return UNKNOWN
        k = bisect.bisect_right(entry[0], d) - 1
        if k < 0:
            return UNKNOWN
        i = entry[1][k]
        if d >= self._to[i]:
            return UNKNOWN
        return State(col["side"][i], col["status"][i], opt(col["other_side"][i]), col["since"][i],
                     tuple(col["claim_ids"][i]), False, to_date(col["last_evidence"][i]))

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

    @property
    def last_evidence(self) -> date:
        """The newest evidence of any state (the last day the data speaks of; the start without claims)."""
        ev = self._evidence[self._evidence >= 0]
        return date.fromordinal(int(ev.max())) if len(ev) else self.start

    def span_check(self, day: date | str) -> tuple[bool, str | None]:
        """Whether anything can be said of ``day``, and a warning when it lies outside the data's span
        (:func:`span_check` with this timeline's start and last evidence)."""
        return span_check(day, self.start, self.last_evidence)

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
