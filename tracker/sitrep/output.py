"""Writing reports: one week (``tracker sitrep``), many weeks and their index (the ``sitreps`` stage and
``scripts/weekly_sitrep.py``); every file atomically, with normal permissions (:mod:`tracker.fileio`).

Many weeks are written incrementally: each week's content (without the time it was generated) and the state of
the map it draws are hashed, and a week whose hash is the one recorded beside its files is not written again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from tracker import settings
from tracker.fileio import write_atomic
from tracker.sitrep import figures
from tracker.sitrep.gather import Geo, gather, load_geo, read_week, region_area, weeks_covered
from tracker.sitrep.model import FORMATS, Sitrep, SitrepError, parse_week, week_bounds
from tracker.sitrep.render import environment, render
from tracker.sitrep.words import fmt_range

#: What the pipeline stage and the script write for each week.
BATCH_FORMATS: tuple[str, ...] = ("md", "html")
#: Map pixels per screen pixel in a PDF (2: about 350 ppi across an A4 page).
PRINT_SCALE: float = 2.0
#: The file beside a folder's reports recording what each was written from.
MANIFEST: str = ".sitreps.json"


def check_out(out: Path) -> None:
    """Fail early, with a clear message, when ``out`` cannot be written."""
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise SitrepError(f"--out {out} is a folder; give a file name such as {out / 'sitrep.html'}")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SitrepError(f"cannot create the folder {parent}: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK):
        raise SitrepError(f"cannot write to {parent}: permission denied")


def default_path(rep: Sitrep, fmt: str, folder: Path | None = None) -> Path:
    """``<outputs>/sitreps/<stem>.<fmt>``."""
    return (folder or settings.outputs_dir() / "sitreps") / f"{rep.stem}.{fmt}"


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise SitrepError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def write(rep: Sitrep, fmt: str = "md", out: str | os.PathLike | None = None) -> list[Path]:
    """Write the report (and, for Markdown, its PNG images beside it); every file atomically.

    Returns
    -------
    list of Path
        The files written, the report first.

    Raises
    ------
    SitrepError
        An unknown format or an unwritable place.
    """
    _check_format(fmt)
    path = Path(out) if out is not None else default_path(rep, fmt)
    check_out(path)
    written: list[Path] = []
    try:
        images: dict[str, str] = {}
        if fmt == "md":
            for key, data in (("map", rep.map_png), ("detail", rep.detail_png), ("chart", rep.chart_png)):
                if data:
                    image = path.with_name(f"{path.stem}-{key}.png")
                    write_atomic(image, data)
                    written.append(image)
                    images[key] = image.name
        write_atomic(path, render(rep, fmt, images))
    except OSError as exc:
        raise SitrepError(f"cannot write {path}: {exc.strerror or exc}") from None
    return [path, *written]


def format_for(out: str | os.PathLike | None, fmt: str | None = None) -> str:
    """The format asked for, else the one ``out``'s suffix names, else Markdown."""
    if fmt:
        return fmt
    suffix = Path(out).suffix.lstrip(".").lower() if out else ""
    return {"markdown": "md", "htm": "html"}.get(suffix, suffix) if suffix in {*FORMATS, "markdown", "htm"} else "md"


def make(week: str, region: str | None = None, fmt: str | None = None, out: str | os.PathLike | None = None,
         db: str | os.PathLike | None = None, with_map: bool = True) -> tuple[list[Path], Sitrep]:
    """What ``tracker sitrep`` does: check every argument, read the week, write the report.

    Bad arguments fail before the database is opened or anything is written.

    Returns
    -------
    (list of Path, Sitrep)
        The files written (the report first) and what they show (``in_span`` tells whether the week lies
        within the data).
    """
    from tracker import store  # noqa: PLC0415

    parse_week(week)
    fmt = format_for(out, fmt)
    _check_format(fmt)
    if region:
        region_area(region)
    if out is not None:
        check_out(Path(out))
    con = store.connect(db, read_only=True)
    try:
        rep = gather(con, week, region, with_map=with_map, print_scale=PRINT_SCALE if fmt == "pdf" else 1.0)
    finally:
        con.close()
    return write(rep, fmt, out), rep


