"""Resolution of a place mention in context: ranked candidates with scores and reasons.

The score adds what a reader weighs: how well the name matched; admin units named in the same
passage ("بريف دير الزور", "ريف حماة الشرقي", "حومه شمالی درعا", "eastern countryside of Hama");
closeness to places named nearby (and a strong pull for "adjacent to" phrases) and to the active front;
the feature word before the name (قرية، حي، حقل، جبل، مطار...); country words (العراق) for places
abroad; and importance (feature type, population). When the two best are too close, there is no best.
"""

from __future__ import annotations

import bisect
import csv
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress

from .normalize import DATA, ending, features_fit, norm, norm_array, qualifier, split_feature
from .index import persian_text
from .phrases import REGION_NOUNS, angle_apart, bearing_between, geo_cues, offset_point, region_direction, \
    relative_phrases

ADMIN_TYPES = ("governorate", "district", "subdistrict")
SETTLEMENT_TYPES = ("city", "town", "village", "neighbourhood")
MARGIN = 0.12          # a best must lead the runner-up by this much
ABROAD_UNNAMED = 0.1   # what a place abroad loses when the passage does not name its country
SEAT_BONUS = 0.1       # a settlement that is the seat of an admin unit sharing its name (Kasab of Kasab)
ARTICLE_BONUS = 0.06   # a Latin name with its article ("al-Hameh") fits a place named with one (الهامة), when a
                       # unit is named so without it (Hama)
REGION_PART = 0.2      # a place in the part of an admin unit the passage names ("southern Idlib"); minus outside
CITY_PART_KM = 10.0    # ... within this of the unit's city, the part is the city's ("eastern Aleppo")
PART_MARGIN_KM = 3.0   # ... this close to the line between the parts, neither
PART_WINDOW = 150      # ... the part named this close (characters) to the mention
WINDOW = 220           # characters either side that count as "the same passage"
_EMPTY: frozenset[str] = frozenset()
_KM_MEMO_MAX = 300_000  # pairs kept by Resolver._km_memo (~30 MB) before it starts over
#: site types whose feature word ("crossing", "airport", "مطار") makes a far small place stand
_NAMED_SITES = frozenset({"border_crossing", "airport", "military_base", "dam", "oil_field"})
FAR_KM = 100.0           # a small place farther than this from all a report names is not taken alone
SMALL_PRIOR = 0.1        # ... small: below this importance (a plain village: no large map mark, no corpus mention)
POINT_BONUS = 0.06       # a place some source puts on the map, before one known only to its subdistrict
IMPORTANCE_WEIGHT = 0.3  # the score a place of importance 1 gains over one of importance 0
#: what a candidate that only resembles the name gains, by how it was found (see Gazetteer.lookup)
_LOOSE = {"skeleton": -0.1, "fuzzy": -0.06}
_LOOSE_WHY = {"skeleton": "same consonants", "fuzzy": "spelling a letter or two apart"}
IMPORTANCE = {"city": 0.16, "town": 0.08, "village": 0.03, "neighbourhood": 0.02, "governorate": 0.0,
              "district": -0.02, "subdistrict": -0.04}


@dataclass
class Context:
    """What surrounds a mention: the report text (and the mention's span in it) and known coordinates."""

    text: str = ""
    start: int | None = None
    end: int | None = None
    nearby: list[tuple[float, float]] = field(default_factory=list)
    front: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Candidate:
    """One place a mention may mean, with the score and the reasons behind it."""

    place_id: str
    name_en: str | None
    name_ar: str | None
    lat: float | None
    lon: float | None
    coord_precision: str | None
    feature_type: str | None
    adm1_en: str | None = None
    adm2_en: str | None = None
    adm3_en: str | None = None
    adm3_pcode: str | None = None
    country: str | None = None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def admin_path(self) -> str:
        """``governorate / district / subdistrict`` (or the country when abroad)."""
        if self.country and self.country != "SY":
            return self.country
        return " / ".join(p for p in (self.adm1_en, self.adm2_en, self.adm3_en) if p)


@dataclass
class Resolution:
    """The ranked candidates for one mention; ``best`` is None when the context cannot decide."""

    query: str
    candidates: list[Candidate]
    best: Candidate | None
    ambiguous: bool
    reason: str
    direction: str | None = None   # for region mentions: E, W, N, S, SE... ("ريف حماة الشرقي")


