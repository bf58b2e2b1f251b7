"""Claims from reports: who did what where and when, with the words that say so.

How a report is read
--------------------
1. The text is *folded* (:func:`fold`): one alef, ta marbuta as ha, Persian yeh/kaf as Arabic, no
   harakat or tatweel, ZWNJ and no-break spaces as spaces, ASCII digits, Latin in lower case. Every
   offset found in the folded text maps back to the stored text, so quotes are exact slices of it.
2. One Aho-Corasick pass per language finds every lexicon entry (triggers per action, actors,
   attribution sources, status cues, locator and stop words, place heads...): the lexicons are the
   data files ``data/lexicon_{ar,fa,en}.toml`` and ``data/actors.toml``.
3. The text is cut into paragraphs and sentences; a report's headline and photo captions are left
   out (a caption's date is not a claim's date).
4. Each action trigger gets a *scope*: the words after it up to the next trigger, stop word or
   clause break (before it in Persian, which is verb-final; before it for passive English triggers).
   The places in the scope are its targets, one claim each; a place right after a locator word
   ("ريف", "north of") only locates another and is skipped. A place after "towards" in a capture
   clause is an advance target.
5. The actor is the side named right after the trigger (Arabic verb-subject order), else the nearest
   before it in the sentence that is not an opponent ("مع داعش"), else the one of the sentence before
   in the paragraph.
6. Dates come from :mod:`tracker.dates`; distances, status cues and attribution from the lexicons.

Places are found and resolved with the gazetteer package when it is built; without it, the place
words of the text are kept (``place_text``) with no coordinates.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import json
import re
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

import ahocorasick
import numpy as np

from tracker import dates as dates_mod
from tracker.records import Claim, Report
from tracker.vocab import TERRITORIAL, data_file

LANGS = ("ar", "fa", "en")

# ---------------------------------------------------------------- folding

_ONE_TO_ONE = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ئ": "ي", "ؤ": "و", "ة": "ه", "ۀ": "ه",
    "ک": "ك", "\u200c": " ", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2002": " ",
    "\u2003": " ", "\u200a": " ",
}
for _i in range(10):
    _ONE_TO_ONE[chr(0x0660 + _i)] = str(_i)
    _ONE_TO_ONE[chr(0x06F0 + _i)] = str(_i)
for _c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _ONE_TO_ONE[_c] = _c.lower()
_TABLE = str.maketrans(_ONE_TO_ONE)
_DELETED = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0656\u0657\u0658\u0659" \
           "\u065a\u065b\u065c\u065d\u065e\u065f\u0670\u0640\u200d\u200e\u200f\ufeff"
_DELETE_RX = re.compile(f"[{_DELETED}]")


#: :data:`_TABLE` and :data:`_DELETED` as lookup arrays over the Basic Multilingual Plane (every
#: folding is one character to one, and none lies beyond it), for whole reports
_FOLD_LUT = np.arange(0x10000, dtype=np.uint32)
for _k, _v in _ONE_TO_ONE.items():
    _FOLD_LUT[ord(_k)] = ord(_v)
_DELETE_LUT = np.zeros(0x10000, dtype=bool)
_DELETE_LUT[[ord(_c) for _c in _DELETED]] = True
#: texts at least this long are folded with arrays (a report); short strings take str.translate
_FOLD_VECTOR_MIN = 256


def fold(text: str) -> tuple[str, list[int] | None]:
    """Fold text for matching; return it and, when characters were dropped, the offset in ``text``
    of every folded character (None when offsets are unchanged)."""
    if len(text) >= _FOLD_VECTOR_MIN:
        return _fold_array(text)
    folded = text.translate(_TABLE)
    if not _DELETE_RX.search(folded):
        return folded, None
    # the kept characters are the runs between deleted ones: extend by ranges, not per character
    offsets: list[int] = []
    last = 0
    for m in _DELETE_RX.finditer(folded):
        offsets.extend(range(last, m.start()))
        last = m.end()
    offsets.extend(range(last, len(folded)))
    return _DELETE_RX.sub("", folded), offsets


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as an array (surrogates kept as they are)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _fold_array(text: str) -> tuple[str, list[int] | None]:
    """:func:`fold` with array operations: one table lookup per character instead of a dict's."""
    codes = _code_points(text)
    bmp = codes <= 0xFFFF
    small = np.minimum(codes, 0xFFFF)
    out = np.where(bmp, _FOLD_LUT[small], codes)
    # no folding yields a deleted character, so the marks are found in the input codes
    deleted = _DELETE_LUT[small] & bmp
    if not deleted.any():
        return out.tobytes().decode("utf-32-le", "surrogatepass"), None
    keep = ~deleted
    return out[keep].tobytes().decode("utf-32-le", "surrogatepass"), np.flatnonzero(keep).tolist()


# ---------------------------------------------------------------- lexicon matching

_PROCLITICS = {"ar": {"و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك", "وس"}, "fa": {"و", "ب"}, "en": set()}


class Hit(NamedTuple):
    """One lexicon entry found in folded text (a tuple: thousands are made per report)."""

    start: int
    end: int
    group: str  # action, actor, attribution, status, or a word list name
    value: Any


