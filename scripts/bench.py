#!/usr/bin/env python
"""Speed and memory figures for tracker, printed against their targets.

Each section runs in its own process so its peak memory is its own. Targets come from the issues;
figures depend on the machine (the reference is 2 cores, no GPU). Timings live here, never in tests.

usage: python scripts/bench.py [SECTION ...] [--json] [--sizes 1000,10000,100000] [--keep]
sections: ingest, gazetteer, extract, polygons, animate (default: all of these), and scale (asked for by name:
it runs the whole pipeline on 1k/10k/100k reports, see :func:`section_scale` and docs/scale.md)
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where the scale section writes its report sets and databases (under build/: never committed).
SCALE_DIR = ROOT / "build" / "scale"


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


# ---------------------------------------------------------------- scale (issue 17)
def scale_templates() -> list[dict]:
    """The real reports the scale sets are made of: the news excerpts and the seed reports of the sources."""
    from tracker import settings

    sources = settings.sources_dir()
    out = [json.loads(line) for line in (sources / "corpus" / "news" / "reports.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    for line in (sources / "seeds" / "meta.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append({**row, "text": (sources / "seeds" / row["file"]).read_text(encoding="utf-8")})
    return out


def build_scale_set(n: int, path: Path, first: int = 0) -> Path:
    """A JSONL of ``n`` reports made of real texts: copy ``k`` of a template is published ``k`` days later under
    the id ``<id>~k``, with a reference line ``ref N`` appended (ingest keeps one report per distinct text).
    ``first``: start at report number ``first`` (the reports after a set of ``first``)."""
    if path.exists():
        return path
    templates = scale_templates()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for i in range(first, first + n):
            k, t = divmod(i, len(templates))
            row = templates[t]
            published = date.fromisoformat(row["published"][:10]) + timedelta(days=k)
            f.write(json.dumps({"id": f"{row['id']}~{k}", "published": published.isoformat(),
                                "source": row.get("source"), "lang": row.get("lang"),
                                "text": f"{row['text'].rstrip()}\n\nref {i}"}, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def _rss_mb() -> float:
    """Peak resident memory (MB) of this process."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_seconds() -> float:
    """Processor time (user + system, s) of this process and of its children that have ended (the extraction and
    drawing workers, and a stage's own process, end with their stage)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def tree_memory_mb(root: int) -> tuple[float, float]:
    """Memory (MB) of process ``root`` and all its descendants now: the sum of their resident sets (pages a forked
    worker shares with its parent counted in each: an upper bound) and of their proportional sets (a shared page
    split between the processes sharing it: the physical memory they use together)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    rss, pss, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/status") as f:
                rss += int(f.read().split("VmRSS:")[1].split()[0])
            with open(f"/proc/{pid}/smaps_rollup") as f:
                pss += int(f.read().split("\nPss:")[1].split()[0])
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(children.get(pid, []))
    return rss / 1024, pss / 1024


