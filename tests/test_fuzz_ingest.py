"""Fuzzing ingest: random bytes, encodings, JSON shapes, CSV dialects and publication dates never make reading
raise, every line is either read or rejected with its line, and nothing garbled is read as text (issue 15).

The examples per property are few here (the suite must stay quick); `scripts/fuzz.py` runs the same
properties with many more (it sets ``TRACKER_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import tempfile
import unicodedata
from datetime import date, datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker._errors import InputError
from tracker.ingest import parse_published, read_reports
from tracker.textio import DecodeError, decode_report, plain_utf8, text_problem

EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELDS = ["id", "published", "source", "lang", "text", "title", "url", "file"]
WORDS = ["The army took the town of {}.", "سيطر الجيش على قرية {} في ريف دير الزور", "نیروهای ارتش {} را گرفتند",
         "Markets in {} reopened after the holiday."]
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
REPORT_TEXT = st.builds(lambda w, s: w.format(s), st.sampled_from(WORDS), SAFE_TEXT)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                      REPORT_TEXT, st.sampled_from(["2017-10-01", "2017-10", "0001-01-01", "9999-12-31", "2017-02-30",
                                                    "2017-10-01T10:00:00Z", "ar", "fa", "en", "de", ""]))
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=5), inner, max_size=3), max_leaves=8)
RECORD = st.dictionaries(st.sampled_from(FIELDS), JSON_VALUE, max_size=7)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1256"]


def _read(files: dict[str, bytes]):
    """``read_reports`` of a folder holding ``files``; no rejection is an internal error."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            (Path(tmp) / name).write_bytes(data)
        result = read_reports([tmp])
    assert not [e for e in result.errors if "internal error" in e.reason], result.errors
    for report in result.reports:  # whatever was read is text
        assert text_problem(report.text) is None and report.text.strip()
        assert report.lang in {"ar", "fa", "en"}
        assert report.published is None or date(1900, 1, 1) <= report.published <= datetime.now(timezone.utc).date()
    return result


@FUZZ
@given(st.binary(max_size=600), st.sampled_from(["a.txt", "a.jsonl", "a.csv", "a.md"]))
def test_random_bytes_never_raise(data, name):
    meta = json.dumps({"file": "a.txt", "id": "x", "published": "2017-10-01"}).encode()
    _read({name: data, "meta.jsonl": meta})


@FUZZ
@given(REPORT_TEXT, st.sampled_from(ENCODINGS))
def test_text_in_any_encoding_is_read_as_written_or_refused(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return  # not representable in Windows-1256
    try:
        decoded = decode_report(data)
    except DecodeError as exc:
        assert exc.offset is None or 0 <= exc.offset <= len(data)
        return
    if encoding in {"utf-8", "utf-8-sig", "utf-16"}:  # declared by a BOM, or plain UTF-8
        assert decoded.text == text.removeprefix("\ufeff")
    assert text_problem(decoded.text) is None


@FUZZ
@given(st.lists(st.one_of(RECORD.map(json.dumps), JSON_VALUE.map(json.dumps), st.text(max_size=40)), max_size=8))
def test_every_jsonl_line_is_read_or_rejected_by_its_line(lines):
    data = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    result = _read({"r.jsonl": data})
    numbered = [i for i, line in enumerate(data.split(b"\n"), start=1) if line.strip(b" \t\r\n")]
    whole = [e for e in result.errors if e.line is None]
    if whole:  # the file as a whole: empty, or more bad lines than good ones (binary)
        assert len(whole) == 1 and not result.reports
        return
    lines_read = [r.line for r in result.reports]
    lines_rejected = [e.line for e in result.errors]
    assert sorted(lines_read + lines_rejected) == numbered


CSV_FIELD = st.one_of(REPORT_TEXT, st.text(alphabet=st.sampled_from(list('ab ,;|\t"\n\r')), max_size=12))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["2017-10-01", "1800-01-01", "x"]),
                          CSV_FIELD), min_size=1, max_size=6),
       st.sampled_from([",", ";", "\t", "|"]), st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       st.sampled_from(["\n", "\r\n"]))
def test_csv_dialects_round_trip(rows, delimiter, quoting, terminator):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=terminator)
    writer.writerow(["id", "published", "source", "text"])
    for rid, published, text in rows:
        writer.writerow([rid, published, "s", text])
    result = _read({"r.csv": out.getvalue().encode("utf-8")})
    assert result.reports or result.errors  # a row is read, or something said why not
    written = {text for _, published, text in rows if published == "2017-10-01"}
    for report in result.reports:  # a row read is the row written, its text whole
        assert report.text in written


@FUZZ
@given(st.one_of(st.text(max_size=30), st.dates().map(date.isoformat), st.integers(), st.none(),
                 st.datetimes().map(datetime.isoformat)))
def test_publication_dates_are_read_in_range_or_refused(value):
    try:
        day, precision = parse_published(value, Path("r.jsonl"), 1)
    except InputError as exc:
        assert exc.line == 1 and exc.reason
        return
    assert date(1900, 1, 1) <= day <= datetime.now(timezone.utc).date() and precision in {"day", "month"}


def test_bom_constants_are_what_decode_expects():
    # the property above leans on these: a BOM declares the encoding
    assert "x".encode("utf-16").startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _text_problem_by_character(text: str, strict: bool) -> tuple[int, str] | None:
    """The definition of :func:`text_problem`, one character at a time (what the regular expression must agree with)."""
    odd = [i for i, ch in enumerate(text) if strict and unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")
           and ch not in "\t\n\r\f\v"]
    for i, ch in enumerate(text):
        if ch == "\x00" or "\ud800" <= ch <= "\udfff":
            return i, text_problem(ch, strict)[1]
    if odd and len(odd) > max(1, len(text) / 1000):
        return odd[0], text_problem(text, strict)[1]
    return None


@FUZZ
@given(st.text(st.characters(), max_size=60) | st.text(st.sampled_from("a\x00\x01\t\n\ud800\U000e0001\U0010fffe"
                                                                          "\u0378\ue000\U0001f3acب"), max_size=20),
       st.booleans())
def test_text_problem_agrees_with_its_definition_per_character(text, strict):
    assert text_problem(text, strict) == _text_problem_by_character(text, strict)


def _read_as_plain_utf8(data: bytes) -> bool:
    try:
        decoded = decode_report(data)
    except DecodeError:
        return False
    return decoded.encoding == "utf-8" and decoded.warning is None


@FUZZ
@given(st.one_of(st.binary(max_size=80), REPORT_TEXT.map(lambda t: t.encode("utf-8")),
                 st.tuples(REPORT_TEXT, st.sampled_from(ENCODINGS)).map(
                     lambda te: te[0].encode(te[1], errors="replace"))),
       st.integers(min_value=1, max_value=9))
def test_plain_utf8_told_in_chunks_is_what_decoding_the_whole_reads(data, size):
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    assert plain_utf8(chunks) == _read_as_plain_utf8(data)
