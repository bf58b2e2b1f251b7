"""English shape probes (tests/data/probes_en.jsonl): short reports the team wrote to cover how control is reported.

Each probe crosses a way of saying control (verbs and nouns of capture, passives, the loser as subject, states,
quotes) with actor names, place phrases and report styles (event notes, map one-liners, monitor flashes, think-tank
bullets, wire stories). An expected claim is found when a claim has its actor, action, status and place_id; a
probe expecting nothing must yield no asserted capture. Probes the extractor still fails are listed in
``KNOWN_FAILURES_EN`` with the reason, and xfail strictly: a fixed probe must leave the list.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.extract import extract_report, load_gazetteer
from tracker.records import Report
from tracker.vocab import sides

PROBES = Path(__file__).parent / "data" / "probes_en.jsonl"

#: probe id -> why it still fails
KNOWN_FAILURES_EN: dict[str, str] = {
    "en-008": "a place-kind phrase 'X area villages' is read as X, and 'the town of Y' after it is missed",
    "en-044": "'the jihadists' is generic and no group is named before it",
    "en-071": "'several villages around X' gives a capture with no place",
    "en-085": "a site inside a place ('the last IS encampment in X') is not taken as the place",
    "en-087": "'the centre of X was under the control of' is read as a part (advance)",
    "en-093": "'began leaving X, handing the town to <side>': 'leaving' is no withdrawal verb",
    "en-106": "'Islamist fighters including Nusra Front': a side named after 'including' is not the phrase's",
    "en-126": "'withdrew from X under the strikes of <side>' does not name the taker",
    "en-136": "'X has been cleared of <loser>, <speaker> said': the speaker as taker",
    "en-145": "'We are in full control of X,' <side> spokesman said: first person in a quote, speaker after it",
    "en-146": "'We are now inside X,' said <side> commander: first person in a quote, speaker after it",
    "en-152": "passive subject 'X and its dam' is not read as X",
    "en-159": "'the X border crossing' the gazetteer lacks keeps no place id (by design: the site is not the village)",
    "en-164": "'abandoned their positions in X' is read as leaving a part of X (by design), not X",
    "en-206": "'control of X changed from <loser> to <side>' is no construction",
    "en-233": "'withdraw from X after a counter-attack by <side>': the noun's agent is not the taker",
    "en-250": "'evacuated from X under a deal that handed the town to <side>': the relative handover is not read",
}


def _probes() -> list[dict]:
    with open(PROBES, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _params() -> list:
    out = []
    for probe in _probes():
        marks = []
        if probe["id"] in KNOWN_FAILURES_EN:
            marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES_EN[probe["id"]], strict=True))
        out.append(pytest.param(probe, id=probe["id"], marks=marks))
    return out


@pytest.fixture(scope="module")
def gz():
    return load_gazetteer()


def test_the_probe_set_is_well_formed():
    probes = _probes()
    assert len({p["id"] for p in probes}) == len(probes)
    known = set(sides())
    for p in probes:
        assert set(p) == {"id", "lang", "published", "text", "expect"} and p["lang"] == "en", p["id"]
        date.fromisoformat(p["published"])
        for want in p["expect"]:
            assert want["actor"] in known and want["status"] in {"asserted", "background", "refuted", "intent"}
            assert want["action"] in {"capture", "withdraw"} and want["place"], p["id"]
    negatives = sum(1 for p in probes if not p["expect"])
    assert len(probes) >= 150 and negatives >= 0.25 * len(probes)
    assert set(KNOWN_FAILURES_EN) <= {p["id"] for p in probes}


@pytest.mark.parametrize("probe", _params())
def test_probe(probe, gz):
    report = Report(report_id=probe["id"], text=probe["text"], published=date.fromisoformat(probe["published"]),
                    lang="en")
    claims = extract_report(report, gz)
    got = {(c.actor, c.action, c.status, c.place_id) for c in claims}
    if not probe["expect"]:
        assert not [c for c in claims if c.action == "capture" and c.status == "asserted"], got
    for want in probe["expect"]:
        assert (want["actor"], want["action"], want["status"], want["place"]) in got, got
