"""Test support: one real gazetteer per test session, built once into the build folder when stale."""

from __future__ import annotations


def built_gazetteer():
    """The real gazetteer, current with this code (built when missing or stale: about 15 s)."""
    import gazetteer

    return gazetteer.ensure_built()[0]
