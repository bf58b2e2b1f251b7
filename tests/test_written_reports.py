"""The written test set (tests/data/written_reports.jsonl + written_labels.jsonl) is well formed.

The reports are style imitations written by the team about real control changes; the labels say which change
each one announces (or none). These checks keep the two files consistent so the set can be scored.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from tracker.ingest import read_reports
from tracker.vocab import TERRITORIAL, sides

DATA = Path(__file__).parent / "data"
REPORTS = DATA / "written_reports.jsonl"
LABELS = DATA / "written_labels.jsonl"

#: Syria's bounding box, with a small margin for border crossings
LAT = (32.2, 37.5)
LON = (35.5, 42.5)
STYLES = {"event-note", "monitor", "wire", "state-media", "opposition-media", "kurdish-media", "turkish-media",
          "iranian-media"}


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def reports() -> list[dict]:
    return _rows(REPORTS)


@pytest.fixture(scope="module")
def labels() -> dict[str, dict]:
    rows = _rows(LABELS)
    by_id = {row["report_id"]: row for row in rows}
    assert len(by_id) == len(rows), "a report is labelled twice"
    return by_id


def test_reports_fields(reports):
    ids = [r["id"] for r in reports]
    assert len(set(ids)) == len(ids)
    for r in reports:
        assert set(r) == {"id", "published", "source", "lang", "text", "written_by"}, r["id"]
        date.fromisoformat(r["published"])
        assert r["lang"] in {"en", "ar", "fa"}, r["id"]
        assert r["source"] in STYLES, r["id"]
        assert 40 <= len(r["text"]) <= 1500, r["id"]
        assert r["written_by"].startswith("tracker team"), r["id"]


def test_every_report_has_one_label(reports, labels):
    assert {r["id"] for r in reports} == set(labels)


def test_labels_fields(reports, labels):
    published = {r["id"]: r["published"] for r in reports}
    known_sides = set(sides())
    for rid, lab in labels.items():
        assert lab["split"] in {"dev", "test"}, rid
        if lab["label"] == "none":
            assert lab["actor"] is None and lab["action"] == "none" and lab["note"], rid
            continue
        assert lab["label"] == "change", rid
        assert lab["actor"] in known_sides and lab["loser"] in known_sides, rid
        assert lab["actor"] != lab["loser"], rid
        assert lab["action"] in {"capture", "advance"} and lab["action"] in TERRITORIAL, rid
        assert lab["place"], rid
        assert LAT[0] <= lab["lat"] <= LAT[1] and LON[0] <= lab["lon"] <= LON[1], rid
        assert date.fromisoformat(lab["date"]) <= date.fromisoformat(published[rid]), rid


def test_mix(reports, labels):
    langs = Counter(r["lang"] for r in reports)
    assert langs["en"] >= 150 and langs["ar"] >= 50 and langs["fa"] >= 30
    negatives = sum(1 for lab in labels.values() if lab["label"] == "none")
    assert 0.10 <= negatives / len(labels) <= 0.25
    splits = Counter(lab["split"] for lab in labels.values())
    assert abs(splits["dev"] - splits["test"]) <= 0.2 * len(labels)


def test_ingest_reads_the_set():
    result = read_reports([REPORTS], strict=True)
    assert not result.errors
    assert len(result.reports) == len(_rows(REPORTS))
