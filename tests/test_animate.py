"""Animations: frame counts and sizes read back, the changes of each frame, streaming writers, failures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import imageio
import pytest
from PIL import Image

from tracker import animate, regions
from tracker.frames import Frame

from test_plot import DAY, hand_frame


@pytest.fixture
def deir(sources) -> regions.Region:
    return regions.region("deir-ez-zor")


def frames(n: int) -> list[Frame]:
    # Changes on odd frames only: a frame without changes must render too.
    return [hand_frame(DAY + dt.timedelta(days=i), with_changes=bool(i % 2)) for i in range(n)]


def test_gif_frame_count_size_and_labels(tmp_path: Path, deir) -> None:
    out = tmp_path / "a.gif"
    result = animate.render_frames(iter(frames(3)), deir, out, fps=2, total=3, progress=False)
    with Image.open(out) as gif:
        assert gif.n_frames == result.frames == 3
        assert gif.size == result.size == (1280, 960)
        assert gif.info["duration"] == 500
    assert result.labels[0] == [] and result.labels[2] == []
    assert any("Mayadin" in t for t in result.labels[1])


def test_mp4_frame_count_and_size(tmp_path: Path, deir) -> None:
    out = tmp_path / "a.mp4"
    result = animate.render_frames(frames(4), deir, out, fps=4, progress=False)
    reader = imageio.get_reader(out)
    try:
        assert reader.count_frames() == result.frames == 4
        assert tuple(reader.get_meta_data()["size"]) == (1280, 960)
    finally:
        reader.close()


def test_animate_by_days_with_step(tmp_path: Path, deir) -> None:
    seen: list[tuple[dt.date, dt.date | None]] = []

    def source(day: dt.date, prev: dt.date | None) -> Frame:
        seen.append((day, prev))
        return hand_frame(day, with_changes=day.day % 2 == 0)

    out = tmp_path / "b.gif"
    result = animate.animate(DAY, DAY + dt.timedelta(days=6), out, region=deir, step=3, progress=False,
                             frame_source=source)
    assert result.frames == 3
    assert [d for d, _ in seen] == [DAY, DAY + dt.timedelta(days=3), DAY + dt.timedelta(days=6)]
    assert seen[1][1] == DAY  # changes are counted since the previous frame


def test_frame_days() -> None:
    assert len(animate.frame_days(dt.date(2017, 9, 1), dt.date(2017, 11, 30))) == 91
    assert animate.frame_days(DAY, DAY) == [DAY]
    with pytest.raises(animate.AnimationError):
        animate.frame_days(DAY, DAY - dt.timedelta(days=1))
    with pytest.raises(animate.AnimationError):
        animate.frame_days(DAY, DAY, step=0)


def test_failure_leaves_no_file(tmp_path: Path, deir) -> None:
    def broken():
        yield hand_frame()
        raise RuntimeError("control model fell over")

    out = tmp_path / "c.mp4"
    with pytest.raises(RuntimeError):
        animate.render_frames(broken(), deir, out, progress=False)
    with pytest.raises(animate.AnimationError):
        animate.render_frames([], deir, tmp_path / "d.gif", progress=False)
    with pytest.raises(animate.AnimationError):
        animate.render_frames(frames(1), deir, tmp_path / "e.avi", progress=False)
    assert list(tmp_path.iterdir()) == []


# --- following the changes -------------------------------------------------------------------------------------


def _cells(ids):
    import shapely

    return [shapely.box(40.4, 34.98, 40.5, 35.05) for _ in ids]


def test_a_change_stays_highlighted_fading_then_joins_the_trail() -> None:
    follow = animate.Follow(_cells, span=(DAY, DAY + dt.timedelta(days=20)), marks=[DAY])
    seen = [follow(hand_frame(DAY + dt.timedelta(days=i), with_changes=i == 0))
            for i in range(animate.FADE_FRAMES + 1)]
    fades = [list(f.recent["fade"]) if f.recent is not None else [] for f in seen]
    assert fades[0] == [1.0] and fades[1] == [1 - 1 / animate.FADE_FRAMES]
    assert all(len(x) == 1 and x[0] > 0 for x in fades[:animate.FADE_FRAMES])
    assert fades[-1] == [] and len(seen[-1].trail) == 1  # then outlined faintly: where the front moved
    assert seen[0].recent["geometry"].iloc[0] is not None and seen[3].span == (DAY, DAY + dt.timedelta(days=20))


def test_the_label_stays_for_several_frames_and_changes_can_hold(tmp_path: Path, deir) -> None:
    follow = animate.Follow(_cells, span=(DAY, DAY + dt.timedelta(days=9)))
    frames = [follow(hand_frame(DAY + dt.timedelta(days=i), with_changes=i == 0)) for i in range(10)]
    out = tmp_path / "f.gif"
    result = animate.render_frames(frames, deir, out, fps=4, progress=False, hold_changes=3)
    shown = [any("Mayadin" in t for t in labels) for labels in result.labels]
    assert shown == [True] * animate.FADE_FRAMES + [False] * 2  # not a quarter of a second: two seconds
    with Image.open(out) as gif:
        assert gif.n_frames == result.frames == 10 + 3  # the frame with the change is shown four times


class _Source:
    """A frame source with what the frame cache needs: the changes alone, and a hash of the state."""

    timeline = None

    def __init__(self, extra: dt.date | None = None) -> None:
        self.drawn = 0
        self.extra = extra  # a day with a change this source adds (a new report)

    def _changed(self, day: dt.date) -> bool:
        return day.day % 5 == 0 or day == self.extra

    def __call__(self, day: dt.date, prev: dt.date | None) -> Frame:
        self.drawn += 1
        return hand_frame(day, with_changes=self._changed(day))

    def changes_since(self, day: dt.date, prev: dt.date):
        return hand_frame(day, with_changes=self._changed(day)).changes

    def state_key(self, day: dt.date) -> bytes:
        return b"changed" if self.extra and day >= self.extra else b"before"

    def cell_geometries(self, ids):
        return _cells(ids)


def test_a_rerun_draws_only_frames_whose_data_changed(tmp_path: Path, deir) -> None:
    end = DAY + dt.timedelta(days=11)

    def run(source: _Source, name: str) -> tuple[animate.AnimationResult, animate.FrameCache]:
        cache = animate.FrameCache(tmp_path / "cache")
        return animate.animate(DAY, end, tmp_path / name, region=deir, frame_source=source, cache=cache,
                               progress=False), cache

    first, again, later = _Source(), _Source(), _Source(extra=DAY + dt.timedelta(days=10))
    a, _ = run(first, "a.gif")
    assert first.drawn == 12 and len(list((tmp_path / "cache").glob("*.png"))) == 12
    b, cache = run(again, "b.gif")
    assert again.drawn == 0 and cache.hits == 12 and b.labels == a.labels
    assert (tmp_path / "a.gif").read_bytes() == (tmp_path / "b.gif").read_bytes()
    _, cache = run(later, "c.gif")  # a new report changes the last two days: only their frames are drawn
    assert later.drawn == 2 and cache.hits == 10
    assert len(list((tmp_path / "cache").glob("*.png"))) == 12  # the replaced frames are pruned


FFMPEG_CHILD = """
import sys, time
import numpy as np
from pathlib import Path
from tracker import animate

