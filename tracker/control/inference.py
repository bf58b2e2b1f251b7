"""Inference: places that no report names, changed with what the reports say of the ground around them.

Inferred control is kept apart from reported control (``inferred`` true: its own events and overlay intervals),
drawn as its own layer, and switchable off (``Timeline(..., infer=False)``). Every inferred change cites the
claims it follows from. Four sources, each written down with its reason in ``docs/control-model.md``:

- **region claims** (:func:`region_assignments`): "the army took full control of eastern Ghouta" gives every
  settlement of that region to the claimant; "IS's last pocket fell" gives the pocket the claim's place lay in;
- **left behind** (:func:`front_assignments`): a settlement whose neighbouring cells an advancing side has taken
  (at least :data:`LEFT_BEHIND_SHARE` of them) and that no report speaks for after :data:`INFER_AFTER_DAYS`;
- **pockets** (:func:`front_assignments`): settlements of one side cut off by a capture, enclosed by one other
  side, and not heard of for :data:`POCKET_DAYS`;
- **reduced pockets** (:func:`front_assignments`): the places of a pocket enclosed before (a siege,
  :func:`~tracker.control.graph.ring_pocket`) into which its besieger made :data:`REDUCTION_GAINS` gains within
  :data:`CAMPAIGN_DAYS`, not heard of for :data:`POCKET_DAYS` after a gain (towns too, cities never);
- **behind the front** (:func:`front_assignments`): settlements inside the envelope of a campaign's gains (one
  side's captures of the last :data:`CAMPAIGN_DAYS` days, linked within :data:`CAMPAIGN_LINK_KM`), of the side
  they were taken from, not heard of since the campaign reached them, after :data:`INFER_AFTER_DAYS`;
- **approach** (:func:`approach_assignments`): places on the way to a place a side is reported near.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import shapely

from tracker import vocab
from tracker.control.days import opt
from tracker.control.graph import POCKET_MAX_PLACES, Neighbours, groups, local_xy, ring_pocket
from tracker.control.records import make_event
from tracker.control.rules import State

#: Width (km) of the corridor between an actor's nearest held place and the place it is near, in which
#: places may become ``inferred`` for it.
APPROACH_CORRIDOR_KM: float = 3.0
#: An approach longer than this (km) infers nothing: the nearest held place is not where the force came from.
MAX_APPROACH_KM: float = 60.0
#: A settlement is left behind when an advancing side holds at least this share of the cells around it.
LEFT_BEHIND_SHARE: float = 2 / 3
#: Days a left-behind settlement waits, unheard of, before it is inferred for the side around it.
INFER_AFTER_DAYS: int = 7
#: Days a pocket waits, unheard of, before it is inferred for the side enclosing it.
POCKET_DAYS: int = 14
#: A pocket enclosed before is being reduced (its besieger's campaign into it) after this many of the
#: besieger's gains on ground touching it within :data:`CAMPAIGN_DAYS`: one gain inside a years-long siege is a raid.
REDUCTION_GAINS: int = 2
#: A campaign: one side's gains of the last this many days, each within :data:`CAMPAIGN_LINK_KM` of another.
CAMPAIGN_DAYS: int = 60
CAMPAIGN_LINK_KM: float = 30.0
#: Which inferences run first on one day for one place (an explicit region claim beats a deduction).
_PRIORITY = {"region": 0, "pocket": 1, "reduced pocket": 1, "behind the front": 2, "left behind": 3, "approach": 4}
_ADMIN_LEVELS = {"governorate": 1, "district": 2, "subdistrict": 3}
_DIRECTIONS = {"N": (1, 0), "S": (-1, 0), "E": (0, 1), "W": (0, -1)}


@dataclass
class Assignment:
    """One inferred change: ``place_id`` goes to ``side`` from ``day``, following from ``claims``."""

    place_id: str
    side: str
    day: date
    claims: list[dict]
    note: str
    kind: str

    @property
    def evidence(self) -> date:
        """The day of the newest claim it follows from (the age of an inferred state is read from it)."""
        days = [c["date"] for c in self.claims if c.get("date") is not None]
        return max(days) if days else self.day


# ---------------------------------------------------------------- the scope of a claim
@lru_cache(maxsize=1)
def _scope_patterns() -> dict[str, re.Pattern]:
    data = vocab.data_file("scope.toml")
    out = {}
    for kind, langs in data.items():
        words = sorted({w for ws in langs.values() for w in ws}, key=len, reverse=True)
        out[kind] = re.compile(r"(?<!\w)(?:" + "|".join(_scope_word(w) for w in words) + r")(?!\w)", re.IGNORECASE)
    return out


#: Arabic proclitics written joined to the word they precede: a conjunction or preposition (wa-, fa-, bi-, li-,
#: ka-) and the article (al-): "السيطرة الكاملة" is "كاملة" with the article, "بالكامل" "كامل" with bi- and al-.
_ARABIC_PROCLITICS = "(?:[وفبلك])?(?:ال)?"


def _scope_word(word: str) -> str:
    """A scope word as a pattern: an Arabic-script word also with the proclitics written joined to it."""
    pattern = re.escape(word)
    return _ARABIC_PROCLITICS + pattern if re.match(r"[\u0600-\u06FF]", word) else pattern


def claim_scope(claim: Mapping[str, Any]) -> str | None:
    """``whole``, ``last`` or None: how much of its place or region a claim says changed. The claim's own
    ``scope`` field when the extractor gives one, else read from its quote (``data/scope.toml``)."""
    given = opt(claim.get("scope"))
    if given:
        return str(given)
    quote = str(claim.get("quote") or "")
    pats = _scope_patterns()
    if not quote or pats["partial"].search(quote):
        return None
    if pats["last"].search(quote):
        return "last"
    if pats["whole"].search(quote):
        return "whole"
    return None


# ---------------------------------------------------------------- region claims
def region_members(places: pd.DataFrame, region_id: str, direction: str | None = None) -> list[str]:
    """The ground places of an administrative unit (``adm:`` id of the gazetteer), optionally only those on one
    side (``N``, ``SE``...) of the unit's middle."""
    if region_id not in places.index:
        return []
    unit = places.loc[region_id]
    level = _ADMIN_LEVELS.get(str(unit.get("feature_type")))
    if level is None:
        return []
    keep = pd.Series(True, index=places.index)
    for k in range(1, level + 1):
        col = f"adm{k}_en"
        if col not in places or not isinstance(unit.get(col), str):
            return []
        keep &= places[col].eq(unit[col])
    keep &= ~places.get("feature_type", pd.Series("", index=places.index)).isin(list(_ADMIN_LEVELS))
    keep &= places["lat"].notna()
    if "coord_precision" in places:
        keep &= places["coord_precision"].isin(["point"]) | places["coord_precision"].isna()
    members = places[keep.to_numpy()]
    if direction and len(members):
        lat0, lon0 = members["lat"].mean(), members["lon"].mean()
        ok = np.ones(len(members), dtype=bool)
        for d in direction:
            dy, dx = _DIRECTIONS.get(d, (0, 0))
            ok &= ((members["lat"] - lat0) * dy + (members["lon"] - lon0) * dx).to_numpy() > 0
        members = members[ok]
    return list(members.index)


