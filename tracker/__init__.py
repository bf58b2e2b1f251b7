"""tracker: war reporting in, a time-stamped, queryable map of who controls what out.

From Python::

    import tracker
    t = tracker.open("outputs/tracker.duckdb")
    t.control_on("2017-10-15")          # GeoDataFrame: every place's state that day
    t.history("Mayadin")                # every interval of its control, with the quotes
    t.changes("2017-10-01", "2017-10-31")
    t.map("2017-10-15", region="deir-ez-zor")   # matplotlib Figure

See ``docs/api.md`` (:mod:`tracker.api`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Tracker", "__version__", "open"]

if TYPE_CHECKING:
    from tracker.api import Tracker


def open(path: Any = None) -> Tracker:  # noqa: A001 (tracker.open, like io.open)
    """Open a tracker database for reading (default ``outputs/tracker.duckdb``): see :class:`tracker.api.Tracker`."""
    from tracker.api import Tracker

    return Tracker(path)


def __dir__() -> list[str]:
    return sorted(__all__)


def __getattr__(name: str) -> Any:
    # the API's class without importing geopandas and DuckDB for every ``import tracker``
    if name == "Tracker":
        from tracker.api import Tracker

        return Tracker
    raise AttributeError(f"module 'tracker' has no attribute {name!r}")
