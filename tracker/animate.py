"""Animations of control over time: ``tracker animate``.

One :class:`~tracker.plot.MapCanvas` renders every frame (the static base is drawn once); each frame goes
straight to the writer, so memory stays flat however long the animation: MP4 through imageio-ffmpeg, GIF
through Pillow's frame-by-frame GIF encoder with one fixed palette.

So that a reader can follow the front (:class:`Follow`): a changed cell is filled and ringed in magenta and
fades over :data:`FADE_FRAMES` frames, its label stays as long, the side panel keeps a running list of the
latest changes with their dates, the cells changed earlier in the animation stay outlined faintly, a time bar
marks the days with changes, and ``hold_changes`` shows frames with changes longer.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import functools
import hashlib
import json
import os
import resource
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import colors as matplotlib_colors
from PIL import GifImagePlugin, Image
from tqdm import tqdm

from tracker import frames as frames_mod
from tracker import vocab
from tracker._errors import TrackerError
from tracker.frames import Frame
from tracker.fileio import replacing, temp_path
from tracker.plot import MapCanvas
from tracker.regions import Region, region as region_by_name

FORMATS = ("mp4", "gif")
#: Frames over which a change's highlight fades; its label and list entry stay as long.
FADE_FRAMES: int = 8


class AnimationError(TrackerError):
    """Bad animation parameters (dates, step, fps, format)."""


@dataclass
class AnimationResult:
    """What an animation run wrote.

    Attributes
    ----------
    path : Path
        The file written.
    frames : int
        Number of frames.
    size : tuple of int
        (width, height) in pixels.
    labels : list of list of str
        The change texts drawn on each frame.
    """

    path: Path
    frames: int
    size: tuple[int, int]
    labels: list[list[str]] = field(default_factory=list)


def frame_days(start: dt.date, end: dt.date, step: int = 1) -> list[dt.date]:
    """The days shown: ``start``, ``start + step``, ... up to and including ``end``.

    Raises
    ------
    AnimationError
        If ``end`` is before ``start`` or ``step`` < 1.
    """
    if end < start:
        raise AnimationError(f"--end {end} is before --start {start}")
    if step < 1:
        raise AnimationError(f"--step must be at least 1 day, got {step}")
    return [start + dt.timedelta(days=i) for i in range(0, (end - start).days + 1, step)]


# --- writers: each takes RGB frames one at a time and renames its temp file into place on success ------------

class _Writer:
    """Takes (height, width, 3 or 4) uint8 frames one at a time."""

    @staticmethod
    def _pix_fmt(frame: np.ndarray) -> str:
        return "rgba" if frame.shape[2] == 4 else "rgb24"

    def __init__(self, out: Path, fps: float) -> None:
        self.out = out
        self.fps = fps
        self.tmp = temp_path(out)
        self.count = 0

    def append(self, rgb: np.ndarray) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the file and move it into place."""
        self._finish()
        os.replace(self.tmp, self.out)

    def abort(self) -> None:
        """Drop the half-written file."""
        try:
            self._finish()
        except Exception:  # noqa: BLE001 (already failing; the temp file goes either way)
            pass
        self.tmp.unlink(missing_ok=True)