def region_assignments(timeline, claims: Iterable[dict], neighbours: Neighbours) -> list[Assignment]:
    """Inferred changes from claims about a whole region, or a side's last pocket (see the module docstring).

    A claim counts when it is asserted, its side holds ground, and its scope (:func:`claim_scope`) is ``whole``
    for an administrative unit (``region_id``, or an ``adm:`` place) or ``last`` for a settlement. The region's
    settlements not already the claimant's (and, when the loser is named, only the loser's) become the claimant's.
    """
    out: list[Assignment] = []
    places = timeline.places
    for c in claims:
        if c.get("status") != "asserted" or c.get("side") is None or c.get("date") is None:
            continue
        if c.get("action") == "capture":
            gaining, loser = c["side"], opt(c.get("opponent"))
        elif c.get("action") == "withdraw" and opt(c.get("opponent")):
            gaining, loser = c["opponent"], c["side"]
        else:
            continue
        if c["date"] < timeline.start:
            continue
        scope = claim_scope(c)
        region = opt(c.get("region_id"))
        pid = opt(c.get("place_id"))
        if region is None and pid is not None and pid in places.index and (
                str(pid).startswith("adm:") or places.at[pid, "feature_type"] in _ADMIN_LEVELS):
            region = pid
        if region is not None and scope == "whole" and _names_region(c):
            members = region_members(places, region, opt(c.get("region_direction")))
            note = f"a claim about all of {places.at[region, 'name_en'] if region in places.index else region}"
        elif region is None and scope == "last" and pid is not None and pid in neighbours.index:
            held = timeline.who_held(pid, c["date"] - timedelta(days=1))
            loser = loser or (held.side if held.side != gaining else None)
            if loser is None:
                continue
            members = pocket_of(pid, loser, neighbours, lambda p: timeline.who_held(p, c["date"]).side, gaining)
            note = f"the last pocket of {loser}, where the claim's place lay"
        else:
            continue
        for m in members:
            now = timeline.who_held(m, c["date"]).side
            if now in (gaining, "unknown") or (loser is not None and now != loser):
                continue
            out.append(Assignment(m, gaining, c["date"], [c], note, "region"))
    return out


