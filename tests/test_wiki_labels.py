"""The hand labels of Wikipedia campaign sentences (``tests/data/wiki_labels.jsonl``) keep their format.

The format and the labelling rules are in ``docs/annotation.md``; the sample and its split come from
``scripts/sample_wiki_labels.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tracker.vocab import CLAIM_STATUSES, TERRITORIAL, sides

DATA = Path(__file__).parent / "data"
LABELS = DATA / "wiki_labels.jsonl"
SAMPLE = DATA / "wiki_sample.jsonl"
SAMPLER = Path(__file__).parent.parent / "scripts" / "sample_wiki_labels.py"

KINDS = {"event", "background", "intent", "denial", "no-territorial"}
PLACE_KINDS = {"settlement", "site", "region"}
DATE_PRECISIONS = {"day", "month", "year"}
CLAIM_KEYS = {"actor", "action", "status", "place", "place_span", "lat", "lon", "place_kind", "loser", "date",
              "date_precision"}
# Syria with a margin (the border hilltops of the Qalamoun are the closest calls)
LAT_RANGE, LON_RANGE = (32.0, 37.5), (35.5, 42.5)


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def labels() -> list[dict]:
    return _read(LABELS)


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    return _read(SAMPLE)


def test_every_sampled_sentence_is_labelled_once_with_its_split(labels, sample):
    assert [r["id"] for r in labels] == [s["id"] for s in sample]
    assert [r["split"] for r in labels] == [s["split"] for s in sample]
    assert sum(r["split"] == "dev" for r in labels) == 280 and len(labels) == 420


def test_sentence_fields_and_kinds(labels):
    for r in labels:
        assert set(r) == {"id", "split", "claims", "kind", "note"}, r["id"]
        assert r["kind"] in KINDS, r["id"]
        statuses = {c["status"] for c in r["claims"]}
        unnamed = r["note"].startswith("unnamed")
        if r["kind"] == "no-territorial":
            assert not r["claims"], r["id"]
        elif r["kind"] == "intent":
            assert "intent" in statuses, r["id"]
        elif r["kind"] == "denial":
            assert "refuted" in statuses, r["id"]
        else:  # event or background: something asserted, or a territorial fact naming no place
            assert "asserted" in statuses or (unnamed and not r["claims"]), r["id"]


def test_claim_fields_use_the_shared_vocabulary(labels):
    side_names = set(sides())
    for r in labels:
        for c in r["claims"]:
            where = f"{r['id']} {c.get('place')}"
            assert set(c) == CLAIM_KEYS, where
            assert c["actor"] in side_names and c["loser"] in side_names | {None}, where
            assert c["action"] in TERRITORIAL and c["status"] in CLAIM_STATUSES, where
            assert c["action"] != "withdraw" or c["loser"] is None, where  # the actor of a withdrawal is its loser
            assert c["place"].strip() and c["place_kind"] in PLACE_KINDS, where
            start, end = c["place_span"]
            assert isinstance(start, int) and isinstance(end, int) and 0 <= start < end, where


def test_points_are_in_syria_and_regions_have_none(labels):
    for r in labels:
        for c in r["claims"]:
            where = f"{r['id']} {c['place']}"
            assert (c["lat"] is None) == (c["lon"] is None), where
            if c["place_kind"] == "region":
                assert c["lat"] is None, where
            if c["lat"] is not None:
                assert LAT_RANGE[0] <= c["lat"] <= LAT_RANGE[1] and LON_RANGE[0] <= c["lon"] <= LON_RANGE[1], where


def test_dates_match_their_precision(labels):
    for r in labels:
        for c in r["claims"]:
            where = f"{r['id']} {c['place']}"
            assert (c["date"] is None) == (c["date_precision"] is None), where
            if c["date"] is None:
                continue
            day = date.fromisoformat(c["date"])
            assert c["date_precision"] in DATE_PRECISIONS and date(2011, 3, 1) <= day <= date(2021, 12, 31), where
            if c["date_precision"] == "month":
                assert day.day == 1, where
            if c["date_precision"] == "year":
                assert (day.month, day.day) == (1, 1), where


def test_spans_fall_inside_their_sentences(labels, sources):
    corpus = sources / "corpus" / "wikipedia" / "wiki_campaign_sentences.jsonl"
    sentences = {row["id"]: row["sentence"] for row in _read(corpus)}
    for r in labels:
        text = sentences[r["id"]]
        for c in r["claims"]:
            start, end = c["place_span"]
            where = f"{r['id']} {c['place']}"
            assert end <= len(text) and text[start:end].strip() == text[start:end], where
            # whole words only
            assert (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum()), where


def test_the_sampler_reproduces_the_sample(sources, tmp_path):
    out = tmp_path / "sample.jsonl"
    done = subprocess.run([sys.executable, str(SAMPLER), "--sources", str(sources), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")


def test_the_sampler_names_a_bad_line(tmp_path):
    corpus = tmp_path / "corpus" / "wikipedia" / "wiki_campaign_sentences.jsonl"
    corpus.parent.mkdir(parents=True)
    corpus.write_text('{"id": "a", "article": "A", "change_class": "control_change"}\n{"id": "b"\n',
                      encoding="utf-8")
    out = tmp_path / "sample.jsonl"
    done = subprocess.run([sys.executable, str(SAMPLER), "--sources", str(tmp_path), "--out", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and f"{corpus}:2" in done.stderr
    assert not out.exists()