def _die_with_parent(parent: int):
    """A ``preexec_fn`` that has the child killed when ``parent`` dies, even by ``kill -9`` (Linux)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here: nothing is loaded after the fork
    except (OSError, AttributeError):  # not Linux: the child outlives a killed parent until its input ends
        return None

    def child() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return child


_PR_SET_PDEATHSIG = 1


class _Mp4Writer(_Writer):
    """H.264 through an ffmpeg child (imageio-ffmpeg's binary) that never outlives this process: it is
    killed with it (``kill -9`` included) and killed at once on an interruption, not left to encode."""

    def __init__(self, out: Path, fps: float) -> None:
        super().__init__(out, fps)
        self._proc: subprocess.Popen | None = None
        self._log = None

    def _start(self, rgb: np.ndarray) -> subprocess.Popen:
        import imageio_ffmpeg

        height, width = rgb.shape[:2]
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-f", "rawvideo", "-vcodec", "rawvideo",
               "-s", f"{width}x{height}", "-pix_fmt", self._pix_fmt(rgb),
               "-r", str(Fraction(self.fps).limit_denominator()), "-i", "-", "-an",
               # H.264 in yuv420p plays everywhere; veryfast keeps encoding off the critical path
               "-vcodec", "libx264", "-pix_fmt", "yuv420p"]
        if width % 16 or height % 16:  # macro blocks of 16 pixels: scaled up to the next multiple
            cmd += ["-vf", f"scale={-(-width // 16) * 16}:{-(-height // 16) * 16}"]
        cmd += ["-v", "error", "-crf", "23", "-preset", "veryfast", "-movflags", "+faststart", "-f", "mp4",
                str(self.tmp)]
        self._log = tempfile.TemporaryFile()  # a file, not a pipe: ffmpeg never blocks on its own messages
        return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log,
                                preexec_fn=_die_with_parent(os.getpid()))

    def _error(self, what: str) -> AnimationError:
        message = ""
        if self._log is not None:
            self._log.seek(0)
            message = self._log.read().decode("utf-8", errors="replace").strip().splitlines()[-1:]
            message = f": {message[0]}" if message else ""
        return AnimationError(f"ffmpeg {what}{message}")

    def append(self, rgb: np.ndarray) -> None:
        if self._proc is None:
            self._proc = self._start(rgb)
        try:
            self._proc.stdin.write(np.ascontiguousarray(rgb).data)
        except BrokenPipeError:
            raise self._error(f"stopped (exit code {self._proc.wait()})") from None
        self.count += 1

    def _finish(self) -> None:
        if self._proc is not None:
            proc, self._proc = self._proc, None
            proc.stdin.close()
            if proc.wait() != 0:
                raise self._error(f"failed (exit code {proc.returncode})")
        if self._log is not None:
            self._log.close()
            self._log = None

    def abort(self) -> None:
        """Kill ffmpeg (an interrupted animation is not worth encoding) and drop the half-written file."""
        if self._proc is not None:
            self._proc.kill()
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
            self._proc.wait()
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self.tmp.unlink(missing_ok=True)


def _exact_colours() -> list[tuple[int, int, int]]:
    """Colours the GIF palette must hold exactly: sides (full, blended as drawn, lighter) and markers."""
    from tracker.basemap import style
    from tracker.plot import _blend

    cfg = style()
    land = cfg["colours"]["syria"]
    found: list[tuple[float, ...]] = []
    for side in vocab.sides():
        colour = vocab.side_colour(side)
        found += [matplotlib_colors.to_rgb(colour)]
        found += [_blend(colour, land, a) for a in cfg["alpha"].values()]
    found += [matplotlib_colors.to_rgb(c) for c in cfg["colours"].values()]
    return list(dict.fromkeys(tuple(int(round(v * 255)) for v in rgb) for rgb in found))


def _gif_palette(rgb: np.ndarray) -> Image.Image:
    """A 256-colour palette: the exact colours first, the rest by median cut of the first frame."""
    exact = _exact_colours()
    rest = Image.fromarray(np.ascontiguousarray(rgb)).quantize(colors=256 - len(exact), method=Image.Quantize.MEDIANCUT,
                                                               dither=Image.Dither.NONE)
    flat = [v for c in exact for v in c] + rest.getpalette()[: 3 * (256 - len(exact))]
    palette = Image.new("P", (1, 1))
    palette.putpalette(flat + [0] * (768 - len(flat)))
    return palette


class _GifWriter(_Writer):
    """Streams frames into a GIF: one global palette (from the first frame), each frame encoded and written."""

    def __init__(self, out: Path, fps: float) -> None:
        super().__init__(out, fps)
        self._fp = open(self.tmp, "wb")  # noqa: SIM115 (closed in _finish)
        self._palette: Image.Image | None = None
        self._duration = max(20, round(1000 / fps))

    def append(self, rgb: np.ndarray) -> None:
        if self._palette is None:
            self._palette = _gif_palette(rgb[..., :3])
        image = Image.fromarray(rgb[..., :3]).quantize(palette=self._palette, dither=Image.Dither.NONE)
        if self.count == 0:
            header, _ = GifImagePlugin.getheader(image, info={"loop": 0, "duration": self._duration})
            for chunk in header:
                self._fp.write(chunk)
        for chunk in GifImagePlugin.getdata(image, duration=self._duration):
            self._fp.write(chunk)
        self.count += 1

    def _finish(self) -> None:
        if not self._fp.closed:
            self._fp.write(b";")  # GIF trailer
            self._fp.close()


def _writer(out: Path, fmt: str, fps: float) -> _Writer:
    if fmt not in FORMATS:
        raise AnimationError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fps <= 0:
        raise AnimationError(f"--fps must be positive, got {fps}")
    return _Mp4Writer(out, fps) if fmt == "mp4" else _GifWriter(out, fps)


class Follow:
    """Turns a run of frames into frames a reader can follow: each gets the changes of its last
    :data:`FADE_FRAMES` frames (``recent``, with their cells and a ``fade`` from 1 down), the cells changed
    before them (``trail``), and the animation's span and change days (the time bar).

    Parameters
    ----------
    cells_of
        ``place_ids -> geometries`` (EPSG:4326) for changes that carry no ``geometry`` of their own.
    span, marks
        The animation's first and last day, and the days with changes.
    fade_frames
        How many frames a change stays highlighted.
    """

    def __init__(self, cells_of: Callable[[list[str]], Iterable] | None = None,
                 span: tuple[dt.date, dt.date] | None = None, marks: Iterable[dt.date] = (),
                 fade_frames: int = FADE_FRAMES) -> None:
        self.cells_of = cells_of
        self.span = span
        self.marks = sorted(set(marks))
        self.fade_frames = fade_frames
        self.history: list[pd.DataFrame] = []
        self.trail: list = []

    def _with_cells(self, changes: pd.DataFrame) -> pd.DataFrame:
        changes = changes.copy()
        if "geometry" not in changes.columns:
            ids = [str(p) for p in changes["place_id"]] if "place_id" in changes else []
            changes["geometry"] = list(self.cells_of(ids)) if self.cells_of is not None and ids else None
        return changes

    def __call__(self, frame: Frame) -> Frame:
        changes = frame.changes if frame.changes is not None else frames_mod.empty_changes()
        self.history.append(self._with_cells(changes))
        if len(self.history) > self.fade_frames:
            self.trail += [g for g in self.history.pop(0)["geometry"] if g is not None]
        parts = [h.assign(fade=1 - age / self.fade_frames)
                 for age, h in enumerate(reversed(self.history)) if len(h)]
        frame.recent = pd.concat(parts, ignore_index=True) if parts else None
        frame.trail = gpd.GeoDataFrame(geometry=list(self.trail), crs="EPSG:4326") if self.trail else None
        frame.span = self.span
        frame.marks = self.marks
        return frame


@dataclass
class Cached:
    """A frame to take from a :class:`FrameCache` by ``key``, or to ``make`` and draw when it is not there."""

    key: str
    make: Callable[[], Frame]
    has_changes: bool


class FrameCache:
    """Rendered frames on disk (PNG, with the texts drawn in a text chunk), named by the hash of what they show,
    so that a rerun draws only the frames whose data changed."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.used: set[str] = set()
        self.hits = 0

    def get(self, key: str) -> tuple[np.ndarray, list[str]] | None:
        """The pixels (RGBA) and texts of a cached frame, or None."""
        self.used.add(key)
        path = self.folder / f"{key}.png"
        try:
            with Image.open(path) as image:
                labels = json.loads(image.text.get("labels", "[]"))
                rgba = np.asarray(image.convert("RGBA"))
        except (OSError, ValueError):
            return None
        self.hits += 1
        return rgba, labels

    def put(self, key: str, rgba: np.ndarray, labels: list[str]) -> None:
        """Store a drawn frame."""
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("labels", json.dumps(labels, ensure_ascii=False))
        with replacing(self.folder / f"{key}.png") as tmp:
            Image.fromarray(np.ascontiguousarray(rgba[..., :3])).save(tmp, format="PNG", compress_level=1, pnginfo=info)

    def prune(self) -> None:
        """Delete the cached frames this animation did not use."""
        for path in self.folder.glob("*.png"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def render_frames(frames: Iterable[Frame | Cached], region: Region, out: str | os.PathLike, fmt: str | None = None,
                  fps: float = 4, total: int | None = None, progress: bool = True,
                  legend_sides: Iterable[str] = (), hold_changes: int = 0,
                  cache: FrameCache | None = None) -> AnimationResult:
    """Render ``frames`` (any iterable; consumed one at a time) into an MP4 or GIF at ``out``.

    Parameters
    ----------
    frames
        The frames, in order; a :class:`Cached` one is taken from ``cache`` when it is there.
    region
        The view, the same for every frame.
    out
        Output file; ``fmt`` defaults to its suffix.
    fps
        Frames per second.
    total
        Number of frames, for the progress bar.
    progress
        Show a tqdm progress bar on stderr.
    hold_changes
        Write a frame with changes this many more times (a slower pace where the front moves).
    cache
        Where :class:`Cached` frames are looked up and stored.

    Raises
    ------
    AnimationError
        Unknown format, bad fps, or no frames at all. Nothing is left at ``out`` on failure.
    """
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".") or "mp4").lower()
    writer = _writer(out, fmt, fps)
    canvas = MapCanvas(region, legend_sides=tuple(legend_sides), follow=True)
    labels: list[list[str]] = []
    try:
        for frame in tqdm(frames, total=total, desc=f"rendering {out.name}", unit="frame", disable=not progress or None,
                          leave=False):
            hit = cache.get(frame.key) if cache is not None and isinstance(frame, Cached) else None
            if hit is not None:
                rgba, texts = hit
                changed = frame.has_changes
            else:
                drawn = frame.make() if isinstance(frame, Cached) else frame
                texts = canvas.draw(drawn).labels
                rgba = canvas.rgba()
                changed = drawn.changes is not None and len(drawn.changes) > 0
                if cache is not None and isinstance(frame, Cached):
                    cache.put(frame.key, rgba, texts)
            for _ in range(1 + (hold_changes if changed else 0)):
                writer.append(rgba)
            labels.append(texts)
        if writer.count == 0:
            raise AnimationError("no frames to render")
        writer.close()
    except BaseException:
        writer.abort()
        raise
    finally:
        canvas.close()
    return AnimationResult(path=out, frames=writer.count, size=canvas.size, labels=labels)


