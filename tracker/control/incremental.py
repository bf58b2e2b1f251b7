"""The control fold fed incrementally: only the places touched by new (or changed, or removed) claims are folded
again; the rest come from the previous run.

The fold reads, for a claim about place P, only P's own history and the state of the places near P
(:meth:`tracker.control.graph.Neighbours.near_ids`). Places with no claim keep their baseline state throughout.
So the places with claims fall into *groups* (connected through the near relation, a town with the parts its
capture takes): a group's claims fold the same whatever the other groups' claims are. Each group's output rows
are kept (in the cache, keyed by a hash of the group's claims and of everything else the fold reads: places,
baseline, rules, the control code); a run folds again only the groups whose key is new, in one :class:`Fold`,
and puts every group's rows back in the order one fold over all claims writes them (:class:`~tracker.control.fold.Rows`
keys). The result equals one fold over all the claims, row for row (``tests/test_control_incremental.py``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tracker.control.evidence import claim_rows, listed_claims, province_names
from tracker.control.fold import Fold, loser_phrasing
from tracker.control.graph import Neighbours
from tracker.control.rules import Rule, State

#: The output lists of a fold that are kept per group.
LISTS: tuple[str, ...] = ("events", "outcomes", "conflicts", "evidence", "proximity")
#: The group of claims that name no place (every one is ignored, each on its own).
NO_PLACE = ""


@dataclass
class FoldResult:
    """What :class:`~tracker.control.Timeline` reads of a fold."""

    neighbours: Neighbours
    start: date
    base_state: dict[str, State]
    events: list[dict]
    outcomes: list[dict]
    conflicts: list[dict]
    evidence: list[tuple[str, date, str]]
    proximity: list[dict]
    records: list[dict]
    groups: int = 0
    refolded_groups: int = 0
    refolded_claims: int = 0


def _hash_frame(df: pd.DataFrame, skip: tuple[str, ...] = ()) -> np.ndarray:
    """One 64-bit hash per row of ``df`` but its columns ``skip``: its values as text, whatever their types (a
    column at a time, to keep the copies small)."""
    out = np.zeros(len(df), dtype=np.uint64)
    for k, col in enumerate(c for c in df.columns if c not in skip):
        values = df[col].to_numpy(object)
        try:
            h = pd.util.hash_array(values)
        except TypeError:  # dates, lists, mixed types: as text
            h = pd.util.hash_array(np.array([str(v) for v in values], dtype=object))
        out = out * np.uint64(1000003) ^ h ^ np.uint64(k)
    return out


def _code_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def setting_key(places: pd.DataFrame, baseline: pd.DataFrame, rules: dict[str, Rule], window: int,
                start: date) -> str:
    """A hash of everything but the claims that decides the fold: the places, baseline, rules, window and code."""
    digest = hashlib.sha256(_code_version().encode())
    digest.update(_hash_frame(places.reset_index()).tobytes())
    digest.update(_hash_frame(baseline).tobytes())
    digest.update(repr(sorted((k, type(r).__module__, type(r).__qualname__, vars(r)) for k, r in rules.items()))
                  .encode())
    digest.update(f"{window}|{start}".encode())
    return digest.hexdigest()


def place_groups(skeleton: Fold, records: list[dict], listed: set[str]) -> dict[str, str]:
    """Place -> its group's label (the group's smallest place id) for every place a claim names."""
    live: set[str] = set()
    parts: list[tuple[str, str]] = []  # a town and a part its capture takes
    for c in records:
        c = loser_phrasing(c)
        if skeleton.skip_reason(c, listed) is not None:
            continue
        live.add(c["place_id"])
        if c["action"] == "capture":
            parts.extend((c["place_id"], q) for q in skeleton.parts_of(c["place_id"]))
    live.update(q for _, q in parts)
    parent = {p: p for p in live}

    def root(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    def join(p: str, q: str) -> None:
        a, b = root(p), root(q)
        if a != b:
            parent[max(a, b)] = min(a, b)

    for p in live:
        for q in skeleton.neighbours.near_ids(p):
            if q in parent:
                join(p, q)
    for p, q in parts:
        join(p, q)
    out = {p: root(p) for p in live}
    for c in records:
        if c["place_id"] is not None:
            out.setdefault(c["place_id"], c["place_id"])
    return out


def _place_of(name: str, row: Any) -> str | None:
    return row[0] if name == "evidence" else row.get("place_id")


def fold(places: pd.DataFrame, baseline: pd.DataFrame, claims: pd.DataFrame, rules: dict[str, Rule],
         window: int, neighbours: Neighbours | None, cache: dict) -> FoldResult:
    """The fold of ``claims`` (a :func:`~tracker.control.evidence.claims_frame`), reusing the groups of places
    ``cache`` holds and folding the others; ``cache`` is updated to hold this run's groups only.

    The claims are taken in ``claim_id`` order (the order of the stored claims), so a fold with an empty cache
    is one :class:`Fold` over them all.
    """
    if not claims["claim_id"].is_monotonic_increasing:  # the stored claims come sorted: no second copy then
        claims = claims.sort_values("claim_id", kind="stable")
    claims = claims.reset_index(drop=True)
    skeleton = Fold(places, baseline, claims.iloc[:0], rules, window, neighbours)
    key = setting_key(places, baseline, rules, window, skeleton.start)
    if cache.get("setting") != key:
        cache.clear()
        cache["setting"] = key
    kept: dict[str, dict] = cache.get("groups", {})
    listed = listed_claims(claims, province_names(places))
    records = claim_rows(claims)
    group_of = place_groups(skeleton, records, listed)
    labels = [NO_PLACE if c["place_id"] is None else group_of[c["place_id"]] for c in records]
    row_hash = _hash_frame(claims, skip=("rank", "holder"))
    listed_flag = claims["claim_id"].isin(listed).astype(int).to_numpy()
    by_group: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_group.setdefault(label, []).append(i)
    group_key: dict[str, str] = {}
    for label, rows in by_group.items():
        digest = hashlib.sha256(label.encode())
        digest.update(row_hash[rows].tobytes())
        digest.update(listed_flag[rows].tobytes())
        group_key[label] = digest.hexdigest()
    todo = [label for label, k in group_key.items() if k not in kept]
    fresh: dict[str, dict] = {}
    refolded = 0
    if todo:
        rows = sorted(i for label in todo for i in by_group[label])
        refolded = len(rows)
        everything = refolded == len(claims)  # a first run: the claims themselves, not a copy of every row
        part = Fold(places, baseline, claims if everything else claims.iloc[rows], rules, window,
                    skeleton.neighbours, listed=listed, start=skeleton.start,
                    records=records if everything else [records[i] for i in rows])
        fresh = {label: {name: ([], []) for name in LISTS} for label in todo}
        for name in LISTS:
            out: Any = getattr(part, name)
            for k, row in zip(out.keys, out):
                pid = _place_of(name, row)
                label = NO_PLACE if pid is None else group_of.get(pid, pid)
                keys, items = fresh[label][name]
                keys.append(k)
                items.append(row)
    groups = {label: fresh[label] if label in fresh else kept[k] for label, k in group_key.items()}
    cache["groups"] = {group_key[label]: entry for label, entry in groups.items()}
    merged: dict[str, list] = {}
    for name in LISTS:
        pairs = [(k, row) for label in sorted(groups) for k, row in zip(*groups[label][name])]
        pairs.sort(key=lambda kr: kr[0])  # stable: the rows of one position stay in their group's order
        merged[name] = [row for _, row in pairs]
    return FoldResult(skeleton.neighbours, skeleton.start, skeleton.base_state, merged["events"], merged["outcomes"],
                      merged["conflicts"], merged["evidence"], merged["proximity"], records, len(groups), len(todo),
                      refolded)
