"""Geocoding figures: how well the gazetteer names and places what reports call a place.

usage: python scripts/evaluate_places.py [--spellings FILE] [--show N] [--claims] [--variants]

1. **Spelling list** (``tests/data/place_spellings.csv``): names as English, Arabic and Persian
   reports spell them, each with its true place. A bare name is looked up with no context; it is
   right when the first-ranked candidate is the true place (its id, or a place within
   :data:`SAME_KM` of the true point). Printed per language: first-ranked right, and resolved
   (a ``best`` given) right.
2. **News corpus** (``<sources>/corpus/news``): every mention the gazetteer finds in a report that
   announces a change is resolved in reading order, as the extractor does (places resolved before it
   count as nearby). A mention is *about the event* when it may mean the event's place: one of its
   candidates lies within 10 km of the labelled point, or its words are a spelling of that place in
   the spelling list. Printed: reports whose event place is found, and of the mentions about the
   event those placed within 10 km, placed elsewhere, and left without a point.
3. **Seeds** (``<sources>/eval/seeds.gold.jsonl``): gold places with coordinates, resolved at their
   quote in their report: share within 10 km.
4. With ``--claims``: the claims of the current extractor on the news corpus, the asserted captures
   and advances of the gaining side about the event (place words a spelling of the event place, or
   a point within 10 km): share within 10 km, elsewhere, without a point.

5. With ``--variants``: spelling variants (``scripts/place_variants.py``, no name known to it) of a fixed
   random sample of places with an English name and a point, looked up bare and read by the extractor in
   "Government forces captured the village of X in D district, G governorate.": right (within
   :data:`SAME_KM`), wrong, none. False matches: English words in that sentence, and variants of made-up
   names no gazetteer key is within two letters of (a head or half of one name with the rest of another).

:func:`geocoding_summary` returns all figures as a dict (for ``scripts/evaluate.py``);
:func:`print_summary` prints them.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import gazetteer
from gazetteer.normalize import norm

ROOT = Path(__file__).resolve().parent.parent
SPELLINGS = ROOT / "tests" / "data" / "place_spellings.csv"
SAME_KM = 5.0       # a first-ranked place this close to the true point is the true place
EVENT_KM = 10.0     # the news corpus's and the seeds' tolerance
ADMIN = ("governorate", "district", "subdistrict")


def km(a: float, b: float, c: float, d: float) -> float:
    """Great-circle distance in km between (a, b) and (c, d)."""
    p = math.pi / 180
    h = math.sin((c - a) * p / 2) ** 2 + math.cos(a * p) * math.cos(c * p) * math.sin((d - b) * p / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def read_spellings(path: Path = SPELLINGS) -> list[dict]:
    """The spelling list: ``name, lang, place_id, lat, lon`` (lines starting with ``#`` are notes)."""
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    for r in rows:
        r["lat"], r["lon"] = float(r["lat"]), float(r["lon"])
    return rows


def _is_place(c, place_id: str, lat: float, lon: float) -> bool:
    """Whether candidate ``c`` is the true place: its id, or a non-admin place at the true point."""
    if c is None:
        return False
    if c.place_id == place_id:
        return True
    if c.lat is None or c.lat != c.lat or c.feature_type in ADMIN:
        return False
    return km(c.lat, c.lon, lat, lon) <= SAME_KM


def spelling_ranking(gaz, rows: list[dict]) -> dict:
    """First-ranked and resolved right for every name of the spelling list, per language."""
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    wrong = []
    for r in rows:
        res = gaz.lookup(r["name"])
        first = res.candidates[0] if res.candidates else None
        top = _is_place(first, r["place_id"], r["lat"], r["lon"])
        best = _is_place(res.best, r["place_id"], r["lat"], r["lon"])
        for key in (r["lang"], "all"):
            by_lang[key][0] += 1
            by_lang[key][1] += top
            by_lang[key][2] += best
        if not top or not best:
            got = (f"{first.place_id} {first.name_en} ({first.admin_path})" if first else "no candidate")
            wrong.append(f"{r['lang']} {r['name']!r} -> {got}; best {res.best.place_id if res.best else None}; "
                         f"true {r['place_id']}")
    return {"by_lang": {k: {"names": n, "first_right": t, "best_right": b} for k, (n, t, b) in by_lang.items()},
            "wrong": wrong}


def _load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _event_names(rows: list[dict], lat: float, lon: float) -> set[str]:
    """Normalised spellings of the place at (lat, lon) in the spelling list."""
    return {norm(r["name"]) for r in rows if km(r["lat"], r["lon"], lat, lon) <= SAME_KM}


def _about_event(mention_text: str, candidates, names: set[str], lat: float, lon: float) -> bool:
    if norm(mention_text) in names:
        return True
    return any(c.lat is not None and c.lat == c.lat and c.feature_type not in ADMIN
               and km(c.lat, c.lon, lat, lon) <= EVENT_KM for c in candidates)


def news_geocoding(gaz, news_dir: Path, rows: list[dict]) -> dict:
    """Mentions of the labelled event places in the news corpus, resolved in reading order."""
    labels = {x["report_id"]: x for x in _load_jsonl(news_dir / "labels.jsonl")}
    counts = {"reports": 0, "found": 0, "mentions": 0, "near": 0, "elsewhere": 0, "no_point": 0}
    per_lang: dict[str, dict[str, int]] = defaultdict(lambda: {"mentions": 0, "near": 0})
    misses = []
    for rep in _load_jsonl(news_dir / "reports.jsonl"):
        lab = labels.get(rep["id"])
        if not lab or lab["label"] != "change":
            continue
        counts["reports"] += 1
        text, lat, lon = rep["text"], lab["lat"], lab["lon"]
        names = _event_names(rows, lat, lon)
        nearby: list[tuple[float, float]] = []
        found = False
        for m in gaz.find_mentions(text):
            res = gaz.resolve_at(m, text, nearby)
            best = res.best
            point = best is not None and best.lat is not None and best.lat == best.lat \
                and best.coord_precision not in ADMIN
            if point and best.country in (None, "SY") and (best.lat, best.lon) not in nearby:
                nearby.append((best.lat, best.lon))
            if not _about_event(m.text, res.candidates, names, lat, lon):
                continue
            found = True
            counts["mentions"] += 1
            per_lang[rep["lang"]]["mentions"] += 1
            if point and km(best.lat, best.lon, lat, lon) <= EVENT_KM:
                counts["near"] += 1
                per_lang[rep["lang"]]["near"] += 1
            elif point:
                counts["elsewhere"] += 1
                misses.append(f"{rep['id']}: {m.text!r} -> {best.place_id} {best.name_en} "
                              f"{km(best.lat, best.lon, lat, lon):.0f} km away")
            else:
                counts["no_point"] += 1
                misses.append(f"{rep['id']}: {m.text!r} -> no point ({res.reason})")
        counts["found"] += found
        if not found:
            misses.append(f"{rep['id']}: event place {lab['place']!r} not found")
    return {**counts, "by_lang": dict(per_lang), "misses": misses}


def seed_geocoding(gaz, sources: Path) -> dict:
    """Gold places of the seeds with coordinates, resolved at their quote: within 10 km or not."""
    gold = [g for g in _load_jsonl(sources / "eval" / "seeds.gold.jsonl")
            if g.get("lat") is not None and g.get("place_text")]
    right, misses = 0, []
    for g in gold:
        text = (sources / "seeds" / f"{g['doc']}.txt").read_text(encoding="utf-8").replace("\u00a0", " ")
        at = text.find(g["quote"][:25])
        ms = [m for m in gaz.find_mentions(text) if m.text in g["place_text"] or g["place_text"] in m.text]
        if not ms:
            misses.append(f"{g['doc'][:3]} {g['place']}: no mention")
            continue
        m = min(ms, key=lambda m: abs(m.start - at))
        best = gaz.resolve(m, gazetteer.Context(text=text)).best
        if best is not None and best.lat is not None and km(best.lat, best.lon, g["lat"], g["lon"]) <= EVENT_KM:
            right += 1
        else:
            misses.append(f"{g['doc'][:3]} {g['place']}: {best.place_id if best else None}")
    return {"places": len(gold), "within_10km": right, "misses": misses}


def claims_geocoding(claims: Iterable[dict], news_dir: Path, rows: list[dict]) -> dict:
    """Extracted claims about the labelled events: asserted captures and advances of the gaining side
    whose place words spell the event place or whose point lies within 10 km of it."""
    labels = {x["report_id"]: x for x in _load_jsonl(news_dir / "labels.jsonl")}
    names_of: dict[tuple[float, float], set[str]] = {}
    out = {"claims": 0, "near": 0, "elsewhere": 0, "no_point": 0}
    for c in claims:
        lab = labels.get(c.get("report_id"))
        if not lab or lab["label"] != "change" or c.get("action") not in ("capture", "advance") \
                or (c.get("status") or "asserted") != "asserted" or c.get("actor") != lab["actor"]:
            continue
        key = (lab["lat"], lab["lon"])
        names = names_of.setdefault(key, _event_names(rows, *key))
        near = c.get("lat") is not None and km(c["lat"], c["lon"], *key) <= EVENT_KM
        if not near and norm(c.get("place_text") or "") not in names:
            continue
        out["claims"] += 1
        out["near" if near else "elsewhere" if c.get("lat") is not None else "no_point"] += 1
    return out


def extractor_claims(news_dir: Path) -> list[dict]:
    """The current extractor's claims on the news corpus (printed records)."""
    from datetime import date

    from tracker.extract import extract_report, load_gazetteer
    from tracker.records import Report

    gz = load_gazetteer()
    out = []
    for r in _load_jsonl(news_dir / "reports.jsonl"):
        rep = Report(report_id=r["id"], text=r["text"], published=date.fromisoformat(r["published"]),
                     lang=r["lang"], source=r["source"])
        out += [c.printed() for c in extract_report(rep, gz)]
    return out


def geocoding_summary(gaz=None, sources: Path | None = None, spellings: Path = SPELLINGS,
                      claims: Iterable[dict] | None = None) -> dict:
    """Every geocoding figure of this script as a dict (``spellings``, ``news``, ``seeds`` and, when
    ``claims`` are given, ``claims``: extracted claims on the news corpus)."""
    from tracker import settings

    gaz = gaz or gazetteer.load(settings.gazetteer_dir())
    sources = sources or settings.sources_dir()
    rows = read_spellings(spellings)
    news_dir = sources / "corpus" / "news"
    out = {"spellings": spelling_ranking(gaz, rows), "news": news_geocoding(gaz, news_dir, rows),
           "seeds": seed_geocoding(gaz, sources)}
    if claims is not None:
        out["claims"] = claims_geocoding(claims, news_dir, rows)
    return out


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.1%}" if b else "0/0"