def default_source(con=None, timeline=None) -> Callable[[dt.date, dt.date | None], Frame]:
    """:class:`~tracker.frames.ControlFrames` over ``timeline`` (default: rebuilt from the database), or empty
    frames (that still render) without one."""
    try:
        return frames_mod.ControlFrames(timeline=timeline, con=con)
    except TrackerError as exc:
        note = str(exc)
        return lambda day, prev=None: Frame(day=day, previous_day=prev, sources_note=note)


@functools.lru_cache(maxsize=1)
def style_key() -> str:
    """A hash of what decides how a frame looks: the drawing code and the style and colour tables."""
    from importlib import resources

    from tracker import plot

    digest = hashlib.sha256()
    for module in (plot, frames_mod):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    for name in ("render.toml", "vocab.toml"):
        digest.update(resources.files("tracker").joinpath("data", name).read_bytes())
    return digest.hexdigest()[:16]


def _frame_key(view: str, source: Any, frame: Frame) -> str:
    """A hash of what a followed frame shows: every place's state, its recent changes, trail and time bar."""
    digest = hashlib.sha256(view.encode())
    digest.update(source.state_key(frame.day))
    if frame.recent is not None:
        cols = [c for c in ("place_id", "from_side", "to_side", "status", "day", "fade", "claim_ids") if c in frame.recent]
        digest.update(frame.recent[cols].to_csv(index=False).encode())
    digest.update(str(len(frame.trail) if frame.trail is not None else 0).encode())
    digest.update(f"{frame.day}{frame.previous_day}{frame.span}{frame.marks}".encode())
    return digest.hexdigest()[:32]