@lru_cache(maxsize=1)
def context_words() -> dict[str, tuple[str, str]]:
    """Normalised context words -> (kind, value): adjacency, nearness, country names."""
    with open(DATA / "context_words.csv", encoding="utf-8") as fh:
        return {norm(r["word"]): (r["kind"], r["value"]) for r in csv.DictReader(fh)}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance in km (good enough within Syria)."""
    dy = (a[0] - b[0]) * 111.2
    dx = (a[1] - b[1]) * 111.2 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


_DIR_RE = {"E": (0, 1), "W": (0, -1), "N": (1, 0), "S": (-1, 0)}


def _direction_of(q: str | None, words: list[str]) -> str | None:
    letters = [qualifier(w[2:] if w.startswith("ال") else w) for w in words]
    letters = [x for x in letters if x in _DIR_RE]
    if q in _DIR_RE:
        letters.append(q)
    return "".join(dict.fromkeys(sorted(letters, key="NSEW".index))) or None


def _in_direction(pt: tuple[float, float], centre: tuple[float, float], direction: str) -> bool:
    dy, dx = pt[0] - centre[0], pt[1] - centre[1]
    return all((dy * _DIR_RE[d][0] + dx * _DIR_RE[d][1]) > 0 for d in direction)


class Resolver:
    """Scores candidates for mentions of one gazetteer (see :meth:`gazetteer.Gazetteer.resolve`)."""

    def __init__(self, gaz) -> None:
        self.gaz = gaz
        self._ctx_cache: dict[int, list] = {}
        # scored resolutions of the current report, keyed by everything the score depends on
        # (a report names the same place many times in the same surroundings)
        self._score_cache: dict[tuple, Resolution] = {}
        self._score_owner: dict | None = None
        self._statics: dict[str, _PlaceStatic | None] = {}
        self._statics_of: dict[tuple[str, ...], list[_PlaceStatic]] = {}  # ids -> their known places
        self._base_scores: dict[tuple, tuple] = {}  # see _base_score
        self._rounded: dict[float, float] = {}  # score -> round(score, 3)
        self._anchors: dict[tuple, tuple[float, float] | None] = {}
        self._near_reasons: dict[frozenset[str], str] = {}
        self._unit_memo: dict[str, tuple] = {}  # admin code -> (centre of its places, its city's point)
        self._codes_of: dict[tuple[str, ...], frozenset[str]] = {}
        # point -> point -> km (a pure function of the two points): the same places come back in
        # every report, so the memo outlives the report (emptied past _KM_MEMO_MAX pairs)
        self._km_memo: dict[tuple, dict] = {}
        self._km_pairs = 0
        # the caller's nearby list only grows within a report: each candidate point keeps its minimum
        # distance over the part of that list seen so far, so a pair is measured once per report
        self._near_base: list[tuple[float, float]] = []
        self._run_min: dict[tuple, list] = {}  # point -> [entries of _near_base done, minimum km]

    def _prepare(self, text: str, persian: bool | None = None) -> dict:
        """Per report, once: its mentions (with admin codes and anchor points) and its cue words.
        ``persian`` says the text is Persian (None: judged by its letters); a later call that does not say
        gets what the first found."""
        key = hash(text)
        hit = self._ctx_cache.get(key)
        if hit is not None and (persian is None or hit["persian"] == persian):
            return hit
        if len(self._ctx_cache) > 256:
            self._ctx_cache.clear()
        ntext, pos = norm_array(text)
        persian = persian_text(text) if persian is None else persian
        found, parts, starts = self.gaz.index.scan(text, ntext, pos, persian)
        mentions = [(m, codes, None if codes and _bracketed(text, m.start) else self._anchor(m))
                    for m in found for codes in (self._countryside_codes(text, m) or
                                                 self._admin_codes(m.place_ids),)]
        # words and where they start in ``text`` (the index split the text already); empty pieces
        # are not words, and come only from a space at either end or two in a row
        if not ntext or ntext[0] == " " or ntext[-1] == " " or "  " in ntext:
            keep = [k for k, w in enumerate(parts) if w]
            starts = starts[keep]
            parts = [parts[k] for k in keep]
        words = parts
        offsets = pos[starts].tolist() if len(starts) else []
        cw = context_words()
        # the few context words among the report's: positions found in C (map + compress)
        at = list(compress(range(len(words)), map(cw.__contains__, words)))
        cues = [(offsets[k], *cw[words[k]]) for k in at]
        geo = geo_cues(words, offsets, at, [cw[words[k]] for k in at])
        codes = [c for _, c, _ in mentions]
        # the parts of admin units the report names ("southern Idlib", "ريف حماة الشمالي"): (start, unit, direction)
        regions = []
        for m, _, _ in mentions:
            units = sorted((p for p in m.place_ids if p.startswith("adm:")), key=len)
            if units:
                d = region_direction(norm(text[max(0, m.start - 40):m.start]).rstrip() + " ", m.text)
                if d:
                    # a countryside phrase names the part for what follows it too ("في ريف إدلب الجنوبي، سيطرت
                    # على X"); a bare direction word only for what it follows ("X in southern Idlib")
                    regions.append((m.start, units[0].split(":", 1)[1], d,
                                    any(w in REGION_NOUNS for w in norm(m.text).split())))
        m_starts = [m.start for m in found]
        m_ends = [m.end for m in found]
        # the window facts of resolve_at, by bisection: the mentions naming admin units and those
        # giving anchors (by index), and whether spans are disjoint (then ends are sorted too)
        admin_at = [k for k, c in enumerate(codes) if c]
        anchor_at = [k for k, (_, _, a) in enumerate(mentions) if a is not None]
        hit = self._ctx_cache[key] = {"mentions": mentions, "words": words, "cues": cues,
                                      "offsets": offsets,
                                      "found": found,
                                      "persian": persian,
                                      "mention_starts": m_starts,
                                      "mention_ends": m_ends,
                                      "disjoint": all(a <= b for a, b in zip(m_ends, m_starts[1:]))
                                      and all(a < b for a, b in zip(m_starts, m_ends)),
                                      "admin_at": admin_at,
                                      "admin_codes": [codes[k] for k in admin_at],
                                      "anchor_at": anchor_at,
                                      "anchor_pts": [mentions[k][2] for k in anchor_at],
                                      "anchor_ids": [mentions[k][0].place_ids for k in anchor_at],
                                      "cue_offsets": [c[0] for c in cues],
                                      "geo": geo, "geo_offsets": [g[0] for g in geo],
                                      "regions": regions,
                                      "relative_of": _relatives(ntext, pos, mentions),
                                      # admin codes of the mentions before i / from i on, for the "far" set
                                      "codes_before": _running_unions(codes),
                                      "codes_after": _running_unions(codes[::-1])[::-1]}
        return hit

    def _admin_codes(self, ids: tuple[str, ...]) -> frozenset[str]:
        """Admin codes a mention of these places names: its admin units, a city's governorate.

        The same names come back in every report: made once per id tuple (callers only read them).
        """
        codes = self._codes_of.get(ids)
        if codes is None:
            found = set()
            for pid in ids:
                st = self._static(pid)
                if st is not None and st.names_code is not None:
                    found.add(st.names_code)
            codes = self._codes_of[ids] = frozenset(found)
        return codes

    def _countryside_codes(self, text: str, m) -> frozenset[str]:
        """The unit an English countryside phrase names, when it is not the unit of the name alone:
        "al-Hameh in Damascus countryside" lies in Rural Damascus, not in the city's governorate."""
        if not _COUNTRYSIDE.match(text, m.end) or not m.text[:1].isupper():
            return _EMPTY
        best = self.gaz.region(f"{m.text} countryside").best
        return frozenset({best.place_id.split(":", 1)[1]}) if best is not None and \
            best.place_id.startswith("adm:") else _EMPTY

    def _static(self, pid: str) -> "_PlaceStatic | None":
        """What the score of place ``pid`` takes from its row, computed once per place."""
        try:
            return self._statics[pid]
        except KeyError:
            pass
        r = self.gaz._records.get(pid)
        st = None if r is None else _PlaceStatic(pid, r)
        self._statics[pid] = st
        return st

    def candidates_for(self, ids: tuple[str, ...]) -> list[Candidate]:
        out = []
        for pid in ids:
            st = self._static(pid)
            if st is not None:
                out.append(Candidate(*st.fields))
        return out

    def resolve(self, mention, context: Context | None, ids: tuple[str, ...], exact: tuple[str, ...],
                query: str, via: str, qual: str | None, loose: frozenset[str] = _EMPTY) -> Resolution:
        ctx = context or Context()
        s, e = (ctx.start, ctx.end) if ctx.start is not None else (None, None)
        return self.resolve_at(ctx.text or "", s, e, [tuple(p) for p in ctx.nearby], [tuple(p) for p in ctx.front],
                               ids, exact, query, via, qual, loose=loose)

    def resolve_at(self, text: str, s: int | None, e: int | None, base: list[tuple[float, float]],
                   front: list[tuple[float, float]], ids: tuple[str, ...], exact: tuple[str, ...], query: str,
                   via: str, qual: str | None, scored: bool = True, loose: frozenset[str] = _EMPTY) -> Resolution:
        """:meth:`resolve` with the context unpacked: the mention's span ``s:e`` in ``text``, the points
        of places resolved before it (``base``, a list of (lat, lon) tuples the caller only extends)
        and of the front. ``loose`` are the candidates that only resemble the name (the same consonants
        or a letter or two apart), below those named exactly (``exact``) or without a qualifier.

        With ``scored=False`` a name with one candidate is not scored (the context cannot change the
        answer, only the candidate's score and reasons): for callers that only need the decision.
        """
        if not ids:
            return Resolution(query, [], None, False, "no place of that name in the gazetteer")
        statics = self._statics_of.get(ids)
        if statics is None:
            statics = self._statics_of[ids] = [st for st in map(self._static, ids) if st is not None]
        if not scored and len(statics) == 1 and (statics[0].prior >= SMALL_PRIOR or statics[0].abroad
                                                 or not statics[0].takes_near):
            # (a small place alone is scored: it may be too far from the report's places, see _far_small)
            only = Candidate(*statics[0].fields, 0.0, ["not scored: the only place of that name"])
            return Resolution(query, [only], only, False, "only one place of that name",
                              _query_facts(query, qual)[1])
        prep = self._prepare(text) if text else None
        feature_hint = None
        if prep is not None and s is not None:
            offsets = prep["offsets"]
            k = bisect.bisect_left(offsets, s)
            if k > 0 and offsets[k - 1] >= s - 40:
                feature_hint = _word_feature(prep["words"][k - 1])
            if feature_hint is None and e is not None:
                # English also puts the kind after the name: "Kassab town", "al-Khalidiyeh neighborhood"
                m = bisect.bisect_left(offsets, e)
                if m < len(offsets) and offsets[m] <= e + 1 and prep["words"][m].isascii():
                    feature_hint = _word_feature(prep["words"][m])
        own_feature = _own_feature(query)
        feature_hint = own_feature or feature_hint

        # what the passage and the report say: admin units, anchors (unambiguous places), countries
        admins_near, admins_far, anchors, countries, adjacent = _EMPTY, _EMPTY, [], _EMPTY, False
        if prep is not None:
            lo, hi = (s - WINDOW, e + WINDOW) if s is not None else (0, 2 * WINDOW)
            cue_offsets = prep["cue_offsets"]
            found_countries = None
            for o, kind, val in prep["cues"][bisect.bisect_left(cue_offsets, lo):
                                             bisect.bisect_right(cue_offsets, hi)]:
                if kind == "country" and lo <= o <= hi:
                    if found_countries is None:
                        found_countries = set()
                    found_countries.add(val)
                elif kind in ("adjacent", "near") and s is not None and e <= o <= e + 30:
                    adjacent = adjacent or kind == "adjacent"
            if found_countries is not None:
                countries = frozenset(found_countries)
            # mentions within WINDOW of this one are "close"; bisection finds them (mentions are in order)
            starts = prep["mention_starts"]
            i, j = (0, len(starts)) if s is None else (bisect.bisect_left(starts, s - WINDOW),
                                                       bisect.bisect_right(starts, s + WINDOW))
            admins_far = prep["codes_before"][i] | prep["codes_after"][j]
            if s is None:
                x0 = x1 = i  # nothing is the mention itself
            elif prep["disjoint"]:
                # the mention itself: the mentions ending after s and starting before e (a run, as
                # both starts and ends are sorted), within the window
                x0 = min(j, max(i, bisect.bisect_right(prep["mention_ends"], s)))
                x1 = max(x0, min(j, bisect.bisect_left(starts, e)))
            else:
                x0 = x1 = -1
            if x0 >= 0:
                # in mention order, skipping indices x0 .. x1 - 1 (as the loop below does)
                at = prep["admin_at"]
                p, p0, p1, q = (bisect.bisect_left(at, i), bisect.bisect_left(at, x0),
                                bisect.bisect_left(at, x1), bisect.bisect_left(at, j))
                if p < q:
                    codes = prep["admin_codes"]
                    admins_near = frozenset().union(*codes[p:p0], *codes[p1:q])
                at = prep["anchor_at"]
                p, p0, p1, q = (bisect.bisect_left(at, i), bisect.bisect_left(at, x0),
                                bisect.bisect_left(at, x1), bisect.bisect_left(at, j))
                if p < q:
                    pts, of = prep["anchor_pts"], prep["anchor_ids"]
                    anchors = pts[p:p0] + pts[p1:q] if p0 < p1 else pts[p:q]
                    owners = of[p:p0] + of[p1:q] if p0 < p1 else of[p:q]
                    if ids in owners:  # another mention of the same name is no support for it
                        anchors = [a for a, o in zip(anchors, owners) if o != ids]
            else:
                near: set[str] = set()
                for m, codes, anchor in prep["mentions"][i:j]:
                    if m.start < e and m.end > s:
                        continue  # the mention itself
                    near.update(codes)
                    if anchor is not None and m.place_ids != ids:
                        anchors.append(anchor)
                admins_near = frozenset(near)
        anchor_pts = anchors
        cues: tuple = ()
        if prep is not None and (prep["geo"] or prep["relative_of"]):
            geo = prep["geo"][bisect.bisect_left(prep["geo_offsets"], lo):bisect.bisect_right(prep["geo_offsets"], hi)]
            rel = prep["relative_of"].get(s)
            if geo or rel:
                cues = (frozenset(v for _, kind, v in geo if kind == "border"),
                        frozenset(v for _, kind, v in geo if kind == "bank"), rel)

        parts = _EMPTY
        if prep is not None and prep["regions"]:
            parts = frozenset((code, d) for o, code, d, before in prep["regions"]
                              if s is None and o <= PART_WINDOW or s is not None and
                              (e <= o <= e + PART_WINDOW or before and s - PART_WINDOW <= o < s))

        # the score depends on nothing else: within a report, the same name in the same surroundings
        # is scored once (the candidates are shared between the answers; callers only read them)
        if prep is not self._score_owner:  # a reference, not an id: a freed dict's id may come back
            self._score_cache.clear()
            if self._km_pairs > _KM_MEMO_MAX:
                self._km_memo.clear()
                self._km_pairs = 0
            self._near_base = []
            self._run_min.clear()
            self._score_owner = prep
        # nearby places enter the score only through each candidate's distance to the nearest one:
        # keyed by those distances, the cache hits although the nearby list grows
        dists = self._nearest(statics, base, anchor_pts) if base or anchor_pts else None
        key = (ids, exact, via, query, qual, feature_hint, admins_near, admins_far, countries, adjacent, dists,
               tuple(front), loose, cues, parts)
        done = self._score_cache.get(key)
        if done is not None:
            return Resolution(done.query, list(done.candidates), done.best, done.ambiguous, done.reason,
                              done.direction)
        res = self._score(statics, exact, query, via, qual, feature_hint, admins_near, admins_far, countries,
                          adjacent, dists, front, ids, loose, cues, parts)
        self._score_cache[key] = res
        return Resolution(res.query, list(res.candidates), res.best, res.ambiguous, res.reason, res.direction)

    def _nearest(self, statics: list["_PlaceStatic"], base: list[tuple[float, float]],
                 anchors: list[tuple[float, float]]) -> tuple[float | None, ...]:
        """Per candidate, the distance in km to the nearest of ``base`` and ``anchors`` (None when
        the candidate takes no nearness: an admin unit or a place without coordinates).

        ``base`` (the caller's nearby list) is measured incrementally: while it only grows, each
        candidate point keeps a running minimum over the entries already seen. A minimum over a set
        does not depend on order or grouping, so the value is the one a full scan gives. Each pair's
        distance is :func:`km`, memoised in ``_km_memo`` across reports.
        """
        known = self._near_base
        n = len(known)
        if len(base) >= n and base[:n] == known:
            known.extend(base[n:])
        else:  # not an extension of the list seen so far: start over
            known = self._near_base = list(base)
            self._run_min.clear()
        total = len(known)
        run_min, memo = self._run_min, self._km_memo
        out: list[float | None] = []
        added = 0
        for st in statics:
            if not st.takes_near:
                out.append(None)
                continue
            pt = st.point_ll
            state = run_min.get(pt)
            if state is None:
                state = run_min[pt] = [0, math.inf]
            row = memo.get(pt)
            if row is None:
                row = memo[pt] = {}
            if state[0] < total:
                d, more = _nearer(row, pt, known[state[0]:], state[1])
                added += more
                state[0], state[1] = total, d
            d = state[1]
            if anchors:
                d, more = _nearer(row, pt, anchors, d)
                added += more
            out.append(d)
        self._km_pairs += added
        return tuple(out)

    def _score(self, statics: list["_PlaceStatic"], exact: tuple[str, ...], query: str, via: str,
               qual: str | None, feature_hint: str | None, admins_near: set[str], admins_far: set[str],
               countries: set[str], adjacent: bool, dists: tuple[float | None, ...] | None,
               front: list[tuple[float, float]], ids: tuple[str, ...] | None = None,
               loose: frozenset[str] = _EMPTY, cues: tuple = (), parts: frozenset = _EMPTY) -> Resolution:
        """Score and rank the candidates ``statics`` given what the passage says about them
        (``dists``: per candidate, the km to the nearest place named nearby; None when none is;
        ``cues``: the borders and Euphrates banks the passage names and the mention's relative
        phrase, see :meth:`resolve_at`; ``parts``: (admin code, direction) of the parts of units it
        names, "southern Idlib"). ``ids`` are the ids ``statics`` were made of, when the caller
        has them."""
        if not statics:
            return Resolution(query, [], None, False, "no place of that name in the gazetteer")
        bkey = (ids if ids is not None else tuple(st.pid for st in statics), exact, via, query, qual, loose)
        base = self._base_scores.get(bkey)
        if base is None:
            if len(self._base_scores) > 65536:
                self._base_scores.clear()
            base = self._base_scores[bkey] = self._base_score(statics, exact, query, via, qual, loose)
        direction, base = base
        foreign_country = bool(countries - {"SY"})
        rounded = self._rounded
        if len(rounded) > 65536:
            rounded.clear()
        # the additions below continue the base score in the original order (and so rounding)
        cands = []
        for k, (st, sc, why0) in enumerate(base):
            why = [*why0]
            codes = st.codes
            hit_near = None
            if codes:  # admin units named in the passage (an admin unit itself has no codes)
                hit_near = codes & admins_near
                if hit_near:
                    sc += 0.3
                    why.append(self._near_reason(hit_near))
                elif codes & admins_far:
                    sc += 0.1
                    why.append("in an admin unit the report names")
            # nearness to places named nearby / already resolved, and to the front
            if st.takes_near:
                if dists is not None:
                    d = dists[k]
                    bonus = 0.35 * math.exp(-d / 30.0)
                    if adjacent and d < 8:
                        bonus += 0.25
                        why.append(f"adjacent to a place named nearby ({d:.0f} km)")
                    elif bonus > 0.02:
                        why.append(f"{d:.0f} km from places named nearby")
                    sc += bonus
                if front:
                    pt = st.point_ll
                    d = min(km(pt, f) for f in front)
                    b = 0.2 * math.exp(-d / 40.0)
                    if b > 0.02:
                        sc += b
                        why.append(f"{d:.0f} km from the front")
                if cues:
                    sc += _cue_score(st, cues, why)
                if parts and codes:
                    sc += self._part_score(st, parts, why)
            # feature word before the name
            if feature_hint:
                ftype = st.feature_type
                if features_fit(feature_hint, ftype):
                    sc += 0.08
                    why.append(f"feature word fits ({feature_hint})")
                elif ftype in SETTLEMENT_TYPES and feature_hint in SETTLEMENT_TYPES:
                    pass
                else:
                    sc -= 0.08
            # abroad: country words, and a big foreign city beats a Syrian hamlet
            if st.abroad:
                if st.country in countries:
                    sc += 0.35
                    why.append(f"{st.country} named nearby")
                else:
                    sc -= ABROAD_UNNAMED
                    why.append("abroad, its country not named nearby")
                if st.pop >= 100000:
                    sc += 0.15
                    why.append("major city abroad")
            elif foreign_country and not hit_near:
                sc -= 0.05
            # round() of a float goes through decimal digits (~0.6 us): the same sums come back
            # (a score starts at 0.3 and adds terms, so it is never -0.0, the one equal key that
            # rounds differently)
            r = rounded.get(sc)
            if r is None:
                r = rounded[sc] = round(sc, 3)
            cands.append(Candidate(*st.fields, r, why))
        cands.sort(key=lambda c: (-c.score, c.place_id))
        if dists is not None and cands:
            far = self._far_small(statics, dists, cands[0], admins_near)
            if far is not None:
                return Resolution(query, cands, None, False, far, direction)
        return self._decide(query, cands, direction)

    def _far_small(self, statics: list["_PlaceStatic"], dists: tuple[float | None, ...], top: Candidate,
                   admins_near: frozenset[str]) -> str | None:
        """Why the best candidate is no answer, when it is a small place (prior below
        :data:`SMALL_PRIOR`) more than :data:`FAR_KM` from every place the report names or the caller
        resolved, and nothing in the passage points to it: a common word that is also a hamlet's name
        ("الأثرية", "القلعة") is not that hamlet 200 km away. None when it may stand."""
        k = next(i for i, st in enumerate(statics) if st.pid == top.place_id)
        st, d = statics[k], dists[k]
        if d is None or d <= FAR_KM or st.prior >= SMALL_PRIOR or st.abroad or (st.codes & admins_near):
            return None
        if any(w.startswith(("fits '", "on the ", "east of", "west of")) for w in top.reasons):
            return None
        fits = [w.removeprefix("feature word fits (").rstrip(")") for w in top.reasons
                if w.startswith("feature word fits (")]
        if any(f in _NAMED_SITES for f in fits):
            return None  # "معبر باب الهوى": a crossing called a crossing is no common word
        return f"only a small place of that name, {d:.0f} km from every place the report names"

    def _base_score(self, statics: list["_PlaceStatic"], exact: tuple[str, ...], query: str, via: str,
                    qual: str | None, loose: frozenset[str] = _EMPTY) -> tuple[str | None, list[tuple]]:
        """The part of :meth:`_score` that the name alone decides: the query's direction and per
        candidate (place, score so far, reasons so far); made once per name (the same names come back
        in every report)."""
        qwords, direction, is_region_phrase, q_ending = _query_facts(query, qual)
        units = {st.names_code for st in statics if st.is_admin}  # admin units of this name
        # "al-Hameh" is not Hama: a Latin name with an article is no seat of a unit named without one
        article = _LATIN_ARTICLE.match(query) is not None
        bare_units = {st.names_code for st in statics if st.is_admin and not _named_with_article(st)} \
            if article else _EMPTY
        out = []
        for st in statics:
            sc, why = 0.3, []
            ftype = st.feature_type
            if not st.is_admin and st.names_code in units and st.pid in exact and via not in ("fuzzy", "skeleton") \
                    and st.names_code not in bare_units:
                sc += SEAT_BONUS
                why.append("the seat of the admin unit of that name")
            if bare_units and not st.is_admin and _named_with_article(st):
                sc += ARTICLE_BONUS
                why.append("named with its article")
            if st.pid in loose or via == "fuzzy":
                # a fuzzy mention names its closest spellings in ``exact``; the rest share consonants
                kind = "fuzzy" if via == "fuzzy" and (st.pid in exact or not exact) else "skeleton"
                sc += _LOOSE[kind]
                why.append(_LOOSE_WHY[kind])
                if q_ending and st.name_en:
                    agree = q_ending == _ending(st.name_en)
                    sc += 0.05 if agree else -0.05
                    if agree:
                        why.append("final vowel agrees")
            elif st.pid in exact and via == "latin":
                sc += 0.11
                why.append("same name in another spelling")
            elif st.pid in exact and via != "skeleton":
                sc += 0.12
                why.append("exact name")
            elif via == "skeleton":
                sc += 0.04
                why.append("Arabic read against the Latin name")
                if q_ending and st.name_en:
                    agree = q_ending == _ending(st.name_en)
                    sc += 0.1 if agree else -0.05
                    if agree:
                        why.append("final vowel agrees")
            else:
                sc += 0.0
                why.append("name without its qualifier")
            if qual:
                if st.qualifier_match(qual):
                    sc += 0.05
                    why.append("qualifier agrees")
                elif st.qualifier_other(qual):
                    sc -= 0.2  # "X al-Gharbiyah" (western) is not "X al-Sharqiyah" (eastern)
                    why.append("qualifier differs")
            sc += st.importance
            if st.point:
                sc += POINT_BONUS
            if st.is_admin:
                if is_region_phrase:
                    sc += 0.25 + (0.15 if ftype == "governorate" else 0)
                    why.append("region phrase")
                else:
                    sc -= 0.1
                # the direction of a region phrase applies to an admin unit itself; an admin unit
                # names no admin codes, so no reason of :meth:`_score` comes before this one
                if direction:
                    why.append(f"direction {direction}")
            out.append((st, sc, tuple(why)))
        return direction, out

    def _part_score(self, st: "_PlaceStatic", parts: frozenset, why: list[str]) -> float:
        """A place in an admin unit whose part the passage names ("southern Idlib", "ريف حماة الشمالي"):
        it gains when it lies in that part (its side of the centre of the unit's places; of the unit's
        city when it lies within :data:`CITY_PART_KM` of it: "eastern Aleppo" may be the city's east) and
        loses when it lies in another part. The unit's city point itself says nothing of the part."""
        add = 0.0
        for code, d in parts:
            if code not in st.codes:
                continue
            centre, city = self._unit_points(code)
            if centre is None:
                continue
            pt = st.point_ll
            if city is not None and km(pt, city) <= CITY_PART_KM:
                centre = city
            dy, dx = (pt[0] - centre[0]) * 111.2, (pt[1] - centre[1]) * 111.2 * math.cos(math.radians(pt[0]))
            ahead = [dy * _DIR_RE[x][0] + dx * _DIR_RE[x][1] for x in d]
            if min(ahead) > PART_MARGIN_KM:
                add += REGION_PART
                why.append(f"in the {d} of {self._admin_name(code)}, as the passage says")
            elif sum(ahead) < -PART_MARGIN_KM * len(d):  # on the other side (north is not "north-east"'s other)
                add -= REGION_PART
                why.append(f"not in the {d} of {self._admin_name(code)}")
        return add

    def _unit_points(self, code: str) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
        """The centre of the points of an admin unit's places and the point of its city (once each)."""
        memo = self._unit_memo
        if code not in memo:
            lats, lons, city = [], [], None
            level = {4: "adm1_pcode", 6: "adm2_pcode", 8: "adm3_pcode"}.get(len(code))
            for r in self.gaz._records.values():
                if level is None or r.get(level) != code or r["coord_precision"] != "point" or \
                        r["lat"] is None or r["lat"] != r["lat"]:
                    continue
                lats.append(r["lat"])
                lons.append(r["lon"])
                if r.get("admin_centre") == code:
                    city = (r["lat"], r["lon"])
            memo[code] = ((sum(lats) / len(lats), sum(lons) / len(lons)) if lats else None, city)
        return memo[code]

    def _decide(self, query: str, cands: list[Candidate], direction: str | None) -> Resolution:
        top = cands[0]
        if len(cands) == 1:
            return Resolution(query, cands, top, False, "only one place of that name", direction)
        second = cands[1]
        margin = top.score - second.score
        same_place = (top.lat is not None and second.lat is not None and top.lat == top.lat
                      and second.lat == second.lat and km((top.lat, top.lon), (second.lat, second.lon)) < 2.0
                      and top.coord_precision == "point" and second.coord_precision == "point")
        siblings = (top.adm3_pcode and top.adm3_pcode == second.adm3_pcode
                    and top.feature_type == second.feature_type == "neighbourhood")
        if margin >= MARGIN or same_place or siblings:
            why = f"leads {second.place_id} by {margin:.2f}"
            if same_place:
                why = f"{second.place_id} is the same spot"
            elif siblings and margin < MARGIN:
                why = f"{second.place_id} is a sibling neighbourhood of the same name"
            return Resolution(query, cands, top, False, why, direction)
        return Resolution(query, cands, None, True,
                          f"cannot tell {top.place_id} ({top.score:.2f}) from {second.place_id} "
                          f"({second.score:.2f})", direction)

    def _near_reason(self, codes: frozenset[str]) -> str:
        """The reason for admin units named nearby (the same few sets come back: made once each)."""
        why = self._near_reasons.get(codes)
        if why is None:
            why = self._near_reasons[codes] = \
                "in " + ", ".join(sorted(self._admin_name(x) for x in codes)) + " named nearby"
        return why

    def _admin_name(self, code: str) -> str:
        r = self.gaz._records.get(f"adm:{code}")
        return r["name_en"] if r else code

    def _anchor(self, m) -> tuple[float, float] | None:
        """Coordinates of a context mention when its name alone points to one place."""
        key = (m.exact_ids or m.place_ids, len(m.place_ids) > 1)
        try:
            return self._anchors[key]
        except KeyError:
            pass
        found = self._anchors[key] = self._anchor_of(*key)
        return found

    def _anchor_of(self, ids: tuple[str, ...], several: bool) -> tuple[float, float] | None:
        pts = []
        for pid in ids:
            r = self.gaz._records.get(pid)
            if r is None or r["feature_type"] in ADMIN_TYPES or r["lat"] is None or r["lat"] != r["lat"]:
                continue
            if r["country"] != "SY" and several:
                continue
            pts.append((r, (r["lat"], r["lon"])))
        if not pts:
            return None
        if len(pts) == 1:
            return pts[0][1]
        # several: only when one is a city and the rest are small
        cities = [p for r, p in pts if r["feature_type"] == "city"]
        return cities[0] if len(cities) == 1 else None


