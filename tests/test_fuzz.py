"""Fuzzing normalisation and extraction: random Unicode and mutated Arabic/Persian text never raise.

This is the fast version for the test suite; `scripts/fuzz.py` runs the same properties for minutes
(it sets ``TRACKER_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import os

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazetteer.normalize import name_key, norm, norm_map, skeleton
from tracker.extract import extract_report, load_gazetteer
from tracker.records import Report
from tracker.textio import decode, detect_language

# pieces of real report language, mutated and glued by hypothesis
PIECES = [
    "وسيطرت وحدات من الجيش السوري على قرية الطيبة الملاصقة للمدينة", "تقدم باتجاه دير الزور",
    "3 كلم تفصل الجيش عن", "وهو الخبر الذي ثبت عدم صحته", "أمس", "صباح اليوم الخميس", "منذ عشرة أيام",
    "تشرين الأول", "بههلاکت", "نیروهای دموکراتیک سوریه", "جیشالحر", "دیروز", "14 مهر 1396", "در حومه شمالی درعا",
    "The Syrian Army captured Mayadin on 14 October", "ISIL withdrew from", "5 km from", "denied", "\u00a0", "\u200c",
    "٣ كم", "۱۲ کیلومتر", "ـــ", "ً", "ال", "و", "«", "»", "\n\n", ".", "،",
]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=25).map(" ".join)
GAZETTEER = load_gazetteer()  # None when not built: places then stay unresolved
FUZZ = settings(max_examples=int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=300))
def test_norm_map_offsets_point_into_the_text(text):
    folded, pos = norm_map(text)
    assert len(folded) == len(pos)
    assert all(0 <= p < len(text) for p in pos)
    assert pos == sorted(pos)


@FUZZ
@given(TEXT)
def test_normalisers_never_raise(text):
    assert isinstance(norm(text), str)
    assert isinstance(name_key(text), str)
    assert isinstance(skeleton(text), str)
    detect_language(text)


@FUZZ
@given(st.binary(max_size=400))
def test_decode_raises_only_its_own_error(data):
    from tracker.textio import DecodeError

    try:
        text, _ = decode(data)
    except DecodeError:
        return
    assert isinstance(text, str)


@FUZZ
@given(TEXT, st.sampled_from(["ar", "fa", "en"]), st.sampled_from(["news", "chronicle"]))
def test_extraction_never_raises_and_quotes_match(text, lang, kind):
    report = Report(report_id="fuzz", text=text, published=date(2017, 10, 12) if kind == "news" else None,
                    lang=lang, kind=kind, meta='{"period": "4–17 October 2017"}' if kind == "chronicle" else None)
    for claim in extract_report(report, GAZETTEER):
        assert text[claim.start:claim.end] == claim.quote
        if claim.date is not None and kind == "news":
            assert claim.date <= "2017-10-12"
