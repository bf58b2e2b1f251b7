"""Accuracy of the claim extractor on every labelled set, per set and language, one line each.

usage: python scripts/evaluate.py [SET ...] [--split dev|test|all] [--show N] [--json]
sets: seeds, news, written, fresh, fresh2, fresh3, fresh4, fresh5, wiki (default: all)

- ``seeds``: the five seed reports against ``<sources>/eval/seeds.gold.jsonl``, scored by the owners'
  ``<sources>/eval/score.py`` rules (territorial precision, recall, F1), dates of matched claims.
- ``news``: ``<sources>/corpus/news/`` (real excerpts, labels by the corpus author). A change is found
  when an asserted capture by the gaining side lies within 10 km of the event's place (the corpus
  README's rule); a ``none`` report should yield no asserted capture (and, by our own labels of the place
  each negative is about, ``tests/data/news_negative_places.csv``, none within 10 km of that place).
- ``written``: ``tests/data/written_reports.jsonl`` (reports the team wrote in the field's styles, with
  ``written_labels.jsonl``), scored as the news; ``--split`` picks dev or test (default: both, apart).
- ``fresh``: ``tests/data/fresh_reports.jsonl`` with ``fresh_labels.jsonl``, a second written set in more
  styles (event-dataset notes, map trackers, UN sitreps, Russian and Persian-language outlets), written
  later by people who had not read the extractor, scored as ``written``.
- ``fresh2``: ``tests/data/fresh2_reports.jsonl`` with ``fresh2_labels.jsonl``, a third set written the same
  way, weighted toward terse event notes, Arabic and Persian, and the years 2012-2015 and 2020-2024.
- ``fresh3``: ``tests/data/fresh3_reports.jsonl`` with ``fresh3_labels.jsonl``, a fourth set written the
  same way in the voices of named kinds of outlets (Turkish, Kurdish, Russian, Iranian, state, opposition
  media, monitors, think tanks, Telegram-like posts) and shapes (states, losses, settlements, handovers).
- ``fresh4``: ``tests/data/fresh4_reports.jsonl`` with ``fresh4_labels.jsonl``, a fifth set written the same
  way, weighted toward Arabic and Persian and toward places the other sets do not name.
- ``fresh5``: ``tests/data/fresh5_reports.jsonl`` with ``fresh5_labels.jsonl``, a sixth set written the same
  way in stop 24, weighted toward terse event notes and lesser-known places.
- ``wiki``: ``tests/data/wiki_labels.jsonl`` (our labels of Wikipedia campaign sentences; each read as a
  chronicle with the sentences before it in its paragraph). A labelled claim is matched by a predicted
  claim of the same actor, action and status whose point lies within 10 km (or whose words overlap the
  labelled ones when either has no point; a label of actor ``unknown`` matches any side); precision over
  predicted territorial claims of the sentence. Sentences whose note starts "unnamed places:" are left out,
  as docs/annotation.md says.

For each set: recall, precision where it is defined, negatives rejected, date accuracy of found claims
(within 2 days; a month for month-precise labels) and the geocoding error of found claims' places
(within 10 km, median km), and ``unplaced``: the share of asserted territorial claims whose place has no
point (resolved to nothing, or only to a region). The publication dates of the seeds are estimates (``seeds/meta.jsonl``).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import settings  # noqa: E402
from tracker.dates import period_year  # noqa: E402
from tracker.extract import extract_report, load_gazetteer  # noqa: E402
from tracker.ingest import read_reports  # noqa: E402
from tracker.records import Report  # noqa: E402
from tracker.vocab import TERRITORIAL  # noqa: E402

DATA = ROOT / "tests" / "data"


def _load(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def km(a: float, b: float, c: float, d: float) -> float:
    p = math.pi / 180
    h = math.sin((c - a) * p / 2) ** 2 + math.cos(a * p) * math.cos(c * p) * math.sin((d - b) * p / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def _ratio(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.3f}" if b else "n/a"


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else float("nan")


def _date_ok(claim_date: str | None, want: str | None, precision: str | None = "day") -> bool | None:
    if not want or not claim_date:
        return None
    a, b = date.fromisoformat(claim_date), date.fromisoformat(want)
    if precision == "month":
        return (a.year, a.month) == (b.year, b.month)
    if precision == "year":
        return a.year == b.year
    return abs((a - b).days) <= 2


class Tally:
    """Counts of one set (or one language of it)."""

    def __init__(self) -> None:
        self.found = self.changes = self.clean = self.negatives = 0
        self.clean_here = self.negatives_placed = 0  # no asserted capture within 10 km of the negative's place
        self.dates: list[bool] = []
        self.geo: list[float] = []
        self.tp = self.predicted = 0
        self.asserted = self.unplaced = 0  # asserted territorial claims, and those whose place has no point

    def line(self, name: str, precision: bool = False) -> str:
        parts = [f"{name:<18} recall {_ratio(self.found, self.changes)}"]
        if precision:
            parts.append(f"precision {_ratio(self.tp, self.predicted)}")
        if self.negatives:
            parts.append(f"negatives rejected {_ratio(self.clean, self.negatives)}")
        if self.negatives_placed:
            parts.append(f"(at their place {_ratio(self.clean_here, self.negatives_placed)})")
        parts.append(f"dates right {_ratio(sum(self.dates), len(self.dates))}")
        if self.geo:
            parts.append(f"geocoding within 10 km {_ratio(sum(g <= 10 for g in self.geo), len(self.geo))}, "
                         f"median {_median(self.geo):.1f} km")
        if self.asserted:
            parts.append(f"unplaced {_ratio(self.unplaced, self.asserted)}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"found": self.found, "changes": self.changes, "clean": self.clean, "negatives": self.negatives,
                "dates_right": sum(self.dates), "dated": len(self.dates), "tp": self.tp,
                "predicted": self.predicted, "geo_within_10km": sum(g <= 10 for g in self.geo),
                "geo_n": len(self.geo), "geo_median_km": _median(self.geo) if self.geo else None,
                "asserted": self.asserted, "unplaced": self.unplaced}

    def count_places(self, claims: list[Any]) -> None:
        """How many asserted territorial claims carry no point (their place resolved to nothing)."""
        terr = [c for c in claims if c.status == "asserted" and c.action in TERRITORIAL]
        self.asserted += len(terr)
        self.unplaced += sum(c.lat is None for c in terr)


# ---------------------------------------------------------------- news-style sets (news, written)

def score_event_reports(reports: list[Report], labels: dict[str, dict], gz: Any, show: int = 0,
                        by: str = "lang") -> dict[str, Tally]:
    """Score reports labelled with one change each (or none), as the news corpus README says."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    shown = 0
    for r in reports:
        lab = labels.get(r.report_id)
        if lab is None:
            continue
        key = getattr(r, by) or r.lang
        claims = extract_report(r, gz)
        asserted = [c for c in claims if c.status == "asserted"]
        for t in (tallies[key], tallies["all"]):
            t.count_places(claims)
            if lab["label"] == "none":
                t.negatives += 1
                t.clean += not any(c.action == "capture" for c in asserted)
                if lab.get("lat") is not None:
                    t.negatives_placed += 1
                    t.clean_here += not any(c.action == "capture" and c.lat is not None and
                                            km(c.lat, c.lon, lab["lat"], lab["lon"]) <= 10 for c in asserted)
                continue
            t.changes += 1
            wanted = ("capture", "advance") if lab.get("action") == "advance" else ("capture",)
            right = [c for c in asserted if c.actor == lab["actor"] and c.action in wanted and c.lat is not None]
            near = [c for c in right if km(c.lat, c.lon, lab["lat"], lab["lon"]) <= 10]
            t.found += bool(near)
            if near:
                t.dates.append(bool(_date_ok(near[0].date, lab.get("date"))))
            if right:
                t.geo.append(min(km(c.lat, c.lon, lab["lat"], lab["lon"]) for c in right))
        ok = (lab["label"] == "none" and not any(c.action == "capture" for c in asserted)) or \
            (lab["label"] != "none" and any(c.actor == lab["actor"] and c.action == "capture" and c.lat is not None
                                            and km(c.lat, c.lon, lab["lat"], lab["lon"]) <= 10 for c in asserted))
        if show and not ok and shown < show:
            shown += 1
            print(f"  - {r.report_id} ({lab['label']}: {lab.get('actor')} {lab.get('place')} {lab.get('date')})")
            for c in claims:
                if c.action in TERRITORIAL:
                    print(f"      {c.actor} {c.action} {c.status} {c.place_text} = {c.place_name} {c.date}")
    return tallies