# --- many weeks --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def code_key() -> str:
    """A hash of what decides how a report looks: this package, its templates, and the map drawing."""
    from tracker.animate import style_key  # noqa: PLC0415

    digest = hashlib.sha256(style_key().encode())
    for folder, pattern in ((Path(__file__).parent, "*.py"), (Path(__file__).parent.parent / "templates", "sitrep*")):
        for path in sorted(folder.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(rep: Sitrep, state: pd.DataFrame | None = None) -> str:
    """A hash of what a report shows: its content without pictures or the time it was generated, (for its
    map) the state of every place at the end of its week, and the code that draws it (:func:`code_key`)."""
    skip = {"generated", "map_png", "detail_png", "chart_png", "chart_svg", "area_history"}
    content = {f.name: getattr(rep, f.name) for f in dataclasses.fields(rep) if f.name not in skip}
    digest = hashlib.sha256(code_key().encode())
    # a record as its fields' dict, not dataclasses.asdict (which deep-copies it): the same text, a fifth of the time
    digest.update(json.dumps(content, default=lambda o: vars(o) if dataclasses.is_dataclass(o) else str(o),
                             sort_keys=True).encode())
    digest.update(rep.area_history.to_csv(index=False).encode())
    if state is not None:
        digest.update(pd.util.hash_pandas_object(state, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


#: Fewer weeks to draw than this are drawn in the run's own process (a worker takes seconds to start).
POOL_MIN_WEEKS: int = 6
#: Maps and charts drawn ahead of the weeks written, per worker (bounds the memory of finished pictures).
AHEAD_PER_WORKER: int = 2

#: A drawing process's kept map canvases (the national map's static base is drawn once per process).
_canvases: Any = None


def paint_kept(drawing: figures.Drawing) -> figures.Pictures:
    """:func:`tracker.sitrep.figures.paint` with this process's kept canvases (what a drawing worker runs)."""
    global _canvases  # noqa: PLW0603 (one set of canvases per process)
    if _canvases is None:
        from tracker.plot import Canvases  # noqa: PLC0415

        _canvases = Canvases()
    return figures.paint(drawing, _canvases)


def _drawing_pool(workers: int) -> Any:
    """Processes that draw the pictures. Spawned, not forked: a worker needs the base map and matplotlib only,
    not the timeline and the store the run holds."""
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def write_weeks(con: duckdb.DuckDBPyConnection, weeks: Sequence[str], region: str | None = None,
                folder: str | os.PathLike | None = None, formats: Sequence[str] = BATCH_FORMATS,
                progress: Callable[[Sitrep], Any] | None = None, timeline: Any = None,
                only_changed: bool = False, workers: int | None = None) -> list[Path]:
    """Write one report per week into ``folder`` (default ``<outputs>/sitreps``), then the folder's index.

    Each week is read from the store once. The control timeline and its polygons are loaded once, when the first
    week is drawn; the maps and charts are drawn in ``workers`` processes (default
    :func:`tracker.settings.workers`) while the next weeks are read, when there are at least
    :data:`POOL_MIN_WEEKS` weeks left. With ``only_changed``, a week whose content and map state hash to what
    :data:`MANIFEST` recorded, and whose files exist, is left as it is. Returns the report files written (images
    left out), in the order of ``weeks``.
    """
    from collections import deque  # noqa: PLC0415

    from tracker.control import load_timeline  # noqa: PLC0415

    folder = Path(folder) if folder is not None else settings.outputs_dir() / "sitreps"
    for fmt in formats:
        _check_format(fmt)
    area = region_area(region) if region else None
    check_out(folder / "index.md")
    manifest = _read_manifest(folder) if only_changed else {}
    recorded = dict(manifest)
    workers = workers if workers is not None else settings.workers()
    geo: Geo | None = None
    pool: Any = None
    pending: deque = deque()  # (report, manifest key, pictures or a future of them), in week order
    written: list[Path] = []

    def finish() -> None:
        rep, key, pictures = pending.popleft()
        if pictures is not None:
            figures.apply(rep, pictures if isinstance(pictures, figures.Pictures) else pictures.result())
        for fmt in formats:
            written.append(write(rep, fmt, default_path(rep, fmt, folder))[0])
        if key is not None:
            manifest[rep.stem] = key
        if progress:
            progress(rep)

    try:
        for n, week in enumerate(weeks):
            if geo is None and area is not None and area.shape is not None:  # areas inside a governorate
                geo = load_geo(con, timeline)
            got = read_week(con, week, region, geo or Geo())
            rep, key = got.rep, None
            if only_changed:
                timeline = timeline if timeline is not None else load_timeline(con)
                state = timeline.state_on(rep.end, include_inferred=True)[["side", "status", "other_side", "stale"]]
                key = fingerprint(rep, state) + ":" + ",".join(formats)
                if recorded.get(rep.stem) == key and all(default_path(rep, f, folder).exists() for f in formats):
                    continue
            pictures: Any = None
            if got.mappable:
                if geo is None:
                    geo = load_geo(con, timeline)
                drawing = figures.prepare(rep, got.area, geo)
                if pool is None and workers > 1 and len(weeks) - n >= POOL_MIN_WEEKS:
                    pool = _drawing_pool(workers)
                pictures = pool.submit(paint_kept, drawing) if pool is not None else paint_kept(drawing)
            pending.append((rep, key, pictures))
            while len(pending) > (AHEAD_PER_WORKER * workers if pool is not None else 0):
                finish()
        while pending:
            finish()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if written or not (folder / "index.html").exists():
        write_index(folder)
    if only_changed and manifest != recorded:
        write_atomic(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
    return written


def write_index(folder: str | os.PathLike) -> Path:
    """``index.md`` and ``index.html`` listing every report in ``folder``, newest week first."""
    folder = Path(folder)
    entries = []
    for md in sorted(folder.glob("*-W*.md"), reverse=True):
        match = re.match(r"^(\d{4})-W(\d{2})(?:-(.+))?$", md.stem)
        if not match:
            continue
        year, week = int(match.group(1)), int(match.group(2))
        start, end = week_bounds(year, week)
        found = re.search(r"^## Summary\s*\n+(.+?)\n", md.read_text(encoding="utf-8"), re.MULTILINE)
        entries.append({"stem": md.stem, "week": f"{year}-W{week:02d}", "range": fmt_range(start, end),
                        "region": match.group(3) or "syria", "summary": found.group(1).strip() if found else "",
                        "html": (folder / f"{md.stem}.html").exists()})
    env = environment()
    for fmt in ("md", "html"):
        write_atomic(folder / f"index.{fmt}", env.get_template(f"sitrep_index.{fmt}.j2").render(entries=entries))
    return folder / "index.md"


def stage_sitreps(ctx: Any) -> dict:
    """Pipeline stage: the reports for every week with a dated news report or a control change; only the weeks
    whose content or map changed since the last run are written again."""
    weeks = weeks_covered(ctx.con)
    folder = Path(ctx.out_dir) / "sitreps"
    timeline = ctx.timeline if getattr(ctx, "timeline", None) is not None else None
    files = write_weeks(ctx.con, weeks, folder=folder, timeline=timeline, only_changed=True) if weeks else []
    return {"weeks": len(weeks), "first": weeks[0] if weeks else None, "last": weeks[-1] if weeks else None,
            "written": len(files) // len(BATCH_FORMATS), "files": len(files), "folder": str(folder)}