class Lexicon:
    """Every entry of one language's lexicon (and its actor forms) in one Aho-Corasick automaton.

    An entry's literal start (up to its first ``*``) is the automaton key; the whole entry is then
    checked with a small compiled regex at that position, so inflected words ("سيطر*") and phrases
    match without one regex per entry being run over the text.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        data = _load_toml(f"lexicon_{lang}.toml")
        self.data = data
        self.direction = data["settings"]["direction"]
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[re.Pattern, str, Any, str, str]]] = {}

        def add(form: str, group: str, value: Any) -> None:
            key_form = fold(form)[0].strip().lower() if lang == "en" else fold(form)[0].strip()
            variants = [key_form]
            if lang == "ar" and key_form.startswith("ال") and len(key_form) > 3:
                variants.append("لل" + key_form[2:])  # "للنظام": li + al- written as lam-lam
            for v in variants:
                literal = v.split("*")[0]
                if len(literal) < 1:
                    continue
                words = [re.escape(w).replace(r"\*", r"\w*") for w in v.split()]
                rx = re.compile(r"\s+".join(words) + (r"" if v.endswith("*") else r"(?!\w)"))
                # acronyms in English (IS, SDF, SAA) must match in capitals
                exact = form if lang == "en" and form.isupper() and len(form) <= 5 else ""
                entries.setdefault(literal, []).append((rx, group, value, exact, v))

        for key, forms in data["actions"].items():
            action, _, mode = key.partition("_")
            mode = {"": self.direction, "distance": "distance"}.get(mode, mode)
            for form in forms:
                add(form, "action", (action, mode))
        for side, per_lang in _load_toml("actors.toml").items():
            for form in per_lang.get(lang, []):
                add(form, "actor", side)
        for name, forms in data["attribution"].items():
            for form in forms:
                add(form, "attribution", name)
        for cue, forms in data["status"].items():
            for form in forms:
                add(form, "status", cue)
        for name, forms in data["words"].items():
            for form in forms:
                add(form, name, name)
        self.proclitics = _PROCLITICS[lang]
        # keys are matched in the text with every non-word character as a space: a key is a space, a
        # proclitic or none, then the literal, so only matches at a word start (or right after an
        # attached proclitic) come out of the automaton
        keyed: dict[str, list[tuple[int, str, list]]] = {}
        for literal, items in entries.items():
            spaced = _NON_WORD_RX.sub(" ", literal)
            for pre in ("", *sorted(self.proclitics)):
                # a literal of word characters only is matched once its key is: no check in the text
                keyed.setdefault(" " + pre + spaced, []).append((len(literal), literal if _NON_WORD_RX.search(literal) else "", [
                    (rx, group, value, exact, rx.pattern.endswith(r"\w*"), "*" not in v)
                    for rx, group, value, exact, v in items]))
        for key, found in keyed.items():
            found.sort(key=lambda f: -f[0])  # longest literal first, as the automaton reports them
            self.automaton.add_word(key, found)
        self.automaton.make_automaton()
        dist = data["distance"]
        self.numbers = {fold(k)[0]: float(v) for k, v in dist.get("numbers", {}).items()}
        num = r"\d+(?:[.,]\d+)?" + ("|" + "|".join(sorted(map(re.escape, self.numbers), key=len, reverse=True))
                                    if self.numbers else "")
        units = "|".join(sorted((re.escape(fold(u)[0]).replace(r"\ ", r"\s*") for u in dist["units"]),
                                key=len, reverse=True))
        about = "|".join(sorted((re.escape(fold(a)[0]) for a in dist["about"]), key=len, reverse=True))
        frm = "|".join(sorted((re.escape(fold(a)[0]).replace(r"\ ", r"\s+") for a in dist["from"]), key=len,
                              reverse=True))
        # the first two letters of every unit: a distance needs a unit, so one of these pairs, in its
        # span (see _Extractor.unit_starts)
        self.unit_heads = sorted({u[:2] if u[1:2] not in ("", " ") else u[:1] for u in (fold(x)[0] for x in dist["units"])})
        self.distance_rx = re.compile(
            rf"(?<!\w)(?:(?P<about>{about})\s+)?(?P<num>{num})\s*-?\s*(?P<unit>{units})(?!\w)"
            rf"(?:\s+(?:\S+\s+){{0,4}}?(?P<from>{frm})(?!\w))?")

    def hits(self, folded: str, original: str, offsets: list[int] | None, codes: np.ndarray | None = None) -> list[Hit]:
        """Every entry in ``folded``: the longest at each place within its group, none overlapping."""
        found: list[Hit] = []
        n = len(folded)
        # the spaced text is one longer (a leading space): its index i + 1 is the folded index i
        spaced = " " + _spaced(folded, codes)
        for end_index, keys in self.automaton.iter(spaced):
            for lit_len, literal, items in keys:
                start = end_index - lit_len
                if literal and not folded.startswith(literal, start):
                    continue  # a non-word character where the literal has another
                # whether the literal runs on into a word: the same answer for every plain entry
                # (``spaced`` has a space exactly where ``folded`` has a non-word character)
                lit_end = start + lit_len
                runs_on = lit_end < n and spaced[lit_end + 1] != " "
                for rx, group, value, exact, open_end, plain in items:
                    if plain:
                        # no wildcard: the literal itself, which must end the word (as the regex says)
                        if runs_on:
                            continue
                        end = lit_end
                    else:
                        m = rx.match(folded, start)
                        if not m:
                            continue
                        end = m.end()
                        if end < n and not open_end and spaced[end + 1] != " ":
                            continue
                    if exact:
                        o0 = offsets[start] if offsets else start
                        if original[o0:o0 + len(exact)] != exact:
                            continue
                    found.append(_new_hit(Hit, (start, end, group, value)))  # Hit(...) without its wrapper
        return _longest(found)


_NON_WORD_RX = re.compile(r"\W")


def _pair_starts(codes: np.ndarray, heads: list[str]) -> list[int]:
    """Where in a text (``codes``, its code points) one of ``heads`` (strings of one or two
    characters) starts."""
    found = np.zeros(len(codes), dtype=bool)
    for head in heads:
        at = codes == ord(head[0])
        if len(head) > 1:
            at[:-1] &= codes[1:] == ord(head[1])
            at[-1:] = False
        found |= at
    return np.flatnonzero(found).tolist()


def _bmp_lut(rx: re.Pattern) -> np.ndarray:
    """Per character of the Basic Multilingual Plane, whether the one-character class ``rx`` matches
    it: made by the regex itself over every such character, so the two cannot disagree."""
    marked = rx.sub("\0", "".join(map(chr, range(1, 0x10000))))
    return np.concatenate(([bool(rx.fullmatch("\0"))],
                           _code_points(marked) == 0))


_NON_WORD_LUT = _bmp_lut(_NON_WORD_RX)
_SPACE = np.uint32(32)


def _spaced(text: str, codes: np.ndarray | None = None) -> str:
    """``text`` with every non-word character as a space (``_NON_WORD_RX.sub(" ", text)``), by table
    (``codes``: the code points of ``text``, when the caller has them)."""
    if len(text) < _FOLD_VECTOR_MIN:
        return _NON_WORD_RX.sub(" ", text)
    if codes is None:
        codes = _code_points(text)
    if codes.max() > 0xFFFF:  # beyond the table: rare, the regex decides
        return _NON_WORD_RX.sub(" ", text)
    return np.where(_NON_WORD_LUT[codes], _SPACE, codes).tobytes().decode("utf-32-le", "surrogatepass")
_new_hit = tuple.__new__

#: (starts, hits) of a group with no hits in a report
_NO_GROUP: tuple[list[int], list[Hit]] = ([], [])


def _longest(hits: list[Hit]) -> list[Hit]:
    """Per group, the longest hit wherever hits overlap (leftmost first)."""
    if not hits:
        return []
    # in order of start (a sort on integers; hits with the same start keep their order, as a sort
    # of each group's own list would), each group's run of overlapping hits is followed at once
    ordered = sorted(hits, key=_START)
    out: list[Hit] = []
    runs: dict[str, list[Hit]] = {}
    ends: dict[str, int] = {}
    for h in ordered:
        g = h.group
        run = runs.get(g)
        if run is None or h.start >= ends[g]:
            # hits that overlap nothing are kept as they are; the greedy choice only runs inside a
            # run of overlapping hits (runs share no position, so each run's choice is the whole list's)
            if run is not None:
                _keep_longest(run, out)
            runs[g] = [h]
            ends[g] = h.end
        else:
            run.append(h)
            if h.end > ends[g]:
                ends[g] = h.end
    for run in runs.values():
        _keep_longest(run, out)
    out.sort(key=_span_key)
    # the same span in several groups: they go in the order the groups first appear in
    rank: dict[str, int] = {}
    i, n = 1, len(out)
    while i < n:
        if out[i].start != out[i - 1].start or out[i].end != out[i - 1].end:
            i += 1
            continue
        j = i + 1
        while j < n and out[j].start == out[i].start and out[j].end == out[i].end:
            j += 1
        if not rank:
            for h in hits:
                if h.group not in rank:
                    rank[h.group] = len(rank)
        out[i - 1:j] = sorted(out[i - 1:j], key=lambda h: rank[h.group])
        i = j
    return out


_START = itemgetter(0)  # Hit.start


def _span_key(h: Hit) -> int:
    """(start, end) as one integer: sorts as the pair does, compared faster."""
    return (h.start << 32) | h.end


def _keep_longest(run: list[Hit], out: list[Hit]) -> None:
    """Append to ``out`` what :func:`_greedy` keeps of a run of overlapping hits (one or two: directly)."""
    if len(run) == 1:
        out.append(run[0])
    elif len(run) == 2:
        # two overlapping hits: the longer, the leftmost of equals (as the greedy order has it)
        a, b = run
        out.append(b if (b.end - b.start, -b.start) > (a.end - a.start, -a.start) else a)
    else:
        _greedy(run, out)


def _greedy(run: list[Hit], out: list[Hit]) -> None:
    """Append to ``out`` the longest hits of ``run`` (leftmost first) that overlap no longer one."""
    base = run[0].start
    taken = bytearray(max(h.end for h in run) - base + 1)
    for h in sorted(run, key=lambda h: (-(h.end - h.start), h.start)):
        s, e = h.start - base, h.end - base
        if not taken.count(1, s, e):
            taken[s:e] = b"\x01" * (e - s)
            out.append(h)


def _load_toml(name: str) -> dict[str, Any]:
    return data_file(name)


@lru_cache(maxsize=None)
def lexicon(lang: str) -> Lexicon:
    """The compiled lexicon of a language (``ar``, ``fa``, ``en``)."""
    return Lexicon(lang if lang in LANGS else "en")


# ---------------------------------------------------------------- gazetteer access

class _NoGazetteer(Exception):
    pass


def load_gazetteer() -> Any | None:
    """The built gazetteer, or None when the package or its build is missing."""
    try:
        import gazetteer  # noqa: PLC0415  (optional: the extractor works without it)

        if not hasattr(gazetteer, "load"):
            return None
        return gazetteer.load()
    except ImportError:
        return None
    except Exception as exc:  # the gazetteer's MissingDataError: not built yet
        if type(exc).__name__ in {"MissingDataError", "FileNotFoundError"}:
            return None
        raise


@dataclass
class Place:
    """A place named in a report (folded offsets), and what the gazetteer made of it."""

    start: int
    end: int
    text: str
    mention: Any = None
    resolved: bool = False
    place_id: str | None = None
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: str | None = None
    country: str | None = None
    feature: str | None = None  # the gazetteer's feature type (city, town, neighbourhood...)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None


_ADMIN = {"governorate", "district", "subdistrict"}


def _resolve(gz: Any, place: Place, report_text: str, nearby: list[tuple[float, float]]) -> None:
    """Resolve one mention with the gazetteer, in place; foreign places keep foreign coordinates."""
    # only the decision is kept of a resolved place: a lone candidate need not be scored
    res = gz.resolve_at(place.mention, report_text, nearby, scored=False)
    place.reason = str(getattr(res, "reason", "") or "") or None
    best = getattr(res, "best", None)
    if best is None or getattr(res, "ambiguous", False):
        # the candidates go with a claim only when the place is left unresolved
        place.candidates = [
            {"place_id": c.place_id, "name_en": getattr(c, "name_en", None), "lat": getattr(c, "lat", None),
             "lon": getattr(c, "lon", None), "score": getattr(c, "score", None),
             "reasons": list(getattr(c, "reasons", []) or [])}
            for c in list(getattr(res, "candidates", None) or [])[:5]
        ]
        return
    place.resolved = True
    place.place_id = best.place_id
    place.name = getattr(best, "name_en", None) or getattr(best, "name_ar", None)
    place.lat, place.lon = getattr(best, "lat", None), getattr(best, "lon", None)
    place.country = getattr(best, "country", None)
    ftype = getattr(best, "feature_type", None)
    place.feature = ftype
    coord = getattr(best, "coord_precision", None) or "point"
    place.precision = ftype if ftype in _ADMIN else (coord if coord in _ADMIN else "point")
    if coord in ("district", "governorate") and ftype not in _ADMIN:
        # only the district's or governorate's centre is known: do not pin the place there
        place.lat = place.lon = None
    if place.lat is not None and place.lat != place.lat:  # NaN: no coordinates
        place.lat = place.lon = None


# ---------------------------------------------------------------- segmentation

#: a sentence end: a run of stops followed by a space, a closing quote or bracket, or the end
_SENT_END = re.compile(r"[.!?؟]+(?=\s|$|[\"'»”)])")
_STOP_LUT = _bmp_lut(re.compile("[.!?؟]"))
_AFTER_STOP_LUT = _bmp_lut(re.compile(r"[\s\"'»”)]"))


def _sentence_ends(folded: str, codes: np.ndarray | None = None) -> list[int]:
    """The ends of :data:`_SENT_END`'s matches in ``folded``, by table: a run of stops ends a
    sentence when what follows the whole run allows it (a shorter part of the run is followed by
    another stop, which never does). ``codes``: the code points of ``folded``, when known."""
    if codes is None:
        codes = _code_points(folded)
    n = len(codes)
    if not n:
        return []
    bmp = codes <= 0xFFFF
    small = np.minimum(codes, 0xFFFF)
    stop = _STOP_LUT[small] & bmp
    ok_after = np.ones(n, dtype=bool)  # the end of the text allows it too
    ok_after[:-1] = _AFTER_STOP_LUT[small[1:]] & bmp[1:]
    last = stop.copy()
    last[:-1] &= ~stop[1:]
    return (np.flatnonzero(last & ok_after) + 1).tolist()
_BREAK_RX = re.compile("[،,;؛:]")
_TERMINAL = tuple(".!?؟:»\"”)")


@dataclass
class Sentence:
    start: int
    end: int
    paragraph: int


def _lines(folded: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in folded.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


_LATIN_RX = re.compile("[a-z]")
_ARABIC_RX = re.compile("[\u0600-\u06ff]")
_CREDIT_END_RX = re.compile(r"\((?:[^()\s]+\s?){1,3}\)\s*$")
_CREDIT_RX = re.compile(r"photo credit|afp photo|getty images|\(photo")


def _is_caption(line: str, lang: str) -> bool:
    """A photo caption or credit line: in another script than the report, or ending in a credit."""
    stripped = line.strip()
    if not stripped:
        return False
    if lang in ("ar", "fa"):
        # counted by what a removal leaves: no list of thousands of one-letter strings
        latin = len(stripped) - len(_LATIN_RX.sub("", stripped)) if _LATIN_RX.search(stripped) else 0
        if latin and latin > len(stripped) - len(_ARABIC_RX.sub("", stripped)):
            return True
    if _CREDIT_END_RX.search(stripped) and not stripped[:-1].rstrip().endswith(_TERMINAL):
        return True
    return bool(_CREDIT_RX.search(stripped))


def sentences(folded: str, lang: str, kind: str = "news", codes: np.ndarray | None = None) -> list[Sentence]:
    """Sentences of a report, with paragraph numbers; the headline and captions left out.

    A line that breaks a sentence in the middle (no closing punctuation, the next line going on in
    lower case or without a capital) does not end the paragraph: scraped reports break lines anywhere.
    """
    out: list[Sentence] = []
    para = 0
    first_text_line = True
    prev_open = False
    # sentence ends of the whole text at once: a stop at a line's end is followed by its newline
    # (white space), so each end is the one a search within the line finds
    ends = _sentence_ends(folded, codes)
    for (ls, le) in _lines(folded):
        line = folded[ls:le]
        if not line.strip():
            continue
        if kind == "news" and first_text_line:
            first_text_line = False
            # a headline: the first line, short and without closing punctuation
            if len(line.strip()) < 200 and not line.rstrip().endswith((".", "؟", "?")):
                continue
        first_text_line = False
        if _is_caption(line, lang) or line.lstrip().startswith(("#", "|", "*")) and kind == "chronicle":
            continue
        if line.strip().startswith("|") or not any(ch.isalpha() for ch in line):
            continue
        if not prev_open:
            para += 1
        pos = ls
        for k in range(bisect.bisect_right(ends, ls), bisect.bisect_right(ends, le)):
            end = ends[k]
            if end > pos and folded[pos:end].strip():
                out.append(Sentence(pos, end, para))
            pos = end
        if folded[pos:le].strip():
            out.append(Sentence(pos, le, para))
        tail = line.rstrip()
        prev_open = lang != "en" and bool(tail) and not tail.endswith(_TERMINAL) and len(line.strip()) > 60
    return out


# ---------------------------------------------------------------- claims

@dataclass
class _Trigger:
    hit: Hit
    action: str
    mode: str
    #: for a siege broken ("broke the siege of X"): the span of the siege word inside ``hit``
    siege: tuple[int, int] | None = None


_PREPOSITIONS = frozenset(fold(w)[0] for w in (
    "في", "من", "على", "عن", "إلى", "الى", "مع", "داخل", "در", "از", "به", "با", "تا", "to", "into", "in", "of", "on", "at",
    "towards", "toward"))
_TOKEN_RX = re.compile(r"[^\s،,;؛:.!?؟«»\"“”()\[\]–—/-]+")


#: the separators between tokens (the complement of :data:`_TOKEN_RX`'s class)
_SEP_CLASS = r"[\s،,;؛:.!?؟«»\"“”()\[\]–—/-]"
_SEP_LUT = _bmp_lut(re.compile(_SEP_CLASS))
_BREAK_LUT = _bmp_lut(_BREAK_RX)


#: "in" before a place that follows the named object ("captured X in Y"): Y only locates X
_IN_WORDS = frozenset({"in"})

#: how many words may come before a month or year that sets a chronicle's year ("In late October 2017")
_OPENER_WORDS = 3

#: date kinds that count from the moment of speaking, so a new reporting verb ends their reach
_SPEAKER_BOUND = frozenset({"relative", "weekday", "ago"})


def extract_report(report: Report, gazetteer: Any | None = None) -> list[Claim]:
    """Every claim in one report.

    Parameters
    ----------
    report
        The report (its ``lang`` picks the lexicon; ``kind == 'chronicle'`` dates each sentence
        by its own words, the year carried from the sentence before or the article's period).
    gazetteer
        A loaded gazetteer (``find_mentions``, ``resolve``); None keeps place words unresolved.

    Returns
    -------
    list[Claim]
        In text order; ``quote == report.text[start:end]``.

    Notes
    -----
    The cyclic garbage collector is paused while the report is read: the extractor makes tens of
    thousands of short-lived tuples and lists that reference counting frees, and walking them cost
    about a tenth of the extraction time (measured on the bench reports). The few cycles left are
    collected once the collector runs again.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _Extractor(report, gazetteer).run()
    finally:
        if paused:
            gc.enable()


_EN_NEXT_NAME_RX = re.compile(r"[ \u00a0-]([A-Z][\w'’]*(?:-[\w'’]+)*)")


@lru_cache(maxsize=1)
def _en_not_name_words() -> frozenset[str]:
    """Capitalised English words that do not continue a place name (months, weekdays, listed words)."""
    data = _load_toml("lexicon_en.toml")
    words = set(data["dates"]["months"]) | set(data["dates"]["weekdays"])
    words |= {fold(w)[0].lower() for w in data["words"].get("not_name_continuation", [])}
    return frozenset(words)


class _Extractor:
    def __init__(self, report: Report, gz: Any | None) -> None:
        self.report = report
        self.gz = gz
        self.lang = report.lang if report.lang in LANGS else "en"
        self.lex = lexicon(self.lang)
        self.text = report.text
        self.folded, self.offsets = fold(report.text)
        # the folded text's code points, made once: the lexicon pass and the tables below read them
        self._codes = codes = _code_points(self.folded)
        self.hits = _generic_actors(_mask(self.lex.hits(self.folded, self.text, self.offsets, codes)))
        self.by_group: dict[str, list[Hit]] = {}
        for h in self.hits:
            self.by_group.setdefault(h.group, []).append(h)
        # start offsets for bisection: every lookup is by position
        self.hit_starts = [h.start for h in self.hits]
        self.group_starts = {g: [h.start for h in hs] for g, hs in self.by_group.items()}
        # (starts, hits) per group in one lookup: the helpers below run thousands of times per report
        self._groups = {g: (self.group_starts[g], hs) for g, hs in self.by_group.items()}
        # token starts and clause breaks counted up to each position: "at most n words between, no
        # comma" is then arithmetic, not a slice and two regexes (see _ntok, _has_break)
        small = np.minimum(codes, 0xFFFF)
        brk = _BREAK_LUT[small] & (codes <= 0xFFFF)
        self.breaks: list[int] = np.flatnonzero(brk).tolist()  # every clause-break character
        tok = ~_SEP_LUT[small] | (codes > 0xFFFF)
        first = tok.copy()
        first[1:] &= ~tok[:-1]
        # as bytes and machine-integer arrays: copied in one go, not made into thousands of Python ints
        self._tok = tok.astype(np.uint8).tobytes()
        self._tok_starts = array("q", np.concatenate(([0], np.cumsum(first, dtype=np.int64))).tobytes())
        self._brk_count = array("q", np.concatenate(([0], np.cumsum(brk, dtype=np.int64))).tobytes())
        self.unit_starts = _pair_starts(codes, self.lex.unit_heads)
        self.date_mentions = dates_mod.find_dates(self.folded, self.lang)
        self.date_starts = [d.start for d in self.date_mentions]
        self.years = dates_mod.find_years(self.folded) if report.kind == "chronicle" else []
        self.year_starts = [y[0] for y in self.years]
        # the longest hit per group bounds how far back a hit covering a position can start
        self.group_maxlen = {g: max(h.end - h.start for h in hs) for g, hs in self.by_group.items()}
        self.places = self._places()
        self.place_starts = [p.start for p in self.places]  # mentions come in text order
        self.place_start_set = set(self.place_starts)
        self.nearby: list[tuple[float, float]] = []
        self._nearby_seen: set[tuple[float, float]] = set()
        meta = json.loads(report.meta) if report.meta else {}
        self.period = meta.get("period") if isinstance(meta, dict) else None
        # a chronicle's period may be missing from its front matter; its title often names the year
        self.year_hint = dates_mod.period_year(self.period) or (
            dates_mod.period_year(report.title) if report.kind == "chronicle" else None)

    # offsets -------------------------------------------------------
    def orig(self, i: int) -> int:
        if self.offsets is None:
            return i
        if i >= len(self.offsets):
            return len(self.text)
        return self.offsets[i]

    def folded_index(self, i: int) -> int:
        if self.offsets is None:
            return i
        return bisect.bisect_left(self.offsets, i)

    # places --------------------------------------------------------
    def _places(self) -> list[Place]:
        if self.gz is None:
            return []
        out = []
        # reporting verbs too: "وقالت" is not the village al-Qulaytah
        masked = [h for h in self.hits if h.group in ("actor", "attribution", "action", "reporting")]
        masked_starts = [h.start for h in masked]
        reach = max((h.end - h.start for h in masked), default=0)
        for m in self.gz.find_mentions(self.text):
            s, e = self.folded_index(m.start), self.folded_index(m.end)
            # a mention inside an actor, a source ("مراسلة الميادين") or a trigger is not a place
            k0, k1 = bisect.bisect_left(masked_starts, s - reach), bisect.bisect_right(masked_starts, s)
            if any(h.start <= s and e <= h.end for h in masked[k0:k1]):
                continue
            if self.lang == "en":
                place = self._english_name(m, s, e)
                if place is not None:
                    out.append(place)
                continue
            out.append(Place(s, e, self.text[m.start:m.end], mention=m))
        return out

    def _english_name(self, m: Any, s: int, e: int) -> Place | None:
        """An English gazetteer mention as a place, or None when it is not a proper name here.

        English capitalises names: a mention in lower case is a common noun ("gas field"), and a
        mention that runs on into more capitalised words is part of a longer name the gazetteer
        does not know ("Tell Shughayb" is not "Tell"); that longer name is kept unresolved.
        """
        raw = self.text[m.start:m.end]
        if not any(ch.isupper() for ch in raw):
            return None
        end, o = e, m.end
        while True:
            nxt = _EN_NEXT_NAME_RX.match(self.text, o)
            if not nxt or fold(nxt.group(1))[0] in _en_not_name_words():
                break
            o = nxt.end()
            end = self.folded_index(o)
        # "the Aleppo airport": the place is the airport, not the city
        head = next((h for h in self._starting("place_head_after", end, end + 2) if h.start > e or end > e), None) \
            or next((h for h in self._starting("place_head_after", end + 1, end + 2)), None)
        if head is not None and not raw.lower().endswith(self.folded[head.start:head.end]):
            end, o = head.end, self.orig(head.end)
        if end == e:
            return Place(s, e, raw, mention=m)
        return Place(s, end, self.text[m.start:o], reason="part of a longer name the gazetteer does not know")

    def _in(self, group: str, start: int, end: int) -> list[Hit]:
        starts, hs = self._groups.get(group, _NO_GROUP)
        i = bisect.bisect_left(starts, start)
        if i == len(starts) or starts[i] >= end:
            return []
        return [h for h in hs[i:bisect.bisect_left(starts, end, i)] if h[1] <= end]

    def _starting(self, group: str, start: int, end: int) -> list[Hit]:
        """Hits of ``group`` that start in ``[start, end)`` (they may end beyond)."""
        starts, hs = self._groups.get(group, _NO_GROUP)
        i = bisect.bisect_left(starts, start)
        if i == len(starts) or starts[i] >= end:
            return []
        return hs[i:bisect.bisect_left(starts, end, i)]

    def _places_in(self, start: int, end: int) -> list[Place]:
        """Places that start in ``[start, end)``."""
        return self.places[bisect.bisect_left(self.place_starts, start):bisect.bisect_left(self.place_starts, end)]

    def _between(self, start: int, end: int) -> list[Hit]:
        return self.hits[bisect.bisect_left(self.hit_starts, start):bisect.bisect_left(self.hit_starts, end)]

    def _ntok(self, a: int, b: int) -> int:
        """How many tokens ``folded[a:b]`` has (what ``len(_TOKEN_RX.findall(folded, a, b))`` says)."""
        if b <= a:
            return 0
        # runs starting inside, plus the one that covers ``a`` (it may start before it)
        return self._tok_starts[b] - self._tok_starts[a + 1] + self._tok[a]

    def _has_break(self, a: int, b: int) -> bool:
        """Whether ``folded[a:b]`` has a clause break (what ``_BREAK_RX.search`` finds)."""
        return b > a and self._brk_count[b] != self._brk_count[a]

    def _word_before(self, group: str, pos: int, lo: int, gap: int = 2) -> Hit | None:
        """A ``group`` hit ending right before ``pos`` (at most ``gap`` words between)."""
        starts, hs = self._groups.get(group, _NO_GROUP)
        k = bisect.bisect_left(starts, pos)
        # the last four hits starting before ``pos``, latest first; the first ending in [lo, pos] answers
        for i in range(k - 1, (k - 5 if k > 4 else -1), -1):
            h = hs[i]
            e = h[1]
            if e > pos or e < lo:
                continue
            if self._ntok(e, pos) < gap and not self._has_break(e, pos):
                return h
            return None
        return None

    # scope ---------------------------------------------------------
    def _scope(self, trig: _Trigger, triggers: list[_Trigger], idx: int, sent: Sentence) -> tuple[int, int]:
        h = trig.hit
        if trig.mode in ("before", "passive"):
            lo = sent.start
            for t in triggers[:idx]:
                lo = max(lo, t.hit.end)
            k = bisect.bisect_left(self.breaks, h.start)  # the last clause break in [lo, trigger)
            if k and self.breaks[k - 1] >= lo:
                lo = self.breaks[k - 1] + 1
            for st in self._in("stop", lo, h.start):
                lo = max(lo, st.end)
            return lo, h.start
        hi = sent.end
        if trig.mode == "distance":
            return h.end, self._segment(h.end, sent)[1]
        for t in triggers[idx + 1:]:
            if t.hit.start >= h.end:
                hi = min(hi, t.hit.start)
                break
        for st in self._in("stop", h.end, hi):
            hi = min(hi, st.start)
            break
        # a comma ends the clause unless a list of places goes on after it
        breaks = self.breaks
        for k in range(bisect.bisect_left(breaks, h.end), len(breaks)):
            b = breaks[k]
            if b >= hi:
                break
            if not self._place_at(b + 1, hi):
                hi = b
                break
        return h.end, hi

    def _place_at(self, pos: int, hi: int) -> bool:
        while pos < hi and self.folded[pos] == " ":
            pos += 1
        if self.folded[pos:pos + 2] == "و " or self.folded[pos:pos + 4] == "and ":
            pos += 2 if self.folded[pos] == "و" else 4
        return pos in self.place_start_set or pos + 1 in self.place_start_set

    # places in scope -----------------------------------------------
    def _targets(self, lo: int, hi: int, sent: Sentence, trig: _Trigger) -> list[tuple[Place, bool]]:
        """Places that are targets in ``[lo, hi)``, each with whether it follows a directional word."""
        found: list[Place] = []
        named = [p for p in self._places_in(lo, hi) if p.end <= hi]
        for p in named:
            if self._is_locator(p.start, lo) or self._names_route(p, hi):
                continue
            found.append(self._as_region(p, lo, hi))
        headed = self._headed(lo, hi)
        for p in headed:
            if not any(q.start < p.end and p.start < q.end for q in found) and not self._is_locator(p.start, lo):
                found.append(p)
        unknown = self._unknown_object(lo, hi, trig, named + headed)
        if unknown is not None:
            # the object right after the trigger is a name the gazetteer lacks: the claim is about it,
            # not about a place in a later clause
            found = [unknown]
        found.sort(key=lambda p: p.start)
        # "captured X in Y", "the capture of X prompted ... in Y": a place after "in" once the object is
        # named locates it, it is not another target
        found = [p for i, p in enumerate(found) if i == 0 or not self._after_in(p, lo)]
        found.extend(self._anaphora(lo, hi, sent, found))
        found.sort(key=lambda p: p.start)
        out = []
        for p in found:
            # towards X, or a part of X ("half of X", "three districts in X"): not the whole of X
            directional = any(d.end <= p.start for d in self._starting("directional", lo, p.start)) or \
                self._partial(p, lo)
            out.append((p, directional))
        return out

    def _after_in(self, p: Place, lo: int) -> bool:
        """Whether "in" (perhaps with a direction word: "in eastern Raqqa") comes right before the place."""
        before = list(_TOKEN_RX.finditer(self.folded, max(lo, p.start - 40), p.start))
        if before and self._word_before("region_direction", p.start, lo, gap=1) is not None:
            before = before[:-1]
        return bool(before) and before[-1].group(0) in _IN_WORDS and \
            not self.folded[before[-1].end():p.start].strip(" ") or False

    def _names_route(self, p: Place, hi: int) -> bool:
        """Whether the place names a route ("the Ar-Raqqa road"): a route word right after it."""
        return any(self._ntok(p.end, r.start) == 0 for r in self._starting("route_after", p.end, hi))

    def _partial(self, p: Place, lo: int) -> bool:
        """Whether a partial quantifier ("half of", "parts of", "districts in", "اجزاء من") comes shortly
        before the place in its clause, no other place between."""
        for q in self._starting("partial", max(min(lo, p.start), p.start - 80), p.start):
            if q.end > p.start or self._word_before("partial_rest", q.start, lo, gap=1) is not None:
                continue  # "captured the ISIL-held parts of X": the rest of X, the whole is taken
            if self._ntok(q.end, p.start) <= 4 and not self._has_break(q.end, p.start) and \
                    not any(q.end <= o.start < p.start for o in self._places_in(q.end, p.start)) and \
                    not (self.lang == "en" and any(ch.isupper() for ch in self.text[self.orig(q.end):self.orig(p.start)])):
                # a name between ("the districts of al-Kannamat and al-Rasafeh") is what the quantifier counts
                return True
        return False

    def _as_region(self, p: Place, lo: int, hi: int) -> Place:
        """The place itself, or the region it names: after a direction word ("eastern Hama"), before a
        region word ("the Hama countryside", "Ar-Raqqah province"), or after "in" following a plural
        object ("captured half a dozen oil fields in Ar-Raqqah")."""
        start, end = p.start, p.end
        region = next((r for r in self._starting("region", p.end, p.end + 2)
                       if self._ntok(p.end, r.start) == 0), None)
        if region is not None:
            end = region.end
        direction = self._word_before("region_direction", p.start, lo, gap=1)
        if direction is not None:
            start = direction.start
        if region is None and direction is None:
            before = list(_TOKEN_RX.finditer(self.folded, max(lo, p.start - 30), p.start))
            m = before[-1] if before else None
            if not (m and m.group(0) == "in" and not self.folded[m.end():p.start].strip()):
                return p
            objs = [o for o in self._in("plural_object", lo, m.start())
                    if self._ntok(o.end, m.start()) == 0]
            if not objs:
                return p
            start = objs[-1].start
            q = next((q for q in self.by_group.get("region_quantity", []) if q.start < start <= q.end + 1), None)
            start = q.start if q is not None else start
        return Place(start, end, self.text[self.orig(start):self.orig(end)], precision="region",
                     reason="region-level")

    def _unknown_object(self, lo: int, hi: int, trig: _Trigger, known: list[Place]) -> Place | None:
        """English: the capitalised name right after a territorial trigger when the gazetteer does not
        know it (no place found there), or None."""
        if self.lang != "en" or trig.action not in TERRITORIAL or trig.mode != self.lex.direction:
            return None
        lead = self._name_after(lo, hi, 4, skip_lead=True)
        if not lead:
            return None
        name = lead[0]
        first = self.folded[name.start:name.end].split()[0]
        if first in _en_not_name_words() or any(k.start < name.end and name.start < k.end for k in known):
            return None
        if any(h.start < name.end and name.start < h.end for h in self._between(name.start - 40, name.end)
               if h.group in ("partial", "plural_object", "region_quantity", "anaphora_singular", "anaphora_plural")):
            return None
        return Place(name.start, name.end, name.text.strip(), reason="not in the gazetteer")

    def _is_locator(self, pos: int, lo: int) -> bool:
        if self._word_before("locator", pos, lo, gap=2) is not None:
            return True
        # a name that itself begins with a locator word ("ريف دير الزور") locates, it is not a target
        starts, hs = self._groups.get("locator", _NO_GROUP)
        if not starts:
            return False
        for i in range(bisect.bisect_left(starts, pos - self.group_maxlen["locator"]), bisect.bisect_left(starts, pos + 2)):
            if hs[i][1] > pos:
                return True
        return False

    def _name_after(self, pos: int, hi: int, max_tokens: int = 3, split_list: bool = False,
                    skip_lead: bool = False) -> list[Place]:
        """Place words right after ``pos``: up to a stop, locator, trigger or clause break."""
        skippable = [h for h in self._between(pos, hi) if h.group in ("filler", "directional")]
        if skip_lead:
            moved = True
            while moved:
                moved = False
                while pos < hi and self.folded[pos] == " ":
                    pos += 1
                for h in skippable:
                    if h.start == pos or (h.start == pos + 1 and self.folded[pos] in "وب"):
                        pos, moved = h.end, True
                m = _TOKEN_RX.match(self.folded, pos)
                if m and m.group(0) in _PREPOSITIONS:
                    pos, moved = m.end(), True
        blocked = [h for h in self._between(pos, hi) if h.group in (
            "stop", "locator", "action", "directional", "actor", "attribution", "status", "place_head",
            "region_quantity", "anaphora_singular", "anaphora_plural")]
        blocked += [h for h in skippable if h.group == "filler"]
        names: list[Place] = []
        cur: list[tuple[int, int]] = []
        # a token is blocked when a blocked hit starting at or before it reaches past it: tokens come
        # in order, so the furthest end of the hits started so far answers
        spans = sorted((b.start, b.end) for b in blocked)
        n_spans, k_span, reach = len(spans), 0, -1
        breaks = self.breaks  # every clause-break character (one-character matches of _BREAK_RX)
        for m in _TOKEN_RX.finditer(self.folded, pos, hi):
            t = m.start()
            k = bisect.bisect_left(breaks, pos)
            if k < len(breaks) and breaks[k] < t:
                break
            while k_span < n_spans and spans[k_span][0] <= t:
                reach = max(reach, spans[k_span][1])
                k_span += 1
            if reach > t:
                break
            tok = m.group(0)
            if tok in _PREPOSITIONS or tok[:1].isdigit() and not cur:
                break
            if self.lang == "en" and not tok[:1].isdigit():
                o = self.orig(m.start())
                if not self.text[o:o + 1].isupper():
                    if tok in ("al", "el", "ad", "ar", "as", "ash", "at", "az", "ez", "of") and cur:
                        cur.append(m.span())
                        continue
                    break
            if split_list and cur and self.lang != "en" and tok.startswith("و") and len(tok) > 2:
                names.append(self._mk_place(cur))
                cur = [(m.start() + 1, m.end())]
                continue
            if split_list and self.lang == "en" and tok == "and":
                names.append(self._mk_place(cur))
                cur = []
                continue
            cur.append(m.span())
            if len(cur) >= max_tokens:
                break
            pos = m.end()
        if cur:
            names.append(self._mk_place(cur))
        return [n for n in names if n.text.strip()]

    def _mk_place(self, spans: list[tuple[int, int]]) -> Place:
        s, e = spans[0][0], spans[-1][1]
        return Place(s, e, self.text[self.orig(s):self.orig(e)])

    def _headed(self, lo: int, hi: int) -> list[Place]:
        out = []
        quantities = self.by_group.get("region_quantity", [])
        for h in self._in("place_head", lo, hi):
            if self._is_locator(h.start, lo) or any(q.start <= h.start < q.end for q in quantities):
                continue
            plural = self.lang != "en" and (self.folded[h.start:h.end].strip() in _plural_heads(self.lang))
            if self.lang == "en" and h.end - h.start and self.folded[h.end - 3:h.end] == " of":
                names = self._name_after(h.end, hi, 4, split_list=True)
            else:
                names = self._name_after(h.end, hi, 3, split_list=plural)
            if self.lang in ("ar", "fa") and self.folded[h.start:h.end].strip() in _keep_head(self.lang):
                # "حقل الخراطة", "جبل البشري": the head is part of the name
                names = [Place(h.start, n.end, self.text[self.orig(h.start):self.orig(n.end)]) if i == 0 else n
                         for i, n in enumerate(names)]
            out.extend(names)
        for h in self._in("place_head_after", lo, hi):
            # English names the place before its kind: "the Shaer gas field", "Tabqa airbase"
            name = self._name_before(h.start, lo)
            if name is not None:
                out.append(Place(name, h.end, self.text[self.orig(name):self.orig(h.end)]))
        return out

    def _name_before(self, pos: int, lo: int, max_tokens: int = 3) -> int | None:
        """Start of the capitalised words right before ``pos`` (English), or None."""
        start = None
        taken = 0
        for m in reversed(list(_TOKEN_RX.finditer(self.folded, max(lo, pos - 60), pos))):
            if self.folded[m.end():pos if start is None else start].strip(" -"):
                break  # something other than a space between the words
            tok = m.group(0)
            o = self.orig(m.start())
            if not self.text[o:o + 1].isupper() and tok not in ("al", "el", "ad", "ar", "as", "ash", "at", "az"):
                break
            if tok in _en_not_name_words():
                break
            start, taken = m.start(), taken + 1
            if taken >= max_tokens:
                break
        if start is not None and self.folded[start:start + 3] in ("al-", "el-", "al ", "el "):
            return start
        # a lower-case article alone is not a name
        return start if start is not None and self.text[self.orig(start):self.orig(start) + 1].isupper() or \
            start is not None and taken > 1 else None

    def _bare(self, lo: int, hi: int, trig: _Trigger) -> list[Place]:
        if trig.mode in ("before", "passive"):
            return []
        return self._name_after(lo, hi, 2, split_list=True, skip_lead=True)

    def _anaphora(self, lo: int, hi: int, sent: Sentence, found: list[Place]) -> list[Place]:
        if found:
            return []
        for h in self._in("anaphora_singular", lo, hi):
            if self._is_locator(h.start, lo):
                continue  # "a village southeast of the city": the city only locates
            if self.lang == "en" and (self.folded.startswith(" of ", h.end) or
                                      self.folded.startswith(("'s", "’s"), h.end)):
                continue  # "the city of X" introduces X; "the city's water" is not the object
            word = self.folded[h.start:h.end].split()[-1]
            prev = self._previous_place(h.start, sent, _SETTLEMENT_WORDS.get(word))
            if prev is not None:
                return [Place(h.start, h.end, prev.text, mention=prev.mention, resolved=prev.resolved,
                              place_id=prev.place_id, name=prev.name, lat=prev.lat, lon=prev.lon,
                              precision=prev.precision, country=prev.country, feature=prev.feature,
                              candidates=prev.candidates,
                              reason="refers back to " + prev.text)]
        for h in self._in("anaphora_plural", lo, hi):
            before = [c for c in self._resolved_cache if c.end <= h.start and c.place.mention is not None
                      and not c.locator]
            prior = [c for c in before if c.start < sent.start]
            if not prior:
                continue
            last_sent = max((s for s in self._sentences if s.start <= prior[-1].start < s.end), key=lambda s: s.start)
            return [Place(h.start, h.end, c.place.text, mention=c.place.mention, resolved=c.place.resolved,
                          place_id=c.place.place_id, name=c.place.name, lat=c.place.lat, lon=c.place.lon,
                          precision=c.place.precision, country=c.place.country, candidates=c.place.candidates,
                          reason="refers back to " + c.place.text)
                    for c in prior if last_sent.start <= c.start < last_sent.end]
        return []

    def _previous_place(self, pos: int, sent: Sentence, kinds: frozenset[str] | None = None) -> Place | None:
        """The last named place before ``pos`` in this paragraph; for "the city" the last one the
        gazetteer knows as a settlement of that size, when there is one (a district is not "the city")."""
        best = fitting = None
        self._flush_heads()
        for p in self._resolved_cache:
            if p.end <= pos and p.paragraph == sent.paragraph and not p.route:
                best = p.place
                if kinds and p.place.feature in kinds:
                    fitting = p.place
        return fitting or best

    # sieges broken ---------------------------------------------------
    def _broken_sieges(self, triggers: list[_Trigger], sent: Sentence) -> list[_Trigger]:
        """A siege trigger shortly after a breaking word ("broke the siege of X", "فك الحصار عن X") is a
        capture of X by the side breaking it, when it happened: not after a distance ("3 km from
        breaking the siege", "3 كلم تفصل ... عن فك حصار") or a blocking word ("short of")."""
        out = []
        for t in triggers:
            b = None
            if t.action == "siege" and t.mode == self.lex.direction:
                b = self._word_before("siege_break", t.hit.start, sent.start, gap=6)
            if b is not None and not self._in("action", b.end, t.hit.start) and self._accomplished(b, sent):
                hit = Hit(b.start, t.hit.end, "action", ("capture", t.mode))
                out.append(_Trigger(hit, "capture", t.mode, siege=(t.hit.start, t.hit.end)))
            else:
                out.append(t)
        return out

    def _accomplished(self, b: Hit, sent: Sentence) -> bool:
        seg_lo, _ = self._segment(b.start, sent)
        if self._distance_search(seg_lo, b.start):
            return False
        if any(h.value[1] == "distance" for h in self._in("action", seg_lo, b.start)):
            return False
        return self._word_before("siege_break_blocked", b.start, sent.start, gap=1) is None

    def _break_end(self, trig: _Trigger) -> int:
        """End of the breaking word of a broken-siege trigger."""
        b = self._starting("siege_break", trig.hit.start, trig.hit.start + 1)
        return b[0].end if b else trig.hit.start

    # actor ---------------------------------------------------------
    def _actor(self, trig: _Trigger, sent: Sentence, lo: int, hi: int) -> tuple[str | None, bool, str | None]:
        """(side, named in this sentence, opponent)."""
        h = trig.hit
        actors = self._starting("actor", sent.start, sent.end)
        opponent: str | None = None
        if trig.siege is not None:
            # a siege broken: the besieger ("ISIL siege", "حصار داعش") is not the one breaking it
            s0, s1 = trig.siege
            for a in actors:
                # Arabic verb-subject order: "كسر الجيش الحصار"
                if h.start < a.start < s0 and not self._ntok(self._break_end(trig), a.start):
                    return a.value, True, opponent
            actors = [a for a in actors if not (h.start <= a.start < s1 or (
                a.start >= s1 and not self._ntok(s1, a.start) and not self._has_break(s1, a.start)))]
        for a in actors:
            if self._is_opponent(a, sent) and a.start >= h.end and a.start < hi + 40:
                opponent = opponent or a.value
        if trig.mode == "passive":
            for a in actors:
                if a.start >= h.end and a.start < h.end + 60:
                    return a.value, True, opponent
        # verb-subject order, or the besieger after "حصار"
        for a in actors:
            if a.start >= h.end and not self._ntok(h.end, a.start) and not self._has_break(h.end, a.start):
                return a.value, True, opponent
        # only "by" words in the clause or after the trigger can count
        for by in self._starting("by", min(lo, h.end), max(hi, sent.end)) if trig.siege is None else []:
            # "محاصره ... از سوی X", "was taken by X": the agent in the clause; beyond it only for passives
            if lo <= by.start < hi or (trig.mode in ("before", "passive") and h.end <= by.start < sent.end):
                for a in actors:
                    if a.start >= by.end and self._ntok(by.end, a.start) <= 1:
                        return a.value, True, opponent
        before = [a for a in actors if a.end <= h.start and not self._is_opponent(a, sent)]
        if before:
            # verb-final languages name the subject first; otherwise the nearest actor acts
            return (before[0] if trig.mode == "before" else before[-1]).value, True, opponent
        return None, False, opponent

    def _is_opponent(self, a: Hit, sent: Sentence) -> bool:
        """Whether actor ``a`` of ``sent`` is named as the opponent ("against ISIL"): once per actor,
        though every trigger of the sentence asks."""
        flag = self._opponents.get(a.start)
        if flag is None:
            flag = self._opponents[a.start] = self._word_before("opponent", a.start, sent.start, gap=1) is not None
        return flag

    # status --------------------------------------------------------
    def _status(self, trig: _Trigger, sent: Sentence, lo: int, hi: int) -> str:
        h = trig.hit
        seg_lo, seg_hi = self._segment(h.start, sent)
        cues = self._starting("status", sent.start, sent.end)
        for cue in cues:
            if cue.value == "refuted_after" and cue.start >= h.end:
                # the cue denies the segment it closes, or the one just before it
                cue_seg = self._segment(cue.start, sent)
                breaks = self._brk_count[cue.start] - self._brk_count[h.end]  # clause breaks between
                if cue_seg[0] <= h.start or breaks <= 1:
                    return "refuted"
            if cue.value == "refuted_before" and cue.end <= h.start:
                return "refuted"
        for cue in self._starting("status", seg_lo, max(seg_hi, hi)):
            if cue.value == "intent" and \
                    (cue.end <= h.start or self.lang != "ar" or cue.start < hi):
                return "intent"
        return "asserted"

    def _segment(self, pos: int, sent: Sentence) -> tuple[int, int]:
        """The comma-delimited part of the sentence around ``pos``."""
        k = bisect.bisect_left(self.breaks, pos)
        lo = self.breaks[k - 1] + 1 if k > 0 and self.breaks[k - 1] >= sent.start else sent.start
        hi = self.breaks[k] if k < len(self.breaks) and self.breaks[k] < sent.end else sent.end
        return lo, hi

    # distance ------------------------------------------------------
    def _distance(self, trig: _Trigger, sent: Sentence, lo: int, hi: int) -> tuple[float | None, bool]:
        """(km, is a distance *to* a place) near the trigger."""
        seg_lo, seg_hi = self._segment(trig.hit.start, sent)
        m = self._distance_search(trig.hit.start, max(hi, seg_hi))
        if m is None:
            lo = max(seg_lo, trig.hit.start - 40)
            if self._has_unit(lo, trig.hit.start):
                before = list(self.lex.distance_rx.finditer(self.folded, lo, trig.hit.start))
                m = before[-1] if before else None
        if m is not None:
            num = m.group("num").replace(",", ".")
            value = float(num) if num[0].isdigit() else self.lex.numbers.get(num)
            if value is None:
                return None, False
            if re.match(r"miles?|mi$", m.group("unit")):
                value *= 1.609
            return value, bool(m.group("from")) or trig.mode == "distance"
        return None, False

    def _has_unit(self, lo: int, hi: int) -> bool:
        """Whether a distance unit may start in ``[lo, hi)`` (its first letters do): no distance can
        be found there otherwise."""
        k = bisect.bisect_left(self.unit_starts, lo)
        return k < len(self.unit_starts) and self.unit_starts[k] < hi

    def _distance_search(self, lo: int, hi: int) -> re.Match | None:
        """``distance_rx.search`` in ``[lo, hi)``, skipped where no unit could end a match."""
        return self.lex.distance_rx.search(self.folded, lo, hi) if self._has_unit(lo, hi) else None

    # attribution ---------------------------------------------------
    def _attribution(self, pos: int, sent: Sentence) -> str | None:
        starts, hs = self._groups.get("attribution", _NO_GROUP)
        for k in range(bisect.bisect_left(starts, pos) - 1, -1, -1):  # the last one before wins
            a = hs[k]
            if a.start >= sent.start:
                return a.value
            para = self._para_of(a.start)
            if para == sent.paragraph:
                return a.value
            if para is not None and para < sent.paragraph:
                return None  # paragraphs only go back from here
        return None

    def _para_of(self, pos: int) -> int | None:
        k = bisect.bisect_right(self._sentence_starts, pos) - 1
        if k >= 0 and pos < self._sentences[k].end:
            return self._sentences[k].paragraph
        return None

    def _dates_in(self, sent: Sentence) -> list[dates_mod.DateMention]:
        return self.date_mentions[bisect.bisect_left(self.date_starts, sent.start):
                                  bisect.bisect_left(self.date_starts, sent.end)]

    # dates ---------------------------------------------------------
    def _date_for(self, pos: int, sent: Sentence, state: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
        seg_lo, seg_hi = self._segment(pos, sent)
        in_sent = self._dates_in(sent)
        chosen = None
        for d in in_sent:
            if seg_lo <= d.start < seg_hi:
                chosen = d
                break
        if chosen is None:
            before = [d for d in in_sent if d.end <= pos]
            chosen = before[-1] if before else (in_sent[0] if in_sent and self.report.kind == "chronicle" else None)
            if before and chosen is not None and chosen.kind in _SPEAKER_BOUND and self._starting("reporting", chosen.end, pos):
                # "تمكنت أمس ... وقال ناشطون إن ...": a new speaker's clause does not inherit "yesterday"
                if self.report.published is not None and self.report.kind != "chronicle":
                    return self.report.published.isoformat(), self.report.published_precision or "day", None
                chosen = None
        if chosen is not None:
            value, precision = self._resolve_date(chosen, state)
            if value is not None:
                o0, o1 = self.orig(chosen.start), self.orig(chosen.end)
                return value.isoformat(), precision, self.text[o0:o1].strip()
        if state.get("carry") and state.get("carry_para") == sent.paragraph:
            return state["carry"]
        if self.report.published is not None and self.report.kind != "chronicle":
            return self.report.published.isoformat(), self.report.published_precision or "day", None
        return None, None, None

    def _resolve_date(self, d: dates_mod.DateMention, state: dict[str, Any]) -> tuple[date | None, str]:
        base = self.report.published if self.report.kind != "chronicle" else None
        prev = state.get("prev_date")
        value, precision = dates_mod.resolve(d, base, state.get("year") or self.year_hint, prev)
        return value, precision

    def _sentence_dates(self, sent: Sentence, state: dict[str, Any]) -> None:
        """Carry the sentence's last date (and its year) to the sentences after it.

        In a chronicle only a date that sets the running year is carried: a full date ("5 September
        2017"), a day without a year (read in the running year), "the next day", or a month or year
        that opens the sentence ("In October 2017,", "By mid-2017") and does not look back before the
        running year. A month or year inside a sentence ("gains made in 2016", "in September 2016")
        is a reference, not the chronicle's time.
        """
        chronicle = self.report.kind == "chronicle"
        if chronicle:
            for y0, _y1, year in self.years[bisect.bisect_left(self.year_starts, sent.start):
                                             bisect.bisect_left(self.year_starts, sent.end)]:
                if any(d.start <= y0 < d.end for d in self._dates_in(sent)):
                    continue  # the year of a full date or a month: read with it
                if self._opens(sent, y0) and not self._backward(year, state):
                    self._set_year(year, state)
        for d in self._dates_in(sent):
            value, precision = self._resolve_date(d, state)
            if value is None:
                continue
            if chronicle and d.kind == "monthyear" and (not self._opens(sent, d.start)
                                                        or self._backward(value.year, state)):
                continue
            state["prev_date"] = value
            state["year"] = value.year
            state["carry"] = (value.isoformat(), precision, self.text[self.orig(d.start):self.orig(d.end)].strip())
            state["carry_para"] = sent.paragraph

    def _opens(self, sent: Sentence, pos: int) -> bool:
        """Whether ``pos`` is within the first few words of the sentence ("In late October 2017, ...")."""
        return self._ntok(sent.start, pos) <= _OPENER_WORDS

    def _backward(self, year: int, state: dict[str, Any]) -> bool:
        running = state.get("year") or self.year_hint
        return running is not None and year < running

    @staticmethod
    def _set_year(year: int, state: dict[str, Any]) -> None:
        """A new running year (a heading or an opener): the dates carried from another year end."""
        if state.get("year") != year:
            for key in ("prev_date", "carry", "carry_para"):
                state.pop(key, None)
        state["year"] = year

    def _headings(self) -> list[tuple[int, int]]:
        """(position, year) of every chronicle section heading that names a year."""
        out = []
        for ls, le in _lines(self.folded):
            if self.folded[ls:le].lstrip().startswith("#"):
                found = dates_mod.find_years(self.folded[ls:le])
                if found:
                    out.append((ls, found[0][2]))
        return out

    # region --------------------------------------------------------
    def _region(self, lo: int, hi: int) -> Place | None:
        for q in self._in("region_quantity", lo, hi):
            for r in self.by_group.get("region", []):
                if q.end <= r.start < min(hi, q.end + 12):
                    end = r.end
                    nxt = [p for p in self.places if r.end <= p.start <= r.end + 2 and p.end <= hi]
                    tail = self._name_after(r.end, hi, 2) if not nxt and self.lang != "en" else []
                    if nxt:
                        end = nxt[0].end
                    elif tail and not tail[0].text.startswith(("بعد", "خلال")):
                        end = tail[0].end
                    o0, o1 = self.orig(r.start), self.orig(end)
                    return Place(r.start, end, self.text[o0:o1], precision="region", reason="region-level")
        return None

    # run -----------------------------------------------------------
    def run(self) -> list[Claim]:
        self._sentences = sentences(self.folded, self.lang, self.report.kind, self._codes)
        self._sentence_starts = [st.start for st in self._sentences]
        self._resolved_cache: list[_Placed] = []  # named places in text order (then head-word ones)
        self._pending_heads: list[Sentence] = []
        self._opponents: dict[int, bool] = {}  # actor start -> named as the opponent (_is_opponent)
        claims: list[Claim] = []
        state: dict[str, Any] = {}
        carry_actor: tuple[int, str] | None = None
        headings = self._headings() if self.report.kind == "chronicle" else []
        for sent in self._sentences:
            while headings and headings[0][0] < sent.start:
                self._set_year(headings.pop(0)[1], state)
            triggers = self._broken_sieges(
                [_Trigger(h, h.value[0], h.value[1]) for h in self._starting("action", sent.start, sent.end)], sent)
            self._note_places(sent)
            named_actor = None
            for idx, trig in enumerate(triggers):
                if trig.action in TERRITORIAL and self._starting("non_event", sent.start, trig.hit.start):
                    continue  # "congratulated ... on the liberation of X" reports no new event
                lo, hi = self._scope(trig, triggers, idx, sent)
                side, named, opponent = self._actor(trig, sent, lo, hi)
                if side is None and carry_actor and carry_actor[0] == sent.paragraph:
                    side = carry_actor[1]
                if named:
                    named_actor = side
                targets = self._targets(lo, hi, sent, trig)
                region = None if targets else self._region(lo, hi)
                if not targets and region is None and self.gz is None:
                    targets = [(p, False) for p in self._bare(lo, hi, trig)]
                distance, to_target = self._distance(trig, sent, lo, hi)
                action = trig.action
                if trig.mode == "distance" and distance is None:
                    continue
                if trig.mode == "distance" or (action in ("advance", "proximity") and to_target and distance is not None):
                    action = "proximity"
                if action == "proximity" and trig.mode != "distance" and distance is None:
                    distance = 0.0
                if action != "proximity" and not (action == "advance" and distance is not None and not to_target):
                    distance = None  # only a proximity's distance to a place, or a distance advanced, is kept
                status = self._status(trig, sent, lo, hi)
                date_s, date_p, date_t = self._date_for(trig.hit.start, sent, state)
                attribution = self._attribution(trig.hit.start, sent)
                places: list[tuple[Place | None, bool]] = list(targets)
                if not places and region is not None:
                    places = [(region, False)]
                if not places:
                    if action == "advance" and distance is not None:
                        places = [(None, False)]
                    elif action not in TERRITORIAL and side:
                        continue
                    else:
                        continue
                if action == "proximity" and len(places) > 1:
                    places = places[:1]  # a distance is to one place
                if side is None:
                    side = "unknown"
                    if trig.action in TERRITORIAL:
                        continue
                for place, directional in places:
                    act = action
                    if directional and act == "capture":
                        act = "advance"
                    if directional and act == "withdraw":
                        continue  # "withdrew towards X" leaves another place, not X
                    claims.append(self._claim(trig, act, side, status, place, date_s, date_p, date_t,
                                              distance if act in ("proximity", "advance") else None,
                                              attribution, opponent, named, sent, lo, hi))
            if named_actor:
                carry_actor = (sent.paragraph, named_actor)
            elif carry_actor and carry_actor[0] != sent.paragraph:
                carry_actor = None
            self._sentence_dates(sent, state)
        return _dedupe(claims)

    def _note_places(self, sent: Sentence) -> None:
        """Resolve the places of a sentence in order, each with the ones before as context."""
        for p in self._places_in(sent.start, sent.end):
            if not p.resolved and p.candidates == [] and p.reason is None:
                if self.gz is not None and p.mention is not None:
                    _resolve(self.gz, p, self.text, self.nearby)
                    # the same point twice adds nothing to the resolver's nearness
                    if p.resolved and p.lat is not None and p.country in (None, "SY") and \
                            (p.lat, p.lon) not in self._nearby_seen:
                        self._nearby_seen.add((p.lat, p.lon))
                        self.nearby.append((p.lat, p.lon))
                locator = self._is_locator(p.start, sent.start) or self._word_before(
                    "directional", p.start, sent.start, gap=2) is not None
                self._resolved_cache.append(_Placed(p.start, p.end, sent.paragraph, p, locator,
                                                    self._names_route(p, sent.end)))
        # places named by a head word ("قرية الطيبة") count as antecedents too: found when "the city"
        # first asks for an antecedent (rarely), see _flush_heads
        self._pending_heads.append(sent)

    def _flush_heads(self) -> None:
        """Add the head-word places of the sentences noted so far to the antecedents, in text order.

        A head-word place counts unless a named place covers its start; only places of its own
        sentence can (later ones start after it), so adding them late changes nothing.
        """
        if not self._pending_heads:
            return
        for sent in self._pending_heads:
            for p in self._headed(sent.start, sent.end):
                if not any(c.start <= p.start < c.end for c in self._resolved_cache):
                    self._resolved_cache.append(_Placed(p.start, p.end, sent.paragraph, p, False))
        self._pending_heads = []
        self._resolved_cache.sort(key=lambda c: c.start)

    def _claim(self, trig: _Trigger, action: str, side: str, status: str, place: Place | None, date_s, date_p,
               date_t, distance, attribution, opponent, named: bool, sent: Sentence, lo: int, hi: int) -> Claim:
        # the quote: from the trigger (or the place, if it comes first) to the end of the place
        q0 = min(trig.hit.start, place.start if place else trig.hit.start, lo)
        q1 = max(trig.hit.end, place.end if place else trig.hit.end)
        if trig.mode == "distance" or action == "proximity":
            dm = self._distance_search(max(sent.start, trig.hit.start - 40), max(hi, q1))
            if dm:
                q0, q1 = min(q0, dm.start()), max(q1, dm.end())
        # the last actor ending before the quote, at most three words before it: actors do not overlap,
        # so the ones before it are further away still
        for a in self._starting("actor", sent.start, q0)[::-1]:
            if a.end <= q0:
                if self._ntok(a.end, q0) <= 3:
                    q0 = a.start
                break
        o0, o1 = self.orig(q0), self.orig(q1)
        while o0 < o1 and self.text[o0] in " \u00a0\u200c«\"“":
            o0 += 1
        quote = self.text[o0:o1]
        precision = None
        lat = lon = None
        pid = pname = None
        if place is not None:
            precision = place.precision or ("point" if place.resolved else None)
            if precision != "region":
                lat, lon, pid, pname = place.lat, place.lon, place.place_id, place.name
        conf = 0.55
        conf += 0.15 if named else 0.0
        conf += 0.15 if place is not None and place.resolved else 0.0
        conf += 0.05 if attribution else 0.0
        conf -= 0.1 if place is not None and place.reason and place.reason.startswith("refers") else 0.0
        conf -= 0.1 if len(trig.hit.value[0]) and trig.mode == "distance" and distance is None else 0.0
        return Claim(
            report_id=self.report.report_id, actor=side, action=action, status=status,
            place_text=place.text.strip() if place else None, place_id=pid, place_name=pname, lat=lat, lon=lon,
            place_precision=precision, date=date_s, date_precision=date_p, date_text=date_t,
            distance_km=distance, quote=quote, start=o0, end=o1, attribution=attribution,
            confidence=round(min(conf, 0.95), 2), report_version=self.report.version, source=self.report.source,
            lang=self.lang, opponent=opponent,
            place_start=self.orig(place.start) if place else None, place_end=self.orig(place.end) if place else None,
            candidates=[] if place is None or place.resolved else place.candidates,
            resolution=place.reason if place else None,
        )


#: what "the city" / "the town" may refer back to (feature types of the gazetteer)
_SETTLEMENT_WORDS = {"city": frozenset({"city"}), "town": frozenset({"city", "town"}),
                     "village": frozenset({"village", "town"})}


@dataclass
class _Placed:
    start: int
    end: int
    paragraph: int
    place: Place
    locator: bool = False
    route: bool = False  # names a route ("the Ar-Raqqa road"): "the city" does not refer back to it


@lru_cache(maxsize=None)
def _plural_heads(lang: str) -> frozenset[str]:
    words = _load_toml(f"lexicon_{lang}.toml")["words"]
    return frozenset(fold(w)[0] for w in words.get("place_head_plural", [])) | frozenset(
        fold(w)[0] for w in words.get("place_head", []) if fold(w)[0] in {"قرى", "بلدات", "مدن", "احياء", "حقول",
                                                                          "مزارع", "تلال", "جبال", "منطقتي",
                                                                          "بلدتي", "قريتي", "مدينتي", "روستاهاي",
                                                                          "شهركهاي", "نواحي"})


@lru_cache(maxsize=None)
def _keep_head(lang: str) -> frozenset[str]:
    words = _load_toml(f"lexicon_{lang}.toml")["words"]
    return frozenset(fold(w)[0] for w in words.get("place_head_in_name", []))


def _mask(hits: list[Hit]) -> list[Hit]:
    """Drop hits inside names: a trigger inside an actor ("هيئة تحرير الشام"), a locator inside a
    trigger ("وصل إلى محيط")."""
    if not hits:
        return []
    # positions covered by names / by triggers, one byte each: slices are filled and searched in C
    n = max(h.end for h in hits) + 1
    named, acted = bytearray(n), bytearray(n)
    for h in hits:
        g = h.group
        if g == "actor" or g == "attribution":
            named[h.start:h.end] = b"\x01" * (h.end - h.start)
        elif g == "action":
            acted[h.start:h.end] = b"\x01" * (h.end - h.start)
    words = ("locator", "stop", "directional", "opponent", "place_head", "filler", "anaphora_singular")
    out = []
    for h in hits:
        if h.group == "action" and named.find(1, h.start, h.end) >= 0:
            continue
        if h.group in words and acted[h.start] and acted[h.end - 1]:
            continue
        out.append(h)
    return out


#: sides a generic word ("the militants") may stand for: the ones that are not a state's army
_NON_STATE = ("isis", "hts", "opposition", "sdf", "turkey")
_GENERIC_REACH = 1500  # characters back to look for the side a generic word stands for


def _generic_actors(hits: list[Hit]) -> list[Hit]:
    """Give each generic actor word the side of the last non-state actor named before it (or drop it)."""
    out: list[Hit] = []
    last: Hit | None = None
    for h in hits:
        if h.group == "actor" and h.value == "generic":
            if last is not None and h.start - last.end <= _GENERIC_REACH:
                out.append(Hit(h.start, h.end, "actor", last.value))
            continue
        if h.group == "actor" and h.value in _NON_STATE:
            last = h
        out.append(h)
    return out


def _dedupe(claims: list[Claim]) -> list[Claim]:
    seen, out = set(), []
    for c in claims:
        key = (c.actor, c.action, c.status, c.place_start, c.place_text, c.start)
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    return out


def extract_reports(reports: Iterable[Report], gazetteer: Any | None = None) -> list[Claim]:
    """Claims of many reports, in order."""
    out: list[Claim] = []
    for r in reports:
        out.extend(extract_report(r, gazetteer))
    return out


def claim_id(claim: Claim) -> str:
    """A stable id: the same report version, offsets, action and place give the same id."""
    key = f"{claim.report_id}|{claim.report_version}|{claim.start}|{claim.end}|{claim.action}|{claim.actor}|" \
          f"{claim.place_start}|{claim.place_text}|{claim.status}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


#: A wire-style English paragraph for :func:`bench` (written for it; the seeds have no English report).
_BENCH_EN = (
    "Syrian troops and allied militias pushed deeper into Mayadin on Friday, a military source told state media, "
    "after seizing the village of Tayyibah on the western edge of the town. Islamic State fighters withdrew "
    "towards al-Asharah, the source said, while Kurdish-led forces backed by the US-led coalition reached the "
    "outskirts of the al-Omar oil field on the eastern bank of the Euphrates. Activists said warplanes struck "
    "Quriyah and Muhassan overnight. On 14 October, the army said it had taken full control of Mayadin, about "
    "45 km southeast of Deir ez-Zor city, and was advancing towards Abu Kamal on the Iraqi border. The "
    "Observatory said clashes continued around the town of Bouqrus, and that government forces were within "
    "5 km of al-Quriyah. Militants of the group counterattacked near the Deir ez-Zor airport on Thursday.\n"
)


def _bench_texts() -> list[tuple[str, str]]:
    """(lang, text) of the real seed reports and one English paragraph, for :func:`bench`."""
    from tracker import settings  # noqa: PLC0415  (only the benchmark needs the sources)

    out: list[tuple[str, str]] = []
    folder = settings.sources_dir() / "seeds"
    langs: dict[str, str] = {}
    meta = folder / "meta.jsonl"
    if meta.exists():
        for line in meta.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                langs[row["file"]] = row.get("lang", "ar")
    for f in sorted(folder.glob("*.txt")):
        out.append((langs.get(f.name, "ar"), f.read_text(encoding="utf-8")))
    out.append(("en", _BENCH_EN * 3))
    return out


def prepare(langs: Iterable[str] = LANGS) -> None:
    """Build the lexicons and date patterns of ``langs`` and load dateparser, once per process.

    Extraction does this on first use anyway; calling it first keeps that one-off cost (about
    0.3 s) out of the first report's time, as loading the gazetteer is.
    """
    for lang in langs:
        lexicon(lang)
    dates_mod.prepare(langs)


def bench(n: int = 1000, chars: int = 3000, gazetteer: Any | None = None) -> dict[str, float]:
    """Time the extraction of ``n`` realistic reports of about ``chars`` characters each (one core).

    Each report is cut from a real seed report (or a wire-style English paragraph), rotated to start
    at a different line for each report so no two are identical, and concatenated with itself up to
    ``chars`` characters; publication dates vary so relative dates resolve differently.

    Returns
    -------
    dict
        ``seconds`` (CPU time of the extraction), ``reports``, ``reports_per_second``, ``claims``,
        ``load_seconds`` (:func:`prepare`, timed apart as loading the gazetteer is) and ``compiled``
        (whether the mypyc build of this module ran, see setup.py).
    """
    reports = bench_reports(n, chars)
    t0 = time.process_time()
    prepare()
    loading = time.process_time() - t0
    t0 = time.process_time()
    found = extract_reports(reports, gazetteer)
    elapsed = max(time.process_time() - t0, 1e-9)
    return {"seconds": round(elapsed, 3), "reports": n, "reports_per_second": round(n / elapsed, 1),
            "claims": len(found), "load_seconds": round(loading, 3), "compiled": not __file__.endswith(".py")}


def bench_reports(n: int = 1000, chars: int = 3000) -> list[Report]:
    """The ``n`` reports of about ``chars`` characters that :func:`bench` extracts (see there)."""
    texts = []
    for lang, text in _bench_texts():
        # sentence starts: a rotation begins at one of them
        cuts = [0] + [m.end() for m in re.finditer(r"[.!?؟]\s+|\n+", text) if m.end() < len(text) - 200]
        texts.append((lang, text, cuts))
    reports = []
    for i in range(n):
        lang, text, cuts = texts[i % len(texts)]
        k = cuts[(i // len(texts)) * 7 % len(cuts)]
        rotated = text[k:] + "\n" + text[:k]
        body = (rotated * (chars // len(rotated) + 1))[:chars]
        cut = body.rfind(" ")  # do not end in the middle of a word
        body = body[:cut] if cut > chars * 0.9 else body
        # a headline line of its own keeps every report distinct
        reports.append(Report(report_id=f"bench{i}", text=f"report {i}\n{body}", lang=lang, version=1,
                              published=date(2017, 10, 15) - timedelta(days=i % 45)))
    return reports


_CLAIM_COLUMNS = (
    "claim_id", "report_id", "report_version", "actor", "action", "status", "place_text", "place_id", "place_name",
    "lat", "lon", "place_precision", "date", "date_precision", "date_text", "distance_km", "quote", "quote_start",
    "quote_end", "attribution", "source", "lang", "published", "confidence", "opponent", "place_start", "place_end",
    "candidates", "resolution", "extracted_at",
)


def store_claims(con: Any, gazetteer: Any | None = None) -> dict[str, int]:
    """Extract the latest version of every stored report not yet extracted; store its claims.

    One transaction: a report's claims are all stored or none are. Returns counts for the run summary.
    """
    from datetime import datetime, timezone

    from tracker.ingest import latest_reports
    from tracker.store import transaction

    done = set(con.execute("SELECT DISTINCT report_id, report_version FROM claims").fetchall())
    todo = [r for r in latest_reports(con) if (r.report_id, r.version) not in done]
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows, seen = [], set()
    for report in todo:
        for c in extract_report(report, gazetteer):
            cid = claim_id(c)
            if cid in seen:
                continue
            seen.add(cid)
            rows.append((cid, c.report_id, c.report_version, c.actor, c.action, c.status, c.place_text, c.place_id,
                         c.place_name, c.lat, c.lon, c.place_precision, c.date, c.date_precision, c.date_text,
                         c.distance_km, c.quote, c.start, c.end, c.attribution, report.source, c.lang,
                         report.published, c.confidence, c.opponent, c.place_start, c.place_end,
                         json.dumps(c.candidates, ensure_ascii=False), c.resolution, now))
    if rows:
        with transaction(con):
            con.executemany(f"INSERT INTO claims ({', '.join(_CLAIM_COLUMNS)}) VALUES "
                            f"({', '.join('?' for _ in _CLAIM_COLUMNS)})", rows)
    territorial = sum(1 for r in rows if r[4] in TERRITORIAL)
    return {"reports": len(todo), "claims": len(rows), "territorial": territorial}
