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
