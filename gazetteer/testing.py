"""Test support: one real gazetteer per test session, built once into a folder when stale."""

from __future__ import annotations

from pathlib import Path


def built_gazetteer(folder: str | Path, sources_dir: str | Path):
    """The real gazetteer in ``folder``, current with this code (built from ``sources_dir`` when missing,
    stale or damaged: about 15 s)."""
    import gazetteer

    return gazetteer.ensure_built(folder, sources_dir)[0]
