"""tracker: war reporting in, a time-stamped, queryable map of who controls what out."""

__version__ = "0.1.0"
