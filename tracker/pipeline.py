"""``tracker run``: the whole pipeline as a list of stages over one database.

Each stage is a function ``stage(ctx) -> dict`` that reads what earlier stages stored and
returns figures for the run summary. Later capabilities plug their stage into ``STAGES``.
Every stage runs on an empty batch too (nothing new, no claim, no control event, no week to
report) and then says so in a ``note`` of its figures.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from tracker import settings
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
    timeline: Any = None  # the control stage's Timeline, reused by the stages after it


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

    figures = store_claims(ctx.con, load_gazetteer())
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


Stage = Callable[[RunContext], dict]
STAGES: list[tuple[str, Stage]] = [
    ("ingest", stage_ingest),
    ("gazetteer", stage_gazetteer),
    ("extract", stage_extract),
    ("control", stage_control),
    ("polygons", stage_polygons),
    ("render", stage_render),
    ("sitreps", stage_sitreps),  # last: reads everything the stages before it stored
]


def run(
    con: duckdb.DuckDBPyConnection,
    inputs: Iterable[str | os.PathLike] | None = None,
    out_dir: str | os.PathLike | None = None,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RunContext:
    """Run every stage in order on ``inputs`` (default: :func:`tracker.settings.default_inputs`)."""
    paths = [Path(p) for p in inputs] if inputs else settings.default_inputs()
    out = Path(out_dir) if out_dir else settings.outputs_dir()
    out.mkdir(parents=True, exist_ok=True)
    ctx = RunContext(con=con, inputs=paths, out_dir=out, strict=strict, progress_bars=progress is not None)
    for name, stage in STAGES:
        if progress:
            progress(name)
        ctx.results[name] = stage(ctx)
    return ctx
