"""Decoding report bytes and telling their language.

Reports arrive scraped, in UTF-8 (with or without BOM), UTF-16 (with or without BOM) or Windows-1256.
Decoding never guesses silently: bytes that are valid in none of these, or that decode only into
control characters and unassigned code points (binary data), are refused with the byte offset of the
first bad byte; a file read as anything but UTF-8 says so (:attr:`Decoded.warning`).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from tracker._errors import TrackerError

_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# letters Arabic does not use; Persian text has them often
_PERSIAN_LETTERS = re.compile(r"[پچژگ]")
_PERSIAN_WORDS = re.compile(r"(?:^|\s)(?:است|این|که|را|می|های|برای|شد|کرد|از|با|در)(?=\s|$)")
_ARABIC_WORDS = re.compile(r"(?:^|\s)(?:في|من|على|إلى|الى|عن|التي|الذي|أن|ان)(?=\s|$)")
_ENGLISH_WORDS = re.compile(r"\b(?:the|of|and|in|to|was|were|on|by|from)\b", re.IGNORECASE)

# the high bytes of UTF-16 code units in the scripts tracker reads: ASCII and Latin-1, Arabic and its
# supplement, general punctuation (ZWNJ, quotes), Arabic presentation forms
_UTF16_HIGH_BYTES = bytes([0x00, 0x06, 0x07, 0x08, 0x20, 0xFB, 0xFC, 0xFD, 0xFE])
# control characters that are whitespace in text
_WHITESPACE_CONTROLS = frozenset("\t\n\r\f\v")
# a report may carry a stray control character; binary data decodes into many (~1 in 8 bytes)
_ODD_PER_CHAR = 1 / 1000


# Windows-1256 is only a guess: real Arabic text in it is Arabic letters, ASCII and a few marks; bytes of
# anything else read as it give Latin letters and symbols (over half of random bytes)
_CP1256_TEXT = re.compile(r"[\u0600-\u06ff\x20-\x7e\s«»“”‘’–—…\u200c-\u200f]")
_CP1256_FOREIGN = 0.1


def _foreign_share(text: str) -> float:
    return 1 - len(_CP1256_TEXT.findall(text)) / max(len(text), 1)


class DecodeError(TrackerError):
    """The bytes are not text in any encoding tracker reads; ``offset`` is the first bad byte (or None)."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        self.offset = offset
        super().__init__(message)


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding read, and a warning when it was not plain UTF-8."""

    text: str
    encoding: str
    warning: str | None = None


def _odd(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return (cat == "Cc" and ch not in _WHITESPACE_CONTROLS) or cat in ("Cn", "Co", "Cs")


@lru_cache(maxsize=1)
def _odd_or_astral() -> re.Pattern:
    """A character class of every odd character of the Basic Multilingual Plane (:func:`_odd`, told from
    ``unicodedata`` once) and of every character beyond it (checked one by one: few texts have any). A regular
    expression scans text in C, 200 times as fast as a loop in Python; the class keeps to the BMP because
    ``re`` tests ranges past it one after the other."""
    ranges, start = [], None
    for cp in range(0x10000):
        if _odd(chr(cp)):
            start = cp if start is None else start
        elif start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, 0xFFFF))
    ranges.append((0x10000, 0x10FFFF))
    return re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]")


# what makes any string unstorable: a NUL or a lone surrogate
_UNSTORABLE = re.compile("[\\x00\\ud800-\\udfff]")


def text_problem(text: str, strict: bool = True) -> tuple[int, str] | None:
    """``(index, reason)`` of the first character that makes ``text`` not text, or None.

    Refused: a NUL, a lone surrogate, and (``strict``) more control, unassigned or private-use
    characters than a stray one in a thousand. (U+FFFD is text: a scraper's mark of what it lost.)
    """
    first = None
    count = 0
    for match in (_odd_or_astral() if strict else _UNSTORABLE).finditer(text):
        i, ch = match.start(), match.group()
        if ch == "\x00":
            return i, "a NUL character: binary data, not text"
        if "\ud800" <= ch <= "\udfff":
            return i, f"a lone surrogate U+{ord(ch):04X}: not valid Unicode"
        if strict and _odd(ch):
            count += 1
            first = i if first is None else first
    if first is not None and count > max(1, len(text) * _ODD_PER_CHAR):
        return first, (f"{count:,} control or unassigned characters (the first U+{ord(text[first]):04X}): "
                       "binary data, not text")
    return None


def _checked(text: str, encoding: str, start: int, width: int | None, warning: str | None = None) -> Decoded:
    """``text`` if it is text (see :func:`text_problem`), else an error at its byte offset."""
    problem = text_problem(text)
    if problem is not None:
        index, reason = problem
        offset = start + (index * width if width else len(text[:index].encode("utf-8")))
        raise DecodeError(f"{reason} at byte {offset} (read as {encoding})", offset)
    return Decoded(text, encoding, warning)


def _strict(data: bytes, encoding: str, start: int = 0) -> str:
    try:
        return data[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid {encoding} at byte {start + exc.start}", start + exc.start) from None


def _high_counts(data: bytes, parity: int = 0) -> tuple[int, int]:
    """How many bytes of ``data`` at even and at odd offsets (of the file, ``data`` starting at one of ``parity``)
    are :data:`_UTF16_HIGH_BYTES` (bytes.translate counts in C: a loop in Python took 3 s on a 17 MB file)."""
    counts = [len(data[k::2]) - len(data[k::2].translate(None, _UTF16_HIGH_BYTES)) for k in (0, 1)]
    return (counts[1], counts[0]) if parity else (counts[0], counts[1])


def _utf16_guess(size: int, high: tuple[int, int]) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when one column of bytes looks like the high bytes of UTF-16
    text in tracker's scripts (NUL for Latin, 06 for Arabic) and the other does not; else None."""
    if size < 4 or size % 2:
        return None
    share = [count / (size // 2) for count in high]
    if share[1] >= 0.9 > share[0]:
        return "utf-16-le"
    if share[0] >= 0.9 > share[1]:
        return "utf-16-be"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """:func:`_utf16_guess` of the whole of ``data``."""
    return _utf16_guess(len(data), _high_counts(data))


def plain_utf8(chunks: Iterable[bytes]) -> bool:
    """Whether the bytes of ``chunks``, put together, are what :func:`decode_report` reads as plain UTF-8 with no
    warning (no byte-order mark, not UTF-16, valid UTF-8, text by :func:`text_problem`), told chunk by chunk
    without holding them: a large file that is can then be read line by line."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    size, high, length, odd = 0, [0, 0], 0, 0
    head = b""
    try:
        for chunk in chunks:
            if len(head) < 3:
                head += chunk[:3]
            for k, count in enumerate(_high_counts(chunk, size % 2)):
                high[k] += count
            size += len(chunk)
            text = decoder.decode(chunk)
            if _UNSTORABLE.search(text):
                return False
            length += len(text)
            odd += sum(1 for m in _odd_or_astral().finditer(text) if _odd(m.group()))
        length += len(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        return False
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return _utf16_guess(size, (high[0], high[1])) is None and not (odd and odd > max(1, length * _ODD_PER_CHAR))


def _mostly_utf8(data: bytes) -> bool:
    """Whether bytes that fail strict UTF-8 are UTF-8 with a few bad bytes (not another encoding):
    their valid multi-byte characters far outnumber the bad bytes."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - bad
    return multibyte >= 4 * bad


def decode_report(data: bytes) -> Decoded:
    """Decode report bytes.

    Tries, in order: a byte-order mark (UTF-8, UTF-16), UTF-16 without a BOM (told by its high
    bytes), strict UTF-8, then Windows-1256 (Arabic only; with a warning). A UTF-8 file cut inside
    its last character is read without that character (with a warning). UTF-8 with a few bad bytes
    is refused (the offset of the first), never read as another encoding.

    Raises
    ------
    DecodeError
        For binary data or text in none of these encodings, with the offset of the first bad byte.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _checked(_strict(data, "utf-8", 3), "utf-8-sig", 3, None)
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _checked(_strict(data, encoding, 2), encoding, 2, 2, f"read as {encoding.upper()}")
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _checked(_strict(data, utf16), utf16, 0, 2, f"read as {utf16.upper()} (no byte-order mark)")
    try:
        return _checked(data.decode("utf-8"), "utf-8", 0, None)
    except UnicodeDecodeError as exc:
        bad = exc.start
        if bad >= len(data) - 3 and exc.reason == "unexpected end of data":
            return _checked(data[:bad].decode("utf-8"), "utf-8", 0, None,
                            f"the last character is cut at byte {bad} (a truncated file?): read without it")
    if _mostly_utf8(data):
        raise DecodeError(f"invalid UTF-8 at byte {bad} (the rest is UTF-8): fix that byte or re-save the file as "
                          "UTF-8", bad)
    text = data.decode("cp1256")
    if not _ARABIC_LETTER.search(text) or _foreign_share(text) > _CP1256_FOREIGN:
        raise DecodeError(f"invalid UTF-8 at byte {bad}, and not Arabic text if read as Windows-1256: "
                          "unknown encoding or binary data (save the file as UTF-8)", bad)
    return _checked(text, "cp1256", 0, 1, f"not UTF-8 (byte {bad}): read as Windows-1256")


def decode(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of report bytes (see :func:`decode_report`)."""
    decoded = decode_report(data)
    return decoded.text, decoded.encoding


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
