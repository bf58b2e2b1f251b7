"""Claim extraction: fixture reports per language, the traps of the seeds, the CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker import settings
from tracker.extract import extract_report, fold, load_gazetteer
from tracker.ingest import read_reports
from tracker.records import Report

SEEDS = settings.sources_dir() / "seeds"


@dataclass
class FakeMention:
    start: int
    end: int
    text: str
    key: str
    place_ids: tuple


@dataclass
class FakeCandidate:
    place_id: str
    name_en: str
    lat: float
    lon: float
    feature_type: str = "town"
    coord_precision: str = "point"
    country: str = "SY"
    score: float = 1.0
    reasons: tuple = ()


@dataclass
class FakeResolution:
    best: FakeCandidate | None
    candidates: list
    ambiguous: bool = False
    reason: str = ""


class FakeGazetteer:
    """Finds the names it knows (exact words); resolves each to one place."""

    PLACES = {
        "الميادين": ("P1", "Mayadin", 35.015, 40.45, "SY"), "الطيبة": ("P2", "Tayyibah", 35.02, 40.43, "SY"),
        "دير الزور": ("P3", "Deir ez-Zor", 35.336, 40.141, "SY"), "حقل العمر": ("P4", "Omar field", 35.10, 40.57, "SY"),
        "القائم": ("P5", "Al-Qaim", 34.39, 40.99, "IQ"), "الجفرة": ("P6", "Jafra", 35.30, 40.20, "SY"),
        "Mayadin": ("P1", "Mayadin", 35.015, 40.45, "SY"), "Al-Asharah": ("P7", "Ashara", 34.92, 40.565, "SY"),
        "Quriyah": ("P8", "Quriyah", 35.0, 40.51, "SY"), "منبج": ("P9", "Manbij", 36.53, 37.95, "SY"),
        "العريمة": ("P10", "Arima", 36.55, 37.80, "SY"), "القاهرة": ("P11", "Cairo", 30.04, 31.24, "EG"),
    }

    def find_mentions(self, text, persian=None):
        out = []
        for name, (pid, *_rest) in self.PLACES.items():
            i = text.find(name)
            while i >= 0:
                out.append(FakeMention(i, i + len(name), name, name, (pid,)))
                i = text.find(name, i + 1)
        return sorted(out, key=lambda m: m.start)

    def resolve(self, mention, context):
        pid, name, lat, lon, country = self.PLACES[mention.text]
        cand = FakeCandidate(pid, name, lat, lon, country=country)
        return FakeResolution(cand, [cand])

    def resolve_at(self, mention, text, nearby, scored=True):
        return self.resolve(mention, None)


def claims_of(text: str, lang: str, published=date(2017, 10, 15), gz=None, **kw):
    report = Report(report_id="t", text=text, published=published, lang=lang, **kw)
    return extract_report(report, gz if gz is not None else FakeGazetteer())


def find(claims, **want):
    return [c for c in claims if all(getattr(c, k) == v for k, v in want.items())]


# ---------------------------------------------------------------- fixture reports, one per language

AR = ("عنوان الخبر\n"
      "سيطرت وحدات من الجيش السوري أمس على قرية الطيبة، وتقدمت باتجاه مدينة الميادين.\n"
      "وبات الجيش يبعد عن حقل العمر نحو ١٢ كم. وقال ناشطون إن «قسد» تقدمت باتجاه منبج، "
      "وهو الخبر الذي ثبت عدم صحته.\n")


def test_arabic_fixture():
    claims = claims_of(AR, "ar")
    cap = find(claims, action="capture", place_text="الطيبة")
    assert cap and cap[0].actor == "government" and cap[0].date == "2017-10-14"
    adv = find(claims, action="advance", place_text="الميادين")
    assert adv and adv[0].actor == "government" and adv[0].lat == 35.015
    prox = find(claims, action="proximity", place_text="حقل العمر")
    assert prox and prox[0].distance_km == 12 and prox[0].actor == "government"
    refuted = find(claims, actor="sdf", place_text="منبج")
    assert refuted and refuted[0].status == "refuted"
    for c in claims:
        assert c.quote == AR[c.start:c.end]


FA = ("تیتر خبر\n"
      "ارتش سوریه روستای «الجفرة» را در جنوب دیرالزور آزاد کرد.\n"
      "نیروهای حشدالشعبی بهسمت القائم حرکت خواهند کرد.\n")


def test_persian_fixture_without_zwnj():
    claims = claims_of(FA, "fa")
    cap = find(claims, action="capture", place_text="الجفرة")
    assert cap and cap[0].actor == "government"
    qaim = find(claims, place_text="القائم")
    assert qaim and qaim[0].actor == "pmf" and qaim[0].status == "intent"
    # a place outside Syria keeps its own coordinates, never a Syrian homonym's
    assert qaim[0].lat == 34.39


EN = ("The 2017 offensive\n\n"
      "On 14 October, the Syrian Army captured Mayadin. The next day, Tiger Forces advanced towards "
      "Al-Asharah, reaching its outskirts. ISIL withdrew from Quriyah.\n")


def test_english_chronicle_dates_per_sentence():
    claims = claims_of(EN, "en", published=None, kind="chronicle", meta=json.dumps({"period": "4–17 October 2017"}))
    cap = find(claims, action="capture", place_text="Mayadin")
    assert cap and cap[0].actor == "government" and cap[0].date == "2017-10-14"
    adv = find(claims, action="proximity", place_text="Al-Asharah")  # towards it, reaching its outskirts
    assert adv and adv[0].date == "2017-10-15" and adv[0].actor == "government"


def test_distance_words_and_advance_distance():
    claims = claims_of("قالت وزارة الدفاع الروسية إن قوات سورية تقدّمت 8 كلم خلال اليوم.\n"
                       "وبات الجيش على بعد ثلاثة كيلومترات من الميادين.\n", "ar")
    adv = find(claims, action="advance")
    assert adv and adv[0].distance_km == 8 and adv[0].place_text is None
    assert adv[0].attribution == "Russian MoD"
    prox = find(claims, action="proximity", place_text="الميادين")
    assert prox and prox[0].distance_km == 3


def test_actor_carried_over_within_paragraph():
    claims = claims_of("x\nوسيطرت قوات النظام على قرية الطيبة. وتقدمت داخل أحياء الميادين.\n", "ar")
    assert find(claims, action="advance", place_text="الميادين", actor="government")


def test_list_of_villages_gives_one_claim_each():
    claims = claims_of("x\nسيطر الجيش السوري على قرى العريمة ومنبج والطيبة في ريف حلب.\n", "ar")
    assert {c.place_text for c in find(claims, action="capture")} == {"العريمة", "منبج", "الطيبة"}


def test_region_level_claim_has_no_point():
    claims = claims_of("x\nسيطرت هيئة تحرير الشام على قرى عديدة بالريف الشرقي بعد اشتباكات.\n", "ar")
    c = find(claims, action="capture")[0]
    assert (c.actor, c.place_precision, c.lat, c.place_text) == ("hts", "region", None, "الريف الشرقي")


def test_caption_and_nbsp():
    text = ("عنوان\nSyrians walk on the outskirts of Raqa on October 2, 2017. (Photo credit AFP)\n"
            "سيطر\u00a0الجيش\u00a0السوري على\u00a0الميادين.\n")
    claims = claims_of(text, "ar")
    assert [c.date for c in claims] == ["2017-10-15"]
    assert fold("الجيش\u00a0السوري")[0] == "الجيش السوري"


def test_works_without_gazetteer():
    report = Report(report_id="t", text=AR, published=date(2017, 10, 15), lang="ar")
    claims = extract_report(report, None)
    assert find(claims, action="capture", actor="government")
    assert all(c.place_id is None for c in claims)


# ---------------------------------------------------------------- the seeds' traps (real gazetteer)

@pytest.fixture(scope="module")
def seed_claims():
    gz = load_gazetteer()
    if gz is None or not SEEDS.exists():
        pytest.skip("gazetteer not built or seeds missing")
    reports = read_reports([SEEDS]).reports
    return {r.report_id[:3]: extract_report(r, gz) for r in reports}


def test_seed_refuted_sdf_claim_only(seed_claims):
    c4 = seed_claims["004"]
    assert find(c4, actor="sdf", action="advance", place_text="دوار الحلبية", status="refuted")
    assert find(c4, actor="sdf", action="advance", status="asserted")  # the northern entrance: not refuted
    assert find(c4, actor="government", action="capture", place_text="دوار الحلبية", date="2017-10-14")


def test_seed_cairo_is_not_a_place(seed_claims):
    assert not [c for c in seed_claims["000"] if c.place_text and "القاهرة" in c.place_text]


def test_seed_tayyibah_next_to_mayadin(seed_claims):
    for c in find(seed_claims["000"], place_text="الطيبة"):
        assert c.lat is None or abs(c.lat - 35.02) < 0.1


def test_seed_iraq_intent(seed_claims):
    qaim = find(seed_claims["003"], place_text="القائم")
    assert qaim and qaim[0].status == "intent" and qaim[0].actor == "pmf"
    assert qaim[0].lat is None or qaim[0].lon > 40.9


def test_seed_persian_siege_without_zwnj(seed_claims):
    assert {c.place_text for c in find(seed_claims["003"], actor="sdf", action="siege")} >= {"المنصورة", "هنیدة"}


def test_seed_caption_date_not_used(seed_claims):
    assert seed_claims["001"] and all(c.date != "2017-10-02" for c in seed_claims["001"])


# ---------------------------------------------------------------- CLI

def test_cli_extract_jsonl(tmp_path):
    from tracker.cli import main

    (tmp_path / "r.jsonl").write_text(json.dumps({"id": "r1", "published": "2017-10-15", "source": "x",
                                                  "text": AR, "lang": "ar"}, ensure_ascii=False) + "\n")
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "r.jsonl"), "--jsonl", "--no-gazetteer"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows and set(rows[0]) >= {"report_id", "actor", "action", "status", "quote", "start", "end"}
    assert all(AR[r["start"]:r["end"]] == r["quote"] for r in rows)


def test_cli_extract_bad_input(tmp_path):
    from tracker.cli import main

    (tmp_path / "bad.jsonl").write_text("{not json\n")
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "bad.jsonl"), "--jsonl"])
    assert result.exit_code == 1 and "bad.jsonl:1" in result.output
