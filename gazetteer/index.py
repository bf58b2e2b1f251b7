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
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

import ahocorasick
import numpy as np
import pandas as pd

from .normalize import (
    DATA,
    ENGLISH_QUALIFIERS,
    _collapse,
    _skel_arabic_word,
    feature_words,
    is_arabic,
    latin_key,
    latin_keys,
    levenshtein,
    norm,
    norm_map,
    qualifier,
    skeleton,
)

#: Attached prefixes allowed before an Arabic name (after normalisation).
CLITICS = {"", "و", "ب", "ل", "ف", "ك", "وب", "ول", "وك", "فب", "فل", "فك", "وبال", "وال", "بال", "فال",
           "كال", "ال", "به", "وبه"}
#: Prefixes allowed in Persian text: the Arabic article of a name written onto it ("البوکمال")
PERSIAN_CLITICS = frozenset({"", "ال"})
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


def persian_text(text: str) -> bool:
    """Whether a text of unknown language is Persian: it has :data:`PERSIAN_LETTERS` Persian yeh and keheh
    (a short line, or Persian typed with the Arabic letters, needs the caller to say so)."""
    return text.count("ی") + text.count("ک") >= PERSIAN_LETTERS


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


#: how many runs' fuzzy matches are remembered
FUZZY_MEMO = 200_000


