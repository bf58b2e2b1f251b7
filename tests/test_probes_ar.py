"""Arabic shape probes (``tests/data/probes_ar.jsonl``): short sentences the team wrote to cover how control is
reported in Arabic, crossing verbs and nouns of control, the winner or the loser as subject, states, quotes,
the names outlets give the sides, place phrases and negatives (intent, repelled attacks, denials, background,
conditionals, questions, forecasts, clashes and shelling near a place).

Each expected claim must be found with its side, action, status and the gazetteer's place id; a negative
(``expect == []``) must yield no asserted capture. Probes that still fail are listed in
``KNOWN_FAILURES_AR`` (strict xfail: a probe that starts passing must leave the list).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.extract import extract_report, load_gazetteer
from tracker.records import Report
from tracker.vocab import ACTIONS, CLAIM_STATUSES, sides

PROBES = Path(__file__).parent / "data" / "probes_ar.jsonl"

# id -> why it still fails
KNOWN_FAILURES_AR: dict[str, str] = {
    "ar-009": "a first-person verb whose speaker is named after it ('سيطرنا ...، قال قيادي في X')",
    "ar-041": "'أمّن' (secured) is no capture verb",
    "ar-052": "'تل العيس' is read as two places",
    "ar-060": "'خرجت X عن سيطرة Y' (went out of Y's control) is no loss",
    "ar-088": "'تل العيس' is read as two places",
    "ar-108": "'معبر نصيب' is not resolved",
    "ar-110": "a quarter 'حي X' followed by its city is not resolved",
    "ar-111": "a quarter 'حي X' followed by its city is not resolved",
    "ar-116": "a quote in the first person ('نحن الآن داخل X') is no advance",
    "ar-120": "a participle state ('باتت محررة') is no capture",
}


def _probes() -> list[dict]:
    with open(PROBES, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _params() -> list:
    out = []
    for p in _probes():
        marks = [pytest.mark.xfail(reason=KNOWN_FAILURES_AR[p["id"]], strict=True)] \
            if p["id"] in KNOWN_FAILURES_AR else []
        out.append(pytest.param(p, id=p["id"], marks=marks))
    return out


@pytest.fixture(scope="module")
def gz():
    return load_gazetteer()


def test_the_arabic_probes_are_well_formed():
    probes = _probes()
    ids = [p["id"] for p in probes]
    assert len(ids) == len(set(ids)) and len(ids) >= 150
    assert set(KNOWN_FAILURES_AR) <= set(ids)
    negatives = sum(1 for p in probes if not p["expect"])
    assert negatives >= 0.25 * len(probes)
    for p in probes:
        assert set(p) == {"id", "lang", "published", "text", "expect"} and p["lang"] == "ar", p["id"]
        date.fromisoformat(p["published"])
        for e in p["expect"]:
            assert e["actor"] in sides() and e["action"] in ACTIONS and e["status"] in CLAIM_STATUSES, p["id"]


@pytest.mark.parametrize("probe", _params())
def test_an_arabic_probe(probe, gz):
    report = Report(report_id=probe["id"], text=probe["text"], lang="ar",
                    published=date.fromisoformat(probe["published"]))
    got = {(c.actor, c.action, c.status, c.place_id) for c in extract_report(report, gz)}
    if not probe["expect"]:
        assert not [g for g in got if g[1] == "capture" and g[2] == "asserted"], got
    for e in probe["expect"]:
        assert (e["actor"], e["action"], e["status"], e["place"]) in got, got
