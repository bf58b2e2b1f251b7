"""Sentences of a report: lines, paragraphs, the headline and photo captions.

Every line is read, the headline too: news headlines carry the event more often than any other
sentence ("Syrian army retakes Palmyra from IS"). A headline is the first line when it is short and
has no closing stop; a caption is a line in another script than the report or one that ends in a
photo credit. Both are marked, since a caption's date is its photo's, and a headline's date is the
publication's. A line that breaks a sentence in the middle (scraped Arabic often does) does not end
the paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: a sentence end: a run of stops followed by a space, a closing quote or bracket, or the end
_SENT_END = re.compile(r"[.!?؟]+(?=\s|$|[\"'»”)])")
#: a full stop after these is an abbreviation, not a sentence end
_ABBREVIATIONS = frozenset({"u.s", "u.n", "u.k", "gen", "lt", "col", "maj", "capt", "mr", "mrs", "ms", "dr",
                            "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "vs",
                            "e.g", "i.e", "approx", "sgt", "brig", "adm", "rep", "sen", "gov", "jr", "sr",
                            # compass points of terse notes ("Ratyan (N. Aleppo)", "NE. Hama"), "govt.", "dist."
                            "n", "s", "e", "w", "ne", "nw", "se", "sw", "govt", "dist"})
_TERMINAL = tuple(".!?؟:»\"”)")
_LATIN = re.compile("[a-z]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_CREDIT_END = re.compile(r"\((?:[^()\s]+\s?){1,3}\)\s*$")
_CREDIT = re.compile(r"photo credit|afp photo|getty images|\(photo|reuters/|/reuters|\bfile photo|\bphoto:|"
                     r"\(afp\)|\(ap\)|\(epa\)|/afp|/sana|/handout|\bhandout\b")
#: a word every credit of :data:`_CREDIT` holds: a line without any is not searched (most lines)
_CREDIT_WORDS = ("photo", "getty", "reuters", "afp", "(ap)", "(epa)", "/sana", "handout")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a report: offsets in the folded text, its paragraph and what kind of line it is."""

    start: int
    end: int
    paragraph: int
    headline: bool = False
    caption: bool = False


def is_caption(line: str, lang: str) -> bool:
    """Whether a (folded) line is a photo caption or credit: in another script, or ending in a credit."""
    stripped = line.strip()
    if not stripped:
        return False
    if lang in ("ar", "fa"):
        latin = len(_LATIN.findall(stripped))
        if latin and latin > len(_ARABIC.findall(stripped)):
            return True
    if _CREDIT_END.search(stripped) and not stripped[:-1].rstrip().endswith(_TERMINAL):
        return True
    return any(w in stripped for w in _CREDIT_WORDS) and bool(_CREDIT.search(stripped))


def sentence_ends(folded: str, start: int = 0, end: int | None = None) -> list[int]:
    """Offsets where sentences end in ``folded[start:end]`` (after their closing stops)."""
    out = []
    for m in _SENT_END.finditer(folded, start, len(folded) if end is None else end):
        if m.group(0) == ".":
            word = folded[max(start, m.start() - 6):m.start()].rsplit(None, 1)[-1:] or [""]
            if word[0].lower().lstrip("(\"'") in _ABBREVIATIONS:
                continue
            if m.start() > 0 and folded[m.start() - 1].isdigit() and m.end() < len(folded) and \
                    folded[m.end():m.end() + 2].strip()[:1].isdigit():
                continue  # "1. 5": a decimal broken by a space
        out.append(m.end())
    return out


def sentences(folded: str, lang: str, kind: str = "news") -> list[Sentence]:
    """The sentences of a folded report, in order, with paragraph numbers.

    Parameters
    ----------
    folded
        The folded report text (:func:`tracker.textfold.fold`).
    lang
        ``ar``, ``fa`` or ``en``.
    kind
        ``news`` (a headline may open it) or ``chronicle`` (a dated history; Markdown headings and
        tables are skipped).
    """
    out: list[Sentence] = []
    para = 0
    first = True
    prev_open = False
    pos = 0
    for line in folded.split("\n"):
        ls, le = pos, pos + len(line)
        pos = le + 1
        stripped = line.strip()
        if not stripped or not _WORD.search(stripped):
            continue
        if kind == "chronicle" and stripped.startswith(("#", "|", "*")):
            continue
        if stripped.startswith("|"):
            continue
        headline = kind == "news" and first and len(stripped) < 200 and not stripped.endswith((".", "؟", "?"))
        first = False
        caption = not headline and is_caption(line, lang)
        if not prev_open or headline:
            para += 1
        at = ls
        for end in sentence_ends(folded, ls, le):
            if end > at and folded[at:end].strip():
                out.append(Sentence(at, end, para, headline, caption))
            at = end
        if folded[at:le].strip():
            out.append(Sentence(at, le, para, headline, caption))
        if headline:
            prev_open = False
            continue
        tail = line.rstrip()
        prev_open = lang != "en" and bool(tail) and not tail.endswith(_TERMINAL) and len(stripped) > 60
    return out
