"""The shared vocabularies (sides, actions, statuses, precision), read from ``data/vocab.toml``."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=None)
def data_file(name: str) -> dict[str, Any]:
    """A TOML data file of ``tracker/data`` (read once per process; treat it as read-only)."""
    with resources.files("tracker").joinpath("data", name).open("rb") as f:
        return tomllib.load(f)


def _vocab() -> dict[str, Any]:
    return data_file("vocab.toml")


def sides() -> list[str]:
    """Side names in display order."""
    return list(_vocab()["sides"])


def side_colour(side: str) -> str:
    """Hex colour of a side; ``unknown``'s colour for anything not in the vocabulary."""
    table = _vocab()["sides"]
    return table.get(side, table["unknown"])["colour"]


def side_label(side: str) -> str:
    """Human label of a side."""
    table = _vocab()["sides"]
    return table.get(side, {"label": side})["label"]


def allied(a: str | None, b: str | None) -> bool:
    """Whether two sides fight as one (``allies`` in ``vocab.toml``, either way round); a side is its own ally."""
    if a is None or b is None:
        return False
    if a == b:
        return True
    table = _vocab()["sides"]
    return b in table.get(a, {}).get("allies", []) or a in table.get(b, {}).get("allies", [])


def side_from_wikimap(code: str) -> str | None:
    """Side for a Wikipedia map side code (``gov``, ``opp``, ``SDF``, ``IS``, ``JaN``, ``Trk``)."""
    for name, entry in _vocab()["sides"].items():
        if code in entry.get("wikimap", []):
            return name
    return None


TERRITORIAL: frozenset[str] = frozenset(_vocab()["actions"]["territorial"])
CONTEXT: frozenset[str] = frozenset(_vocab()["actions"]["context"])
ACTIONS: tuple[str, ...] = tuple(_vocab()["actions"]["territorial"] + _vocab()["actions"]["context"])
CLAIM_STATUSES: tuple[str, ...] = tuple(_vocab()["claim_status"]["values"])
PLACE_STATUSES: tuple[str, ...] = tuple(_vocab()["place_status"]["values"])
DATE_PRECISIONS: tuple[str, ...] = tuple(_vocab()["precision"]["date"])
PLACE_PRECISIONS: tuple[str, ...] = tuple(_vocab()["precision"]["place"])
