"""Folding of Arabic, Persian and Latin text for matching, with offsets back to the original.

One alef, ta marbuta as ha, Persian yeh and kaf as their Arabic twins, no harakat or tatweel,
ZWNJ and the no-break spaces as spaces, Arabic-Indic and Persian digits as ASCII, Latin in lower
case. Every character folds to at most one character, so an offset in the folded text maps back
to the original through a list (or is the same offset when nothing was dropped).
"""

from __future__ import annotations

import re

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
#: harakat, superscript alef, tatweel, joiners and direction marks: dropped
_DROPPED = re.compile("[\u064b-\u065f\u0670\u0640\u200d\u200e\u200f\ufeff]")


def fold(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text`` for matching.

    Returns
    -------
    tuple
        The folded text and, when characters were dropped, the offset in ``text`` of every folded
        character (None when every offset is the same in both).
    """
    folded = text.translate(_TABLE)
    if not _DROPPED.search(folded):
        return folded, None
    offsets: list[int] = []
    last = 0
    for m in _DROPPED.finditer(folded):
        offsets.extend(range(last, m.start()))
        last = m.end()
    offsets.extend(range(last, len(folded)))
    return _DROPPED.sub("", folded), offsets


def fold_key(text: str) -> str:
    """The folded form of a lexicon entry or a name (no offsets)."""
    return fold(text)[0].strip()


class Offsets:
    """Maps offsets of a folded text back to its original and forth."""

    def __init__(self, original: str, offsets: list[int] | None) -> None:
        self.original = original
        self.offsets = offsets

    def orig(self, i: int) -> int:
        """The original offset of folded offset ``i`` (the end of the text past the last one)."""
        if self.offsets is None:
            return i
        if i >= len(self.offsets):
            return len(self.original)
        return self.offsets[i]

    def folded(self, i: int) -> int:
        """The folded offset of original offset ``i``."""
        if self.offsets is None:
            return i
        import bisect

        return bisect.bisect_left(self.offsets, i)