def animate(start: dt.date, end: dt.date, out: str | os.PathLike, region: Region | str = "syria",
            fmt: str | None = None, step: int = 1, fps: float = 4, progress: bool = True,
            frame_source: Callable[[dt.date, dt.date | None], Frame] | None = None, con=None,
            hold_changes: int = 0, cache: FrameCache | None = None) -> AnimationResult:
    """Animate control from ``start`` to ``end`` (one frame every ``step`` days) into ``out``.

    ``frame_source(day, previous_day)`` gives each frame (default :func:`default_source`); each frame lists
    what changed since the previous frame, so with ``step`` > 1 a frame shows ``step`` days of changes. The
    frames go through :class:`Follow` (fading highlights, running list, trail, time bar); ``hold_changes``
    shows each frame with changes that many more times. With a ``cache`` (and the default source), a frame
    whose data hash to a cached one is not drawn again.
    """
    days = frame_days(start, end, step)
    source = frame_source or default_source(con)
    timeline = getattr(source, "timeline", None)
    changes = timeline.changes_between(start, end) if timeline is not None else None
    if isinstance(region, str):
        points: list[tuple[float, float]] = []
        if region.strip().casefold() == "front" and changes is not None:
            points = list(zip(changes["lon"], changes["lat"]))
        region = region_by_name(region, points)
    follow = Follow(getattr(source, "cell_geometries", None), span=(days[0], days[-1]),
                    marks=changes["day"] if changes is not None else ())

    cached = cache is not None and hasattr(source, "changes_since") and hasattr(source, "state_key")
    view = f"{region.name}{region.bbox}{style_key()}"

    def full(day: dt.date, prev: dt.date, light: Frame) -> Frame:
        frame = source(day, prev)
        frame.recent, frame.trail, frame.span, frame.marks = light.recent, light.trail, light.span, light.marks
        return frame

    def gen() -> Iterator[Frame | Cached]:
        prev = days[0] - dt.timedelta(days=step)
        for day in days:
            if cached:  # follow the changes alone; the polygons are made only for a frame not in the cache
                light = follow(Frame(day=day, changes=source.changes_since(day, prev), previous_day=prev))
                yield Cached(_frame_key(view, source, light), functools.partial(full, day, prev, light),
                             len(light.changes) > 0)
            else:
                yield follow(source(day, prev))
            prev = day

    result = render_frames(gen(), region, out, fmt=fmt, fps=fps, total=len(days), progress=progress,
                           hold_changes=hold_changes, cache=cache if cached else None)
    if cached:
        cache.prune()
    return result


