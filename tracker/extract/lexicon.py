"""The lexicon of a language: every word the grammar knows, found in a report in one pass.

The data are ``data/lexicon_{ar,fa,en}.toml`` (predicates by action and construction, grammar words,
status cues, distances, attribution, dates) and ``data/actors.toml`` (names, modifiers, heads and
backing phrases of the sides). Every entry goes into one Aho-Corasick automaton per language, keyed
by its literal start (up to a ``*``, which lets a word inflect); a match is then checked against the
whole entry. Arabic and Persian proclitics (و ف ب ل ك) may stand in front of any entry; English
acronyms of up to five capitals (IS, SDF) only match in capitals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

import ahocorasick

from tracker.textfold import fold_key
from tracker.vocab import data_file

LANGS = ("ar", "fa", "en")

_PROCLITICS = {"ar": ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك", "وس", "لل"), "fa": ("و", "ب"), "en": ()}
_NON_WORD = re.compile(r"\W")


class Hit(NamedTuple):
    """One lexicon entry found in folded text.

    ``group`` is ``pred`` (value: (action, construction)), ``actor`` (side), ``modifier`` (side),
    ``weak`` (side), ``head`` (side or "" or "generic"), ``backing``, ``attribution`` (source name),
    a status cue of ``[status]`` or a word list of ``[words]`` (value: the list's name).
    """

    start: int
    end: int
    group: str
    value: Any
    proclitic: str = ""  # a proclitic the hit covers ("و" of "والقوات")


@dataclass(frozen=True)
class _Entry:
    literal_len: int
    literal: str  # checked in the text when it holds non-word characters ("pro-government")
    rx: re.Pattern | None  # the whole entry, when it has a wildcard or several words after the literal
    group: str
    value: Any
    exact: str  # an acronym that must match in capitals


class Lexicon:
    """The compiled lexicon of one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        data = data_file(f"lexicon_{lang}.toml")
        actors = data_file("actors.toml")
        self.data = data
        self.agent_order = data["settings"]["agent"]
        self.object_order = data["settings"]["object"]
        self.towards: str = data["settings"].get("towards", "advance")
        self.terrorists_fought_by: str | None = data["settings"].get("terrorists_fought_by")
        entries: dict[str, list[_Entry]] = {}

        def add(form: str, group: str, value: Any) -> None:
            key = fold_key(form)
            keys = [key]
            if lang == "ar" and key.startswith("ال") and len(key) > 3:
                keys.append("لل" + key[2:])  # "للنظام": li + al- written as lam-lam
            for k in keys:
                literal = k.split("*")[0].rstrip()
                if not literal:
                    continue
                words = [re.escape(w).replace(r"\*", r"\w*") for w in k.split()]
                rx = re.compile(r"\s+".join(words) + ("" if k.endswith("*") else r"(?!\w)"))
                plain = "*" not in k
                exact = form if lang == "en" and form.isupper() and len(form) <= 5 and form.isalpha() else ""
                entries.setdefault(literal, []).append(
                    _Entry(len(literal), literal, None if plain else rx, group, value, exact))

        for action, constructions in data["predicates"].items():
            for construction, forms in constructions.items():
                for form in forms:
                    add(form, "pred", (action, construction))
        for side, per_lang in actors["names"].items():
            for form in per_lang.get(lang, []):
                add(form, "actor", side)
        for kind in ("modifiers", "weak_modifiers"):
            for side, per_lang in actors[kind].items():
                for form in per_lang.get(lang, []):
                    add(form, "modifier" if kind == "modifiers" else "weak", side)
        for form, side in actors["heads"].get(lang, {}).items():
            add(form, "head", side)
        for form in actors["backing"].get(lang, []):
            add(form, "backing", form)
        for name, forms in data.get("attribution", {}).items():
            for form in forms:
                add(form, "attribution", name)
        for cue, forms in data.get("status", {}).items():
            for form in forms:
                add(form, cue, cue)
        for name, forms in data.get("words", {}).items():
            for form in forms:
                add(form, name, name)
        self.periods = [p for p in actors.get("periods", []) if p.get("lang") == lang]
        # offensives led by one side that reports name only generically (``[[led]]`` in actors.toml)
        self.led = [(p["generic"], p["side"], date.fromisoformat(p["from"]), date.fromisoformat(p["until"]),
                     frozenset(p.get("adm1", [])), frozenset(p.get("adm2", [])),
                     frozenset(fold_key(w) for w in p.get(lang, [])))
                    for p in actors.get("led", [])]
        self.backing_rules = actors["backing_rules"]
        self.operations = {fold_key(name): side for side, names in actors.get("operations", {}).items()
                           for name in names.get(lang, [])}
        self.joint_order = {side: i for i, side in enumerate(actors["joint"]["order"])}
        self.joint_foes = {frozenset(pair) for pair in actors["joint"].get("foes", [])}
        self.ground: dict[str, str] = dict(actors.get("ground", {}))

        # keys are matched in the text with every non-word character as a space, behind a space: a
        # key is a space, a proclitic or none, then the literal, so matches start at a word start
        self.automaton = ahocorasick.Automaton()
        keyed: dict[str, list[tuple[_Entry, str]]] = {}
        for literal, items in entries.items():
            spaced = _NON_WORD.sub(" ", literal)
            # a proclitic before a word of one or two letters makes another word ("كلم" is not "ك" + "لم")
            for pre in ("", *(_PROCLITICS[lang] if len(literal) > 2 else ())):
                keyed.setdefault(" " + pre + spaced, []).extend((e, pre) for e in items)
        for key, found in keyed.items():
            # per entry what find() checks: an entry of word characters alone, one spelling, no pattern
            # is in ``folded`` wherever its key is in the spaced text (most hits: "the", "من")
            self.automaton.add_word(key, [(e.literal_len, e.rx is None and not e.exact and
                                           not _NON_WORD.search(e.literal), e, pre, len(pre)) for e, pre in found])
        self.automaton.make_automaton()
        self._distance(data["distance"])

    def _distance(self, dist: dict[str, Any]) -> None:
        self.numbers = {fold_key(k): float(v) for k, v in dist.get("numbers", {}).items()}
        self.metres = frozenset(fold_key(w) for w in dist.get("metres", []))
        num = r"\d+(?:[.,]\d+)?"
        if self.numbers:
            num += "|" + "|".join(sorted(map(re.escape, self.numbers), key=len, reverse=True))

        def alternation(words: list[str]) -> str:
            return "|".join(sorted((re.escape(fold_key(w)).replace(r"\ ", r"\s+") for w in words), key=len,
                                   reverse=True))

        self.distance_rx = re.compile(
            rf"(?<!\w)(?:(?P<about>{alternation(dist['about'])})\s+)?(?P<num>{num})\s*-?\s*"
            rf"(?P<unit>{alternation(dist['units'] + dist.get('metres', []))})(?!\w)"
            rf"(?:\s+(?:\S+\s+){{0,4}}?(?P<from>{alternation(dist['from'])})(?!\w))?")

    def find(self, folded: str, original: str, orig: Any) -> list[Hit]:
        """Every entry in ``folded`` (``orig`` maps a folded offset to ``original``), in order of start."""
        found: list[Hit] = []
        n = len(folded)
        spaced = " " + _NON_WORD.sub(" ", folded)  # index i + 1 here is index i of ``folded``
        for end_index, items in self.automaton.iter(spaced):
            for literal_len, simple, entry, pre, pre_len in items:
                start = end_index - literal_len
                if start >= 2 and folded[start - 1] in _APOSTROPHES and folded[start - 2].isalpha():
                    continue  # inside a name joined by an apostrophe: "Dar'a" is no "a"
                if simple:
                    if end_index < n and spaced[end_index + 1] != " ":
                        continue  # the word runs on
                    found.append(Hit(start - pre_len, end_index, entry.group, entry.value, pre))
                    continue
                if not folded.startswith(entry.literal, start) and \
                        folded[start:start + literal_len].replace("-", " ") != entry.literal.replace("-", " "):
                    continue  # other punctuation inside; a hyphen and a space are one ("Jaysh al Izza")
                if entry.rx is None:
                    end = end_index
                    if end < n and spaced[end + 1] != " ":
                        continue  # the word runs on
                else:
                    m = entry.rx.match(folded, start)
                    if m is None:
                        continue
                    end = m.end()
                if entry.exact:
                    o = orig(start)
                    if original[o:o + len(entry.exact)] != entry.exact:
                        continue
                # a proclitic belongs to the word: the hit covers it ("وسيطرت")
                found.append(Hit(start - pre_len, end, entry.group, entry.value, pre))
        found.sort(key=_END, reverse=True)  # stable: by start, then longest first, then as found
        found.sort(key=_START)
        return found


_APOSTROPHES = frozenset("'’")
_START = itemgetter(0)
_END = itemgetter(1)


@lru_cache(maxsize=None)
def lexicon(lang: str) -> Lexicon:
    """The compiled lexicon of a language (``ar``, ``fa``, ``en``; anything else reads as English)."""
    return Lexicon(lang if lang in LANGS else "en")
