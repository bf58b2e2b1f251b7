"""``tracker run``: the whole pipeline as a list of stages over one database, skipping work that is done.

Each stage is a function ``stage(ctx) -> dict`` that reads what earlier stages stored and returns figures for
the run summary. A stage with a key (:data:`KEYS`) is skipped when its key is the one recorded after its last
run: the key hashes what the stage reads (input files, the tables of earlier stages, the code) and what it
wrote (its tables and files), so new input, new code, or a deleted output makes it run again. The keys are
kept beside the database (``<db>.stages.json``); an in-memory database always runs every stage.
Every stage runs on an empty batch too (nothing new, no claim, no control event, no week to report) and then
says so in a ``note`` of its figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from tracker import settings, store
from tracker.fileio import write_atomic
from tracker.ingest import IngestSummary, ingest


@dataclass
class RunContext:
    """What the stages of one run share."""

    con: duckdb.DuckDBPyConnection
    inputs: list[Path]
    out_dir: Path
    strict: bool = False
    results: dict[str, Any] = field(default_factory=dict)
    ingest_summary: IngestSummary | None = None
    progress_bars: bool = False
    timeline: Any = None  # the control stage's Timeline, reused by the stages after it (None when it was skipped)


def stage_ingest(ctx: RunContext) -> dict:
    """Read the inputs and store new reports and versions."""
    summary = ingest(ctx.con, ctx.inputs, strict=ctx.strict, progress=ctx.progress_bars)
    ctx.ingest_summary = summary
    figures = summary.as_dict()
    if not summary.new and not summary.new_version:
        figures["note"] = "nothing new" + (": every input was rejected" if summary.rejected and not
                                           summary.duplicate else "")
    return figures


def stage_gazetteer(ctx: RunContext) -> dict:
    """Build the gazetteer when it is missing or was built by other gazetteer code."""
    import gazetteer

    from tracker.store import write_place_names

    gz, built = gazetteer.ensure_built(settings.gazetteer_dir(), settings.sources_dir(), progress=ctx.progress_bars)
    figures = {"built": built, "places": len(gz.places), "version": gz.version,
               "place_names": write_place_names(ctx.con, gz.names_frame(), f"gazetteer:{gz.version}")}
    if built:
        figures["arabic_and_point"] = gz.meta.get("arabic_and_point")
    return figures


def stage_extract(ctx: RunContext) -> dict:
    """Extract claims from the latest version of each report not yet extracted."""
    from tracker.extract import load_gazetteer, store_claims

    figures = store_claims(ctx.con, load_gazetteer(), progress=ctx.progress_bars)
    if not figures.get("reports"):
        figures["note"] = "no report left to extract"
    elif not figures.get("claims"):
        figures["note"] = "no claim in the reports extracted"
    return figures


def stage_control(ctx: RunContext) -> dict:
    """Control timeline: events, intervals, conflicts (see :func:`tracker.control.stage_control`)."""
    from tracker.control import stage_control as control

    figures = control(ctx)
    if not figures.get("events") and not figures.get("inferred"):
        figures["note"] = "no control event: the baseline stands"
    return figures


def release_memory() -> None:
    """Give back what the stages before drawing held: the gazetteer (cached for the process; the stages after the
    control stage never read it: a later run loads it again), the objects freed, and the allocator's free pages
    (glibc keeps them otherwise, and the drawing stages' processes would add to them)."""
    import ctypes  # noqa: PLC0415
    import gc  # noqa: PLC0415
    import sys  # noqa: PLC0415

    gz = sys.modules.get("gazetteer")
    if gz is not None and getattr(gz, "_CACHE", None):
        gz._CACHE.clear()
        gc.unfreeze()  # gazetteer.load froze its objects out of the collector's sight
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def stage_polygons(ctx: RunContext) -> dict:
    """Cells, daily areas and front lines (see :func:`tracker.polygons.stage_polygons`)."""
    from tracker.polygons import stage_polygons as polygons

    return polygons(ctx)


def stage_render(ctx: RunContext) -> dict:
    """Maps and animations (see :func:`tracker.animate.stage_render`)."""
    from tracker.animate import stage_render as render

    figures = render(ctx)
    if not figures.get("changes_labelled"):
        figures["note"] = "no change of control in the animation's period"
    return figures


def stage_sitreps(ctx: RunContext) -> dict:
    """Weekly situation reports for the weeks the inputs cover (see :func:`tracker.sitrep.stage_sitreps`)."""
    from tracker.sitrep import stage_sitreps as sitreps

    figures = sitreps(ctx)
    if not figures.get("weeks"):
        figures["note"] = "no week with news or control changes: no report written"
    return figures


def stage_viewer(ctx: RunContext) -> dict:
    """The interactive viewer of the whole timeline in ``<out>/viewer`` (see :func:`tracker.viewer.stage_viewer`)."""
    from tracker.viewer import stage_viewer as viewer

    return viewer(ctx)


Stage = Callable[[RunContext], dict]
STAGES: list[tuple[str, Stage]] = [
    ("ingest", stage_ingest),
    ("gazetteer", stage_gazetteer),
    ("extract", stage_extract),
    ("control", stage_control),
    ("polygons", stage_polygons),
    ("render", stage_render),
    ("viewer", stage_viewer),
    ("sitreps", stage_sitreps),  # last: reads everything the stages before it stored
]

#: The stages after which the run's process gives memory back (:func:`release_memory`): the last that reads the
#: gazetteer, and the fold, the largest.
RELEASE_AFTER: frozenset[str] = frozenset({"control"})

# --- keys: what each stage reads and writes, hashed ------------------------------------------------------------

@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the code and data files of the ``tracker`` and ``gazetteer`` packages."""
    digest = hashlib.sha256()
    for package in (Path(__file__).parent, settings.REPO_ROOT / "gazetteer"):
        for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(package.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def files_key(paths: Iterable[str | os.PathLike], content: bool = True) -> str:
    """A hash of every file under ``paths`` (folders walked): its name and its content (or, with ``content``
    False, its size and modification time)."""
    digest = hashlib.sha256()
    for raw in paths:
        root = Path(raw)
        found = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in found:
            digest.update(str(path).encode())
            if not path.exists():
                digest.update(b"missing")
            elif content:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            else:
                st = path.stat()
                digest.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()


#: One row per table that a stage reads or writes: a count and a hash of the columns that matter.
TABLE_KEYS: dict[str, str] = {
    "reports": "SELECT count(*), bit_xor(hash(report_id, version, sha256)) FROM reports",
    "place_names": "SELECT count(*), max(places_version) FROM place_names",
    "claims": "SELECT count(*), bit_xor(hash(claim_id, actor, action, status, place_id, date, confidence)) FROM claims",
    "control": """SELECT (SELECT count(*) FROM places), (SELECT bit_xor(hash(place_id, places_version)) FROM places),
                         (SELECT count(*) FROM control_events),
                         (SELECT bit_xor(hash(event_id, place_id, day, to_side, to_status, other_side, applied))
                          FROM control_events),
                         (SELECT count(*) FROM control_intervals),
                         (SELECT bit_xor(hash(place_id, side, status, valid_from, valid_to, inferred, last_evidence))
                          FROM control_intervals)""",
    "polygons": """SELECT (SELECT count(*) FROM faction_area), (SELECT sum(area_km2) FROM faction_area),
                          (SELECT count(*) FROM front_lines), (SELECT bit_xor(hash(day, side_a, side_b)) FROM front_lines),
                          (SELECT count(*) FROM places WHERE has_cell)""",
}


def _key(ctx: RunContext, tables: Iterable[str], *parts: Any) -> str:
    digest = hashlib.sha256(code_version().encode())
    for table in tables:
        digest.update(repr(ctx.con.execute(TABLE_KEYS[table]).fetchone()).encode())
    for part in parts:
        digest.update(repr(part).encode())
    return digest.hexdigest()


def _gazetteer_stamp() -> str:
    folder = settings.gazetteer_dir()
    return files_key([folder / "code_hash.txt", folder / "places.parquet"], content=False)


def _render_outputs(ctx: RunContext) -> list[Path]:
    from tracker.animate import render_outputs

    return render_outputs(ctx.con, ctx.out_dir)


#: The key of each stage that can be skipped (ingest, extract and control also read the gazetteer).
KEYS: dict[str, Callable[[RunContext], str]] = {
    "ingest": lambda ctx: _key(ctx, ["reports"], files_key(ctx.inputs), ctx.strict),
    "gazetteer": lambda ctx: _key(ctx, ["place_names"], _gazetteer_stamp()),
    "extract": lambda ctx: _key(ctx, ["reports", "claims"], _gazetteer_stamp()),
    "control": lambda ctx: _key(ctx, ["claims", "control"], _gazetteer_stamp(),
                                files_key([settings.geo_dir()], content=False)),
    "polygons": lambda ctx: _key(ctx, ["control", "polygons"], files_key([settings.geo_dir()], content=False)),
    "render": lambda ctx: _key(ctx, ["reports", "control", "polygons"], files_key(_render_outputs(ctx), content=False)),
    "viewer": lambda ctx: _key(ctx, ["claims", "control", "polygons"],
                               files_key([Path(ctx.out_dir) / "viewer"], content=False)),
    "sitreps": lambda ctx: _key(ctx, ["reports", "claims", "control", "polygons"],
                                files_key([Path(ctx.out_dir) / "sitreps"], content=False)),
}


def manifest_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Where the keys of a database's stages are kept (``<db>.stages.json``, beside the published database,
    not the snapshot being written); None for an in-memory database."""
    db = store.database_path(con)
    return Path(f"{db}.stages.json") if db is not None else None


def _read(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def run(
    con: duckdb.DuckDBPyConnection,
    inputs: Iterable[str | os.PathLike] | None = None,
    out_dir: str | os.PathLike | None = None,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
) -> RunContext:
    """Run every stage in order on ``inputs`` (default: :func:`tracker.settings.default_inputs`); a stage whose
    key is unchanged since its last run is skipped (its figures then say ``skipped``), unless ``force``."""
    paths = [Path(p) for p in inputs] if inputs else settings.default_inputs()
    out = Path(out_dir) if out_dir else settings.outputs_dir()
    out.mkdir(parents=True, exist_ok=True)
    ctx = RunContext(con=con, inputs=paths, out_dir=out, strict=strict, progress_bars=progress is not None)
    where = manifest_path(con)
    done = _read(where)
    for name, stage in STAGES:
        key_of = KEYS.get(name) if where is not None else None
        last = done.get(name, {})
        # a run that rejected input runs again, so the rejections are reported again
        if key_of is not None and not force and last.get("key") == key_of(ctx) and not last.get("rejected"):
            ctx.results[name] = {"skipped": True, "unchanged_since": last.get("at")}
            continue
        if progress:
            progress(name)
        ctx.results[name] = stage(ctx)
        if name in RELEASE_AFTER:
            release_memory()
        if key_of is not None:
            rejected = bool(ctx.results[name].get("rejected")) if name == "ingest" else False
            done[name] = {"key": key_of(ctx), "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                          "rejected": rejected}
            write_atomic(where, json.dumps(done, indent=1))
    return ctx
