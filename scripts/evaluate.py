"""Score the claim extractor on the seed reports and on dated Wikipedia campaign sentences.

usage: python scripts/evaluate.py [--out outputs/seed_claims.jsonl] [--sample 200] [--show 30]

1. Extracts claims from ``<sources>/seeds`` and scores them with ``<sources>/eval/score.py`` (the same
   rules as the lead's evaluation), then prints precision, recall and F1 overall, per language and per
   action, and the date accuracy of matched territorial claims (``published`` = the publication date,
   ``published-1`` = the day before).
2. Picks ``--sample`` control-change sentences with a fully explicit date from
   ``<sources>/corpus/wikipedia/wiki_campaign_sentences.jsonl`` (fixed seed), extracts each as an English
   chronicle sentence and reports the share yielding a capture with a side and a resolved place;
   ``--show`` prints that many of them for reading by hand.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from tracker import settings
from tracker.extract import extract_report, load_gazetteer
from tracker.ingest import read_reports
from tracker.records import Report
from tracker.vocab import TERRITORIAL


def _load(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _score(gold_path: Path, claims_path: Path, score_py: Path) -> str:
    out = subprocess.run([sys.executable, str(score_py), "seeds", str(gold_path), str(claims_path)],
                         capture_output=True, text=True, check=False)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr


def _match(g: dict, c: dict, norm) -> bool:
    """The scorer's rule for one gold claim and one predicted claim (same report is checked outside)."""
    want = "refuted" if g["note"].startswith("REFUTED") else "asserted"
    if c.get("actor") != g["actor"] or c.get("action") != g["action"] or (c.get("status") or "asserted") != want:
        return False
    if g.get("lat") is not None and c.get("lat") is not None:
        return _km(g["lat"], g["lon"], c["lat"], c["lon"]) <= 10
    gt, ct = norm(g.get("place_text")), norm(c.get("place_text") or c.get("place_name"))
    if not gt:
        return g.get("distance_km") is None or c.get("distance_km") == g["distance_km"]
    return bool(ct) and (gt in ct or ct in gt)


def seeds_report(sources: Path, out: Path, gz) -> None:
    gold_path = sources / "eval" / "seeds.gold.jsonl"
    score_py = sources / "eval" / "score.py"
    reports = {r.report_id: r for r in read_reports([sources / "seeds"]).reports}
    claims = [c.printed() for r in reports.values() for c in extract_report(r, gz)]
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for c in claims:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"seed claims: {len(claims)} ({sum(c['action'] in TERRITORIAL for c in claims)} territorial) -> {out}")
    print("score.py:", _score(gold_path, out, score_py))

    sys.path.insert(0, str(score_py.parent))
    from score import norm  # the scorer's own normalisation

    gold = [g for g in _load(gold_path) if g["kind"] == "territorial"]
    # one predicted claim per (report, actor, action, status, place), as the scorer counts them
    pred, seen = [], set()
    for c in claims:
        if c["action"] not in TERRITORIAL:
            continue
        where = (round(c["lat"], 2), round(c["lon"], 2)) if c.get("lat") is not None else norm(c.get("place_text"))
        key = (c["report_id"], c["actor"], c["action"], c["status"], where, c["distance_km"])
        if key not in seen:
            seen.add(key)
            pred.append(c)
    used: set[int] = set()
    matched: list[tuple[dict, dict]] = []
    for g in gold:
        for i, c in enumerate(pred):
            if i not in used and c["report_id"] == g["doc"] and _match(g, c, norm):
                used.add(i)
                matched.append((g, c))
                break

    def prf(gs: list[dict], ps: list[dict], tp: int) -> str:
        p = tp / len(ps) if ps else 0.0
        r = tp / len(gs) if gs else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return f"P={p:.3f} R={r:.3f} F1={f:.3f} (tp={tp} gold={len(gs)} predicted={len(ps)})"

    lang_of = {rid: r.lang for rid, r in reports.items()}
    print("overall     ", prf(gold, pred, len(matched)))
    for lang in ("ar", "fa", "en"):
        gs = [g for g in gold if lang_of.get(g["doc"]) == lang]
        if gs:
            ps = [c for c in pred if lang_of.get(c["report_id"]) == lang]
            print(f"lang {lang:<7}", prf(gs, ps, sum(1 for g, _ in matched if lang_of[g["doc"]] == lang)))
    for action in sorted(TERRITORIAL):
        gs = [g for g in gold if g["action"] == action]
        ps = [c for c in pred if c["action"] == action]
        print(f"action {action:<9}", prf(gs, ps, sum(1 for g, _ in matched if g["action"] == action)))
    right = 0
    for g, c in matched:
        pub = reports[g["doc"]].published
        want = {"published": pub, "published-1": pub - timedelta(days=1)}.get(g["when"])
        want = want or date.fromisoformat(g["when"])
        if c["date"] == want.isoformat():
            right += 1
        else:
            print(f"  date wrong: {g['doc'][:3]} {g['place']}: {c['date']} (gold {g['when']}, {c['date_text']})")
    print(f"dates right: {right}/{len(matched)} = {right / max(len(matched), 1):.3f}")
    geocoding_report(_load(gold_path), claims, norm)