def print_summary(summary: dict, show: int = 0, say: Callable[[str], None] = print) -> None:
    """Print the figures of :func:`geocoding_summary` (``show`` misses of each part)."""
    sp = summary["spellings"]
    for lang, f in sorted(sp["by_lang"].items(), key=lambda kv: kv[0] != "all"):
        say(f"spellings {lang:<4} first-ranked right {_pct(f['first_right'], f['names'])}; "
            f"resolved right {_pct(f['best_right'], f['names'])}")
    for line in sp["wrong"][:show]:
        say("  " + line)
    nw = summary["news"]
    say(f"news: event place found in {_pct(nw['found'], nw['reports'])} change reports; mentions about the "
        f"event {nw['mentions']}: within 10 km {_pct(nw['near'], nw['mentions'])}, elsewhere {nw['elsewhere']}, "
        f"no point {nw['no_point']}")
    for lang, f in sorted(nw["by_lang"].items()):
        say(f"  news {lang}: within 10 km {_pct(f['near'], f['mentions'])}")
    for line in nw["misses"][:show]:
        say("  " + line)
    sd = summary["seeds"]
    say(f"seeds: gold places with coordinates within 10 km {_pct(sd['within_10km'], sd['places'])}")
    for line in sd["misses"][:show]:
        say("  " + line)
    if "claims" in summary:
        cl = summary["claims"]
        say(f"claims about the event (news, current extractor): {cl['claims']}: within 10 km "
            f"{_pct(cl['near'], cl['claims'])}, elsewhere {cl['elsewhere']}, no point {cl['no_point']}")


