"""Mention index: every gazetteer name found in a text in one Aho-Corasick pass.

Names and text go through the same :func:`gazetteer.normalize.norm_map`, so spans map back to offsets
in the original text. A match counts only on word boundaries, where the left side may carry the
attached clitics of Arabic (و ب ل ف ك and the article) or Persian (به with its ZWNJ lost); the longest
match wins ("حطلة تحتاني" before "حطلة"). Arabic words that no Arabic name covers are also looked up
by consonant skeleton among the places known only by a Latin name (the Wikipedia map labels), so
"مكسر الشمالي" finds "Maksar al-Shamali".
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

import ahocorasick
import numpy as np
import pandas as pd

from .normalize import DATA, _collapse, feature_words, _skel_arabic_word, is_arabic, norm, norm_map, qualifier, skeleton

#: Attached prefixes allowed before an Arabic name (after normalisation).
CLITICS = {"", "و", "ب", "ل", "ف", "ك", "وب", "ول", "وك", "فب", "فل", "فك", "وبال", "وال", "بال", "فال",
           "كال", "ال", "به", "وبه"}
#: Prefixes that absorb the alef of the article: "للميادين" = ل + الميادين.
LAM_CLITICS = {"ل", "ول", "فل"}
#: Prefixes allowed before a name that has the article itself (no second article: "بالالميادين").
_CLITICS_AL = frozenset(c for c in CLITICS if not c.endswith("ال"))
MIN_AR, MIN_LATIN, MIN_SKELETON = 3, 4, 4


@dataclass(frozen=True)
class Mention:
    """A place name found in a text: ``text[start:end]`` in the original string."""

    start: int
    end: int
    text: str
    key: str
    place_ids: tuple[str, ...]
    qualifier: str | None = None   # a direction/size word after the name that no gazetteer name includes
    via: str = "name"              # "name" (an indexed name) or "skeleton" (Arabic read against a Latin label)
    exact_ids: tuple[str, ...] = field(default=(), compare=False)  # places whose own name matched exactly


@lru_cache(maxsize=65536)
def _arabic_word(word: str) -> bool:
    # the same words and keys come back in every report: test each once
    return is_arabic(word)


@lru_cache(maxsize=65536)
def _trailing_qualifier(word: str) -> str | None:
    """The qualifier an Arabic word after a name gives ("تحتاني" -> lower), or None."""
    return qualifier(word[2:] if word.startswith("ال") else word) if word and _arabic_word(word) else None


_new = object.__new__


def _mention(start: int, end: int, text: str, key: str, place_ids: tuple[str, ...], qual: str | None,
             via: str, exact_ids: tuple[str, ...]) -> Mention:
    """``Mention(start, end, text, key, place_ids, qual, via, exact_ids)``, made at half the cost: a
    frozen dataclass's ``__init__`` sets every field through ``object.__setattr__``; filling the
    instance dict at once gives the same object."""
    m = _new(Mention)
    m.__dict__.update(start=start, end=end, text=text, key=key, place_ids=place_ids, qualifier=qual,
                      via=via, exact_ids=exact_ids)
    return m


@lru_cache(maxsize=1)
def stop_names() -> frozenset[str]:
    """Normalised names never indexed (common words that would flood the matches)."""
    with open(DATA / "stop_names.csv", encoding="utf-8") as fh:
        return frozenset(norm(r["name"]) for r in csv.DictReader(fh))


def _indexable(key: str) -> bool:
    if not key or key in stop_names():
        return False
    words = key.split()
    if len(words) == 1 and qualifier(words[0][2:] if words[0].startswith("ال") else words[0]):
        return False  # a bare adjective ("الشمالي") is not a mention
    if is_arabic(key):
        bare = key[2:] if key.startswith("ال") else key
        return len(bare.replace(" ", "")) >= MIN_AR
    return len(key.replace(" ", "")) >= MIN_LATIN and not key.isdigit()


class MentionIndex:
    """Aho-Corasick automaton over the normalised names of a gazetteer table."""

    def __init__(self, places: pd.DataFrame) -> None:
        self.keys: dict[str, dict[str, str]] = defaultdict(dict)   # key -> place_id -> "name" | "base"
        self.lam_variant: dict[str, str] = {}                     # "لميادين" -> "الميادين"
        self.skel: dict[str, set[str]] = defaultdict(set)          # skeleton -> ids known only in Latin
        for pid, name_ar, alts in zip(places.index, places["name_ar"], places["alt_names"]):
            has_ar = isinstance(name_ar, str) and bool(name_ar)
            for name in alts:
                self._add_name(pid, name)
                if not has_ar and not is_arabic(name):
                    s = skeleton(name)
                    if len(s.split("~")[0]) >= MIN_SKELETON - 1:
                        self.skel[s].add(pid)
        # each automaton word carries what a match of it needs, so ``find`` tests no set per match:
        # (key it stands for, its length, whether it may stand alone, the prefixes it may carry)
        self.auto = ahocorasick.Automaton()
        for key in self.keys:
            if not _arabic_word(key):
                self.auto.add_word(key, (key, len(key), True, None))
            else:
                self.auto.add_word(key, (key, len(key), True, _CLITICS_AL if key.startswith("ال") else CLITICS))
        for var, full in self.lam_variant.items():
            if var not in self.keys:
                self.auto.add_word(var, (full, len(var), False, LAM_CLITICS))
        self.auto.make_automaton()
        self._ids_of: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def _add_name(self, pid: str, name: str) -> None:
        key = norm(name)
        if not _indexable(key):
            return
        self.keys[key].setdefault(pid, "name")
        words = key.split()
        if is_arabic(key):
            if key.startswith("ال"):
                self.lam_variant[key[1:]] = key
            # final ta marbuta and alef alternate in village names: "أبو حكفة" / "أبو حكفا"
            if key.endswith("ه") and len(words[-1]) > 3:
                self.keys[key[:-1] + "ا"].setdefault(pid, "name")
            # a qualified name also answers to its base: "جوبر الشرقي" is found as "جوبر"
            if len(words) > 1 and qualifier(words[-1][2:] if words[-1].startswith("ال") else words[-1]):
                base = " ".join(words[:-1])
                if _indexable(base):
                    self.keys[base].setdefault(pid, "base")
        else:
            # Latin: the article-free form too ("al mayadin" -> "mayadin")
            if len(words) > 1 and words[0] in {"al", "el", "ar", "as", "ash", "at", "ad", "az", "an", "ath"}:
                bare = " ".join(words[1:])
                if _indexable(bare):
                    self.keys[bare].setdefault(pid, "name")

    def find(self, text: str, normed: tuple[str, list[int]] | None = None) -> list[Mention]:
        """All place mentions in ``text``, longest first, without overlaps, in text order.

        ``normed`` is ``norm_map(text)`` (or :func:`gazetteer.normalize.norm_array`) when the caller
        already has it.
        """
        ntext, pos = normed or norm_map(text)
        return self.scan(text, ntext, pos)[0]

    def scan(self, text: str, ntext: str, pos) -> tuple[list[Mention], list[str], np.ndarray]:
        """:meth:`find` on ``(ntext, pos) = norm_map(text)``, also returning what it worked out on the
        way: the pieces of ``ntext.split(" ")`` and where each starts in ``ntext`` (an int64 array)."""
        n = len(ntext)
        padded = " " + ntext + " "  # padded[i + 1] is ntext[i]: the text's ends count as spaces
        big = n + 2
        # (longest first, then leftmost as one int, start, stop, key): a match is (start, stop) alone
        found: list[tuple[int, int, int, str]] = []
        add = found.append
        for end, (key, klen, bare, prefixes) in self.auto.iter(ntext):
            if padded[end + 2] != " ":
                continue  # not at the end of a word
            start = end + 1 - klen
            if padded[start] == " ":  # at the start of a word
                if bare:
                    add((start - klen * big, start, end + 1, key))
            elif prefixes is not None and ntext[ntext.rfind(" ", 0, start) + 1:start] in prefixes:
                add((start - klen * big, start, end + 1, key))
        found.sort()
        taken = bytearray(n + 1)
        chosen: list[tuple] = []
        for _, s, e, key in found:
            if taken.find(1, s, e) >= 0:
                continue
            taken[s:e] = b"\x01" * (e - s)
            chosen.append((s, e, key, None))
        wl = ntext.split(" ")
        # word k starts at 0 or after the k-th space
        spaces = np.flatnonzero(np.frombuffer(ntext.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) == 32)
        wstarts = np.empty(len(wl), dtype=np.int64)
        wstarts[0] = 0
        wstarts[1:] = spaces + 1
        chosen += self._skeleton_matches(ntext, taken, wl, wstarts)
        chosen.sort(key=itemgetter(0))  # spans are disjoint: by start
        spans = []
        for s, e, key, skel_ids in chosen:
            # a trailing qualifier no indexed name covers: "حطلة تحتاني" -> Hatla + lower
            e2 = e
            q = None
            if e < n:  # ``e`` is at a space: the next word follows it
                nxt_end = ntext.find(" ", e + 1)
                nxt_end = n if nxt_end < 0 else nxt_end
                q = _trailing_qualifier(ntext[e + 1:nxt_end])
                if q and taken.find(1, e + 1, nxt_end) < 0:
                    e2 = nxt_end
                else:
                    q = None
            spans.append((s, e2, key, skel_ids, q))
        # offsets in ``text``: one gather when ``pos`` is an array
        if isinstance(pos, np.ndarray) and spans:
            at = pos[[i for s, e2, *_ in spans for i in (s, e2 - 1)]].tolist()
        else:
            at = [int(pos[i]) for s, e2, *_ in spans for i in (s, e2 - 1)]
        out = []
        ids_of = self._ids_of
        for k, (s, e2, key, skel_ids, q) in enumerate(spans):
            if skel_ids:
                ids = exact = tuple(sorted(skel_ids))
                via = "skeleton"
            else:
                found_ids = ids_of.get(key)
                ids, exact = found_ids if found_ids is not None else self._ids(key)
                via = "name"
            o_start, o_end = at[2 * k], at[2 * k + 1] + 1
            out.append(_mention(o_start, o_end, text[o_start:o_end], key, ids, q, via, exact))
        return out, wl, wstarts

    def _ids(self, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(every place, places named exactly) of an indexed key, sorted; made once per key (the
        index does not change after it is built, and the same names come back in every report)."""
        found = self._ids_of.get(key)
        if found is None:
            kinds = self.keys[key]
            found = self._ids_of[key] = (tuple(sorted(kinds)),
                                         tuple(sorted(p for p, k in kinds.items() if k == "name")))
        return found

    def _skeleton_matches(self, ntext: str, taken: bytearray, wl: list[str] | None = None,
                          wstarts: np.ndarray | None = None) -> list[tuple]:
        """Arabic word n-grams outside other matches whose skeleton is a Latin-only place's.

        ``wl`` and ``wstarts`` are ``ntext.split(" ")`` and where each piece starts, when the caller
        has them."""
        if not self.skel:
            return []
        if wl is None:
            wl = ntext.split(" ")
        n = len(wl)
        # per word, as arrays: word k spans starts[k]:ends[k] (one space between words)
        if len(_CODES) > _CODES_MAX:
            _CODES.clear()
        code = np.fromiter(map(_CODES.__getitem__, wl), dtype=np.uint8, count=n)
        if wstarts is None:
            lens = np.fromiter(map(len, wl), dtype=np.int64, count=n)
            ends = np.cumsum(lens + 1) - 1
            starts = ends - lens
        else:
            starts = wstarts
            ends = np.empty(n, dtype=np.int64)
            ends[:-1] = wstarts[1:] - 1
            ends[-1] = len(ntext)
        covered = np.concatenate(([0], np.cumsum(np.frombuffer(taken, dtype=np.uint8), dtype=np.int64)))
        ok_p = np.zeros(n + 2, dtype=bool)  # padded: ok_p[k + 1], ok_p[k + 2] exist for every k
        ok_p[:n] = ((code & _OK) != 0) & (covered[ends] == covered[starts])
        qf_p = ok_p & np.concatenate(((code & _QUAL) != 0, [False, False]))
        ok = ok_p[:n]
        # only a word with a list slot or a qualifier ahead can start a match: test just those
        prev = np.zeros(n, dtype=bool)
        prev[1:] = ((code[:-1] & _HEAD) != 0) | ((code[1:] & _WAW_START) != 0)
        prev[2:] |= (code[1:-1] & _WAW) != 0
        ahead = ok_p[1:n + 1] & (qf_p[1:n + 1] | (ok_p[2:n + 2] & qf_p[2:n + 2]))
        cands = np.flatnonzero(ok & ((code & _LONG) != 0) & (prev | ahead)).tolist()
        if not cands:
            return []
        ok, qf = ok_p.tolist(), qf_p.tolist()
        starts = starts.tolist()
        static = code.tolist()
        out: list[tuple] = []
        hit_ends: set[int] = set()  # ends of the matches so far (a list goes on after them)

        def is_place(j: int) -> bool:
            e = starts[j] + len(wl[j])
            return bool(taken[e - 1]) or e in hit_ends

        next_k = 0
        for k in cands:
            if k < next_k:
                continue
            # a single word stands where a place name is expected: after a feature word, or in a list
            if k > 0 and static[k - 1] & _HEAD:
                slot = True
            elif k == 0:
                slot = False
            elif wl[k - 1] == "و" and k >= 2:
                slot = is_place(k - 2)
            else:
                slot = bool(static[k] & _WAW_START) and is_place(k - 1)
            # (``ok`` and ``qf`` are padded with False past the last word)
            if not slot and not (ok[k + 1] and (qf[k + 1] or (ok[k + 2] and qf[k + 2]))):
                continue  # no list slot and no qualifier ahead: nothing can match here
            for size in (3, 2, 1):
                if k + size > n or not all(ok[k:k + size]):
                    continue
                ws = wl[k:k + size]
                last_q = size > 1 and _word_skeleton(ws[-1])[1] is not None
                if not last_q and not slot:
                    continue
                first = ws[0]
                if first[:1] in "وبلف" and len(first) > 4 and not first.startswith("ال"):
                    first = first[1:]
                ws[0] = first
                sk = _ngram_skeleton(tuple(ws))
                if sk in self.skel and len(sk.split("~")[0]) >= MIN_SKELETON - slot:
                    shift = len(wl[k]) - len(first)  # the stripped clitic stays outside the span
                    e = starts[k + size - 1] + len(wl[k + size - 1])
                    out.append((starts[k] + shift, e, norm(" ".join(ws)), self.skel[sk]))
                    hit_ends.add(e)
                    next_k = k + size
                    break
        return out