def _peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def bench(frames: int = 365, out: str | os.PathLike | None = None, fmt: str = "mp4",
          progress: bool = False) -> dict:
    """Time a national animation of ``frames`` daily frames over the Wikipedia July 2017 map.

    Three cells on the fronts change side each day (synthetic: this measures the renderer and the encoder,
    not the control model). Building the cells is set-up and timed apart.

    Returns
    -------
    dict
        ``frames``, ``seconds`` (render + encode), ``setup_seconds``, ``fps``, ``peak_rss_mb`` (this
        process, high-water mark), ``peak_rss_children_mb`` (ffmpeg), ``size``, ``bytes``, ``path``.
    """
    from tracker.regions import region as named

    t0 = time.perf_counter()
    syria = named("syria")
    frames_mod.wikimap_cells()
    setup = time.perf_counter() - t0
    tmpdir = None
    if out is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="tracker-bench-")
        out = Path(tmpdir.name) / f"bench.{fmt}"
    try:
        t1 = time.perf_counter()
        start = dt.date(2017, 1, 1)
        follow = Follow(span=(start, start + dt.timedelta(days=frames - 1)))
        result = render_frames((follow(f) for f in frames_mod.wikimap_frames(start, frames, per_day=3)), syria, out,
                               fmt=fmt, fps=8, total=frames, progress=progress)
        seconds = time.perf_counter() - t1
        size_bytes = Path(out).stat().st_size
    finally:
        if tmpdir is not None:
            tmpdir.cleanup()
    return {"frames": result.frames, "seconds": round(seconds, 2), "setup_seconds": round(setup, 2),
            "fps": round(result.frames / seconds, 1), "peak_rss_mb": round(_peak_rss_mb(resource.RUSAGE_SELF), 1),
            "peak_rss_children_mb": round(_peak_rss_mb(resource.RUSAGE_CHILDREN), 1), "size": result.size,
            "bytes": size_bytes, "path": None if tmpdir is not None else str(out)}