VARIANT_SEED = 20261208
VARIANT_TYPES = ("village", "town", "city", "hill", "military_base")
#: English words written where a place is expected; none may become a place
NON_PLACES = ("Freedom Square", "Victory", "Hope", "Tomorrow", "Justice", "Unity", "Glory", "Dawn", "Thunder",
              "Liberation", "Resolve", "Spring", "Harvest", "Morning", "Shield", "Olive", "Peace", "Rebels",
              "Patience", "Honour", "Storm", "Eagle", "Lion", "Falcon", "Horizon", "Phoenix", "Heritage",
              "Coalition", "Operation", "Brotherhood", "Progress", "Ambush", "Capital", "Mountain", "River",
              "Station", "Factory", "Market", "Bridge", "Square", "Highway", "Railway", "Stadium", "Hospital",
              "University", "Airport", "Prison", "Cemetery", "Mosque", "Church", "Bakery", "Warehouse",
              "Governor", "Minister", "Commander", "Militia", "Battalion", "Regiment", "Division", "Army",
              "Sultan", "Caliph", "Emir", "Prophet", "Martyr", "Hero", "Ranger", "Falcons", "Tigers",
              "Golden", "Silver", "Northern", "Western", "Upper", "Lower", "Greater", "Little", "Old", "New")