class _PlaceStatic:
    """The parts of a place's score that depend on the place alone (see :meth:`Resolver._score`)."""

    __slots__ = ("fields", "pid", "name_en", "country", "feature_type", "importance", "prior", "pop", "point",
                 "is_admin",
                 "codes", "lat", "point_ll", "takes_near", "abroad", "names_code", "alt_names", "border", "bank",
                 "_qual")

    def __init__(self, pid: str, r: dict) -> None:
        self.fields = (pid, r["name_en"], r["name_ar"], r["lat"], r["lon"], r["coord_precision"],
                       r["feature_type"], r["adm1_en"], r["adm2_en"], r["adm3_en"], r["adm3_pcode"], r["country"])
        self.pid, self.name_en, self.country = pid, r["name_en"], r["country"]
        ftype = self.feature_type = r["feature_type"]
        pop = self.pop = r.get("population") or 0
        prior = r.get("importance")
        self.prior = prior if prior is not None and prior == prior else 0.0
        if ftype not in ADMIN_TYPES and prior is not None and prior == prior:
            imp = IMPORTANCE_WEIGHT * prior  # the build's prior (feature, map size, population, admin centre, corpus)
        else:
            imp = IMPORTANCE.get(ftype or "", 0.02)
            if pop and pop == pop:
                imp += min(0.1, 0.02 * math.log10(max(pop, 1)))
        self.importance = imp
        self.point = r["coord_precision"] == "point"
        self.is_admin = ftype in ADMIN_TYPES
        self.codes = frozenset() if self.is_admin else \
            frozenset({r.get("adm1_pcode"), r.get("adm2_pcode"), r.get("adm3_pcode")} - {None})
        self.lat = r["lat"]
        self.point_ll = (r["lat"], r["lon"])
        self.takes_near = self.lat is not None and not self.is_admin  # nearness counts for it
        self.abroad = bool(self.country) and self.country != "SY"
        # the admin code a mention of this place names: an admin unit's own, the unit a settlement
        # is the centre of (Manbij: Manbij district), else a city's governorate
        centre = r.get("admin_centre")
        self.names_code = pid.split(":", 1)[1] if self.is_admin else (
            centre if isinstance(centre, str) and centre else
            r["adm1_pcode"] if ftype == "city" and r.get("adm1_pcode") else None)
        self.alt_names = r.get("alt_names")
        self.border, self.bank = r.get("border"), r.get("euphrates_bank")
        self._qual: dict[str, bool] = {}

    def qualifier_match(self, qual: str) -> bool:
        """:func:`qualifier_match` of the place's row, once per qualifier."""
        hit = self._qual.get(qual)
        if hit is None:
            hit = self._qual[qual] = qualifier_match({"alt_names": self.alt_names}, qual)
        return hit

    def qualifier_other(self, qual: str) -> bool:
        """Whether the place's own names carry a qualifier other than ``qual`` (and not ``qual``)."""
        return qualifier_other({"alt_names": self.alt_names}, qual)


