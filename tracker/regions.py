"""Map regions by name: all of Syria, each governorate, a "front" that zooms to where things change, or a bbox.

A region is only a box (W, S, E, N) in degrees; the renderer widens it to the figure's aspect.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from tracker import basemap
from tracker._errors import TrackerError

BBox = tuple[float, float, float, float]


class RegionError(TrackerError):
    """An unknown region name or a malformed bounding box."""


@dataclass(frozen=True)
class Region:
    """A named view: ``name`` for titles and file names, ``bbox`` as (W, S, E, N) in degrees."""

    name: str
    bbox: BBox
    label: str = ""

    @property
    def span(self) -> float:
        """Width of the box in degrees of longitude."""
        return self.bbox[2] - self.bbox[0]


def _norm(name: str) -> str:
    # "Deir ez-Zor", "deir_ez_zor", "DEIR-EZ-ZOR" -> "deirezzor"; Arabic kept as written.
    text = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\W_]+", "", text)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold().replace("'", "")).strip("-")


def _pad(bbox: BBox, pad: float) -> BBox:
    w, s, e, n = bbox
    return (w - pad, s - pad, e + pad, n + pad)


def names() -> list[str]:
    """The region names accepted by :func:`region` (besides aliases): syria, front, and each governorate."""
    return ["syria", "front"] + [_slug(n) for n in basemap.load().governorates["adm1_en"]]


def parse_bbox(text: str) -> Region:
    """A region from ``"W,S,E,N"`` (degrees).

    Raises
    ------
    RegionError
        Not four numbers, or west >= east, or south >= north, or outside the globe.
    """
    parts = [p.strip() for p in text.split(",")]
    try:
        w, s, e, n = (float(p) for p in parts)
    except ValueError:
        raise RegionError(f"--bbox wants four numbers W,S,E,N in degrees, got {text!r}") from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise RegionError(f"--bbox {text!r}: need west < east and south < north, within the globe")
    return Region("bbox", (w, s, e, n))


def front_region(points: Iterable[tuple[float, float]]) -> Region:
    """The box around where things change: ``points`` are (lon, lat); all of Syria when there are none."""
    cfg = basemap.style()["regions"]
    pts = [(float(x), float(y)) for x, y in points if x == x and y == y]  # drop NaN
    if not pts:
        return Region("front", basemap.syria_bounds())
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    w, s, e, n = _pad((min(xs), min(ys), max(xs), max(ys)), cfg["front_pad"])
    # Never zoom so far that a single village fills the frame.
    half = cfg["front_min_span"] / 2
    cx, cy = (w + e) / 2, (s + n) / 2
    w, e = min(w, cx - half), max(e, cx + half)
    s, n = min(s, cy - half), max(n, cy + half)
    return Region("front", (w, s, e, n))


def region(name: str, points: Iterable[tuple[float, float]] = ()) -> Region:
    """A region by name: ``syria`` (or ``all``), ``front``, or a governorate (English or Arabic, any spelling).

    Parameters
    ----------
    name
        The region's name.
    points
        (lon, lat) of the changes, used by ``front`` only.

    Raises
    ------
    RegionError
        If the name is not known.
    """
    key = _norm(name)
    if key == "front":
        return front_region(points)
    target = basemap.style()["regions"]["aliases"].get(key)
    if target == "*":
        return Region("syria", basemap.syria_bounds())
    govs = basemap.load().governorates
    for _, row in govs.iterrows():
        if key in {_norm(row["adm1_en"]), _norm(row["adm1_ar"]), _norm(row["adm1_pcode"])} or target == row["adm1_en"]:
            bbox = _pad(tuple(float(v) for v in row.geometry.bounds), basemap.style()["regions"]["pad"])
            return Region(_slug(row["adm1_en"]), bbox, f'{row["adm1_en"]} governorate')  # type: ignore[arg-type]
    raise RegionError(f"unknown region {name!r}; known: {', '.join(names())} (or --bbox W,S,E,N)")
