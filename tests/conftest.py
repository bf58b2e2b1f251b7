"""Shared fixtures: a temporary database, the fixture reports, and the real sources directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker import settings, store

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Build the real gazetteer once, before collection (modules load it at import), when it is stale."""
    if (settings.sources_dir() / "geo").is_dir():
        import gazetteer

        gazetteer.ensure_built(settings.gazetteer_dir(), settings.sources_dir())


@pytest.fixture
def fixtures_dir() -> Path:
    """Small reports written for the ingest tests: one per format and language."""
    return FIXTURES / "ingest"


@pytest.fixture
def sources() -> Path:
    """The real sources directory (../shared); tests needing it skip when it is absent."""
    path = settings.sources_dir()
    if not (path / "seeds").is_dir():
        pytest.skip(f"sources directory {path} not found")
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh database file path."""
    return tmp_path / "tracker.duckdb"


@pytest.fixture
def con(db_path: Path):
    """A migrated read-write connection to a fresh database."""
    connection = store.connect(db_path)
    yield connection
    connection.close()