@lru_cache(maxsize=65536)
def _bracketed(text: str, start: int) -> bool:
    """Whether ``start`` lies inside brackets ("Kassab town (Lattakia, Lattakia)"): an admin unit named
    there is the place's district or governorate, context for it, not a point to be near."""
    opening = text.rfind("(", max(0, start - 60), start)
    return opening >= 0 and ")" not in text[opening:start]


def _word_feature(word: str) -> str | None:
    """The feature a word before a name gives ("قرية" -> village)."""
    return split_feature(word + " x")[1]


@lru_cache(maxsize=65536)
def _own_feature(query: str) -> str | None:
    return split_feature(query)[1]


@lru_cache(maxsize=65536)
def _ending(name: str) -> str:
    return ending(name)


_COUNTRYSIDE = re.compile(r"['’]?s? countryside\b", re.I)
_LATIN_ARTICLE = re.compile(r"(?i)(?:al|el|an|ar|as|ash|at|az|ad|adh|ath|ed|en|er|es|et|ez)[-‐‑ ]['’]?[a-z]")


def _named_with_article(st: "_PlaceStatic") -> bool:
    """Whether a place's name carries the Arabic article (its Arabic name, else its English one)."""
    ar = st.fields[2]
    if ar:
        return ar.startswith("ال")
    return bool(st.name_en) and _LATIN_ARTICLE.match(st.name_en) is not None


