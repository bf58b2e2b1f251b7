"""The gazetteer's build on disk: never half-trusted, rebuilt when cut short, strays of killed builds removed.

A real build takes ~15 s: these tests stand in a fake build that copies the session's real one, so they
test the mechanics (temp folder, manifest, lock, sweep) in a second.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import gazetteer
from gazetteer.errors import MissingDataError
from tracker import settings


@pytest.fixture
def real_build(sources, monkeypatch) -> Path:
    """The session's real build (conftest makes it); loads in these tests make a light stand-in
    for the index, in a cache of their own."""
    folder = settings.gazetteer_dir()
    if gazetteer.check(folder) is not None:
        gazetteer.ensure_built(folder, sources)
    monkeypatch.setattr(gazetteer, "_CACHE", {})
    monkeypatch.setattr(gazetteer, "Gazetteer", lambda places, meta: SimpleNamespace(places=places, meta=meta))
    return folder


@pytest.fixture
def fake_build(monkeypatch, real_build):
    """``gazetteer.build.build`` replaced by a copy of the real build's files; counts its calls."""
    calls = []

    def build(sources_dir, out_dir, progress=False):
        calls.append(Path(out_dir))
        for name in gazetteer.BUILD_FILES:
            shutil.copy(real_build / name, Path(out_dir) / name)
        return json.loads((real_build / "meta.json").read_text(encoding="utf-8"))

    monkeypatch.setattr(gazetteer._build_module, "build", build)
    return calls


def test_truncated_places_file_is_refused_then_rebuilt(tmp_path, fake_build, real_build):
    folder = tmp_path / "gaz"
    shutil.copytree(real_build, folder)
    data = (folder / "places.parquet").read_bytes()
    (folder / "places.parquet").write_bytes(data[: len(data) // 2])  # what a kill during the write leaves
    with pytest.raises(MissingDataError, match="incomplete or damaged.*places.parquet"):
        gazetteer.load(folder)
    assert gazetteer.check(folder) is not None
    gaz, built = gazetteer.ensure_built(folder, tmp_path)
    assert built and len(fake_build) == 1 and len(gaz.places) > 1000
    assert gazetteer.check(folder) is None
    assert gazetteer.ensure_built(folder, tmp_path)[1] is False  # whole now: loaded, not built again


def test_build_without_manifest_is_not_trusted(tmp_path, fake_build, real_build):
    folder = tmp_path / "gaz"
    shutil.copytree(real_build, folder)
    (folder / gazetteer.MANIFEST).unlink()  # as an older version, or a build killed before its last file
    with pytest.raises(MissingDataError, match="manifest"):
        gazetteer.load(folder)
    assert gazetteer.ensure_built(folder, tmp_path)[1] is True


def test_build_by_other_code_is_rebuilt(tmp_path, fake_build, real_build):
    folder = tmp_path / "gaz"
    shutil.copytree(real_build, folder)
    manifest = json.loads((folder / gazetteer.MANIFEST).read_text())
    (folder / gazetteer.MANIFEST).write_text(json.dumps({**manifest, "code_hash": "other"}))
    assert gazetteer.check(folder) == "built by other gazetteer code"
    assert len(gazetteer.load(folder).places) > 1000  # still readable: whole, only older
    assert gazetteer.ensure_built(folder, tmp_path)[1] is True


def test_strays_of_killed_builds_are_removed_by_the_next(tmp_path, fake_build):
    folder = tmp_path / "gaz"
    strays = [tmp_path / ".gaz.building-x1", tmp_path / "gaz.building-old2", tmp_path / ".gaz.old-x3"]
    for stray in strays:
        stray.mkdir()
        (stray / "places.parquet").write_bytes(b"PAR1 half")
    gazetteer.build(tmp_path, folder)
    assert not any(s.exists() for s in strays)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gaz.lock", "gaz"]
    mask = os.umask(0)
    os.umask(mask)
    assert folder.stat().st_mode & 0o777 == 0o777 & ~mask  # not the temp folder's private mode


def test_failed_build_leaves_the_old_one_and_no_temp_folder(tmp_path, monkeypatch, real_build):
    folder = tmp_path / "gaz"
    shutil.copytree(real_build, folder)

    def broken(sources_dir, out_dir, progress=False):
        (Path(out_dir) / "places.parquet").write_bytes(b"PAR1")
        raise MissingDataError("gazetteer source missing: geo/x.csv")

    monkeypatch.setattr(gazetteer._build_module, "build", broken)
    with pytest.raises(MissingDataError):
        gazetteer.build(tmp_path, folder)
    assert gazetteer.check(folder) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gaz.lock", "gaz"]


def test_build_killed_mid_write_leaves_the_old_build_whole(tmp_path, real_build):
    """kill -9 while the build writes: the gazetteer in place is untouched; the next build sweeps the rest."""
    folder = tmp_path / "gaz"
    shutil.copytree(real_build, folder)
    before = (folder / "places.parquet").read_bytes()
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        import gazetteer

        def slow(sources_dir, out_dir, progress=False):
            (Path(out_dir) / "places.parquet").write_bytes(b"PAR1" + b"x" * 1000)
            print("writing", flush=True)
            time.sleep(60)

        gazetteer._build_module.build = slow
        gazetteer.build({str(tmp_path)!r}, {str(folder)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (folder / "places.parquet").read_bytes() == before
    assert gazetteer.check(folder) is None
    assert any(p.name.startswith(".gaz.building-") for p in tmp_path.iterdir())
    t0 = time.monotonic()
    with gazetteer._build_lock(folder):  # the killed build's lock died with it: no wait
        assert time.monotonic() - t0 < 5
        gazetteer._sweep(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gaz.lock", "gaz"]


def test_gazetteer_is_a_library_importing_nothing_from_tracker():
    modules = sorted(p.stem for p in Path(gazetteer.__file__).parent.glob("*.py") if p.stem != "__init__")
    code = ("import sys, importlib\n"
            f"for name in {modules!r}: importlib.import_module('gazetteer.' + name)\n"
            "print(sorted(m for m in sys.modules if m == 'tracker' or m.startswith('tracker.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
