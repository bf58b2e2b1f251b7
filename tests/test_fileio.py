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
