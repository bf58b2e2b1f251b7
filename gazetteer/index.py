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

import ahocorasick
import pandas as pd

from .normalize import DATA, _collapse, feature_words, _skel_arabic_word, is_arabic, norm, norm_map, qualifier, skeleton

#: Attached prefixes allowed before an Arabic name (after normalisation).
CLITICS = {"", "و", "ب", "ل", "ف", "ك", "وب", "ول", "وك", "فب", "فل", "فك", "وبال", "وال", "بال", "فال",
           "كال", "ال", "به", "وبه"}
#: Prefixes that absorb the alef of the article: "للميادين" = ل + الميادين.
LAM_CLITICS = {"ل", "ول", "فل"}
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
        self.auto = ahocorasick.Automaton()
        for key in self.keys:
            self.auto.add_word(key, key)
        for var in self.lam_variant:
            if var not in self.keys:
                self.auto.add_word(var, var)
        self.auto.make_automaton()

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

        ``normed`` is ``norm_map(text)`` when the caller already has it.
        """
        ntext, pos = normed or norm_map(text)
        n = len(ntext)
        found: list[tuple[int, int, str]] = []
        for end, key in self.auto.iter(ntext):
            stop = end + 1
            if stop < n and ntext[stop] != " ":
                continue
            start = stop - len(key)
            ws = ntext.rfind(" ", 0, start) + 1
            prefix = ntext[ws:start]
            if key in self.keys:
                if prefix and (not _arabic_word(key) or prefix not in CLITICS
                               or (prefix.endswith("ال") and key.startswith("ال"))):
                    continue
                found.append((start, stop, key))
            elif key in self.lam_variant and prefix in LAM_CLITICS:
                found.append((start, stop, self.lam_variant[key]))
        found.sort(key=lambda t: (-(t[1] - t[0]), t[0]))
        taken = bytearray(n + 1)
        chosen = []
        for s, e, key in found:
            if any(taken[s:e]):
                continue
            taken[s:e] = b"\x01" * (e - s)
            chosen.append((s, e, key))
        chosen += self._skeleton_matches(ntext, taken)
        chosen.sort()
        out = []
        for s, e, key, *rest in ((*c, None) if len(c) == 3 else c for c in chosen):
            via = "skeleton" if rest and rest[0] else "name"
            qual = None
            e2 = e
            # a trailing qualifier no indexed name covers: "حطلة تحتاني" -> Hatla + lower
            nxt_end = ntext.find(" ", e + 1)
            nxt_end = n if nxt_end < 0 else nxt_end
            nxt = ntext[e + 1:nxt_end] if e < n else ""
            q = qualifier(nxt[2:] if nxt.startswith("ال") else nxt) if nxt and _arabic_word(nxt) else None
            if q and not any(taken[e + 1:nxt_end]):
                qual, e2 = q, nxt_end
            if via == "skeleton":
                ids = tuple(sorted(rest[0]))
                exact = ids
            else:
                kinds = self.keys[key]
                ids = tuple(sorted(kinds))
                exact = tuple(sorted(p for p, k in kinds.items() if k == "name"))
            o_start, o_end = pos[s], pos[e2 - 1] + 1
            out.append(Mention(o_start, o_end, text[o_start:o_end], key, ids, qual, via, exact))
        return out

    def _skeleton_matches(self, ntext: str, taken: bytearray) -> list[tuple]:
        """Arabic word n-grams outside other matches whose skeleton is a Latin-only place's."""
        if not self.skel:
            return []
        stops = stop_names()
        words, ok = [], []
        i = 0
        for w in ntext.split(" "):
            s, e = i, i + len(w)
            words.append((s, e, w))
            ok.append(bool(w) and not taken[s:e].count(1) and w not in stops and _arabic_word(w))
            i = e + 1
        # which words are qualifiers ("الشمالي"): only then may an n-gram end there without a slot
        qf = [o and _word_skeleton(w)[1] is not None for o, (_, _, w) in zip(ok, words)]
        out = []
        k, n = 0, len(words)
        while k < n:
            hit = None
            if ok[k] and len(words[k][2]) >= 3:
                slot = _list_slot(words, k, out, taken)
                if not slot and not (k + 1 < n and ok[k + 1] and (qf[k + 1] or (k + 2 < n and ok[k + 2] and qf[k + 2]))):
                    k += 1  # no list slot and no qualifier ahead: nothing can match here
                    continue
                for size in (3, 2, 1):
                    if k + size > n or not all(ok[k:k + size]):
                        continue
                    ws = [w for _, _, w in words[k:k + size]]
                    last_q = size > 1 and _word_skeleton(ws[-1])[1] is not None
                    if not last_q and not slot:
                        continue
                    first = ws[0]
                    if first[:1] in "وبلف" and len(first) > 4 and not first.startswith("ال"):
                        first = first[1:]
                    ws[0] = first
                    sk = _ngram_skeleton(tuple(ws))
                    if sk in self.skel and len(sk.split("~")[0]) >= MIN_SKELETON - slot:
                        shift = len(words[k][2]) - len(first)  # the stripped clitic stays outside the span
                        hit = (words[k][0] + shift, words[k + size - 1][1], norm(" ".join(ws)), self.skel[sk])
                        k += size
                        break
            if hit:
                out.append(hit)
            else:
                k += 1
        return out


def _list_slot(words: list, k: int, found: list, taken: bytearray) -> bool:
    """A single word stands where a place name is expected: after a feature word, or in a list."""
    if k == 0:
        return False
    prev = words[k - 1][2]
    fw = feature_words()
    if prev in fw or prev in ("قري", "قرى", "بلدات", "مدن", "روستاهای", "شهرکهای"):
        return True
    # "... أبو حكفا وأبو كهف ومكسر": a و-word right after a found name (Persian writes "و" apart)
    def is_place(j: int) -> bool:
        s, e, _ = words[j]
        return bool(taken[e - 1]) or any(f[1] == e for f in found)

    if prev == "و" and k >= 2:
        return is_place(k - 2)
    return words[k][2].startswith("و") and is_place(k - 1)


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