class PeakMemory(threading.Thread):
    """Samples the memory of this process with its workers (:func:`tree_memory_mb`) twice a second; :meth:`stop`
    returns the peak of the resident sets' sum (MB), :attr:`peak_pss` that of the proportional sets' sum.
    ``ru_maxrss`` of the children cannot serve: a forked child starts with its parent's. :meth:`mark` names the
    stage that starts: :attr:`by_stage` keeps each stage's peaks (resident, proportional)."""

    def __init__(self, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.every, self.peak, self.peak_pss = every, 0.0, 0.0
        self.stage = ""
        self.by_stage: dict[str, tuple[float, float]] = {}
        self.done = threading.Event()

    def mark(self, stage: str) -> None:
        self.stage = stage

    def run(self) -> None:
        while not self.done.wait(self.every):
            rss, pss = tree_memory_mb(os.getpid())
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            if self.stage:
                old = self.by_stage.get(self.stage, (0.0, 0.0))
                self.by_stage[self.stage] = (round(max(old[0], rss), 1), round(max(old[1], pss), 1))

    def stop(self) -> float:
        self.done.set()
        self.join()
        return round(self.peak, 1)


def scale_run(n: int, workers: int | None = None) -> dict:
    """The whole pipeline (``tracker run``) on a fresh database of the ``n``-report set: seconds per stage,
    reports/s of the extraction per worker, ``control --date`` and peak memory."""
    from tracker import pipeline, settings, store

    data = build_scale_set(n, SCALE_DIR / f"reports-{n}.jsonl")
    work = SCALE_DIR / f"run-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db, out = work / "tracker.duckdb", work / "out"
    settings.configure(outputs=out)
    if workers is not None:
        os.environ["TRACKER_WORKERS"] = str(workers)
    marks: list[tuple[str, float, float]] = []
    memory = PeakMemory()
    memory.start()
    t0 = time.perf_counter()
    with store.writing(db) as con:
        ctx = pipeline.run(con, [data], out, progress=lambda name: (marks.append((name, time.perf_counter(),
                                                                                  cpu_seconds())),
                                                                    memory.mark(name)))
    end, end_cpu = time.perf_counter(), cpu_seconds()
    figures_memory = memory.stop()
    seconds = {name: round((marks[i + 1][1] if i + 1 < len(marks) else end) - t, 2)
               for i, (name, t, _) in enumerate(marks)}
    cpu = {name: round((marks[i + 1][2] if i + 1 < len(marks) else end_cpu) - c, 1)
           for i, (name, _, c) in enumerate(marks)}
    used = settings.workers()
    figures = {"reports": n, "workers": used, "seconds": seconds, "cpu_seconds": cpu, "whole_run_s": round(end - t0, 1),
               "claims": ctx.results.get("extract", {}).get("claims"),
               "events": ctx.results.get("control", {}).get("events"),
               "extract_reports_per_s_per_worker": round(n / seconds["extract"] / used, 1)}
    last = ctx.results.get("control", {}).get("last_evidence")
    if last:
        t1 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "tracker", "control", "--date", last, "--db", str(db),
                               "--format", "csv"], capture_output=True, text=True)
        figures["control_date_s"] = round(time.perf_counter() - t1, 2)
        figures["control_date_rows"] = max(0, len(proc.stdout.splitlines()) - 1)
        figures["polygons_365_days_s"] = polygons_year(db, date.fromisoformat(str(last)))
    figures["peak_rss_run_mb"] = _rss_mb()  # the run's own process (with the checks after it)
    figures["peak_rss_with_workers_mb"] = figures_memory  # the run and its extraction workers together
    figures["peak_pss_with_workers_mb"] = round(memory.peak_pss, 1)  # the same, shared pages counted once
    figures["peak_rss_pss_by_stage_mb"] = memory.by_stage
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def scale_increment(n: int, extra: int) -> dict:
    """The run after :func:`scale_run`'s: ``extra`` new reports (the next of the same set) added to the kept
    ``n``-report database and ``tracker run`` again: seconds per stage and how much of the control fold ran again."""
    from tracker import pipeline, settings, store

    work = SCALE_DIR / f"run-{n}"
    db = work / "tracker.duckdb"
    if not db.exists():
        raise SystemExit(f"{db}: run `scripts/bench.py scale --keep` first")
    data = build_scale_set(extra, SCALE_DIR / f"reports-{n}+{extra}.jsonl", first=n)
    settings.configure(outputs=work / "out")
    marks: list[tuple[str, float]] = []
    memory = PeakMemory()
    memory.start()
    t0 = time.perf_counter()
    with store.writing(db) as con:
        ctx = pipeline.run(con, [data], work / "out", progress=lambda name: (marks.append((name, time.perf_counter())),
                                                                             memory.mark(name)))
    end = time.perf_counter()
    peak = memory.stop()
    control = ctx.results.get("control", {})
    figures = {"reports": n, "new_reports": extra,
               "seconds": {name: round((marks[i + 1][1] if i + 1 < len(marks) else end) - t, 2)
                           for i, (name, t) in enumerate(marks)},
               "whole_run_s": round(end - t0, 1),
               "fold": {k: control.get(k) for k in ("groups", "refolded_groups", "refolded_claims")},
               "peak_rss_run_mb": _rss_mb(), "peak_rss_with_workers_mb": peak,
               "peak_pss_with_workers_mb": round(memory.peak_pss, 1), "peak_rss_pss_by_stage_mb": memory.by_stage}
    return figures


def polygons_year(db: Path, last: date) -> float:
    """Seconds to draw the national polygons of each of the 365 days up to ``last`` from the stored timeline
    (:meth:`tracker.polygons.DailyPolygons.iter_days`, cells cached, timeline loaded beforehand)."""
    from tracker import store
    from tracker.control import load_timeline
    from tracker.polygons import DailyPolygons, load_cells

    con = store.connect(db, read_only=True)
    try:
        timeline = load_timeline(con)
    finally:
        con.close()
    cells = load_cells(timeline.places, timeline.baseline)
    t0 = time.perf_counter()
    for _day, _frame in DailyPolygons(timeline, cells).iter_days(last - timedelta(days=364), last, projected=True):
        pass
    return round(time.perf_counter() - t0, 2)