def news_report(gz: Any, show: int) -> dict[str, Any]:
    folder = settings.sources_dir() / "corpus" / "news"
    reports = read_reports([folder / "reports.jsonl"]).reports
    labels = {row["report_id"]: row for row in _load(folder / "labels.jsonl")}
    # our own labels: the place each negative report is about (tests/data/news_negative_places.csv), so
    # that a true capture of another place in it can be told from a capture of the place it denies
    events = {row["event_key"]: row for row in csv.DictReader(open(folder / "events.csv", encoding="utf-8"))}
    for row in csv.DictReader(open(DATA / "news_negative_places.csv", encoding="utf-8")):
        ev = events[row["event_key"]]
        labels[row["report_id"]].update(lat=float(ev["lat"]), lon=float(ev["lon"]))
    tallies = score_event_reports(reports, labels, gz, show)
    for key in ("en", "ar", "fa", "all"):
        if key in tallies:
            print(tallies[key].line(f"news {key}"))
    return {k: t.as_dict() for k, t in tallies.items()}


# The halves kept as measures of unseen text (tests/data/README.md, "Which halves are still unseen"):
# --show never prints their misses, so nobody reads them by accident.
UNSEEN = {("fresh3", "test"), ("fresh4", "test"), ("fresh5", "dev"), ("fresh5", "test")}