def _names_region(claim: Mapping[str, Any]) -> bool:
    """Whether the claim's quote names its region ("full control of Daraa province"), not only the context
    ("recaptured all of the villages" in a paragraph about a governorate)."""
    text, quote = opt(claim.get("place_text")), opt(claim.get("quote"))
    return bool(text and quote and str(text).casefold() in str(quote).casefold())


def pocket_of(pid: str, side: str, neighbours: Neighbours, side_of: Any, other: str) -> list[str]:
    """The places of ``side`` connected to ``pid`` (through touching cells held by ``side``), ``pid`` included
    when it is ``side``'s or ``other``'s; empty when more than :data:`POCKET_MAX_PLACES` (a front, not a pocket)."""
    start = neighbours.index.get(pid)
    if start is None:
        return []
    seen = {start}
    todo = deque([start])
    members = []
    while todo:
        i = todo.popleft()
        if side_of(neighbours.ids[i]) in (side, other):
            members.append(neighbours.ids[i])
        if len(members) > POCKET_MAX_PLACES:
            return []
        for j in neighbours.touching[i]:
            if j not in seen and side_of(neighbours.ids[j]) == side:
                seen.add(int(j))
                todo.append(int(j))
    return members


# ---------------------------------------------------------------- the front
@dataclass(order=True)
class _Check:
    day: date
    seq: int
    kind: str = field(compare=False)
    side: str = field(compare=False)
    places: tuple[str, ...] = field(compare=False)
    claims: list[dict] = field(compare=False)
    since: date = field(compare=False)