#: words that announce a single-word place name ("قرية X", "قرى X")
_LIST_HEADS = ("قري", "قرى", "بلدات", "مدن", "روستاهای", "شهرکهای")


#: bits of :func:`_word_code`
_OK, _QUAL, _HEAD, _WAW, _WAW_START, _LONG = 1, 2, 4, 8, 16, 32


def _word_code(word: str) -> int:
    """What one word may be in a skeleton match, as :data:`_OK` ... :data:`_LONG` bits (the same
    few thousand words come back in every report: each is worked out once)."""
    ok = bool(word) and word not in stop_names() and _arabic_word(word)
    bits = _OK if ok else 0
    if ok and _word_skeleton(word)[1] is not None:
        bits |= _QUAL
    if word in feature_words() or word in _LIST_HEADS:
        bits |= _HEAD
    if word == "و":
        bits |= _WAW
    if word[:1] == "و":
        bits |= _WAW_START
    if len(word) >= 3:
        bits |= _LONG
    return bits


class _CodeTable(dict):
    """word -> :func:`_word_code`, filled on first use (a dict lookup per word is half an
    ``lru_cache`` hit, and a report has ~500 words)."""

    def __missing__(self, word: str) -> int:
        code = self[word] = _word_code(word)
        return code


_CODES = _CodeTable()
_CODES_MAX = 1 << 17  # emptied past this many words: the table stays bounded like the cache it replaced


@lru_cache(maxsize=65536)
def _word_skeleton(word: str) -> tuple[str, str | None]:
    q = qualifier(word[2:] if word.startswith("ال") else word)
    return ("", q) if q else (_skel_arabic_word(word), None)


@lru_cache(maxsize=65536)
def _ngram_skeleton(words: tuple[str, ...]) -> str:
    body, tags = [], []
    for i, w in enumerate(words):
        s, q = _word_skeleton(w)
        if q and i > 0:
            tags.append(q)
        else:
            body.append(s or _skel_arabic_word(w))
    out = _collapse("".join(body))
    return out + ("~" + "".join(sorted(set(tags))) if tags else "")