class MentionIndex:
    """Aho-Corasick automaton over the normalised names of a gazetteer table."""

    def __init__(self, places: pd.DataFrame) -> None:
        self.keys: dict[str, dict[str, str]] = defaultdict(dict)   # key -> place_id -> "name" | "base"
        self.lam_variant: dict[str, str] = {}                     # "لميادين" -> "الميادين"
        self._persian_joined: dict[str, dict[str, str]] = defaultdict(dict)  # "تلابيض" -> places "تل ابيض"
        self.skel: dict[str, set[str]] = defaultdict(set)          # skeleton -> ids known only in Latin
        # transliteration key -> place_id -> "name" | "base" (its name without a qualifier) | "variant"
        self.latin: dict[str, dict[str, str]] = defaultdict(dict)
        self.latin_of: dict[str, set[str]] = defaultdict(set)          # place_id -> its keys
        for pid, name_ar, alts in zip(places.index, places["name_ar"], places["alt_names"]):
            has_ar = isinstance(name_ar, str) and bool(name_ar)
            for name in alts:
                self._add_name(pid, name)
                self._add_latin(pid, name)
                if not has_ar and not is_arabic(name):
                    s = skeleton(name)
                    if len(s.split("~")[0]) >= MIN_SKELETON - 1:
                        self.skel[s].add(pid)
        # Persian texts drop the Arabic article ("باغوز", "میادین"): those forms are names in Persian
        # text only (in Arabic many are common words: "مزرعة", "حرية")
        self.persian_only: set[str] = set()
        for key, kinds in self._persian_joined.items():
            if key not in self.keys and _indexable(key):
                self.keys[key] = kinds
                self.persian_only.add(key)
        # a shorter one-word form ("سخنه", "قصیر") only after a word of settlement kind ("شهر قصیر"): alone it
        # is too often a common word
        self.persian_headed: set[str] = set()
        for key, kinds in list(self.keys.items()):
            bare = key[2:] if key.startswith("ال") else ""
            size = len(bare.replace(" ", ""))
            if size >= MIN_PERSIAN_BARE - 1 and _indexable(bare) and bare not in self.keys:
                self.keys[bare] = dict(kinds)
                self.persian_only.add(bare)
                if size < MIN_PERSIAN_BARE:
                    self.persian_headed.add(bare)
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
        self._deletes: dict[str, set[str]] | None = None  # one-deletion variants of the Latin keys, made on first use
        self._latin_skel: dict[str, set[str]] | None = None  # skeletons of Latin names, made on first use
        # a run's fuzzy matches: (key, ids, close) or None, by its words (the same names recur in every report)
        self._fuzzy_of: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]] | None] = {}
        self._alts = dict(zip(places.index, places["alt_names"]))
        ftype = places["feature_type"] if "feature_type" in places else pd.Series("village", index=places.index)
        country = places["country"] if "country" in places else pd.Series("SY", index=places.index)
        self.settlements = frozenset(places.index[ftype.isin(["city", "town", "village"]) & (country == "SY")])

    def _add_name(self, pid: str, name: str) -> None:
        key = norm(name)
        if not _indexable(key):
            return
        self.keys[key].setdefault(pid, "name")
        words = key.split()
        if is_arabic(key):
            if key.startswith("ال"):
                self.lam_variant[key[1:]] = key
            # Persian writes the article onto the word before it: "ابو الظهور" / "ابوالظهور"
            if " ال" in key and len(words) <= 3:
                self.keys[key.replace(" ال", "ال")].setdefault(pid, "name")
            # "كفر" and "دير" are often written onto the next word: "كفر نبودة" / "كفرنبودة", "دیرحافر"
            if len(words) >= 2 and words[0] in _JOINED_HEADS and not words[1].startswith("ال"):
                self.keys[words[0] + " ".join(words[1:])].setdefault(pid, "name")
            # Persian joins a head to the next word with a ZWNJ, which the key drops: "تل‌ابیض", "عین‌عیسی"
            # (Persian text only, as the article-less forms)
            if len(words) == 2 and words[0] in _ZWNJ_HEADS and not words[1].startswith("ال"):
                self._persian_joined[words[0] + words[1]].setdefault(pid, "name")
            # a ta marbuta before another word is read, and Persian writes it, as "ت": "معرت النعمان"
            if len(words) >= 2 and words[0].endswith("ه") and len(words[0]) > 2:
                self._persian_joined[words[0][:-1] + "ت " + " ".join(words[1:])].setdefault(pid, "name")
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

    def _add_latin(self, pid: str, name: str) -> None:
        if is_arabic(name) or not _indexable(norm(name)):
            return
        for k, key in enumerate(latin_keys(name)):
            body = key.split("~")[0]
            if len(body) < MIN_LATIN_KEY:
                continue
            _stronger(self.latin[key], pid, "name" if k == 0 else "variant")
            self.latin_of[pid].add(key)
            if key != body:
                _stronger(self.latin[body], pid, "base")

    def find(self, text: str, normed: tuple[str, list[int]] | None = None) -> list[Mention]:
        """All place mentions in ``text``, longest first, without overlaps, in text order.

        ``normed`` is ``norm_map(text)`` (or :func:`gazetteer.normalize.norm_array`) when the caller
        already has it.
        """
        ntext, pos = normed or norm_map(text)
        return self.scan(text, ntext, pos)[0]

    def scan(self, text: str, ntext: str, pos, persian: bool | None = None) -> tuple[list[Mention], list[str], np.ndarray]:
        """:meth:`find` on ``(ntext, pos) = norm_map(text)``, also returning what it worked out on the
        way: the pieces of ``ntext.split(" ")`` and where each starts in ``ntext`` (an int64 array).
        ``persian``: whether the text is Persian (None: :func:`persian_text` judges by its letters)."""
        n = len(ntext)
        padded = " " + ntext + " "  # padded[i + 1] is ntext[i]: the text's ends count as spaces
        big = n + 2
        # (longest first, then leftmost as one int, start, stop, key): a match is (start, stop) alone
        found: list[tuple[int, int, int, str]] = []
        add = found.append
        persian = persian_text(text) if persian is None else persian
        skip = self.persian_only if not persian else ()
        # Persian writes prepositions apart: "باستانی" (ancient) is no "ب" + "استانی"
        clitics = PERSIAN_CLITICS if persian else None
        for end, (key, klen, bare, prefixes) in self.auto.iter(ntext):
            if padded[end + 2] != " " or key in skip:
                continue  # not at the end of a word, or a Persian form in other text
            start = end + 1 - klen
            if key in self.persian_headed and ntext[max(0, ntext.rfind(" ", 0, start - 1) + 1):start - 1] \
                    not in _PERSIAN_HEADS:
                continue
            if padded[start] == " ":  # at the start of a word
                if bare:
                    add((start - klen * big, start, end + 1, key))
            elif prefixes is not None and ntext[ntext.rfind(" ", 0, start) + 1:start] in (clitics or prefixes):
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
        # "الشيخ عقيل غربي حلب": a direction word before another name says where the first place lies
        # (west of Aleppo), it is no qualifier of its name
        for k in range(len(spans) - 1):
            s, e2, key, skel_ids, q = spans[k]
            if q in _DIRECTIONS and spans[k + 1][0] == e2 + 1:
                e = s + len(ntext[s:e2].rsplit(" ", 1)[0])
                spans[k] = (s, e, key, skel_ids, None)
        # offsets in ``text``: one gather when ``pos`` is an array
        if isinstance(pos, np.ndarray) and spans:
            at = pos[[i for s, e2, *_ in spans for i in (s, e2 - 1)]].tolist()
        else:
            at = [int(pos[i]) for s, e2, *_ in spans for i in (s, e2 - 1)]
        runs = latin_runs(text) if _HAS_CAPITAL.search(text) else []
        if runs:
            # capitalised Latin names are read whole (below): drop what the automaton found in them
            spans = [sp for sp, a in zip(spans, at[::2]) if not _in_runs(runs, a)]
            at = [i for sp in spans for i in _span_at(pos, sp)]
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
        if runs:
            for run in runs:
                out += self._run_mentions(text, run) or self._fuzzy_run(text, run)
            out.sort(key=lambda m: m.start)
        return out, wl, wstarts

    def latin_ids(self, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(every place, places named) under a transliteration key (see :func:`latin_keys`)."""
        kinds = self.latin.get(key)
        if not kinds:
            return (), ()
        return tuple(sorted(kinds)), tuple(sorted(p for p, k in kinds.items() if k != "base"))

    def fuzzy_ids(self, key: str) -> tuple[str, ...]:
        """Places whose transliteration key is one edit from ``key`` (two when both are 9 letters or
        more), qualifiers included; keys under 5 letters match only exactly."""
        body = key.split("~")[0]
        if len(body) < 5:
            return ()
        if self._deletes is None:
            self._deletes = defaultdict(set)
            for k in self.latin:
                for d in _deletions(k):
                    self._deletes[d].add(k)
        near = set(self._deletes.get(key, ()))
        probes = _deletions(key)
        if len(body) >= 9:
            probes |= {d2 for d in probes for d2 in _deletions(d)}
        for d in probes:
            if d in self.latin:
                near.add(d)
            near |= self._deletes.get(d, set())
        limit = 2 if len(body) >= 9 else 1
        out: set[str] = set()
        for k in near:
            if k != key and levenshtein(k, key, limit) <= limit and (limit == 1 or len(k.split("~")[0]) >= 9):
                out.update(p for p, kind in self.latin[k].items() if kind != "base")
        return tuple(sorted(out))

    def _plain_word_may_be_name(self, text: str, token: "_Token", word: str) -> bool:
        """Whether one capitalised word may be read as a name by its transliteration: never an English
        function word ("There", "Since": ``latin_stop_words.csv``), and a short word (5 letters or
        fewer) at the start of a sentence only when it is a name as written ("Homs"), not merely one
        spelling away from one (an English word the list lacks); never an acronym of capitals."""
        folded = norm(word)
        if folded in latin_stop_words() or (word.isupper() and len(word) <= 5) or token.head:
            return False  # an English word, an acronym (SANA, SDF, YPG), or "Deir", "Tal" alone
        return len(folded) > 5 or folded in self.keys or not _sentence_start(text, token.start)

    def _fuzzy_run(self, text: str, run: list["_Token"]) -> list[Mention]:
        """A run no name matches, of one or two words, standing where a place is expected ("the
        village of Uqairabat", "captured Akerbat": ``latin_place_cues.csv``): the settlements whose
        name is a letter or two from it (:meth:`fuzzy_ids`), else those with its consonant skeleton (4
        or more consonants), as a mention ``via = "fuzzy"``."""
        if len(run) > 2 or not _place_cue(text, run[0].start) or norm(text[run[0].start:run[-1].end]) in \
                latin_stop_words():
            return []
        span = text[run[0].start:run[-1].end]
        if span not in self._fuzzy_of:
            if len(self._fuzzy_of) >= FUZZY_MEMO:
                self._fuzzy_of.clear()  # bounded: a long stream of reports brings ever new words
            self._fuzzy_of[span] = self._fuzzy_span(span)
        found = self._fuzzy_of[span]
        if found is None:
            return []
        key, ids, close = found
        return [_mention(run[0].start, run[-1].end, span, key, ids, None, "fuzzy", close)]

    def _fuzzy_span(self, span: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
        """What :meth:`_fuzzy_run` finds for a run's words: (key, ids, ids of close spellings) or None."""
        if _DEMONYM.search(span):
            return None  # "captured Syrian positions", "near Palestinian camps"
        key = latin_key(span)
        if len(key) < 6:
            return None
        close = set(self.fuzzy_ids(key)) & self.settlements
        ids = set(close)
        sk = skeleton(span)
        if not close and len(sk.split("~")[0]) >= 4:  # the consonants only when no spelling is close
            if self._latin_skel is None:
                self._latin_skel = defaultdict(set)
                for pid in self.settlements:
                    for n in self._alts[pid]:
                        if not is_arabic(n):
                            self._latin_skel[skeleton(n)].add(pid)
            # ... and then of a spelling at most two letters off ("Akerbat" / Oqeirbat, not "Quasar" / Eskar)
            ids |= {p for p in self._latin_skel.get(sk, set())
                    if any(levenshtein(key, k, 2) <= 2 for k in self.latin_of.get(p, ()))}
        ids &= self.settlements
        if not ids:
            return None
        return key, tuple(sorted(ids)), tuple(sorted(close))

    def _run_mentions(self, text: str, run: list["_Token"]) -> list[Mention]:
        """The place names of one run of capitalised Latin words, each read whole.

        From each word the longest span whose transliteration key is known wins. A span is left out
        when it is a fragment of a longer name the gazetteer does not know: when the word before it
        opens a compound name (Tal, Deir, Abu... of ``name_heads.csv``) or the span's first word is
        joined to it by an article ("Deir el-Zour" is never "Zour"), or when the span ends on such a
        word or the next word is joined to it by an article. A qualifier right after the span is taken
        into it ("Hatla Tahtani": Hatla, lower).
        """
        out: list[Mention] = []
        n = len(run)
        i = 0
        matched_end = -1  # index of the last word of the previous accepted span
        while i < n:
            hit = None
            for j in range(min(n, i + MAX_RUN_WORDS), i, -1):
                span = text[run[i].start:run[j - 1].end]
                if j == i + 1 and not self._plain_word_may_be_name(text, run[i], span):
                    continue
                for key in latin_keys(span):
                    if key in self.latin:
                        hit = (j, key)
                        break
                if hit:
                    break
            if hit is None:
                i += 1
                continue
            j, key = hit
            before_joined = i > 0 and matched_end != i - 1 and (run[i].article or run[i - 1].head)
            after_joined = j < n and ((run[j].article and not run[j].qual) or run[j - 1].head)
            if before_joined or after_joined:
                i += 1
                continue
            start, end, qual = run[i].start, run[j - 1].end, None
            if "~" not in key:
                if j < n and run[j].qual:
                    end, qual = run[j].end, run[j].qual
                    j += 1
                elif i > 0 and matched_end != i - 1 and run[i - 1].qual and run[i - 1].english:
                    start, qual = run[i - 1].start, run[i - 1].qual   # "Lower Hatla"
            ids, exact = self.latin_ids(key)
            out.append(_mention(start, end, text[start:end], key, ids, qual, "latin", exact))
            matched_end = j - 1
            i = j
        return out

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


def _deletions(key: str) -> set[str]:
    """``key`` with one character left out, each way."""
    return {key[:i] + key[i + 1:] for i in range(len(key))}


def _stronger(kinds: dict[str, str], pid: str, kind: str) -> None:
    """Record ``pid`` under ``kind`` unless it has a stronger one (name > base > variant)."""
    if _KIND_RANK[kind] > _KIND_RANK.get(kinds.get(pid, ""), -1):
        kinds[pid] = kind


_KIND_RANK = {"variant": 0, "base": 1, "name": 2}
MIN_PERSIAN_BARE = 5    # letters of an article-less form indexed for Persian text ("باغوز")
#: settlement words before which a four-letter article-less form is a name in Persian text ("شهر سخنه")
_PERSIAN_HEADS = frozenset(norm_map(w)[0] for w in ("شهر", "شهرک", "روستای", "روستا", "منطقه", "بخش", "دهکده"))
PERSIAN_LETTERS = 5     # a text with this many Persian yeh and keheh is Persian
MIN_LATIN_KEY = 3       # shorter transliteration keys ("bab", "tal" pass; "al" does not) are not indexed
#: Arabic name heads written onto the word after them ("كفرنبل", "ديرحافر")
_JOINED_HEADS = frozenset({"كفر", "دير"})
#: heads Persian joins to the next word with a ZWNJ ("تل‌ابیض", "عین‌عیسی", "خان‌شیخون")
_ZWNJ_HEADS = frozenset({"تل", "عين", "خان", "بيت", "راس", "جبل", "قصر", "بئر", "بير"})
MAX_RUN_WORDS = 6       # the longest span of a run tried as one name

# ---------------------------------------------------------------- capitalised Latin runs
_L = "A-Za-z\u00C0-\u024F\u1E00-\u1EFF"
_APOS = "'’ʿʾ‘`ʻʼ"
#: a Latin word: letters (digits inside), apostrophes between letters, parts joined by hyphens (an ayn
#: written as an apostrophe may open a part: "Al-'Atash")
_LATIN_TOKEN = re.compile(rf"[{_L}](?:[{_L}0-9]|[{_APOS}](?=[{_L}]))*"
                          rf"(?:[-‐‑][{_APOS}]?[{_L}0-9](?:[{_L}0-9]|[{_APOS}](?=[{_L}]))*)*")
_HAS_CAPITAL = re.compile(r"[A-Z]")
_ARTICLES_RX = "al|el|ad|ed|an|en|ar|er|as|es|ash|esh|at|et|az|ez|ath|adh|ul|il"
#: a capitalised word (or one capitalised after an article prefix: "al-Bab")
_CAP_WORD = (rf"(?:(?:{_ARTICLES_RX})[-‐‑][{_APOS}]?)?[A-Z\u00C0-\u00DE](?:[{_L}0-9]|[{_APOS}](?=[{_L}]))*"
             rf"(?:[-‐‑][{_APOS}]?[{_L}0-9](?:[{_L}0-9]|[{_APOS}](?=[{_L}]))*)*")
#: capitalised words on one line, joined by spaces and lower-case articles ("Ras al Ain")
_RUN = re.compile(rf"(?<![{_L}0-9]){_CAP_WORD}(?:[ \t]+(?:(?:{_ARTICLES_RX}|bin|ibn)[ \t]+)?{_CAP_WORD})*")
_ARTICLE_PREFIX = re.compile(r"^(?:al|el|ad|ed|an|en|ar|er|as|es|ash|esh|at|et|az|ez|ath|adh|ul|il)[-‐‑]", re.I)
_POSSESSIVE = re.compile(r"['’]s$")
#: lower-case words that may stand between the capitalised words of one name ("Ras al Ain")
_CONNECTORS = frozenset({"al", "el", "ad", "ed", "an", "ar", "as", "ash", "at", "az", "ez", "es", "ath", "adh",
                         "bin", "ibn"})


class _Token:
    """A capitalised word of a run: its span, whether it carries an article prefix ("al-Sharqi"),
    opens a compound name ("Tal", "Deir"), or is a qualifier (its letter)."""

    __slots__ = ("start", "end", "article", "head", "qual", "english")

    def __init__(self, start: int, end: int, word: str) -> None:
        self.start, self.end = start, end
        self.article, self.head, self.qual, self.english = _token_facts(word)


@lru_cache(maxsize=65536)
def _token_facts(word: str) -> tuple[bool, bool, str | None, bool]:
    """(article, head, qual, english) of a :class:`_Token` of ``word`` (the same words come back in
    every report: each is read once)."""
    article = bool(_ARTICLE_PREFIX.match(word))
    folded = norm(word)
    bare = folded.split()[-1] if article and " " in folded else folded
    return article, folded in name_heads(), qualifier(bare) if bare else None, folded in ENGLISH_QUALIFIERS


@lru_cache(maxsize=1)
def name_heads() -> frozenset[str]:
    """Normalised words that open compound names (Tal, Deir, Abu, Kafr...): ``name_heads.csv``."""
    with open(DATA / "name_heads.csv", encoding="utf-8") as fh:
        return frozenset(norm(r["word"]) for r in csv.DictReader(fh))


def latin_runs(text: str) -> list[list[_Token]]:
    """Runs of capitalised Latin words in ``text``: names as English text writes them.

    Words of a run follow each other on one line, separated by spaces and at most the lower-case
    articles of :data:`_CONNECTORS` ("Ras al Ain"); a word may carry an article prefix ("al-Bab",
    "Deir el-Zour") and hyphenated parts ("Deir-ez-Zor"). A possessive ("Syria's") ends a run.
    """
    runs: list[list[_Token]] = []
    for rm in _RUN.finditer(text):
        cur: list[_Token] = []
        for m in _LATIN_TOKEN.finditer(text, rm.start(), rm.end()):
            word = m.group()
            if not (word[0].isupper() or _capital_after_article(word)):
                continue  # a connector between the words of the run
            start, end = m.span()
            possessive = bool(_POSSESSIVE.search(word))
            if possessive:
                end -= 2
                word = word[:-2]
            cur.append(_Token(start, end, word))
            if possessive:
                runs.append(cur)
                cur = []
        if cur:
            runs.append(cur)
    return runs


def _capital_after_article(word: str) -> bool:
    """Whether an article-prefixed word names something: "al-Bab" yes, "al-assad" no."""
    m = _ARTICLE_PREFIX.match(word)
    rest = word[m.end():].lstrip(_APOS) if m else ""
    return bool(rest) and rest[0].isupper()


@lru_cache(maxsize=1)
def latin_stop_words() -> frozenset[str]:
    """English words never read as a place by transliteration (``latin_stop_words.csv``)."""
    with open(DATA / "latin_stop_words.csv", encoding="utf-8") as fh:
        return frozenset(norm(r["word"]) for r in csv.DictReader(fh))


_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n\"“”'‘’(\[|•-])\s*$")


def _sentence_start(text: str, start: int) -> bool:
    """Whether ``start`` opens a sentence, a line or a quotation (capitals there say nothing)."""
    return bool(_SENTENCE_END.search(text[max(0, start - 4):start]))


@lru_cache(maxsize=1)
def place_cues() -> tuple[frozenset[str], frozenset[str]]:
    """(single cue words, two-word cues) of ``latin_place_cues.csv``: what announces a place name."""
    with open(DATA / "latin_place_cues.csv", encoding="utf-8") as fh:
        words = [r["words"].strip().lower() for r in csv.DictReader(fh)]
    return frozenset(w for w in words if " " not in w), frozenset(w for w in words if " " in w)


#: English adjectives of peoples and creeds, never fuzzy-matched to a place
_DEMONYM = re.compile(r"(?:ian|ish|ese|ic|ist|ists|ians)$")
#: the last one or two lower-case words before the end (tried only where a word starts: no backtracking
#: through every letter of the window)
_WORDS_BEFORE = re.compile(r"(?<![a-z])(?:([a-z]+)\s+)?([a-z]+)\s+$")


def _place_cue(text: str, start: int) -> bool:
    """Whether the lower-case words right before ``start`` announce a place ("village of", "captured")."""
    m = _WORDS_BEFORE.search(text[max(0, start - 40):start])
    if not m:
        return False
    single, double = place_cues()
    if m.group(1) is None:
        return m.group(2) in single
    return m.group(2) in single or f"{m.group(1)} {m.group(2)}" in double


def _in_runs(runs: list[list[_Token]], offset: int) -> bool:
    """Whether ``offset`` of the text falls inside one of the runs."""
    return any(run[0].start <= offset < run[-1].end for run in runs)


def _span_at(pos, span: tuple) -> tuple[int, int]:
    """Offsets in the original text of a span's first and last character."""
    return int(pos[span[0]]), int(pos[span[1] - 1])


#: qualifiers that are compass directions (see :func:`gazetteer.normalize.qualifier`)
_DIRECTIONS = frozenset({"N", "S", "E", "W"})

#: words that announce a single-word place name ("قرية X", "قرى X")
_LIST_HEADS = ("قري", "قرى", "بلدات", "مدن", "روستاهای", "شهرکهای")


#: prepositions and particles (normalised) that no name read by its consonants takes in: "الشدادی در"
#: is al-Shaddadi, then "in", not a place whose consonants are "shdr"
_FUNCTION_WORDS = frozenset({"و", "في", "من", "الي", "علي", "عن", "مع", "بعد", "قبل", "منذ", "حتي", "در", "به", "از",
                             "را", "با", "تا", "كه", "براي", "اين", "ان", "هم", "نيز"})

#: bits of :func:`_word_code`
_OK, _QUAL, _HEAD, _WAW, _WAW_START, _LONG = 1, 2, 4, 8, 16, 32


def _word_code(word: str) -> int:
    """What one word may be in a skeleton match, as :data:`_OK` ... :data:`_LONG` bits (the same
    few thousand words come back in every report: each is worked out once)."""
    ok = bool(word) and word not in stop_names() and word not in _FUNCTION_WORDS and _arabic_word(word)
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