def front_assignments(timeline, neighbours: Neighbours, given: list[Assignment], claims_by_id: Mapping[str, dict],
                      major: set[str], evidence: Iterable[tuple[str, date, str]] = (),
                      cities: set[str] | None = None) -> list[Assignment]:
    """Left-behind settlements and newly closed pockets (see the module docstring), as inferred changes.

    Runs through the days on which reported control changes, keeping each place's shown side (reported, or
    inferred where an inference holds): a capture that leaves a settlement behind or closes a pocket schedules a
    check; if the place is still behind the front then, and no report has spoken for its holder since, it is
    inferred for the advancing side. A report about a place ends its inference. Major places are never inferred
    from their surroundings: a city ringed by the enemy is besieged, not taken; only in a pocket its besieger is
    reducing do towns (``major`` places that are not ``cities``) go with the pocket, cities never.
    """
    cities = major if cities is None else cities
    ev = timeline.events
    rep = ev[ev["applied"] & ~ev["inferred"]].sort_values("day")
    by_day: dict[date, list] = {}
    for e in rep.itertuples(index=False):
        by_day.setdefault(e.day, []).append(e)
    given_by_day: dict[date, list[Assignment]] = {}
    for a in given:
        given_by_day.setdefault(a.day, []).append(a)
    shown: dict[str, str] = {}
    status: dict[str, str] = {}
    for pid, st in zip(timeline.baseline["place_id"], timeline.baseline["side"]):
        shown[pid] = st
    for pid, st in zip(timeline.baseline["place_id"], timeline.baseline["status"]):
        status[pid] = st
    heard: dict[str, list[date]] = {}  # the days reports spoke of a place (changes and confirmations)
    for pid, d, _ in evidence:
        heard.setdefault(pid, []).append(d)
    checks: list[_Check] = []
    out: list[Assignment] = []
    campaigns: dict[str, list[tuple[date, str, str | None, list[dict]]]] = {}  # side -> its reported gains
    waiting: dict[str, list[_Check]] = {}  # side -> reduced pockets not yet given enough gains inside
    seq = 0
    days = sorted(set(by_day) | set(given_by_day))
    k = 0
    while k < len(days) or checks:
        day = days[k] if k < len(days) else None
        if checks and (day is None or checks[0].day <= day):
            chk = heapq.heappop(checks)
            if chk.kind == "behind the front":
                done = _behind_front(chk, campaigns.get(chk.side, []), shown, status, heard, neighbours, major)
            else:
                done = _run_check(chk, shown, status, heard, neighbours, major, campaigns.get(chk.side, []))
            if chk.kind == "reduced pocket" and not done:
                waiting.setdefault(chk.side, []).append(chk)  # examined again at the campaign's next gain
            prior = {a.place_id: shown.get(a.place_id) for a in done}
            for a in done:
                shown[a.place_id] = a.side
            out += done
            for a in done:  # what the inferred places leave behind in turn, checked after the same wait
                for kind, places in _fronts(a.place_id, a.side, shown, prior, neighbours, major, cities):
                    seq += 1
                    wait = INFER_AFTER_DAYS if kind == "left behind" else POCKET_DAYS
                    heapq.heappush(checks, _Check(chk.day + timedelta(days=wait), seq, kind, a.side, places,
                                                  a.claims, chk.day))
            continue
        k += 1
        before = dict()
        gains: list[tuple[str, str, list[dict]]] = []
        for e in by_day.get(day, ()):
            before.setdefault(e.place_id, shown.get(e.place_id))
            heard.setdefault(e.place_id, []).append(day)
            if e.to_status in ("held", "claimed") and e.to_side != shown.get(e.place_id):
                gains.append((e.place_id, e.to_side, [claims_by_id[i] for i in e.claim_ids if i in claims_by_id]))
            shown[e.place_id] = e.to_side
            status[e.place_id] = e.to_status
        for a in given_by_day.get(day, ()):
            before.setdefault(a.place_id, shown.get(a.place_id))
            shown[a.place_id] = a.side
        for pid, side, cs in gains:
            campaigns.setdefault(side, []).append((day, pid, before.get(pid), cs))
            for old in waiting.pop(side, []):  # a pocket one gain went into, with the campaign's next gain
                if (day - old.since).days <= CAMPAIGN_DAYS:
                    seq += 1
                    heapq.heappush(checks, _Check(day + timedelta(days=POCKET_DAYS), seq, old.kind, side, old.places,
                                                  old.claims + cs, old.since))
            for kind, places in _fronts(pid, side, shown, before, neighbours, major, cities):
                seq += 1
                wait = INFER_AFTER_DAYS if kind == "left behind" else POCKET_DAYS
                heapq.heappush(checks, _Check(day + timedelta(days=wait), seq, kind, side, places, cs, day))
        for side in dict.fromkeys(side for _, side, _ in gains):
            seq += 1
            heapq.heappush(checks, _Check(day + timedelta(days=INFER_AFTER_DAYS), seq, "behind the front", side, (),
                                          [], day))
    return out