import subprocess
writer = animate._Mp4Writer(Path(sys.argv[1]), 4)
for _ in range(3):
    writer.append(np.zeros((64, 64, 3), np.uint8))
# a process that shares ffmpeg's input pipe: ffmpeg sees no end of input when this one dies
holder = subprocess.Popen(["sleep", "30"], pass_fds=[writer._proc.stdin.fileno()])
print(writer._proc.pid, writer.tmp, holder.pid, flush=True)
time.sleep(60)
"""


def _gone(pid: int, seconds: float = 5) -> bool:
    import os
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ")[1].startswith("Z"):  # a zombie: dead, waiting for its reaper
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.05)
    return False


def test_ffmpeg_dies_with_a_killed_parent_and_its_temp_is_swept(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    from tracker.fileio import write_atomic

    proc = subprocess.Popen([sys.executable, "-c", FFMPEG_CHILD, str(tmp_path / "a.mp4")], stdout=subprocess.PIPE,
                            text=True)
    try:
        pid, tmp, holder = proc.stdout.readline().split()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert _gone(int(pid))  # no ffmpeg left running
    finally:
        if proc.poll() is None:
            proc.kill()
        os.kill(int(holder), signal.SIGKILL)
    write_atomic(tmp_path / "b.txt", "next run")  # any later write into the folder
    assert not Path(tmp).exists() and sorted(p.name for p in tmp_path.iterdir()) == ["b.txt"]


def test_interrupted_mp4_kills_ffmpeg_at_once_and_leaves_nothing(tmp_path: Path) -> None:
    import numpy as np

    writer = animate._Mp4Writer(tmp_path / "a.mp4", 4)
    writer.append(np.zeros((64, 64, 3), np.uint8))
    pid = writer._proc.pid
    writer.abort()
    assert _gone(pid, 1) and list(tmp_path.iterdir()) == []
