"""The interactive front-line viewer: a folder with a static page that opens from ``file://``, offline.

``tracker viewer --out DIR`` (and the ``viewer`` stage of ``tracker run``, into ``outputs/viewer/``) writes::

    DIR/index.html      the page: map, date, day slider, play/pause, legend, the day's changes, a place's history
    DIR/viewer.js       the page's code (reads window.TRACKER_VIEWER)
    DIR/viewer.css
    DIR/data.js         the data (:mod:`tracker.viewer.data`): geometry once, states per day as deltas
    DIR/vendor/leaflet/ Leaflet 1.9.4 (BSD-2-Clause, with its LICENSE): pan, zoom, touch

The page needs no server and no network: every file is beside it, the data is a script (browsers refuse to
``fetch`` files from ``file://``). Why Leaflet and how the data is laid out: ``docs/viewer.md``.

API
---
- ``write_viewer(out, *, start=None, end=None, region="syria", timeline=None, con=None) -> ViewerResult``
- ``stage_viewer(ctx) -> dict``: the pipeline stage
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from tracker._errors import InputError
from tracker.fileio import replacing_dir, write_atomic

#: The page's own files, copied as they are (``static/`` in this package).
STATIC_FILES: tuple[str, ...] = ("index.html", "viewer.js", "viewer.css", "vendor/leaflet/leaflet.js",
                                 "vendor/leaflet/leaflet.css", "vendor/leaflet/LICENSE")


@dataclass
class ViewerResult:
    """What :func:`write_viewer` wrote: the folder, the days, how many places and events, the folder's size."""

    path: Path
    start: date
    end: date
    places: int
    events: int
    bytes: int
    warnings: list[str] = field(default_factory=list)


def _check_days(timeline, start: date | None, end: date | None) -> tuple[date, date, list[str]]:
    """The run of days to show (default: the timeline's start to its last change), or a clear error."""
    first = start or timeline.start
    last = end or max(timeline.end, first)
    if first < timeline.start:
        raise InputError("--start", f"{first} is before the timeline starts ({timeline.start}, its baseline): "
                                    "nothing is known of it")
    if last < first:
        raise InputError("--end", f"{last} is before --start {first}")
    ok, why = timeline.span_check(last)
    if not ok:
        raise InputError("--end", why)
    return first, last, [why] if why else []


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def write_viewer(out: str | os.PathLike, *, start: date | None = None, end: date | None = None,
                 region: str = "syria", timeline=None, con=None) -> ViewerResult:
    """Write the viewer for days ``start`` to ``end`` over ``region`` into the folder ``out`` (replaced whole).

    Parameters
    ----------
    out
        The folder; written beside itself and renamed into place when complete.
    start, end
        First and last day (default: the timeline's start, its baseline, and its last change).
    region
        ``syria``, ``front`` (where control changed in those days) or a governorate (:func:`tracker.regions.region`).
    timeline
        The stored timeline (default: read from ``con``, or from the configured database).
    con
        The database (default: the configured one, read-only), for the claims' sources.

    Raises
    ------
    InputError
        Days outside what the timeline can say (before its baseline, or long after its last evidence), or
        ``end`` before ``start``.
    RegionError
        An unknown region.
    """
    from tracker import polygons, store
    from tracker.control import load_timeline
    from tracker.regions import region as named
    from tracker.viewer.data import build

    own = con is None
    if own:
        con = store.connect(read_only=True)
    try:
        tl = timeline if timeline is not None else load_timeline(con)
        first, last, warnings = _check_days(tl, start, end)
        changes = tl.changes_between(first, last) if region.strip().casefold() == "front" else None
        area = named(region, [] if changes is None else list(zip(changes["lon"], changes["lat"])))
        cells = polygons.load_cells(tl.places, tl.baseline)
        data = build(tl, cells, first, last, area, con)
    finally:
        if own:
            con.close()
    text = "window.TRACKER_VIEWER = " + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + ";\n"
    static = resources.files("tracker.viewer").joinpath("static")
    with replacing_dir(out) as folder:
        for name in STATIC_FILES:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with static.joinpath(name).open("rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
        write_atomic(folder / "data.js", text)
    path = Path(out)
    return ViewerResult(path, first, last, len(data["places"]["id"]), len(data["events"]), _folder_bytes(path),
                        warnings)


def stage_viewer(ctx) -> dict:
    """Pipeline stage: the viewer of the whole timeline (its baseline to its last change) in ``<out>/viewer``."""
    result = write_viewer(Path(ctx.out_dir) / "viewer", timeline=getattr(ctx, "timeline", None), con=ctx.con)
    return {"folder": str(result.path), "start": str(result.start), "end": str(result.end),
            "places": result.places, "events": result.events, "bytes": result.bytes}
