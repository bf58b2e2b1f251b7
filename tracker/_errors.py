"""The errors tracker raises on purpose; anything else is a bug."""

from __future__ import annotations

from pathlib import Path


class TrackerError(Exception):
    """Base class: an error with a message meant for the user."""


class InputError(TrackerError):
    """A bad input file or record, located by file and (where known) line."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class MissingDataError(TrackerError):
    """A required source or built artefact is absent; the message says what to run."""


class StoreError(TrackerError):
    """The database cannot be opened, is busy, or has an unknown schema."""