def _km(a: float, b: float, c: float, d: float) -> float:
    p = math.pi / 180
    h = math.sin((c - a) * p / 2) ** 2 + math.cos(a * p) * math.cos(c * p) * math.sin((d - b) * p / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def geocoding_report(gold: list[dict], claims: list[dict], norm) -> None:
    """Geocoding error: for every gold claim (territorial or context) whose place has coordinates, the distance
    from the coordinates the extractor gave the same place words in the same report."""
    errors, unresolved = [], []
    for g in gold:
        if g.get("lat") is None or not g.get("place_text"):
            continue
        gt = norm(g["place_text"])
        same = [c for c in claims if c["report_id"] == g["doc"] and c.get("place_text")
                and (gt in norm(c["place_text"]) or norm(c["place_text"]) in gt)]
        located = [c for c in same if c.get("lat") is not None]
        if located:
            errors.append((min(_km(g["lat"], g["lon"], c["lat"], c["lon"]) for c in located), g["place"]))
        else:
            unresolved.append(g["place"])
    if not errors:
        print("geocoding: no gold place with coordinates was found")
        return
    errors.sort()
    km = [e for e, _ in errors]
    print(f"geocoding: {len(km)} gold places with coordinates located; within 10 km {sum(e <= 10 for e in km)}/"
          f"{len(km)}; median {km[len(km) // 2]:.1f} km, max {km[-1]:.1f} km ({errors[-1][1]}); "
          f"not located: {len(unresolved)} ({', '.join(unresolved) or 'none'})")


def wiki_report(sources: Path, gz, sample: int, show: int) -> None:
    rows = _load(sources / "corpus" / "wikipedia" / "wiki_campaign_sentences.jsonl")
    pool = [r for r in rows if r["change_class"] == "control_change" and r["date_basis"] == "explicit_full"]
    rng = random.Random(4)
    picked = rng.sample(pool, min(sample, len(pool))) if len(pool) > sample else pool
    if len(picked) < sample:  # fill from the year-inferred dates, which are mostly right
        rest = [r for r in rows if r["change_class"] == "control_change"
                and r["date_basis"] == "explicit_daymonth_year_inferred"]
        picked += rng.sample(rest, sample - len(picked))
    yielded = 0
    lines = []
    for r in picked:
        year = int(r["date_resolved"][:4])
        report = Report(report_id=r["id"], text=r["sentence"], published=None, lang="en", kind="chronicle",
                        meta=json.dumps({"period": str(year)}))
        claims = extract_report(report, gz)
        caps = [c for c in claims if c.action == "capture" and c.actor not in (None, "unknown") and c.place_id]
        yielded += bool(caps)
        lines.append((r, caps))
    print(f"wiki sentences: {len(picked)} ({sum(r['date_basis'] == 'explicit_full' for r in picked)} with a full "
          f"date); a capture with a side and a resolved place: {yielded}/{len(picked)} = {yielded / len(picked):.3f}")
    for r, caps in lines[:show]:
        print(f"- {r['sentence']}")
        for c in caps:
            print(f"    -> {c.actor} {c.action} {c.place_text} = {c.place_name} ({c.lat}, {c.lon}) {c.date} {c.status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="where to write the seed claims JSONL")
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--show", type=int, default=0)
    parser.add_argument("--no-gazetteer", action="store_true")
    args = parser.parse_args()
    sources = settings.sources_dir()
    gz = None if args.no_gazetteer else load_gazetteer()
    if gz is None:
        print("note: no gazetteer built (run `tracker gazetteer build`): places stay unresolved")
    out = args.out or Path(tempfile.gettempdir()) / "tracker_seed_claims.jsonl"
    seeds_report(sources, out, gz)
    wiki_report(sources, gz, args.sample, args.show)


if __name__ == "__main__":
    main()
