"""Persian shape probes (tests/data/probes_fa.jsonl): short sentences the team wrote to cover how Persian
outlets report control, crossing verbs, voices, sides, place phrases and negatives (see docs/extraction.md).

Each expected claim must be found with its side, action, status and place; a probe expecting nothing must
yield no asserted capture. Probes the extractor still misses are listed in KNOWN_FAILURES_FA (xfail, strict:
a probe that starts passing must leave the list).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.extract import extract_report, load_gazetteer
from tracker.records import Report
from tracker.vocab import ACTIONS, CLAIM_STATUSES, sides

PROBES = Path(__file__).parent / "data" / "probes_fa.jsonl"

#: probes the extractor still fails, by id, with the shape it misses
KNOWN_FAILURES_FA: dict[str, str] = {
    "fa-043": "passive 'cleared of the terrorists' names no gainer",
    "fa-051": "passive 'cleared of the terrorists' names no gainer",
    "fa-062": "verbal noun announced by an outlet, no side",
    "fa-080": "state 'پاک شده است' (free of)",
    "fa-083": "quote 'we are inside X'",
    "fa-086": "quote 'under our control'",
    "fa-091": "entry into quarters of a city",
    "fa-171": "aim 'به دنبال'",
}


def _probes() -> list[dict]:
    with open(PROBES, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


def probe_misses(probe: dict, gazetteer) -> list[str]:
    """What a probe expects and the extractor does not give (empty when the probe passes)."""
    report = Report(report_id=probe["id"], text=probe["text"], published=date.fromisoformat(probe["published"]),
                    lang=probe["lang"])
    claims = extract_report(report, gazetteer)
    got = {(c.actor, c.action, c.status, c.place_id) for c in claims}
    if not probe["expect"]:
        return [f"asserted capture {c.actor} {c.place_id} ({c.place_text})" for c in claims
                if c.action == "capture" and c.status == "asserted"]
    return [f"missing {e['actor']} {e['action']} {e['status']} {e['place']}; got {sorted(map(str, got))}"
            for e in probe["expect"] if (e["actor"], e["action"], e["status"], e["place"]) not in got]


def test_probes_are_well_formed():
    probes = _probes()
    assert len({p["id"] for p in probes}) == len(probes)
    assert set(KNOWN_FAILURES_FA) <= {p["id"] for p in probes}
    assert sum(not p["expect"] for p in probes) >= 0.25 * len(probes)
    for p in probes:
        assert set(p) == {"id", "lang", "published", "text", "expect"}, p["id"]
        assert p["lang"] == "fa" and date.fromisoformat(p["published"]), p["id"]
        for e in p["expect"]:
            assert e["actor"] in sides() and e["action"] in ACTIONS and e["status"] in CLAIM_STATUSES, p["id"]
            assert e["place"], p["id"]


@pytest.mark.parametrize("probe", [
    pytest.param(p, id=p["id"], marks=[pytest.mark.xfail(reason=KNOWN_FAILURES_FA[p["id"]], strict=True)]
                 if p["id"] in KNOWN_FAILURES_FA else [])
    for p in _probes()])
def test_probe(probe, gazetteer):
    assert probe_misses(probe, gazetteer) == []
