"""Mention index on a small hand-made table and on the real build."""

import pandas as pd
import pytest

from gazetteer.index import MentionIndex
from tracker.testing import built_gazetteer


@pytest.fixture(scope="module")
def small():
    rows = [("p1", "حطلة", ["حطلة", "Hatla"]), ("p2", "حطلة تحتاني", ["حطلة تحتاني"]),
            ("p3", "الميادين", ["الميادين", "Mayadin", "al-Mayadin"]), ("p4", "مراط", ["مراط"]),
            ("p5", "الجيش", ["الجيش"]), ("p6", None, ["Maksar al-Shamali"])]
    df = pd.DataFrame(rows, columns=["place_id", "name_ar", "alt_names"]).set_index("place_id", drop=False)
    return MentionIndex(df)


def test_longest_match_and_offsets(small):
    text = "سيطر على حطلة تحتاني والتقدم في مراط"
    ms = small.find(text)
    assert [(m.text, m.place_ids) for m in ms] == [("حطلة تحتاني", ("p2",)), ("مراط", ("p4",))]
    for m in ms:
        assert text[m.start:m.end] == m.text


def test_clitics_and_boundaries(small):
    text = "وبالميادين، للميادين والميادينية مراطي ومراط"
    found = [m.text for m in small.find(text)]
    assert found == ["الميادين", "لميادين", "مراط"]
    assert small.find("الجيش") == []                      # a stop name is never indexed


def test_latin_and_skeleton(small):
    assert [m.place_ids for m in small.find("fighting in al-Mayadin and Hatla.")] == [("p3",), ("p1",)]
    ms = small.find("على قرى مراط ومكسر الشمالي")
    assert ms[-1].place_ids == ("p6",) and ms[-1].via == "skeleton" and ms[-1].text == "مكسر الشمالي"


def test_real_seed_mentions():
    gaz = built_gazetteer()
    text = "وصل إلى محيط اللواء 137 المحاصر وسيطر على حطلة تحتاني بريف دير الزور"
    got = {m.text: m for m in gaz.find_mentions(text)}
    assert "اللواء 137" in got and "حطلة تحتاني" in got and "ريف دير الزور" in got
    assert got["حطلة تحتاني"].qualifier == "L"
    persian = "به شهر الحارة در حومه شمالی درعا"
    assert [m.text for m in gaz.find_mentions(persian)] == ["الحارة", "حومه شمالی درعا"]


def test_english_names_are_read_whole():
    gaz = built_gazetteer()

    def found(text):
        return [(m.text, m.place_ids[:1] and m.via) for m in gaz.find_mentions(text)]

    # whole names in any spelling; a fragment that is a village name elsewhere is never a mention
    ms = {m.text: m for m in gaz.find_mentions("SDF fighters entered Deir el-Zour and al-Baghuz Fawqani.")}
    assert set(ms) == {"Deir el-Zour", "al-Baghuz Fawqani"}
    assert "C5086" in ms["Deir el-Zour"].place_ids and ms["al-Baghuz Fawqani"].exact_ids == ("C5184",)
    assert [t for t, _ in found("The army took Tal Abu Rweil al-Sharqi near Aleppo.")] == ["Aleppo"]
    assert [t for t, _ in found("Syria's Raqqa province, Ras al Ain and Tell Abyad")] == \
        ["Raqqa", "Ras al Ain", "Tell Abyad"]
    # a qualifier after a known name joins it; a headline in title case still yields its place
    hatla = [m for m in gaz.find_mentions("Lower Hatla and Hatla Tahtani") if m.qualifier == "L" or "~L" in m.key]
    assert len(hatla) == 2
    assert [t for t, _ in found("Syrian Army Recaptures Palmyra From Islamic State")] == ["Palmyra"]


def test_an_ayn_written_as_an_apostrophe_opens_a_name_part():
    gaz = built_gazetteer()
    for text in ("The army took Mleihat Al-'Atash on Monday.", "The army took Mleihat al-’Atash on Monday."):
        ms = gaz.find_mentions(text)
        assert [m.text for m in ms] == [text[14:31]] and "C6108" in ms[0].place_ids


def test_persian_article_less_names_and_fuzzy_english_slots():
    gaz = built_gazetteer()
    fa = "آخرین گروه تروریستی داعش در روستای مرزی باغوز در استان دیرالزور سوریه شکست خورد"
    assert [m.text for m in gaz.find_mentions(fa)][:1] == ["باغوز"]
    assert "باغوز" not in [m.text for m in gaz.find_mentions("قرب باغوز")]      # Arabic: no such form
    # a spelling no source has, where a place is expected: the close spellings, via "fuzzy"
    m = gaz.find_mentions("the army took the village of Uqairabat on Friday")[0]
    assert m.via == "fuzzy" and "C3315" in m.exact_ids
    assert gaz.find_mentions("the army captured Syrian positions") == []    # an adjective, not a place
