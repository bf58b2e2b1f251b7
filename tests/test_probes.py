"""Shape probes (``tests/data/probes_{en,ar,fa}.jsonl``): short reports the team wrote to cover how control is
reported in each language, crossing verbs and nouns of control (active, passive, nominal, light verbs), the
winner or the loser as subject, states, quotes and handovers with the names outlets give the sides, place phrases
and report styles; about 30% are negatives (intent, repelled attempts, denials, forecasts, questions, background,
clashes and shelling). See ``tests/data/README.md``.

An expected claim is found when a claim has its actor, action, status and place_id; a probe expecting nothing must
yield no asserted capture. Probes the extractor still fails are listed per language with the reason, and xfail
strictly: a probe that starts passing must leave the list.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.extract import extract_report, load_gazetteer
from tracker.records import Report
from tracker.vocab import ACTIONS, CLAIM_STATUSES, sides

DATA = Path(__file__).parent / "data"
LANGS = ("en", "ar", "fa")

#: probe id -> why it still fails
KNOWN_FAILURES_EN: dict[str, str] = {
    "en-008": "a place-kind phrase 'X area villages' is read as X, and 'the town of Y' after it is missed",
    "en-044": "'the jihadists' is generic and no group is named before it",
    "en-071": "'several villages around X' gives a capture with no place",
    "en-085": "a site inside a place ('the last IS encampment in X') is not taken as the place",
    "en-087": "'the centre of X was under the control of' is read as a part (advance)",
    "en-093": "'began leaving X, handing the town to <side>': 'leaving' is no withdrawal verb",
    "en-136": "'X has been cleared of <loser>, <speaker> said': the speaker as taker",
    "en-145": "'We are in full control of X,' <side> spokesman said: first person in a quote, speaker after it",
    "en-146": "'We are now inside X,' said <side> commander: first person in a quote, speaker after it",
    "en-152": "passive subject 'X and its dam' is not read as X",
    "en-159": "'the X border crossing' the gazetteer lacks keeps no place id (by design: the site is not the village)",
    "en-164": "'abandoned their positions in X' is read as leaving a part of X (by design), not X",
}
KNOWN_FAILURES_AR: dict[str, str] = {
    "ar-041": "'أمّن' (secured) is no capture verb",
    "ar-108": "'معبر نصيب' is not resolved",
    "ar-110": "a quarter 'حي X' followed by its city is not resolved",
    "ar-116": "a quote in the first person ('نحن الآن داخل X') is no advance",
}
KNOWN_FAILURES_FA: dict[str, str] = {
    "fa-062": "verbal noun announced by an outlet, no side",
    "fa-083": "quote 'we are inside X'",
    "fa-086": "quote 'under our control'",
    "fa-328": "'N روستا در اطراف X' (villages around X) is read as X itself",
}
KNOWN_FAILURES = {**KNOWN_FAILURES_EN, **KNOWN_FAILURES_AR, **KNOWN_FAILURES_FA}


def _probes(lang: str) -> list[dict]:
    with open(DATA / f"probes_{lang}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _params() -> list:
    return [pytest.param(p, id=p["id"], marks=[pytest.mark.xfail(reason=KNOWN_FAILURES[p["id"]], strict=True)]
                         if p["id"] in KNOWN_FAILURES else [])
            for lang in LANGS for p in _probes(lang)]


@pytest.fixture(scope="module")
def gz():
    return load_gazetteer()


@pytest.mark.parametrize("lang", LANGS)
def test_a_probe_set_is_well_formed(lang):
    probes = _probes(lang)
    ids = [p["id"] for p in probes]
    assert len(ids) == len(set(ids)) and len(ids) >= 150
    assert set(KNOWN_FAILURES) & set(ids) == {k for k in KNOWN_FAILURES if k.startswith(lang + "-")}
    assert sum(1 for p in probes if not p["expect"]) >= 0.25 * len(probes)
    for p in probes:
        # "source": the outlet, for a report that names no side but its partisan outlet's
        assert set(p) - {"source"} == {"id", "lang", "published", "text", "expect"} and p["lang"] == lang, p["id"]
        date.fromisoformat(p["published"])
        for e in p["expect"]:
            assert e["actor"] in sides() and e["action"] in ACTIONS and e["status"] in CLAIM_STATUSES, p["id"]
            assert e["place"], p["id"]


@pytest.mark.parametrize("probe", _params())
def test_a_probe(probe, gz):
    report = Report(report_id=probe["id"], text=probe["text"], lang=probe["lang"],
                    published=date.fromisoformat(probe["published"]), source=probe.get("source"))
    claims = extract_report(report, gz)
    got = {(c.actor, c.action, c.status, c.place_id) for c in claims}
    if not probe["expect"]:
        assert not [c for c in claims if c.action == "capture" and c.status == "asserted"], got
    for e in probe["expect"]:
        assert (e["actor"], e["action"], e["status"], e["place"]) in got, got