def written_report(gz: Any, split: str, show: int, name: str = "written") -> dict[str, Any]:
    reports = read_reports([DATA / f"{name}_reports.jsonl"]).reports
    labels = {row["report_id"]: row for row in _load(DATA / f"{name}_labels.jsonl")}
    out: dict[str, Any] = {}
    for part in (("dev", "test") if split == "all" else (split,)):
        chosen = {k: v for k, v in labels.items() if v["split"] == part}
        shown = show if part == "dev" or split == part else 0
        if shown and (name, part) in UNSEEN:
            print(f"({name} {part} is kept unseen: its misses are not shown)")
            shown = 0
        tallies = score_event_reports(reports, chosen, gz, shown)
        for key in ("en", "ar", "fa", "all"):
            if key in tallies:
                print(tallies[key].line(f"{name} {part} {key}"))
        styles = score_event_reports([r for r in reports if r.report_id in chosen], chosen, gz, 0, by="source")
        print("  by style: " + ", ".join(f"{k} {t.found}/{t.changes}" for k, t in sorted(styles.items())
                                         if k != "all" and t.changes))
        out[part] = {k: t.as_dict() for k, t in tallies.items()}
    return out


# ---------------------------------------------------------------- Wikipedia sentences

def _words_overlap(a: str, b: str) -> bool:
    wa = {w for w in a.lower().replace("-", " ").split() if len(w) > 2 and w not in ("the", "and")}
    wb = {w for w in b.lower().replace("-", " ").split() if len(w) > 2 and w not in ("the", "and")}
    return bool(wa & wb)


def wiki_report(gz: Any, split: str, show: int) -> dict[str, Any]:
    rows = {r["id"]: r for r in _load(settings.sources_dir() / "corpus" / "wikipedia" /
                                       "wiki_campaign_sentences.jsonl")}
    paragraph: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in rows.values():
        paragraph[(r["article"], r["paragraph_index"])].append(r)
    labels = [row for row in _load(DATA / "wiki_labels.jsonl") if split == "all" or row["split"] == split]
    # each article's period as `tracker ingest` reads it from the article's front matter ("9 May 2017 – 8 June
    # 2017"); the corpus's date_resolved year is only a fallback, its inferred years are often wrong
    articles = read_reports([settings.sources_dir() / "corpus" / "wikipedia" / "articles"]).reports
    periods = {Path(a.path).name: json.loads(a.meta).get("period") for a in articles if a.kind == "chronicle"}
    periods = {k: v for k, v in periods.items() if period_year(v)}
    t = Tally()
    caps = Tally()
    shown = 0
    for lab in labels:
        if lab["note"].startswith("unnamed places:"):
            continue  # territorial, but no place to score: neither recall nor precision (docs/annotation.md)
        row = rows[lab["id"]]
        before = [r for r in paragraph[(row["article"], row["paragraph_index"])]]
        k = next(i for i, r in enumerate(before) if r["id"] == row["id"])
        context = " ".join(r["sentence"] for r in before[max(0, k - 3):k])
        text = (context + " " if context else "") + row["sentence"]
        offset = len(text) - len(row["sentence"])
        period = periods.get(row["file"]) or (
            "" if period_year(row["article"]) else (row.get("date_resolved") or "")[:4])  # the title's year first
        report = Report(report_id=row["id"], text=text, published=None, lang="en", kind="chronicle",
                        title=row["article"], meta=json.dumps({"period": period} if period else {}))
        predicted = [c for c in extract_report(report, gz) if c.action in TERRITORIAL and c.start >= offset - 1]
        seen, unique = set(), []
        for c in predicted:  # a claim said twice in a sentence counts once
            key = (c.actor, c.action, c.status, c.place_id or c.place_text)
            if key not in seen:
                seen.add(key)
                unique.append(c)
        used: set[int] = set()
        misses = []
        for want in lab["claims"]:
            words = row["sentence"][want["place_span"][0]:want["place_span"][1]]
            for tally, only_capture in ((t, False), (caps, True)):
                if only_capture and not (want["action"] == "capture" and want["status"] == "asserted"):
                    continue
                tally.changes += 1
            hit = None
            for i, c in enumerate(unique):
                if i in used or (c.action, c.status) != (want["action"], want["status"]) or \
                        c.actor != want["actor"] and want["actor"] != "unknown":  # unknown matches any side
                    continue
                if want.get("lat") is not None and c.lat is not None:
                    ok = km(c.lat, c.lon, want["lat"], want["lon"]) <= 10
                else:
                    ok = bool(c.place_text) and (_words_overlap(c.place_text, words) or
                                                 _words_overlap(c.place_text, want["place"]))
                if ok:
                    hit = i
                    break
            if hit is None:
                misses.append(want)
                continue
            used.add(hit)
            c = unique[hit]
            for tally, only_capture in ((t, False), (caps, True)):
                if only_capture and not (want["action"] == "capture" and want["status"] == "asserted"):
                    continue
                tally.found += 1
                tally.tp += 1
                ok = _date_ok(c.date, want.get("date"), want.get("date_precision"))
                if ok is not None:
                    tally.dates.append(ok)
                if want.get("lat") is not None and c.lat is not None:
                    tally.geo.append(km(c.lat, c.lon, want["lat"], want["lon"]))
        t.predicted += len(unique)
        t.count_places(unique)
        caps.count_places([c for c in unique if c.action == "capture"])
        caps.predicted += sum(1 for c in unique if c.action == "capture" and c.status == "asserted")
        extras = [c for i, c in enumerate(unique) if i not in used]
        if show and (misses or extras) and shown < show:
            shown += 1
            print(f"  - {row['id']}: {row['sentence']}")
            for m in misses:
                print(f"      missed {m['actor']} {m['action']} {m['status']} {m['place']} {m.get('date')}")
            for c in extras:
                print(f"      extra  {c.actor} {c.action} {c.status} {c.place_text} = {c.place_name} {c.date}")
    print(t.line(f"wiki {split} all", precision=True))
    print(caps.line(f"wiki {split} capture", precision=True))
    return {"territorial": t.as_dict(), "capture": caps.as_dict()}