@lru_cache(maxsize=65536)
def _query_facts(query: str, qual: str | None) -> tuple[list[str], str | None, bool, str]:
    """(words, direction, is a region phrase, final vowel) of a queried name."""
    qwords = norm(query).split()
    is_region_phrase = any(w in ("ريف", "حومه", "countryside", "rural", "محافظه", "استان", "province",
                                 "governorate") for w in qwords)
    return qwords, _direction_of(qual, qwords), is_region_phrase, ending(query)


_BANK_WORDS = {"E": "east", "W": "west"}
RELATIVE_GAP = 60    # characters from the described place to its relative phrase ("X, some 45 km south of")
ANCHOR_GAP = 25      # ... and from the phrase to the place it is relative to


def _relatives(ntext: str, pos, mentions: list) -> dict[int, tuple]:
    """The relative phrase of each mention that has one: start of the described mention ->
    (expected point or None, anchor point, bearing, km, phrase). The anchor must be a place its name
    alone points to (see ``Resolver._anchor``)."""
    out: dict[int, tuple] = {}
    if not mentions:
        return out
    starts = [m.start for m, _, _ in mentions]
    for r in relative_phrases(ntext, pos):
        k = bisect.bisect_left(starts, r.end)          # first mention after the phrase
        if k >= len(mentions) or starts[k] - r.end > ANCHOR_GAP or k == 0:
            continue
        subject, anchor = mentions[k - 1][0], mentions[k][2]
        if anchor is None or subject.end > r.start or r.start - subject.end > RELATIVE_GAP:
            continue
        expected = offset_point(anchor, r.km, r.bearing) if r.km is not None and r.bearing is not None else None
        out[subject.start] = (expected, anchor, r.bearing, r.km, r.words)
    return out