def extract_speedup(n: int = 2000) -> dict:
    """The extraction stage alone on ``n`` ingested reports with 1 and with 2 workers (best of two runs each)."""
    from tracker import store
    from tracker.extract import load_gazetteer, store_claims
    from tracker.ingest import ingest

    data = build_scale_set(n, SCALE_DIR / f"reports-{n}.jsonl")
    base = SCALE_DIR / f"speedup-{n}.duckdb"
    base.unlink(missing_ok=True)
    con = store.connect(base)
    ingest(con, [data])
    con.close()
    gz = load_gazetteer()
    best: dict[int, float] = {}
    for _ in range(2):
        for workers in (1, 2):
            copy = base.with_name(f"speedup-{n}-{workers}.duckdb")
            shutil.copyfile(base, copy)
            con = store.connect(copy)
            t0 = time.perf_counter()
            store_claims(con, gz, workers=workers)
            best[workers] = min(best.get(workers, 1e9), time.perf_counter() - t0)
            con.close()
            copy.unlink()
    base.unlink()
    return {"reports": n, "seconds_1_worker": round(best[1], 2), "seconds_2_workers": round(best[2], 2),
            "speedup": round(best[1] / best[2], 2), "reports_per_s_1_worker": round(n / best[1], 1)}


def section_scale() -> dict:
    """The whole pipeline on 1k/10k/100k reports of real texts (targets of issue 17: 100k in < 6 min, < 2 GB)."""
    sizes = [int(x) for x in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
    figures: dict = {"load_average": os.getloadavg()[0], "cores": os.cpu_count()}
    for n in sizes:
        proc = subprocess.run([sys.executable, __file__, "--child", "scale_one", str(n)], capture_output=True,
                              text=True)
        figures[str(n)] = (json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else
                           {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]})
    proc = subprocess.run([sys.executable, __file__, "--child", "speedup"], capture_output=True, text=True)
    figures["workers"] = (json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else
                          {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]})
    figures["load_average_after"] = os.getloadavg()[0]
    big = figures.get("100000", {})
    if "seconds" in big:
        figures["target"] = ("100k: whole run < 360 s, peak RSS < 2048 MB, control --date < 0.5 s, 365 days of "
                             "polygons < 10 s; speedup >= 1.7")
        figures["ok"] = (big["whole_run_s"] < 360 and big["peak_rss_with_workers_mb"] < 2048
                         and big.get("control_date_s", 9) < 0.5 and big.get("polygons_365_days_s", 99) < 10
                         and figures["workers"].get("speedup", 0) >= 1.7)
    if not os.environ.get("BENCH_KEEP"):
        for n in sizes:
            shutil.rmtree(SCALE_DIR / f"run-{n}", ignore_errors=True)
    return figures


SECTIONS = {
    "ingest": section_ingest,
    "gazetteer": section_gazetteer,
    "extract": section_extract,
    "polygons": section_polygons,
    "animate": section_animate,
}


#: Run only when asked for by name (long).
ON_REQUEST = {"scale": section_scale}


def _child(name: str, *args: str) -> None:
    if name == "scale_one":
        print(json.dumps(scale_run(int(args[0])), default=str))
        return
    if name == "speedup":
        print(json.dumps(extract_speedup(), default=str))
        return
    if name == "increment":  # --child increment N EXTRA: the next run on a kept scale database
        print(json.dumps(scale_increment(int(args[0]), int(args[1])), default=str))
        return
    figures = {**SECTIONS, **ON_REQUEST}[name]()
    figures.setdefault("peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    print(json.dumps(figures, default=str))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child(*argv[1:])
        return 0
    as_json = "--json" in argv
    if "--keep" in argv:  # keep the scale runs' databases and outputs (build/scale/run-N)
        os.environ["BENCH_KEEP"] = "1"
    if "--sizes" in argv:
        os.environ["BENCH_SIZES"] = argv[argv.index("--sizes") + 1]
        argv = [a for i, a in enumerate(argv) if a != "--sizes" and (i == 0 or argv[i - 1] != "--sizes")]
    names = [a for a in argv if not a.startswith("--")] or list(SECTIONS)
    known = {**SECTIONS, **ON_REQUEST}
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(known)}", file=sys.stderr)
        return 2
    results = {}
    for name in names:
        proc = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True)
        if proc.returncode != 0:
            results[name] = {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
        else:
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        if not as_json:
            print(f"{name:10s} {known[name].__doc__.strip().splitlines()[0]}")
            for key, value in results[name].items():
                if key != "reports" or not isinstance(value, list):
                    print(f"           {key}: {value}")
    if as_json:
        print(json.dumps(results, default=str, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
