"""Test support: one real gazetteer per test session (reused from build/ when it is current)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

_BUILT: dict[str, object] = {}


def _code_stamp() -> float:
    here = Path(__file__).parent
    files = list(here.glob("*.py")) + list((here / "data").glob("*"))
    return max(f.stat().st_mtime for f in files)


def built_gazetteer():
    """The real gazetteer: ``build/gazetteer`` when newer than the code and data, else a fresh build in a
    temporary folder (about 15 s)."""
    if "gaz" in _BUILT:
        return _BUILT["gaz"]
    import gazetteer
    from tracker import settings

    folder = settings.gazetteer_dir()
    meta = folder / "meta.json"
    fresh = meta.exists() and (folder / "places.parquet").exists() and meta.stat().st_mtime > _code_stamp()
    if fresh and json.loads(meta.read_text(encoding="utf-8")).get("schema") is not None:
        gaz = gazetteer.load(folder)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="gazetteer-test-"))
        gazetteer.build(out_dir=tmp)
        gaz = gazetteer.load(tmp)
    _BUILT["gaz"] = gaz
    return gaz
