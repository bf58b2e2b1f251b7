#!/usr/bin/env python
"""Regression check for the claim extractor: the same inputs must give byte-identical claims.

Extracts (a) the seed reports, (b) 400 Wikipedia campaign sentences as English chronicle reports
(as ``scripts/evaluate.py`` builds them), (c) 90 of the reports of ``tracker.extract.bench`` and
(d) the gazetteer's own mentions and resolutions of the seeds (as ``gazetteer.bench`` runs them),
and writes every record as one sorted JSON line.

usage: python scripts/extract_regression.py --save FILE     # store a reference
       python scripts/extract_regression.py --check FILE    # compare with it, print the first differences
       python scripts/extract_regression.py                 # print the lines
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import gazetteer
from tracker import settings
from tracker.extract import extract_report
from tracker.extract.bench import bench_reports
from tracker.ingest import read_reports
from tracker.records import Claim, Report

#: fields that change from run to run and say nothing about the extraction
_VOLATILE = {"extracted_at"}


def _wiki_reports(count: int = 400) -> list[Report]:
    """``count`` dated campaign sentences (fixed seed) as chronicle reports, as evaluate.py makes them."""
    path = settings.sources_dir() / "corpus" / "wikipedia" / "wiki_campaign_sentences.jsonl"
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    dated = [r for r in rows if r.get("date_resolved")]
    picked = random.Random(400).sample(dated, min(count, len(dated)))
    return [Report(report_id=r["id"], text=r["sentence"], published=None, lang="en", kind="chronicle",
                   meta=json.dumps({"period": r["date_resolved"][:4]})) for r in picked]


def _claim_line(section: str, claim: Claim) -> str:
    row = {k: v for k, v in claim.as_dict().items() if k not in _VOLATILE}
    return json.dumps({"section": section, **row}, ensure_ascii=False, sort_keys=True, default=str)


def _gazetteer_lines(gz: gazetteer.Gazetteer, texts: list[tuple[str, str]]) -> list[str]:
    """Every mention the gazetteer finds in each text and how it resolves (full candidate lists)."""
    out = []
    for name, text in texts:
        ctx = gazetteer.Context(text=text)
        for m in gz.find_mentions(text):
            res = gz.resolve(m, ctx)
            out.append(json.dumps({
                "section": "gazetteer", "text": name, "start": m.start, "end": m.end, "mention": m.text,
                "key": m.key, "ids": list(m.place_ids), "exact": list(m.exact_ids), "via": m.via,
                "qualifier": m.qualifier, "best": res.best.place_id if res.best else None,
                "ambiguous": res.ambiguous, "reason": res.reason, "direction": res.direction,
                "candidates": [[c.place_id, c.score, c.reasons] for c in res.candidates]},
                ensure_ascii=False, sort_keys=True))
    return out


def lines() -> list[str]:
    """The regression records, sorted."""
    gz = gazetteer.load(settings.gazetteer_dir())
    seeds = read_reports([settings.sources_dir() / "seeds"]).reports
    bench = bench_reports(1000, 3000)[::11][:90]
    out: list[str] = []
    t0 = time.process_time()
    for section, reports in (("seeds", seeds), ("wiki", _wiki_reports()), ("bench", bench)):
        for r in reports:
            out.extend(_claim_line(section, c) for c in extract_report(r, gz))
    out.extend(_gazetteer_lines(gz, [(r.report_id, r.text) for r in seeds] + [(r.report_id, r.text)
                                                                              for r in bench[:12]]))
    print(f"{len(out)} records in {time.process_time() - t0:.2f} s CPU", file=sys.stderr)
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--save", type=Path, help="write the records to FILE")
    group.add_argument("--check", type=Path, help="compare the records with FILE")
    parser.add_argument("--show", type=int, default=5, help="differences to print with --check")
    args = parser.parse_args(argv)
    got = lines()
    if args.save:
        args.save.write_text("\n".join(got) + "\n", encoding="utf-8")
        print(f"saved {len(got)} records to {args.save}")
        return 0
    if args.check:
        want = args.check.read_text(encoding="utf-8").splitlines()
        if want == got:
            print(f"identical: {len(got)} records")
            return 0
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        print(f"DIFFERENT: {len(want)} expected, {len(got)} now; {len(missing)} missing, {len(extra)} new")
        for label, rows in (("-", missing), ("+", extra)):
            for row in rows[:args.show]:
                print(label, row[:1200])
        return 1
    sys.stdout.write("\n".join(got) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