def _behind_front(chk: _Check, gains: list[tuple[date, str, str | None, list[dict]]], shown: Mapping[str, str],
                  status: Mapping[str, str], heard: Mapping[str, list[date]], neighbours: Neighbours,
                  major: set[str]) -> list[Assignment]:
    """Places inside the envelope of one side's campaign (see the module docstring), due on ``chk.day``."""
    recent = [g for g in gains if (chk.day - g[0]).days <= CAMPAIGN_DAYS + INFER_AFTER_DAYS
              and shown.get(g[1]) == chk.side and g[1] in neighbours.index]
    if len(recent) < 3:
        return []
    idx = np.array([neighbours.index[g[1]] for g in recent])
    x, y = neighbours.x[idx], neighbours.y[idx]
    # campaigns: gains linked within CAMPAIGN_LINK_KM of each other (single linkage)
    near = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) <= CAMPAIGN_LINK_KM
    out: list[Assignment] = []
    for members in groups(len(recent), zip(*np.nonzero(np.triu(near, 1)))):
        if len(members) < 3:
            continue
        hull = shapely.convex_hull(shapely.multipoints(np.column_stack([x[members], y[members]])))
        if shapely.area(hull) <= 0:
            continue
        losers = {recent[m][2] for m in members} - {None, chk.side}
        began = min(recent[m][0] for m in members)
        inside = np.flatnonzero(shapely.contains_xy(hull, neighbours.x, neighbours.y))
        cited = [c for m in sorted(members, key=lambda m: recent[m][0])[-5:] for c in recent[m][3]]
        for i in inside:
            pid = neighbours.ids[i]
            if (pid in major or shown.get(pid) not in losers or status.get(pid) == "besieged"
                    or any(began <= d <= chk.day for d in heard.get(pid, ()))):
                continue
            out.append(Assignment(pid, chk.side, chk.day, cited, f"inside {chk.side}'s gains since {began}, unheard "
                                  f"of since", "behind the front"))
    return out


def _side_share(i: int, side: str, shown: Mapping[str, str], neighbours: Neighbours) -> float:
    sides = [shown.get(neighbours.ids[j]) for j in neighbours.touching[i]]
    sides = [s for s in sides if s not in (None, "unknown")]
    return sum(s == side for s in sides) / len(sides) if sides else 0.0


def _component(i: int, shown: Mapping[str, str], neighbours: Neighbours) -> tuple[list[int], set[str]] | None:
    """The places connected to ``i`` through cells of its shown side, and the sides around them (None when
    larger than :data:`POCKET_MAX_PLACES`)."""
    side = shown.get(neighbours.ids[i])
    seen, todo, around = {i}, deque([i]), set()
    while todo:
        a = todo.popleft()
        for j in neighbours.touching[a]:
            j = int(j)
            s = shown.get(neighbours.ids[j])
            if s == side:
                if j not in seen:
                    seen.add(j)
                    todo.append(j)
                    if len(seen) > POCKET_MAX_PLACES:
                        return None
            elif s not in (None, "unknown"):
                around.add(s)
    return sorted(seen), around


def _fronts(pid: str, side: str, shown: Mapping[str, str], before: Mapping[str, str | None],
            neighbours: Neighbours, major: set[str], cities: set[str] | frozenset[str] = frozenset()
            ) -> list[tuple[str, tuple[str, ...]]]:
    """What a gain of ``pid`` by ``side`` may have left behind: single settlements and closed pockets."""
    i = neighbours.index.get(pid)
    if i is None:
        return []
    was = {**shown, **{p: s for p, s in before.items() if s is not None}}
    found: list[tuple[str, tuple[str, ...]]] = []
    done: set[int] = set()
    for j in neighbours.touching[i]:
        j = int(j)
        q = neighbours.ids[j]
        if j in done or shown.get(q) in (None, "unknown", side):
            continue
        comp = _component(j, shown, neighbours)
        if comp is not None and comp[1] == {side}:
            members, _ = comp
            old = _component(j, was, neighbours)
            if old is None or old[1] != {side}:  # newly enclosed: the gain closed it
                done.update(members)
                places = tuple(neighbours.ids[m] for m in members if neighbours.ids[m] not in major)
                if places:
                    found.append(("pocket", places))
                continue
        ring = ring_pocket(neighbours, j, side, shown)
        if ring is not None and ring_pocket(neighbours, j, side, was) is not None:
            # enclosed by the side before the gain too: the gain was made inside a pocket, which is being reduced
            done.update(ring)
            places = tuple(neighbours.ids[m] for m in ring if neighbours.ids[m] not in cities)
            if places:
                found.append(("reduced pocket", places))
            continue
        if q not in major and _side_share(j, side, shown, neighbours) >= LEFT_BEHIND_SHARE \
                and _side_share(j, side, was, neighbours) < LEFT_BEHIND_SHARE:
            found.append(("left behind", (q,)))
    return found


