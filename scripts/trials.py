#!/usr/bin/env python
"""Interruption and concurrency trials: kill -9 at random moments, and readers during a run (issue 15).

usage:
  python scripts/trials.py kill --target run|build|export [--n 20] [--seed 1] [--work DIR]
  python scripts/trials.py readers [--calls 20] [--work DIR]

``kill``: an uninterrupted reference first, then N trials: start the command, ``kill -9`` it at a random moment
(half of them aimed at the last fifth of its run, where files are written; a build replaces a whole one, an
export overwrites an earlier one), then count truncated files (every
file left is opened and read whole), processes left running, and, after an uninterrupted rerun, temp files left
and whether the rerun equals the reference. ``run`` trials run on the seeds; every other one starts without a
gazetteer, so that kills land in its build too. ``readers``: start ``tracker run`` on a database that has a
snapshot (of the seeds), start a full ``tracker run`` (the default inputs and one more report), call readers
(sql, control, history, export, map, sitrep) one after another until the run ends (at least ``--calls``), and
count those that answered, from the last snapshot. Prints one JSON line of figures.
Each kind takes minutes (a run trial ~1 min on 2 busy cores).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACKER = [sys.executable, "-m", "tracker"]
EXPORT_DAY = "2017-10-14"
# what a rerun may change: when rows were written
VOLATILE = {"ingested_at", "extracted_at", "applied_at"}


def tracker_env(work: Path) -> dict[str, str]:
    return {**os.environ, "TRACKER_OUTPUTS": str(work / "out"), "TRACKER_BUILD": str(work / "build"),
            "TRACKER_DB": str(work / "out" / "tracker.duckdb")}


def command(target: str, work: Path) -> list[str]:
    if target == "run":
        return [*TRACKER, "run", str(_sources() / "seeds")]
    if target == "build":
        return [*TRACKER, "gazetteer", "build"]
    return [*TRACKER, "export", "--date", EXPORT_DAY, "--format", "geojson", "--out", str(work / "exp" / "control.geojson")]


def _sources() -> Path:
    sys.path.insert(0, str(ROOT))
    from tracker import settings

    return settings.sources_dir()


def default_inputs() -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from tracker import settings

    return settings.default_inputs()


def run(cmd: list[str], env: dict[str, str]) -> tuple[int, float, str, str]:
    """Exit code, seconds, stdout and stderr of a command."""
    t0 = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    return proc.returncode, time.monotonic() - t0, proc.stdout, proc.stderr


def reports_count(env: dict[str, str]) -> int | None:
    """``SELECT count(*) FROM reports`` through ``tracker sql``."""
    code, _, out, _ = run([*TRACKER, "sql", "SELECT count(*) AS n FROM reports", "--json"], env)
    return json.loads(out)["n"] if code == 0 and out.strip() else None


# --- what a kill may leave -------------------------------------------------------------------------------------------

def _whole(path: Path) -> bool:
    """Whether the file opens and reads to its end as what its name says."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".duckdb":
            import duckdb

            con = duckdb.connect(str(path), read_only=True)
            try:
                for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
                    con.execute(f'SELECT count(*) FROM "{table}"').fetchall()
            finally:
                con.close()
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.read_table(path)
        elif suffix == ".png":
            from PIL import Image

            with Image.open(path) as image:
                image.load()
        elif suffix == ".mp4":
            import imageio_ffmpeg

            frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
            return frames > 0
        elif suffix in {".geojson", ".json"}:
            json.loads(path.read_text(encoding="utf-8"))
        elif suffix in {".md", ".html", ".csv", ".txt", ".wkb"}:
            return path.stat().st_size > 0 and (suffix == ".wkb" or bool(path.read_text(encoding="utf-8")))
        return True
    except Exception:  # noqa: BLE001 (any failure to read it whole is the finding)
        return False


def truncated(work: Path) -> list[str]:
    """Files left in place (not hidden temp files) that do not read whole; a gazetteer that fails its check."""
    sys.path.insert(0, str(ROOT))
    import gazetteer

    bad = []
    for path in sorted(work.rglob("*")):
        rel = path.relative_to(work)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts) and not _whole(path):
            bad.append(str(rel))
    folder = work / "build" / "gazetteer"
    problem = gazetteer.check(folder) if folder.exists() else None
    if problem not in (None, "built by other gazetteer code"):
        bad.append(f"build/gazetteer: {problem}")
    return bad


def strays(work: Path) -> list[str]:
    """Hidden temp files and folders (lock files aside)."""
    return sorted(str(p.relative_to(work)) for p in work.rglob(".*") if not p.name.endswith(".lock"))


