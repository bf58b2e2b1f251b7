"""Draw the Wikipedia sentences to be labelled by hand, and split them into dev and test.

usage: python scripts/sample_wiki_labels.py [--sources DIR] [--out tests/data/wiki_sample.jsonl]

Reads ``<sources>/corpus/wikipedia/wiki_campaign_sentences.jsonl`` and writes one line per drawn sentence:
``{"id", "split", "article", "change_class", "date_basis"}`` (ids and corpus fields only, no text). The draw is
fixed by ``SEED``, so the same corpus always gives the same sample:

- 60% ``control_change`` and 40% ``movement_or_fighting`` sentences (``QUOTAS``);
- inside each class, a fixed number per ``date_basis`` (``null`` included), so that explicit full dates,
  day-month dates with an inferred year, dates relative to the previous sentence and undated sentences
  all appear;
- inside each (class, date_basis) stratum, articles are visited in turn, one sentence at a time, so that the
  sample spreads over many articles instead of following the largest ones.

The split (``DEV_SIZE`` dev, the rest test) is drawn with its own seed from the sampled ids, before any label
is written; labels live in ``tests/data/wiki_labels.jsonl`` (see ``docs/annotation.md``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import settings  # noqa: E402

SEED = 12  # the issue that asked for these labels
SPLIT_SEED = 1212
DEV_SIZE = 280

#: sentences drawn per (change_class, date_basis); 252 + 168 = 420
QUOTAS: dict[tuple[str, str | None], int] = {
    ("control_change", None): 100,
    ("control_change", "explicit_daymonth_year_inferred"): 92,
    ("control_change", "relative_to_previous_sentence"): 30,
    ("control_change", "explicit_full"): 30,
    ("movement_or_fighting", None): 70,
    ("movement_or_fighting", "explicit_daymonth_year_inferred"): 54,
    ("movement_or_fighting", "relative_to_previous_sentence"): 22,
    ("movement_or_fighting", "explicit_full"): 22,
}


def read_corpus(path: Path) -> list[dict]:
    """The corpus rows, or a clear error naming the file and line."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                row["id"], row["article"], row["change_class"]  # noqa: B018 - required fields
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise SystemExit(f"{path}:{n}: not a corpus sentence ({err})") from err
            rows.append(row)
    return rows


def round_robin(rows: list[dict], n: int, rng: random.Random) -> list[dict]:
    """``n`` rows taken one per article in turn (articles and rows in seeded random order)."""
    by_article: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_article[row["article"]].append(row)
    articles = sorted(by_article)
    rng.shuffle(articles)
    for article in articles:
        rng.shuffle(by_article[article])
    picked: list[dict] = []
    while len(picked) < n:
        progressed = False
        for article in articles:
            if by_article[article] and len(picked) < n:
                picked.append(by_article[article].pop())
                progressed = True
        if not progressed:
            raise SystemExit(f"stratum has only {len(picked)} sentences, {n} wanted")
    return picked


def draw(rows: list[dict]) -> list[dict]:
    """The sample, each row with its split, in corpus order."""
    rng = random.Random(SEED)
    strata: dict[tuple[str, str | None], list[dict]] = defaultdict(list)
    for row in rows:
        strata[(row["change_class"], row.get("date_basis"))].append(row)
    picked: list[dict] = []
    for key, n in QUOTAS.items():  # fixed order: the draw must not depend on dict order of the corpus
        picked.extend(round_robin(strata.get(key, []), n, rng))
    ids = sorted(r["id"] for r in picked)
    random.Random(SPLIT_SEED).shuffle(ids)
    dev = set(ids[:DEV_SIZE])
    order = {r["id"]: i for i, r in enumerate(rows)}
    return [
        {"id": r["id"], "split": "dev" if r["id"] in dev else "test", "article": r["article"],
         "change_class": r["change_class"], "date_basis": r.get("date_basis")}
        for r in sorted(picked, key=lambda r: order[r["id"]])
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=Path, default=None, help="sources directory (default: ../shared)")
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "wiki_sample.jsonl")
    args = ap.parse_args(argv)
    if args.sources:
        settings.configure(sources=args.sources)
    corpus = settings.require_sources("corpus", "wikipedia", "wiki_campaign_sentences.jsonl")
    sample = draw(read_corpus(corpus))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for row in sample:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    n_art = len({r["article"] for r in sample})
    n_dev = sum(r["split"] == "dev" for r in sample)
    print(f"{len(sample)} sentences from {n_art} articles ({n_dev} dev, {len(sample) - n_dev} test) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
