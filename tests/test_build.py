"""The compiled extractor (setup.py, mypyc) and its guard against a stale build."""

import importlib.util
import os
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

import tracker
import tracker.extract
from gazetteer.testing import built_gazetteer
from tracker import settings
from tracker.ingest import read_reports


def test_newer_source_wins_over_a_stale_build(tmp_path):
    (tmp_path / "mod.py").write_text("WHERE = 'source'\n")
    stale = tmp_path / "mod.cpython-311-x86_64-linux-gnu.so"
    stale.write_bytes(b"not a real extension")
    os.utime(stale, (1, 1))  # built long before the source was edited
    try:
        assert tracker._prefer_newer_source("fakepkg_stale", tmp_path, "mod")
        assert sys.modules["fakepkg_stale.mod"].WHERE == "source"
    finally:
        sys.modules.pop("fakepkg_stale.mod", None)
    os.utime(tmp_path / "mod.py", (0, 0))  # now the build is the newer one: left to the import system
    assert not tracker._prefer_newer_source("fakepkg_fresh", tmp_path, "mod")
    assert "fakepkg_fresh.mod" not in sys.modules


def test_compiled_extractor_gives_the_claims_of_its_source():
    """Whichever module runs, the claims of the seeds are the plain source's, field for field."""
    if Path(tracker.extract.__file__).suffix == ".py":
        pytest.skip("the extractor is not compiled in this install (plain Python runs)")
    source = Path(tracker.__file__).parent / "extract.py"
    spec = importlib.util.spec_from_file_location("tracker_extract_plain", source)
    plain = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = plain  # dataclasses look their module up
    try:
        spec.loader.exec_module(plain)
    finally:
        sys.modules.pop(spec.name, None)
    gaz = built_gazetteer()
    reports = read_reports([settings.sources_dir() / "seeds"]).reports
    compiled_claims = [asdict(c) for r in reports for c in tracker.extract.extract_report(r, gaz)]
    plain_claims = [asdict(c) for r in reports for c in plain.extract_report(r, gaz)]
    assert len(compiled_claims) > 50
    assert compiled_claims == plain_claims