def _cue_score(st: "_PlaceStatic", cues: tuple, why: list[str]) -> float:
    """What the passage's borders, river banks and the mention's relative phrase add to a candidate."""
    borders, banks, rel = cues
    add = 0.0
    if st.border and st.border in borders:
        add += 0.2
        why.append(f"on the {st.border} border")
    if st.bank and banks:
        if st.bank in banks:
            add += 0.15
            why.append(f"{_BANK_WORDS[st.bank]} of the Euphrates")
        else:
            add -= 0.15  # the passage puts it on the other bank
            why.append(f"not {_BANK_WORDS[next(iter(banks))]} of the Euphrates")
    if rel:
        expected, anchor, bearing, dist, words = rel
        pt = st.point_ll
        if expected is not None:
            d = km(pt, expected)
            b = 0.45 * math.exp(-d / 15.0)
        elif bearing is not None:
            d = km(pt, anchor)
            b = 0.15 if d <= 80 and angle_apart(bearing_between(anchor, pt), bearing) <= 45 else 0.0
        else:
            d = abs(km(pt, anchor) - dist)
            b = 0.35 * math.exp(-d / 10.0)
        if b > 0.02:
            add += b
            why.append(f"fits '{words}' ({d:.0f} km off)" if expected is not None or bearing is None
                       else f"fits '{words}'")
    return add


