"""Geometry for the viewer's data file: lon/lat as integers (:data:`SCALE` per degree), delta-coded per ring.

A ring or line is one flat list ``[x0, y0, dx1, dy1, dx2, dy2, ...]``: the first point in units of
``1 / SCALE`` degree, every later one as the step from the point before (small numbers: short JSON). A polygon is
a list of rings (outer first, then holes), a multipolygon a list of polygons; a (multi)line a list of lines. The
page decodes them once at load (``decodeRing`` in ``static/viewer.js``).

Neighbouring cells share their edges exactly (the cells are a clean coverage, simplified as one by
:func:`shapely.coverage_simplify`), and rounding the same vertex gives the same integers, so the decoded cells
still meet without gaps.
"""

from __future__ import annotations

import numpy as np
import shapely

#: Integer units per degree: 1e-4 degree is about 11 m, far below what a screen shows at the viewer's zooms.
SCALE: int = 10_000


def _quantised(coords: np.ndarray, closed: bool) -> np.ndarray:
    """The points as integer units, without repeated points (nor the closing point of a ring)."""
    q = np.rint(np.asarray(coords)[:, :2] * SCALE).astype(np.int64)
    if len(q) > 1:
        keep = np.ones(len(q), bool)
        keep[1:] = np.any(q[1:] != q[:-1], axis=1)
        q = q[keep]
    if closed and len(q) > 1 and (q[0] == q[-1]).all():
        q = q[:-1]
    return q


def _delta(q: np.ndarray) -> list[int]:
    return np.vstack([q[:1], np.diff(q, axis=0)]).ravel().tolist()


def encode_polygon(geom: shapely.Geometry) -> list[list[list[int]]]:
    """A (multi)polygon in lon/lat as a list of polygons, each a list of delta-coded rings; rings that collapse to
    fewer than three points at this precision are dropped (and so are polygons that lose their outer ring)."""
    out = []
    for part in shapely.get_parts(geom):
        if not isinstance(part, shapely.Polygon) or part.is_empty:
            continue
        rings = []
        for k, ring in enumerate([part.exterior, *part.interiors]):
            q = _quantised(shapely.get_coordinates(ring), closed=True)
            if len(q) >= 3:
                rings.append(_delta(q))
            elif k == 0:
                break
        if rings:
            out.append(rings)
    return out


def encode_lines(geom: shapely.Geometry) -> list[list[int]]:
    """A (multi)line in lon/lat as a list of delta-coded lines of at least two points."""
    out = []
    for part in shapely.get_parts(shapely.line_merge(geom) if geom.geom_type == "MultiLineString" else geom):
        if part.is_empty or part.geom_type not in ("LineString", "LinearRing"):
            continue
        q = _quantised(shapely.get_coordinates(part), closed=False)
        if len(q) >= 2:
            out.append(_delta(q))
    return out


def encode_point(lon: float, lat: float) -> list[int]:
    """A point as ``[x, y]`` in integer units."""
    return [int(round(lon * SCALE)), int(round(lat * SCALE))]


def decode_ring(flat: list[int]) -> np.ndarray:
    """The inverse of the ring encoding: an (n, 2) array of lon/lat (what the page does, for tests)."""
    q = np.asarray(flat, dtype=np.int64).reshape(-1, 2).cumsum(axis=0)
    return q / SCALE