def processes(work: Path) -> list[str]:
    """Processes whose command line names a path under ``work`` (ffmpeg writing there, a tracker)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                state = (proc / "stat").read_text().split(") ")[1][0]
            except OSError:
                continue
            if str(work) in cmdline and state != "Z" and int(proc.name) != os.getpid():
                found.append(f"{proc.name}: {cmdline[:120]}")
    return found


def fingerprint(work: Path, target: str) -> dict[str, str]:
    """What an uninterrupted run leaves, as hashes: database rows (without write times), files by name."""
    out: dict[str, str] = {}
    if target == "run":
        import duckdb

        con = duckdb.connect(str(work / "out" / "tracker.duckdb"), read_only=True)
        try:
            for (table,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
                cols = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE "
                                                  "table_name = ? ORDER BY ordinal_position", [table]).fetchall()
                        if c not in VOLATILE]
                rows = con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{table}"').fetchall()
                out[f"table {table}"] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()[:12]
        finally:
            con.close()
        for path in sorted((work / "out").rglob("*")):
            if path.is_file() and not path.name.startswith(".") and path.suffix != ".duckdb":
                out[f"file {path.relative_to(work)}"] = "present"
    elif target == "build":
        import pandas as pd

        frame = pd.read_parquet(work / "build" / "gazetteer" / "places.parquet")
        out["places"] = hashlib.sha256(pd.util.hash_pandas_object(frame.astype(str)).values.tobytes()).hexdigest()[:12]
    else:
        for path in sorted((work / "exp").glob("*.geojson")):
            data = json.loads(path.read_text(encoding="utf-8"))
            out[path.name] = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    return out


# --- kill trials -----------------------------------------------------------------------------------------------------

def prepare(target: str, work: Path, base: Path | None) -> None:
    """Set up ``work`` for a target: export needs a database with control; the build starts empty."""
    (work / "out").mkdir(parents=True, exist_ok=True)
    if target in ("run", "export") and base is not None:
        shutil.copytree(base / "build", work / "build", dirs_exist_ok=True)
    if target == "export" and base is not None:
        shutil.copy(base / "out" / "tracker.duckdb", work / "out" / "tracker.duckdb")


def kill_trials(target: str, n: int, seed: int, root: Path) -> dict:
    rng = random.Random(seed)
    ref = root / "reference"
    base = None
    if target in ("run", "export"):
        # a built gazetteer and a database with control to start from
        base = root / "base"
        base.mkdir(parents=True, exist_ok=True)
        shutil.copytree(ROOT / "build", base / "build", dirs_exist_ok=True)
        code, _, _, err = run(command("run", base), tracker_env(base))
        assert code == 0, err
    prepare(target, ref, base)
    if target == "export":  # the files an interrupted export may replace: a good earlier export
        assert run(command(target, ref), tracker_env(ref))[0] == 0
    code, seconds, _, err = run(command(target, ref), tracker_env(ref))
    assert code == 0, err
    reference = fingerprint(ref, target)
    results = []
    for i in range(n):
        work = root / f"trial{i:02d}"
        prepare(target, work, base)
        if target == "export":
            shutil.copytree(ref / "exp", work / "exp")
        if target == "build":  # a killed build replaces a good one, as `tracker gazetteer build` on a built tree
            shutil.copytree(ref / "build", work / "build")
        if target == "run" and i % 2:
            shutil.rmtree(work / "build" / "gazetteer")  # the run builds it: kills land in the build too
        aimed = i % 2 == 0
        at = rng.uniform(0.8, 1.0) * seconds if aimed else rng.uniform(0.05, 1.1) * seconds
        env = tracker_env(work)
        proc = subprocess.Popen(command(target, work), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(at)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(0.5)
        left = processes(work)
        broken = truncated(work)
        after_kill = {}
        if target == "build":  # a reader of a killed build: a clear answer, never a traceback
            code_l, _, _, err_l = run([*TRACKER, "gazetteer", "lookup", "Mayadin"], env)
            after_kill["lookup_exit"] = code_l
            after_kill["lookup_traceback"] = "Traceback" in err_l
        code, _, _, err = run(command(target, work), env)
        results.append({
            "trial": i, "kill_at_s": round(at, 1), "aimed": aimed, "finished_before_kill": finished,
            "processes_left": left, "truncated": broken, **after_kill,
            "rerun_exit": code, "rerun_traceback": "Traceback" in err, "strays_after_rerun": strays(work),
            "rerun_equal": code == 0 and fingerprint(work, target) == reference,
        })
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
        shutil.rmtree(work, ignore_errors=True)
    return {
        "target": target, "trials": n, "reference_seconds": round(seconds, 1),
        "killed": sum(not r["finished_before_kill"] for r in results),
        "with_truncated_file": sum(bool(r["truncated"]) for r in results),
        "with_process_left": sum(bool(r["processes_left"]) for r in results),
        "with_stray_after_rerun": sum(bool(r["strays_after_rerun"]) for r in results),
        "rerun_equal": sum(r["rerun_equal"] for r in results),
        "tracebacks": sum(r["rerun_traceback"] or r.get("lookup_traceback", False) for r in results),
        "details": [r for r in results if r["truncated"] or r["processes_left"] or r["strays_after_rerun"]
                    or not r["rerun_equal"]],
    }


# --- readers during a run --------------------------------------------------------------------------------------------

READERS = [
    ["sql", "SELECT count(*) AS n FROM reports", "--json"],
    ["control", "--date", EXPORT_DAY, "--place", "C5192", "--json"],
    ["history", "C5192", "--json"],
    ["export", "--date", EXPORT_DAY, "--format", "geojson", "--out", "{work}/readers/control.geojson"],
    ["map", "--date", EXPORT_DAY, "--region", "deir-ez-zor", "--out", "{work}/readers/map.png"],
    ["sitrep", "--week", "2017-W41", "--no-map", "--out", "{work}/readers/w41.md"],
]


def reader_trial(calls: int, root: Path) -> dict:
    work = root / "readers"
    prepare("run", work, None)
    shutil.copytree(ROOT / "build", work / "build", dirs_exist_ok=True)
    env = tracker_env(work)
    assert run(command("run", work), env)[0] == 0  # the snapshot readers will see
    before = reports_count(env)
    extra = work / "extra.jsonl"  # the run adds a report: its snapshot differs from the last one
    extra.write_text(json.dumps({"id": "extra", "published": "2017-10-20", "source": "trial", "lang": "en",
                                 "text": "Markets in the old city reopened after the holiday."}) + "\n")
    (work / "readers").mkdir()
    # the full run: the default inputs (seeds, Wikipedia articles, news excerpts) and the extra report
    inputs = [str(p) for p in default_inputs()] + [str(extra)]
    proc = subprocess.Popen([*TRACKER, "run", *inputs], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    answers = []
    while (proc.poll() is None or len(answers) < calls) and len(answers) < 200:
        args = [a.replace("{work}", str(work)) for a in READERS[len(answers) % len(READERS)]]
        during = proc.poll() is None
        code, seconds, out, err = run([*TRACKER, *args], env)
        answer = {"command": args[0], "exit": code, "seconds": round(seconds, 1),
                  "during_run": during and proc.poll() is None, "busy": "busy" in err,
                  "traceback": "Traceback" in err, "error": err.strip()[-200:] if code else ""}
        if args[0] == "sql" and code == 0:
            answer["reports"] = json.loads(out)["n"]
        answers.append(answer)
    run_err = proc.communicate()[1]
    during = [a for a in answers if a["during_run"]]
    return {
        "run_exit": proc.returncode, "run_traceback": "Traceback" in run_err,
        "reader_calls_during_run": len(during), "answered": sum(a["exit"] == 0 for a in during),
        "busy": sum(a["busy"] for a in during), "tracebacks": sum(a["traceback"] for a in answers),
        "reports_before_run": before, "reports_read_during_run": sorted({a["reports"] for a in during if "reports" in a}),
        "reports_after_run": reports_count(env),
        "slowest_reader_s": max((a["seconds"] for a in during), default=None),
        "calls_by_command": {c: sum(a["command"] == c for a in during) for c in dict.fromkeys(r[0] for r in READERS)},
        "failures": [a for a in during if a["exit"] != 0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    kill = sub.add_parser("kill")
    kill.add_argument("--target", choices=["run", "build", "export"], required=True)
    kill.add_argument("--n", type=int, default=20)
    kill.add_argument("--seed", type=int, default=1)
    kill.add_argument("--work", type=Path, default=None)
    readers = sub.add_parser("readers")
    readers.add_argument("--calls", type=int, default=20)
    readers.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    root = args.work or Path(tempfile.mkdtemp(prefix="tracker-trials-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        figures = kill_trials(args.target, args.n, args.seed, root) if args.what == "kill" else \
            reader_trial(args.calls, root)
    finally:
        if args.work is None:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
