"""A sentence as the grammar reads it: a list of chunks, each a predicate, an actor phrase, a place,
a date, a name, a source, a word (with the word lists it belongs to) or a punctuation mark.

Where lexicon entries, places and dates overlap, the longest wins; of the same span, a date before
a predicate, a predicate before an actor, an actor before a source, a source before a grammar word,
and a grammar word before a place (an Arabic word such as "المدينة" is "the city" before it is a
village of that name). In English, runs of capitalised words that nothing else explains are names
(places the gazetteer lacks, or other proper nouns).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from tracker.extract.actors import ACTOR_GROUPS, Actor
from tracker.extract.lexicon import Hit
from tracker.extract.places import PARTICLES, Place

#: kinds of chunk, best first when two cover the same span
_PRIORITY = {"date": 0, "pred": 1, "actor": 2, "source": 3, "word": 4, "place": 5}
_TOKEN = re.compile(r"[\w'’]+(?:[-'’][\w'’]+)*|[^\w\s]")
_QUOTES = frozenset("\"'“”‘’«»")
_PLAIN: frozenset[str] = frozenset()
_NEUTRAL = frozenset({"not_name_continuation", "capitalised"})


@dataclass(slots=True)
class Chunk:
    """One unit of a sentence (folded offsets)."""

    start: int
    end: int
    kind: str  # pred, actor, place, name, date, source, word, punct
    value: Any  # pred: (action, construction); actor: Actor; place: Place; date: DateMention;
    #             source: its name; word: frozenset of word lists; punct and name: None
    text: str

    def has(self, *groups: str) -> bool:
        """Whether this is a word of one of ``groups``."""
        return self.kind == "word" and not self.value.isdisjoint(groups)

    @property
    def plain(self) -> bool:
        """A word of no grammar list (being a capitalised word that continues no name does not count)."""
        return self.kind == "word" and not (self.value - _NEUTRAL)

    @property
    def quote(self) -> bool:
        return self.kind == "punct" and self.text in _QUOTES


def chunk(start: int, end: int, folded: str, original: str, to_orig: Any, hits: list[Hit], actors: list[Actor],
          places: list[Place], dates: list[Any], lang: str) -> list[Chunk]:
    """The chunks of ``folded[start:end]``.

    ``hits``, ``actors``, ``places`` and ``dates`` are those of the whole report, each sorted by start.
    """
    cands: list[tuple[int, int, int, str, Any]] = []
    words: dict[tuple[int, int], set[str]] = {}
    for h in _within(hits, start, end):
        if h.end > end or h.group in ACTOR_GROUPS:
            continue
        if h.group == "pred":
            cands.append((h.start, h.end, _PRIORITY["pred"], "pred", h.value))
        elif h.group == "attribution":
            cands.append((h.start, h.end, _PRIORITY["source"], "source", h.value))
        else:
            words.setdefault((h.start, h.end), set()).add(h.group)
    for (s, e), groups in words.items():
        if lang == "en" and s > start and _capitalised(original, to_orig(s)):
            groups.add("capitalised")  # a kind word inside a name ("the Ummal District"), not an adjective's noun
        cands.append((s, e, _PRIORITY["word"], "word", frozenset(groups)))
    for a in _within(actors, start, end):
        if a.end <= end:
            cands.append((a.start, a.end, _PRIORITY["actor"], "actor", a))
    preds = [(c[0], c[1]) for c in cands if c[3] == "pred"]
    for p in _within(places, start, end):
        if p.end <= end and not (_loose(p) and any(s < p.end and p.start < e for s, e in preds)):
            # a name read only by its consonants yields to a predicate it overlaps ("وارد این": Radwaniyeh)
            cands.append((p.start, p.end, _PRIORITY["place"], "place", p))
    for d in _within(dates, start, end):
        if d.end <= end:
            cands.append((d.start, d.end, _PRIORITY["date"], "date", d))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    taken = bytearray(end - start + 1)
    chosen: list[tuple[int, int, str, Any]] = []
    for s, e, _prio, kind, value in cands:
        if taken.find(1, s - start, e - start) >= 0:
            continue
        taken[s - start:e - start] = b"\x01" * (e - s)
        chosen.append((s, e, kind, value))
    chosen.sort()
    out: list[Chunk] = []
    at = start
    for s, e, kind, value in chosen:
        if s > at:
            out.extend(_tokens(at, s, folded, original, to_orig, lang))
        out.append(Chunk(s, e, kind, value, folded[s:e]))
        at = e
    if at < end:
        out.extend(_tokens(at, end, folded, original, to_orig, lang))
    return out


def _loose(p: Place) -> bool:
    """Whether the gazetteer found the place only by a resemblance (the same consonants, a letter off)."""
    return getattr(p.mention, "via", None) in ("skeleton", "fuzzy")


def _within(items: list[Any], start: int, end: int) -> list[Any]:
    """The items (sorted by ``.start``) that start in ``[start, end)``."""
    lo = bisect.bisect_left(items, start, key=_START)
    hi = bisect.bisect_left(items, end, lo, key=_START)
    return items[lo:hi]


def _START(item: Any) -> int:
    return item.start


def _tokens(start: int, end: int, folded: str, original: str, to_orig: Any, lang: str) -> list[Chunk]:
    """Plain words and punctuation of a gap; in English, capitalised runs become names."""
    out: list[Chunk] = []
    for s, e in _spans(folded, start, end):
        tok = folded[s:e]
        if tok in ("'s", "’s"):
            out.append(Chunk(s, e, "word", _PLAIN, "'s"))  # a possessive, one spelling
            continue
        if not (tok[0].isalnum() or tok[0] == "_"):
            out.append(Chunk(s, e, "punct", None, tok))
            continue
        if lang == "en" and _capitalised(original, to_orig(s)):
            prev = out[-1] if out else None
            if prev is not None and prev.kind == "name" and prev.end + 2 >= s and \
                    folded[prev.end:s].strip(" -") == "":
                prev.end, prev.text = e, folded[prev.start:e]
                continue
            out.append(Chunk(s, e, "name", None, tok))
            continue
        if lang == "en" and tok in PARTICLES and out and out[-1].kind == "name" and out[-1].end + 2 >= s:
            # "Deir ez" + "Zor": a particle inside a name joins it when a capital follows
            nxt = _TOKEN.match(folded, _skip(folded, e, end), end)
            if nxt and _capitalised(original, to_orig(nxt.start())):
                out[-1].end, out[-1].text = e, folded[out[-1].start:e]
                continue
        out.append(Chunk(s, e, "word", _PLAIN, tok))
    return out


def _spans(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """Token spans, a possessive "'s" apart from its word ("al-shaddadi's" is "al-shaddadi" + "'s")."""
    out = []
    for m in _TOKEN.finditer(folded, start, end):
        s, e = m.span()
        if e - s > 2 and folded[e - 2] in "'’" and folded[e - 1] == "s":
            out.extend(((s, e - 2), (e - 2, e)))
        else:
            out.append((s, e))
    return out


def _skip(folded: str, pos: int, end: int) -> int:
    while pos < end and folded[pos] in " -":
        pos += 1
    return pos


def _capitalised(original: str, o: int) -> bool:
    """Whether the word at ``o`` is capitalised; "al-Qaryatain" counts (its article is not)."""
    if o >= len(original):
        return False
    if original[o].isupper():
        return True
    m = _ARTICLE.match(original, o)
    return bool(m) and original[m.end():m.end() + 1].isupper()


_ARTICLE = re.compile(r"(?:al|el|ad|ar|as|ash|at|az|ad|adh|an|ed|es|ez)[-’']")
