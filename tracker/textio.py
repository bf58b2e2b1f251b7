"""Decoding report bytes and telling their language.

Reports arrive scraped, in UTF-8 (with or without BOM), UTF-16 or Windows-1256.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from tracker._errors import TrackerError

_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# letters Arabic does not use; Persian text has them often
_PERSIAN_LETTERS = re.compile(r"[پچژگ]")
_PERSIAN_WORDS = re.compile(r"(?:^|\s)(?:است|این|که|را|می|های|برای|شد|کرد|از|با|در)(?=\s|$)")
_ARABIC_WORDS = re.compile(r"(?:^|\s)(?:في|من|على|إلى|الى|عن|التي|الذي|أن|ان)(?=\s|$)")
_ENGLISH_WORDS = re.compile(r"\b(?:the|of|and|in|to|was|were|on|by|from)\b", re.IGNORECASE)


class DecodeError(TrackerError):
    """The bytes are not text in any encoding tracker reads."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode report bytes; return ``(text, encoding)``.

    Tries, in order: a byte-order mark (UTF-8, UTF-16), strict UTF-8, UTF-16 without a
    BOM (many NUL bytes), then Windows-1256. A UTF-8 file cut inside its last character
    is accepted without that character.

    Raises
    ------
    DecodeError
        For binary data or text in none of these encodings.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8"), "utf-8 (truncated last character dropped)"
    nul = data.count(b"\x00")
    if nul and nul >= len(data) // 4:
        half_even, half_odd = data[0::2].count(0), data[1::2].count(0)
        encoding = "utf-16-le" if half_odd >= half_even else "utf-16-be"
        try:
            return _strict(data, encoding), encoding
        except DecodeError:
            raise DecodeError("binary data (NUL bytes), not text") from None
    if b"\x00" in data:
        raise DecodeError("binary data (NUL bytes), not text")
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        raise DecodeError("not UTF-8, UTF-16 or Windows-1256 text") from None
    if not _ARABIC_LETTER.search(text):
        raise DecodeError("not UTF-8 and no Arabic letters in Windows-1256: unknown encoding")
    return text, "cp1256"


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid {encoding} at byte {exc.start}") from None


def has_letters(text: str) -> bool:
    """True when the text has at least one letter in any script."""
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def detect_language(text: str) -> str | None:
    """Tell ``ar``, ``fa`` or ``en`` from letters and common words; None when unsure.

    Persian is told from Arabic by letters Arabic lacks (پ چ ژ گ), by Persian ی/ک
    outnumbering Arabic ي/ك, and by common function words.
    """
    sample = text[:5000]
    arabic = len(_ARABIC_LETTER.findall(sample))
    latin = len(_LATIN_LETTER.findall(sample))
    if arabic == 0 and latin == 0:
        return None
    if arabic >= latin:
        persian_score = len(_PERSIAN_LETTERS.findall(sample)) + 2 * len(_PERSIAN_WORDS.findall(sample))
        persian_score += sample.count("ی") + sample.count("ک") - sample.count("ي") - sample.count("ك")
        arabic_score = 2 * len(_ARABIC_WORDS.findall(sample)) + sample.count("ة") // 4
        return "fa" if persian_score > arabic_score else "ar"
    if _ENGLISH_WORDS.search(sample):
        return "en"
    return None