def _nearer(row: dict, pt: tuple[float, float], points, d: float) -> tuple[float, int]:
    """The smaller of ``d`` and the km from ``pt`` to the nearest of ``points``, with how many
    distances were worked out (``row`` memoises them: point -> km)."""
    added = 0
    for a in points:
        x = row.get(a)
        if x is None:
            x = row[a] = km(pt, a)
            added += 1
        if x < d:
            d = x
    return d, added


def _running_unions(code_sets: list[frozenset[str]]) -> list[frozenset[str]]:
    """``out[i]`` = the union of the first ``i`` sets (``len(code_sets) + 1`` entries)."""
    cur: frozenset[str] = frozenset()
    out = [cur]
    for codes in code_sets:
        if not codes <= cur:  # most mentions add no new unit: the previous union is shared
            cur = cur | codes
        out.append(cur)
    return out


def qualifier_match(row: dict, qual: str) -> bool:
    """Whether the place's own names carry the qualifier ``qual``."""
    return qual in _name_qualifiers(row)


def qualifier_other(row: dict, qual: str) -> bool:
    """Whether the place's own names carry qualifiers, none of them ``qual``."""
    quals = _name_qualifiers(row)
    return bool(quals) and qual not in quals


def _name_qualifiers(row: dict) -> set[str]:
    """The qualifiers (direction, size) after the first word of the place's own names."""
    out: set[str] = set()
    for n in row.get("alt_names") or []:
        words = norm(n).split()
        if len(words) > 1:
            out.update(q for w in words[1:] if (q := qualifier(w[2:] if w.startswith("ال") else w)))
    return out