def _run_check(chk: _Check, shown: dict[str, str], status: Mapping[str, str], heard: Mapping[str, list[date]],
               neighbours: Neighbours, major: set[str],
               gains: list[tuple[date, str, str | None, list[dict]]] = ()) -> list[Assignment]:
    """The inferences of one due check, if the places are still behind the front and unheard of (``gains``: the
    checking side's reported gains, for a reduced pocket)."""
    todo = [p for p in chk.places if shown.get(p) not in (None, "unknown", chk.side)
            and not any(chk.since < d <= chk.day for d in heard.get(p, ()))
            and status.get(p) != "besieged"]
    if not todo:
        return []
    if chk.kind == "pocket":
        i = neighbours.index[todo[0]]
        comp = _component(i, shown, neighbours)
        if comp is None or comp[1] != {chk.side} or len(todo) != len(chk.places):
            return []
        note = f"a pocket enclosed by {chk.side} since {chk.since}, unheard of for {POCKET_DAYS} days"
    elif chk.kind == "reduced pocket":
        # a campaign into the pocket: REDUCTION_GAINS gains of the side around it, within CAMPAIGN_DAYS, on
        # ground touching it; then each place still enclosed by that side, and not heard of since, goes with it
        ring = ring_pocket(neighbours, neighbours.index[todo[0]], chk.side, shown)
        if ring is None:
            return []
        edge = {int(j) for m in ring for j in neighbours.touching[m]}
        inside = {g[1] for g in gains if (chk.day - g[0]).days <= CAMPAIGN_DAYS + POCKET_DAYS
                  and neighbours.index.get(g[1]) in edge}
        if len(inside) < REDUCTION_GAINS:
            return []
        todo = [p for p in todo if ring_pocket(neighbours, neighbours.index[p], chk.side, shown) is not None]
        note = (f"in a pocket {chk.side} took ground inside on {chk.since}, unheard of for {POCKET_DAYS} days: "
                "the pocket went with it")
    else:
        i = neighbours.index[todo[0]]
        if _side_share(i, chk.side, shown, neighbours) < LEFT_BEHIND_SHARE:
            return []
        note = f"left behind {chk.side}'s advance on {chk.since}, unheard of for {INFER_AFTER_DAYS} days"
    return [Assignment(p, chk.side, chk.day, chk.claims, note, chk.kind) for p in todo]