SENTENCE = "Government forces captured the village of {name} in {district} district, {gov} governorate."


def _sample_places(gaz, n: int, rng) -> list:
    """``n`` places with an English name and a point, drawn with ``rng`` (ids sorted first: reproducible)."""
    p = gaz.places
    p = p[p.feature_type.isin(VARIANT_TYPES) & (p.coord_precision == "point") & p.name_en.notna()
          & p.adm2_en.notna()].sort_index()
    p = p[p.name_en.str.contains(r"^[A-Za-z' -]+$", regex=True)]
    return [r for _, r in p.iloc[sorted(rng.sample(range(len(p)), n))].iterrows()]


def _made_up_names(gaz, n: int, rng) -> list[str]:
    """``n`` names no place has: a head word or first half of one name with the rest of another, kept only
    when no Latin key of the gazetteer is within two letters of the result's."""
    from gazetteer.normalize import latin_key, levenshtein

    keys = {k.split("~")[0] for k in gaz.index.latin}
    names = [x for x in gaz.places.name_en.dropna().unique() if x.replace(" ", "").replace("-", "").isalpha()]
    names.sort()
    out: list[str] = []
    while len(out) < n:
        a, b = rng.choice(names), rng.choice(names)
        wa, wb = a.split(), b.split()
        made = (" ".join(wa[:1] + wb[1:]) if len(wa) > 1 and len(wb) > 1
                else a[:max(2, len(a) // 2)] + b[len(b) // 2:].lower())
        key = latin_key(made)
        if len(key) < 5 or gaz.find_mentions(made) or any(levenshtein(key, k, 2) <= 2 for k in keys if abs(len(k) - len(key)) <= 2):
            continue
        out.append(made)
    return out


def _extracted_point(gz, text: str, name: str | None = None):
    """(lat, lon) of the first claim the extractor reads in ``text`` at a place point, None without one
    (a claim left at its district's centroid names no place); with ``name``, only a claim whose place
    words hold it (not the district's town the sentence also names)."""
    from datetime import date

    from tracker.extract import extract_report
    from tracker.records import Report

    for c in extract_report(Report(report_id="v", text=text, published=date(2018, 1, 1), lang="en"), gz):
        if c.lat is not None and c.lat == c.lat and c.place_precision not in ADMIN and \
                (name is None or norm(name) in norm(c.place_text or "")):
            return c.lat, c.lon
    return None


def variant_resolution(gaz=None, n_places: int = 300, per_place: int = 4, seed: int = VARIANT_SEED,
                       extractor: bool = True) -> dict:
    """Right / wrong / none for spelling variants of sampled places (bare lookup and, with ``extractor``,
    in a sentence), and false matches on English words and on variants of made-up names."""
    import random
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from place_variants import variants

    from tracker import settings

    gaz = gaz or gazetteer.load(settings.gazetteer_dir())
    rng = random.Random(seed)
    out = {"lookup": {"right": 0, "wrong": 0, "none": 0}, "sentence": {"right": 0, "wrong": 0, "none": 0},
           "misses": []}
    for r in _sample_places(gaz, n_places, rng):
        for v, how in variants(r["name_en"], rng, per_place):
            res = gaz.lookup(v)
            got = "none" if res.best is None else \
                "right" if _is_place(res.best, r["place_id"], r["lat"], r["lon"]) else "wrong"
            out["lookup"][got] += 1
            if got != "right":
                out["misses"].append(f"{v!r} ({how}) of {r['name_en']!r} {r['place_id']}: lookup {got}"
                                     + (f" {res.best.place_id} {res.best.name_en}" if res.best else ""))
            if extractor:
                pt = _extracted_point(gaz, SENTENCE.format(name=v, district=r["adm2_en"], gov=r["adm1_en"]))
                got = "none" if pt is None else "right" if km(*pt, r["lat"], r["lon"]) <= SAME_KM else "wrong"
                out["sentence"][got] += 1
                if got != "right":
                    out["misses"].append(f"{v!r} ({how}) of {r['name_en']!r} {r['place_id']}: sentence {got}")
    # a false match is a claim placed at the made-up name or word itself
    false = {"words": 0, "words_n": 0, "made_up": 0, "made_up_n": 0, "made_up_sentence": 0, "examples": []}
    for w in NON_PLACES:
        false["words_n"] += 1
        if extractor and _extracted_point(gaz, SENTENCE.format(name=w, district="Jisr al-Shughur", gov="Idlib"), w):
            false["words"] += 1
            false["examples"].append(f"word {w!r} placed")
    for made in _made_up_names(gaz, 100, rng):
        for v, _ in variants(made, rng, 2) + [(made, "")]:
            false["made_up_n"] += 1
            res = gaz.lookup(v)
            if res.best is not None:
                false["made_up"] += 1
                false["examples"].append(f"made-up {v!r} -> {res.best.place_id} {res.best.name_en}")
            if extractor and _extracted_point(gaz, SENTENCE.format(name=v, district="Maarrat al-Nu'man",
                                                                   gov="Idlib"), v):
                false["made_up_sentence"] += 1
                false["examples"].append(f"made-up {v!r} placed in a sentence")
    out["false"] = false
    return out


def print_variants(v: dict, show: int = 0, say: Callable[[str], None] = print) -> None:
    """Print the figures of :func:`variant_resolution`."""
    for part in ("lookup", "sentence"):
        f = v[part]
        n = sum(f.values())
        say(f"variants {part:<8} right {_pct(f['right'], n)}; wrong {f['wrong']}; none {f['none']}")
    f = v["false"]
    say(f"false matches: English words placed {f['words']}/{f['words_n']}; made-up name variants resolved "
        f"{f['made_up']}/{f['made_up_n']} (in a sentence {f['made_up_sentence']})")
    for line in (v["misses"][:show] + f["examples"][:show]):
        say("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spellings", type=Path, default=SPELLINGS)
    parser.add_argument("--show", type=int, default=0, help="print this many misses of each part")
    parser.add_argument("--claims", action="store_true", help="also score the extractor's claims")
    parser.add_argument("--variants", action="store_true", help="only the spelling-variant figures")
    args = parser.parse_args()
    if args.variants:
        print_variants(variant_resolution(), args.show)
        return
    from tracker import settings

    claims = extractor_claims(settings.sources_dir() / "corpus" / "news") if args.claims else None
    print_summary(geocoding_summary(spellings=args.spellings, claims=claims), args.show)


if __name__ == "__main__":
    main()
