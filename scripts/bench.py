#!/usr/bin/env python
"""Speed and memory figures for tracker, printed against their targets.

Each section runs in its own process so its peak memory is its own. Targets come from the issues;
figures depend on the machine (the reference is 2 cores, no GPU). Timings live here, never in tests.

usage: python scripts/bench.py [SECTION ...] [--json]
sections: ingest, gazetteer, extract, control, polygons, animate (default: all)
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def section_ingest() -> dict:
    """Ingest 1,000 JSONL reports of 3,000 characters into a fresh database."""
    from tracker import store
    from tracker.ingest import ingest

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.jsonl"
        body = ("وسيطرت وحدات من الجيش السوري على قرية الطيبة الملاصقة لمدينة الميادين. " * 60)[:3000]
        with open(path, "w", encoding="utf-8") as f:
            for i in range(1000):
                f.write(json.dumps({"id": f"r{i}", "published": "2017-10-12", "source": "bench",
                                    "text": f"{i} {body}"}, ensure_ascii=False) + "\n")
        con = store.connect(Path(tmp) / "db.duckdb")
        t0 = time.perf_counter()
        summary = ingest(con, [path])
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = ingest(con, [path])
        second = time.perf_counter() - t0
        con.close()
    return {"reports": len(summary.new), "seconds": round(seconds, 3), "reingest_seconds": round(second, 3),
            "duplicates_on_reingest": len(again.duplicate)}


def section_gazetteer() -> dict:
    """Find and resolve every mention of the seed reports, index loaded (target < 5 ms per 3,000 chars)."""
    from gazetteer import bench

    from tracker import settings

    figures = bench.run(settings.gazetteer_dir(), settings.sources_dir())
    figures["target"] = "worst_ms_per_3000_chars < 5 (seeds, and the news excerpts per language)"
    figures["ok"] = figures["worst_ms_per_3000_chars"] < 5
    return figures


def section_extract() -> dict:
    """Extract 1,000 realistic reports of 3,000 characters on one core (target >= 150 reports/s)."""
    import gazetteer
    from tracker import settings
    from tracker.extract.bench import bench

    figures = bench(n=1000, chars=3000, gazetteer=gazetteer.load(settings.gazetteer_dir()))
    figures["target"] = "reports_per_second >= 150"
    figures["ok"] = figures["reports_per_second"] >= 150
    return figures


def section_polygons() -> dict:
    """Daily polygons for 365 days over Syria (< 20 s); who held P on D (< 5 ms); state of all on D (< 50 ms)."""
    from tracker.polygons import bench

    figures = bench(days=365)
    figures["target"] = "daily_polygons_s < 20, who_held_ms < 5, state_on_ms < 50"
    figures["ok"] = figures["daily_polygons_s"] < 20 and figures["who_held_ms"] < 5 and figures["state_on_ms"] < 50
    return figures


def section_animate() -> dict:
    """A 365-frame national MP4 (target < 60 s, peak memory < 1 GB)."""
    from tracker.animate import bench

    figures = bench(frames=365)
    figures["target"] = "seconds < 60, peak memory < 1024 MB"
    figures["ok"] = figures["seconds"] < 60 and figures["peak_rss_mb"] + figures["peak_rss_children_mb"] < 1024
    return figures


SECTIONS = {
    "ingest": section_ingest,
    "gazetteer": section_gazetteer,
    "extract": section_extract,
    "polygons": section_polygons,
    "animate": section_animate,
}


def _child(name: str) -> None:
    figures = SECTIONS[name]()
    figures.setdefault("peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    print(json.dumps(figures, default=str))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child(argv[1])
        return 0
    as_json = "--json" in argv
    names = [a for a in argv if not a.startswith("--")] or list(SECTIONS)
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    results = {}
    for name in names:
        proc = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True)
        if proc.returncode != 0:
            results[name] = {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
        else:
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        if not as_json:
            print(f"{name:10s} {SECTIONS[name].__doc__.strip().splitlines()[0]}")
            for key, value in results[name].items():
                if key != "reports" or not isinstance(value, list):
                    print(f"           {key}: {value}")
    if as_json:
        print(json.dumps(results, default=str, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