# ---------------------------------------------------------------- seeds

def seeds_report(gz: Any, out: Path) -> dict[str, Any]:
    sources = settings.sources_dir()
    gold_path = sources / "eval" / "seeds.gold.jsonl"
    reports = read_reports([sources / "seeds"]).reports
    claims = [c for r in reports for c in extract_report(r, gz)]
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for c in claims:
            f.write(json.dumps(c.printed(), ensure_ascii=False) + "\n")
    result = subprocess.run([sys.executable, str(sources / "eval" / "score.py"), "seeds", str(gold_path), str(out)],
                            capture_output=True, text=True, check=False)
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()
    published = {r.report_id: r.published for r in reports}
    gold = [g for g in _load(gold_path) if g["kind"] == "territorial"]
    right = dated = 0
    for g in gold:  # dates of the claims matching a gold claim by actor, action and place words
        want = {"published": published[g["doc"]], "published-1": None}.get(g["when"])
        if g["when"] == "published-1":
            want = date.fromordinal(published[g["doc"]].toordinal() - 1)
        want = want or date.fromisoformat(g["when"])
        same = [c for c in claims if c.report_id == g["doc"] and c.actor == g["actor"] and c.action == g["action"]
                and c.place_text and g["place_text"] and (c.place_text in g["place_text"] or
                                                          g["place_text"] in c.place_text)]
        if same:
            dated += 1
            right += same[0].date == want.isoformat()
    print(f"{'seeds':<18} score.py {last}; dates right {_ratio(right, dated)}")
    return {"score": last, "dates_right": right, "dated": dated}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=["seeds", "news", "written", "fresh", "fresh2", "fresh3",
                                                             "fresh4", "fresh5", "wiki"])
    parser.add_argument("--split", default="all", choices=("dev", "test", "all"))
    parser.add_argument("--show", type=int, default=0, help="print that many misses per set")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON at the end")
    parser.add_argument("--out", type=Path, default=Path("/tmp/tracker_seed_claims.jsonl"))
    args = parser.parse_args()
    gz = load_gazetteer()
    if gz is None:
        print("note: no gazetteer built (run `tracker gazetteer build`): places stay unresolved")
    figures: dict[str, Any] = {}
    for name in args.sets:
        if name == "seeds":
            figures[name] = seeds_report(gz, args.out)
        elif name == "news":
            figures[name] = news_report(gz, args.show)
        elif name in ("written", "fresh", "fresh2", "fresh3", "fresh4", "fresh5"):
            figures[name] = written_report(gz, args.split, args.show, name)
        elif name == "wiki":
            figures[name] = wiki_report(gz, args.split, args.show)
        else:
            parser.error(f"unknown set {name!r} (seeds, news, written, fresh, fresh2, fresh3, fresh4, fresh5, wiki)")
    if args.json:
        print(json.dumps(figures, indent=1, default=str))


if __name__ == "__main__":
    main()
