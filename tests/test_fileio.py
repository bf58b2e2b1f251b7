import os
import stat

import pytest

from tracker.fileio import replacing, write_atomic


def test_write_atomic_gives_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        out = write_atomic(tmp_path / "a.txt", "سلام")
    finally:
        os.umask(old)
    assert out.read_text(encoding="utf-8") == "سلام"
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    out = tmp_path / "map.png"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with replacing(out) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("interrupted")
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]


def test_replacing_dir_swaps_whole_folders_and_cleans_up(tmp_path):
    from tracker.fileio import replacing_dir

    out = tmp_path / "viewer"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with replacing_dir(out) as tmp:
            (tmp / "index.html").write_text("half")
            raise RuntimeError("interrupted")
    assert [p.name for p in out.iterdir()] == ["old.txt"]          # the old folder, untouched
    with replacing_dir(out) as tmp:
        write_atomic(tmp / "index.html", "new")
    assert [p.name for p in out.iterdir()] == ["index.html"]       # the new folder whole, nothing of the old
    assert [p.name for p in tmp_path.iterdir()] == ["viewer"]      # no temp or old folder left beside it


def test_temp_files_of_dead_processes_are_swept_by_the_next_write(tmp_path):
    import subprocess
    import sys

    from tracker.fileio import sweep, temp_path

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    pid = int(dead.stdout)
    stray = tmp_path / f".map_syria.{pid}-abcd1234.png"
    wal = tmp_path / f".tracker.{pid}-abcd_123.duckdb.wal"
    mine = temp_path(tmp_path / "other.png")  # a live writer's: kept
    keep = tmp_path / ".hidden.png"
    for path in (stray, wal, keep):
        path.write_bytes(b"half")
    write_atomic(tmp_path / "map_syria.png", b"whole")
    assert not stray.exists() and not wal.exists() and mine.exists() and keep.exists()
    assert sweep(tmp_path) == []
