"""The fresh sets (tests/data/fresh*_reports.jsonl + labels) are well formed, so they can be scored.

Written by team members who had not read the extractor (see tests/data/README.md); the same fields and
rules as the written set, with free style tags.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.ingest import read_reports
from tracker.vocab import TERRITORIAL, sides

DATA = Path(__file__).parent / "data"
LAT, LON = (32.2, 37.5), (35.5, 42.5)   # Syria's box with a margin for border crossings


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.parametrize("name", ["fresh", "fresh2", "fresh3", "fresh4", "fresh5"])
def test_a_fresh_set_is_consistent(name):
    reports = _rows(DATA / f"{name}_reports.jsonl")
    labels = _rows(DATA / f"{name}_labels.jsonl")
    by_id = {lab["report_id"]: lab for lab in labels}
    assert len(by_id) == len(labels), "a report is labelled twice"
    assert [r["id"] for r in reports] == [lab["report_id"] for lab in labels]
    known = set(sides())
    for r in reports:
        assert set(r) == {"id", "published", "source", "lang", "text", "written_by"}, r["id"]
        assert r["lang"] in {"en", "ar", "fa"} and r["written_by"].startswith("tracker team"), r["id"]
        lab = by_id[r["id"]]
        assert lab["split"] in {"dev", "test"}, r["id"]
        if lab["label"] == "none":
            assert lab["actor"] is None and lab["action"] == "none", r["id"]
            continue
        assert lab["actor"] in known and lab["loser"] in known and lab["actor"] != lab["loser"], r["id"]
        assert lab["action"] in TERRITORIAL and LAT[0] <= lab["lat"] <= LAT[1] and LON[0] <= lab["lon"] <= LON[1]
        assert date.fromisoformat(lab["date"]) <= date.fromisoformat(r["published"]), r["id"]
    result = read_reports([DATA / f"{name}_reports.jsonl"], strict=True)
    assert not result.errors and len(result.reports) == len(reports)
