"""The errors the gazetteer raises on purpose; anything else is a bug.

The gazetteer is a library: these classes are its own, so that it imports nothing from the
application that uses it. Each message is meant for a person and names what to do.
"""

from __future__ import annotations

from pathlib import Path


class GazetteerError(Exception):
    """Base class: an error with a message meant for the user."""


class InputError(GazetteerError):
    """A bad line in a source or data file, located by file and (where known) line."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class MissingDataError(GazetteerError):
    """A source file is absent, or the gazetteer has not been built (or its build is incomplete)."""