#: What ``tracker run`` renders: the Deir ez-Zor offensive of the development corpus (frames with changes shown
#: twice as long).
RUN_ANIMATION = {"region": "deir-ez-zor", "start": dt.date(2017, 9, 1), "end": dt.date(2017, 11, 30), "fps": 4,
                 "hold_changes": 1}


def _last_seed_day(con) -> dt.date | None:
    from tracker import settings

    seeds = str(settings.sources_dir() / "seeds")
    try:
        row = con.execute("SELECT max(published) FROM reports WHERE path LIKE ?", [seeds + "%"]).fetchone()
    except Exception:  # noqa: BLE001 (no reports table yet: nothing to date the map by)
        return None
    return row[0] if row and row[0] else None


def render_outputs(con, out_dir: str | os.PathLike) -> list[Path]:
    """The files the ``render`` stage writes into ``out_dir``: the animation and the map of the seeds' last day."""
    spec = RUN_ANIMATION
    paths = [Path(out_dir) / f"{spec['region']}_{spec['start']:%Y-%m}_{spec['end']:%Y-%m}.mp4"]
    day = _last_seed_day(con)
    if day is not None:
        paths.append(Path(out_dir) / f"map_syria_{day.isoformat()}.png")
    return paths


def stage_render(ctx) -> dict:
    """Pipeline stage: the Deir ez-Zor animation for Sept-Nov 2017 and a map of the last day of the seeds.

    The animation's frames are cached in ``<build>/frames/``: a frame whose data did not change is not drawn
    again."""
    from tracker import settings

    source = default_source(ctx.con, getattr(ctx, "timeline", None))  # the control stage's, not rebuilt
    spec = RUN_ANIMATION
    outputs = render_outputs(ctx.con, ctx.out_dir)
    cache = FrameCache(settings.build_dir() / "frames" / spec["region"])
    anim = animate(spec["start"], spec["end"], outputs[0], region=spec["region"], fps=spec["fps"],
                   frame_source=source, hold_changes=spec["hold_changes"], cache=cache,
                   progress=getattr(ctx, "progress_bars", True))
    figures: dict = {"animation": str(anim.path), "frames": anim.frames, "frames_drawn": len(anim.labels) - cache.hits,
                     "changes_labelled": sum(len(x) for x in anim.labels)}
    if len(outputs) > 1:
        from tracker.plot import render_map
        from tracker.regions import region as named

        day = dt.date.fromisoformat(outputs[1].stem.rsplit("_", 1)[1])
        result, _ = render_map(source(day, day - dt.timedelta(days=1)), named("syria"), outputs[1])
        figures.update(map=str(outputs[1]), map_day=day.isoformat(), map_changes=len(result.labels))
    return figures
