"""Spelling variants of Syrian place names as the press writes them, for scripts/evaluate_places.py --variants.

:func:`variants` applies the transliteration conventions of the field to a name written in Latin letters:
article forms (al-/el-/Al/ad-/ar-/as-/ash-... by sun-letter assimilation, or dropped), the head words
(Kafr/Kfar/Kefr, Tal/Tell/Tel, Deir/Dayr/Dair, Jabal/Jebel, Ain/Ayn/'Ain/Ein, Abu/Abou, Khirbet/Khirbat, Qasr/Kasr),
letters (q/k/g for qaf, kh/h, ou/u, ee/i, oo/u, e/a, sh/ch), the feminine ending (-iyah/-iyeh/-ieh/-iya/-eh/-a),
single or doubled consonants, hyphens, spaces or joined words, apostrophes or none. It knows no name.
"""

from __future__ import annotations

import random
import re

_SUN = "tdrzsnl"
_HEADS = [
    ("kafr", ["Kfar", "Kafar", "Kefr", "Kafr"]), ("tal", ["Tell", "Tel", "Tal"]), ("tell", ["Tal", "Tel"]),
    ("tall", ["Tal", "Tell"]), ("deir", ["Dayr", "Dair", "Deir"]), ("dayr", ["Deir", "Dair"]),
    ("jabal", ["Jebel", "Jabel"]), ("jebel", ["Jabal"]), ("ain", ["Ayn", "'Ain", "Ein"]), ("ayn", ["Ain", "Ein"]),
    ("abu", ["Abou"]), ("khirbet", ["Khirbat", "Kherbet"]), ("khirbat", ["Khirbet"]), ("qasr", ["Kasr"]),
]
_ARTICLE = re.compile(r"^(?:a[lntdrzs]|e[lntdrzs]|ash|esh|ath|adh|az|ez)[- ']", re.I)
_FEMININE = re.compile(r"(iyyah|iyyeh|iyah|iyeh|iyya|iya|iyeh|ieh|iye|ia|ah|eh)$")


_ENGLISH = re.compile(r"\b(?:Northern|Southern|Eastern|Western|North|South|East|West|Upper|Lower|Little|Great|"
                      r"Greater|Old|New|Small|Big|Middle|Camp|Farm|Farms|Hill|Mount|Base|Airbase|Airport)\b")


def _english(name: str, i: int) -> bool:
    """Whether the letter at ``i`` is in an English word of the name (the press keeps those as they are)."""
    return any(m.start() <= i < m.end() for m in _ENGLISH.finditer(name))


def _by_vowel(name: str, i: int) -> bool:
    """Whether the letter at ``i`` stands beside another vowel (a one-vowel change there makes no spelling)."""
    return any(0 <= j < len(name) and name[j].lower() in "aeiouy" for j in (i - 1, i + 1))


def _rules():
    def article(name, rng):
        words = name.split(" ")
        out = []
        changed = False
        for i, w in enumerate(words):
            m = _ARTICLE.match(w)
            body = w[m.end():] if m else None
            if body and len(body) > 1:
                first = body[0].lower()
                choice = rng.choice(["drop", "al-", "el-", "Al ", "sun", "Al-"])
                if choice == "drop" and len(words) > 1 or choice == "drop" and i == 0:
                    w = body[0].upper() + body[1:]
                elif choice == "sun":
                    if first in _SUN:
                        w = ("a" if i else "A") + first + "-" + body
                    elif body[:2].lower() == "sh":
                        w = ("a" if i else "A") + "sh-" + body[2:]
                    else:
                        w = ("a" if i else "A") + "l-" + body
                else:
                    w = (choice if i == 0 else choice.lower()) + body
                changed = True
            out.append(w)
        return " ".join(out).replace("- ", "-") if changed else None

    def head(name, rng):
        words = name.split(" ")
        for i, w in enumerate(words):
            for h, alts in _HEADS:
                if w.lower() == h:
                    words[i] = rng.choice([a for a in alts if a.lower() != h])
                    return " ".join(words)
        return None

    def letters(pairs):
        def rule(name, rng):
            spots = [(m.start(), a, b) for a, b in pairs for m in re.finditer(a, name)
                     if (len(a) > 1 or not _by_vowel(name, m.start())) and not _english(name, m.start())]
            if not spots:
                return None
            s, a, b = rng.choice(spots)
            return name[:s] + b + name[s + len(a):]
        return rule

    def feminine(name, rng):
        m = _FEMININE.search(name)
        if not m:
            return None
        alts = ["iyah", "iyeh", "ieh", "iya", "iye"] if m.group(1).startswith("i") else ["eh", "ah", "a"]
        alts = [a for a in alts if a != m.group(1)]
        return name[:m.start()] + rng.choice(alts)

    def double(name, rng):
        singles = [m.start() for m in re.finditer(r"([bdfjklmnrstz])(?!\1)", name[1:])
                   if not _english(name, m.start() + 1)]
        doubles = [m.start() for m in re.finditer(r"([a-z])\1", name) if not _english(name, m.start())]
        if doubles and (not singles or rng.random() < 0.6):
            s = rng.choice(doubles)
            return name[:s] + name[s + 1:]
        if singles:
            s = rng.choice(singles) + 1
            if name[s - 1] in "aeiou" and s + 1 < len(name) and name[s + 1] in "aeiou":
                return name[:s] + name[s] + name[s:]
        return None

    def joints(name, rng):
        if " " in name or "-" in name:
            out = re.sub(r"[ -]", rng.choice([" ", "-"]), name, count=1)
            return out if out != name else None
        return None

    def apostrophe(name, rng):
        if "'" in name or "`" in name:
            return name.replace("'", "").replace("`", "")
        return None

    vowel = letters([("ou", "u"), ("u", "ou"), ("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("e", "a"),
                     ("a", "e"), ("ei", "ay"), ("ay", "ei"), ("o", "u")])
    return {
        "article": article, "head": head, "qaf": letters([("q", "k"), ("q", "g"), ("Q", "K"), ("Q", "G")]),
        "kh": letters([("kh", "h"), ("Kh", "H")]), "vowel": vowel, "feminine": feminine, "double": double,
        "joints": joints, "apostrophe": apostrophe,
        "french": letters([("sh", "ch"), ("Sh", "Ch"), ("u", "ou"), ("w", "ou")]),
    }


RULES = _rules()


def _inner_vowel_ok(name: str, out: str) -> bool:
    """A vowel change keeps the first letter (a press spelling changes unstressed vowels, not the initial)."""
    return out[:1].lower() == name[:1].lower()


def variants(name: str, rng: random.Random, n: int = 4) -> list[tuple[str, str]]:
    """Up to ``n`` distinct spellings of ``name``: (spelling, rules applied), one to three rules each."""
    out: dict[str, str] = {}
    names = list(RULES)
    for _ in range(n * 6):
        if len(out) >= n:
            break
        k = rng.choice([1, 1, 2, 2, 3])
        v, used = name, []
        for r in rng.sample(names, len(names)):
            if len(used) >= k:
                break
            w = RULES[r](v, rng)
            if w and w != v and _inner_vowel_ok(v, w) and len(w) >= 3:
                v = w
                used.append(r)
        if used and v.lower() != name.lower() and v not in out:
            out[v] = "+".join(used)
    return list(out.items())
