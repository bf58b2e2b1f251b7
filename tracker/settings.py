"""Where tracker reads its sources and writes what it builds.

Every path has a default, an environment variable, and a ``configure()`` override
(which the CLI flags use). Values are read at call time, so tests can set the
environment or call ``configure`` and ``reset`` freely.

=====================  ==========================  =========================================
setting                environment variable        default
=====================  ==========================  =========================================
sources directory      ``TRACKER_SOURCES``         ``../shared`` from the repository root
build directory        ``TRACKER_BUILD``           ``build/`` in the repository root
outputs directory      ``TRACKER_OUTPUTS``         ``outputs/`` in the repository root
database file          ``TRACKER_DB``              ``<outputs>/tracker.duckdb``
worker processes       ``TRACKER_WORKERS``         every core this process may use
=====================  ==========================  =========================================

The sources directory holds ``geo/``, ``seeds/`` and ``corpus/`` (read-only); the
build directory holds the gazetteer and other derived data (git-ignored);
the outputs directory holds the database, maps, animations and reports.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root: the folder holding ``pyproject.toml`` next to this package.
REPO_ROOT: Path = Path(__file__).resolve().parent.parent

_overrides: dict[str, Path] = {}
_workers: list[int] = []


def configure(workers: int | None = None, **paths: str | os.PathLike | None) -> None:
    """Override settings for this process (``sources``, ``build``, ``outputs``, ``db``; ``workers``).

    A value of ``None`` leaves the setting as it was.
    """
    for key, value in paths.items():
        if key not in {"sources", "build", "outputs", "db"}:
            raise KeyError(f"unknown setting {key!r}")
        if value is not None:
            _overrides[key] = Path(value).expanduser()
    if workers is not None:
        _workers[:] = [_positive(workers, "workers")]


def reset() -> None:
    """Forget every ``configure`` override."""
    _overrides.clear()
    _workers.clear()


def _positive(value: object, name: str) -> int:
    from tracker._errors import InputError

    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number < 1:
        raise InputError(name, f"a number of worker processes must be a whole number of at least 1, not {value!r}")
    return number


def workers() -> int:
    """How many processes per-report work (the extraction) may use: ``configure(workers=N)`` (``--workers``),
    else ``TRACKER_WORKERS``, else every core this process may run on."""
    if _workers:
        return _workers[0]
    if os.environ.get("TRACKER_WORKERS"):
        return _positive(os.environ["TRACKER_WORKERS"], "TRACKER_WORKERS")
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _get(key: str, env: str, default: Path) -> Path:
    if key in _overrides:
        return _overrides[key]
    if os.environ.get(env):
        return Path(os.environ[env]).expanduser()
    return default


def sources_dir() -> Path:
    """The read-only sources directory (``geo/``, ``seeds/``, ``corpus/``)."""
    return _get("sources", "TRACKER_SOURCES", REPO_ROOT.parent / "shared")


def build_dir() -> Path:
    """The git-ignored folder for built data (the gazetteer, cell caches)."""
    return _get("build", "TRACKER_BUILD", REPO_ROOT / "build")


def outputs_dir() -> Path:
    """Where generated files land (database, maps, animations, sitreps)."""
    return _get("outputs", "TRACKER_OUTPUTS", REPO_ROOT / "outputs")


def db_path() -> Path:
    """The DuckDB database file."""
    return _get("db", "TRACKER_DB", outputs_dir() / "tracker.duckdb")


def geo_dir() -> Path:
    """Gazetteer and base-map sources inside the sources directory."""
    return sources_dir() / "geo"


def gazetteer_dir() -> Path:
    """Where ``tracker gazetteer build`` writes the gazetteer."""
    return build_dir() / "gazetteer"


def require_sources(*parts: str) -> Path:
    """The sources directory (or a path inside it), or a clear error saying where to put it."""
    from tracker._errors import MissingDataError

    path = sources_dir().joinpath(*parts)
    if not path.exists():
        raise MissingDataError(
            f"{path} not found: put the sources directory (with geo/, seeds/, corpus/) at {sources_dir()}, "
            "or point TRACKER_SOURCES or --sources at it"
        )
    return path


def default_inputs() -> list[Path]:
    """The inputs ``tracker run`` uses when given no path: the seeds, the Wikipedia campaign articles and the
    news excerpts (``corpus/news/reports.jsonl``: the folder's labels and events are not reports)."""
    return [require_sources("seeds"), require_sources("corpus", "wikipedia", "articles"),
            require_sources("corpus", "news", "reports.jsonl")]