# ---------------------------------------------------------------- the approach of a proximity claim
def approach_assignments(timeline, proximity: list[dict]) -> list[Assignment]:
    """Places on an actor's approach to a place it is near: between the place and the actor's nearest held
    place, farther than the distance claimed and within :data:`APPROACH_CORRIDOR_KM` of that line."""
    pl = timeline.places
    ok = pl["lat"].notna() & pl["lon"].notna()
    if "coord_precision" in pl:
        ok &= pl["coord_precision"].isin(["point", "inferred"]) | pl["coord_precision"].isna()
    pts = pl[ok]
    out: list[Assignment] = []
    if not proximity:
        return out
    px, py = local_xy(pts["lat"].to_numpy(float), pts["lon"].to_numpy(float))
    ids = pts.index.to_numpy()
    iv = timeline.intervals
    iv_place, iv_side, iv_status = (iv[k].to_numpy(object) for k in ("place_id", "side", "status"))
    on_day: dict[date, tuple[np.ndarray, np.ndarray]] = {}

    def sides_on(day: date) -> tuple[np.ndarray, np.ndarray]:
        """The reported side and status of every point on ``day`` (None where nothing is known), once a day."""
        if day not in on_day:
            rows = timeline.rows_on(day)
            at = pd.Index(iv_place[rows]).get_indexer(pts.index)  # -1 (not known): the None put last
            on_day[day] = (np.append(iv_side[rows], None)[at], np.append(iv_status[rows], None)[at])
        return on_day[day]

    for c in proximity:
        dist = c.get("distance_km")
        if dist is None or pd.isna(dist) or float(dist) <= 0 or c["place_id"] not in pts.index:
            continue
        dist = float(dist)
        day = c["date"]
        k = pts.index.get_loc(c["place_id"])
        x, y = px - px[k], py - py[k]
        r = np.hypot(x, y)
        side, status = sides_on(day)
        held = (side == c["side"]) & (status == "held")
        held &= ids != c["place_id"]
        if not held.any():
            continue
        h = int(np.argmin(np.where(held, r, np.inf)))
        hx, hy, hr = x[h], y[h], r[h]
        if hr <= dist or hr > MAX_APPROACH_KM:
            continue
        t = (x * hx + y * hy) / (hr * hr)  # position along P -> H (0 at P, 1 at H)
        perp = np.abs(x * hy - y * hx) / hr
        cand = (t > 0) & (t < 1) & (perp <= APPROACH_CORRIDOR_KM) & (r > dist) & ~held
        cand &= side != c["side"]
        out += [Assignment(pts.index[i], c["side"], day, [c], f"on the approach of a {dist:g} km proximity claim",
                           "approach") for i in np.flatnonzero(cand)]
    return out


# ---------------------------------------------------------------- the overlay
def overlay(timeline, assignments: list[Assignment],
            evidence: Iterable[tuple[str, date, str]] = ()) -> tuple[list[dict], list[tuple]]:
    """Inferred events and overlay intervals from assignments: per place, each runs from its day until the next
    report about the place (a change, or a claim confirming its holder) or the next assignment of another side;
    none overlap; an assignment of the side already reported there is dropped."""
    iv = timeline.intervals
    rep = iv[~iv["inferred"]]
    changes: dict[str, list[date]] = {}
    for pid, start, ev_id in zip(rep["place_id"], rep["valid_from"], rep["event_id"]):
        if ev_id is not None and not (isinstance(ev_id, float) and np.isnan(ev_id)):
            changes.setdefault(pid, []).append(start)
    for pid, day, _ in evidence:
        changes.setdefault(pid, []).append(day)
    by_place: dict[str, list[Assignment]] = {}
    for a in assignments:
        by_place.setdefault(a.place_id, []).append(a)
    events, rows = [], []
    for pid, items in by_place.items():
        items.sort(key=lambda a: (a.day, _PRIORITY.get(a.kind, 9)))
        stops = sorted(changes.get(pid, []))
        spans: list[list] = []  # [assignment, start, end]
        for a in items:
            if spans and spans[-1][2] is None or spans and spans[-1][2] > a.day:
                if spans[-1][0].side == a.side:
                    continue  # the same inference again: the first one stands
                spans[-1][2] = a.day if a.day > spans[-1][1] else spans[-1][1]
            end = next((d for d in stops if d > a.day), None)
            spans.append([a, a.day, end])
        for a, start, end in spans:
            if end is not None and end <= start:
                continue
            old = timeline.who_held(pid, start)
            if old.side == a.side:
                continue
            new = State(a.side, "inferred", old.side)
            ev = make_event(pid, start, min((c.get("reported") or c["date"]) for c in a.claims), old, new,
                            a.claims, inferred=True, note=f"{a.kind}: {a.note}")
            events.append(ev)
            rows.append((pid, a.side, "inferred", old.side, start, end, True, ev["event_id"],
                         [c["claim_id"] for c in a.claims], a.evidence))
    return events, rows


def counts(assignments: Iterable[Assignment]) -> dict[str, int]:
    """How many inferred changes of each kind (for the run summary)."""
    return dict(Counter(a.kind for a in assignments))

