"""Animations of control over time: ``tracker animate``.

One :class:`~tracker.plot.MapCanvas` renders every frame (the static base is drawn once); each frame goes
straight to the writer, so memory stays flat however long the animation: MP4 through imageio-ffmpeg, GIF
through Pillow's frame-by-frame GIF encoder with one fixed palette.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
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

import numpy as np
from matplotlib import colors as matplotlib_colors
from PIL import GifImagePlugin, Image
from tqdm import tqdm

from tracker import frames as frames_mod
from tracker import vocab
from tracker._errors import TrackerError
from tracker.frames import Frame
from tracker.fileio import temp_path
from tracker.plot import MapCanvas
from tracker.regions import Region, region as region_by_name

FORMATS = ("mp4", "gif")


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


def render_frames(frames: Iterable[Frame], region: Region, out: str | os.PathLike, fmt: str | None = None,
                  fps: float = 4, total: int | None = None, progress: bool = True,
                  legend_sides: Iterable[str] = ()) -> AnimationResult:
    """Render ``frames`` (any iterable; consumed one at a time) into an MP4 or GIF at ``out``.

    Parameters
    ----------
    frames
        The frames, in order.
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

    Raises
    ------
    AnimationError
        Unknown format, bad fps, or no frames at all. Nothing is left at ``out`` on failure.
    """
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".") or "mp4").lower()
    writer = _writer(out, fmt, fps)
    canvas = MapCanvas(region, legend_sides=tuple(legend_sides))
    labels: list[list[str]] = []
    try:
        for frame in tqdm(frames, total=total, desc=f"rendering {out.name}", unit="frame", disable=not progress or None,
                          leave=False):
            result = canvas.draw(frame)
            writer.append(canvas.rgba())
            labels.append(result.labels)
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


def animate(start: dt.date, end: dt.date, out: str | os.PathLike, region: Region | str = "syria",
            fmt: str | None = None, step: int = 1, fps: float = 4, progress: bool = True,
            frame_source: Callable[[dt.date, dt.date | None], Frame] | None = None, con=None) -> AnimationResult:
    """Animate control from ``start`` to ``end`` (one frame every ``step`` days) into ``out``.

    ``frame_source(day, previous_day)`` gives each frame (default :func:`default_source`); each frame lists
    what changed since the previous frame, so with ``step`` > 1 a frame shows ``step`` days of changes.
    """
    days = frame_days(start, end, step)
    source = frame_source or default_source(con)
    if isinstance(region, str):
        points: list[tuple[float, float]] = []
        timeline = getattr(source, "timeline", None)
        if region.strip().casefold() == "front" and timeline is not None:
            changes = timeline.changes_between(start, end)
            points = list(zip(changes["lon"], changes["lat"]))
        region = region_by_name(region, points)

    def gen() -> Iterator[Frame]:
        prev = days[0] - dt.timedelta(days=step)
        for day in days:
            yield source(day, prev)
            prev = day

    return render_frames(gen(), region, out, fmt=fmt, fps=fps, total=len(days), progress=progress)


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
        result = render_frames(frames_mod.wikimap_frames(dt.date(2017, 1, 1), frames, per_day=3), syria, out,
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


#: What ``tracker run`` renders: the Deir ez-Zor offensive of the development corpus.
RUN_ANIMATION = {"region": "deir-ez-zor", "start": dt.date(2017, 9, 1), "end": dt.date(2017, 11, 30), "fps": 4}


def _last_seed_day(con) -> dt.date | None:
    from tracker import settings

    seeds = str(settings.sources_dir() / "seeds")
    try:
        row = con.execute("SELECT max(published) FROM reports WHERE path LIKE ?", [seeds + "%"]).fetchone()
    except Exception:  # noqa: BLE001 (no reports table yet: nothing to date the map by)
        return None
    return row[0] if row and row[0] else None


def stage_render(ctx) -> dict:
    """Pipeline stage: the Deir ez-Zor animation for Sept-Nov 2017 and a map of the last day of the seeds."""
    source = default_source(ctx.con, getattr(ctx, "timeline", None))  # the control stage's, not rebuilt
    out_dir = Path(ctx.out_dir)
    spec = RUN_ANIMATION
    anim = animate(spec["start"], spec["end"], out_dir / f"{spec['region']}_{spec['start']:%Y-%m}_{spec['end']:%Y-%m}.mp4",
                   region=spec["region"], fps=spec["fps"], frame_source=source)
    figures: dict = {"animation": str(anim.path), "frames": anim.frames,
                     "changes_labelled": sum(len(x) for x in anim.labels)}
    day = _last_seed_day(ctx.con)
    if day is not None:
        from tracker.plot import render_map
        from tracker.regions import region as named

        path = out_dir / f"map_syria_{day.isoformat()}.png"
        result, _ = render_map(source(day, day - dt.timedelta(days=1)), named("syria"), path)
        figures.update(map=str(path), map_day=day.isoformat(), map_changes=len(result.labels))
    return figures
