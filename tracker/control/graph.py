"""Which places are next to which: the ground around a place, for the evidence rules and the inference.

Two places are *neighbours* when their Voronoi cells touch (the edges of the Delaunay triangulation of the
places' points: the same cells the polygons draw), and *near* when they are neighbours or within
:data:`NEAR_KM` of each other. "A side holds ground next to P" means it holds (or fights in) a place near P.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import shapely

from tracker.vocab import allied

#: Places closer than this (km) are near each other even when other cells lie between them: a force at the
#: edge of a town holds ground within a few villages of it.
NEAR_KM: float = 15.0
#: A pocket has at most this many settlements: beyond, it is a front, not a pocket.
POCKET_MAX_PLACES: int = 80
_LAT0, _LON0 = 35.0, 38.5  # the projection centre: Syria's middle


def local_xy(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular km around Syria's middle (good to a few per cent over the country: enough for "near")."""
    return (np.radians(np.asarray(lon, float) - _LON0) * 6371.0 * np.cos(np.radians(_LAT0)),
            np.radians(np.asarray(lat, float) - _LAT0) * 6371.0)


class Neighbours:
    """The neighbour and near relations of a set of places with point coordinates.

    Parameters
    ----------
    places
        Indexed by ``place_id`` with ``lat`` and ``lon`` (places without them have no neighbours).
    near_km
        See :data:`NEAR_KM`.
    """

    def __init__(self, places: pd.DataFrame, near_km: float = NEAR_KM) -> None:
        pts = places[places["lat"].notna() & places["lon"].notna()]
        if "coord_precision" in pts:
            pts = pts[pts["coord_precision"].isin(["point"]) | pts["coord_precision"].isna()]
        self.ids = pts.index.to_numpy(object)
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        x, y = local_xy(pts["lat"].to_numpy(float), pts["lon"].to_numpy(float))
        key = pd.Series(list(zip(np.round(x, 3), np.round(y, 3))))
        x = x + key.groupby(key).cumcount().to_numpy() * 0.003  # 3 m apart: each duplicate keeps its own node
        self.x, self.y = x, y
        n = len(self.ids)
        pairs = self._delaunay_pairs(x, y)
        touch: list[set[int]] = [set() for _ in range(n)]
        for a, b in pairs:
            touch[a].add(b)
            touch[b].add(a)
        self.touching = [np.array(sorted(s), dtype=np.int64) for s in touch]
        near = [set(s) for s in touch]
        if n:
            pts_geom = shapely.points(x, y)
            a, b = shapely.STRtree(pts_geom).query(pts_geom, predicate="dwithin", distance=near_km)
            for i, j in zip(a, b):
                if i != j:
                    near[i].add(int(j))
        self.near = [np.array(sorted(s), dtype=np.int64) for s in near]
        # places at the edge of the map: by a foreign border (the gazetteer's ``border``), or on the hull of the
        # points; a group of places reaching one is open to the outside, not a pocket
        edge = pts["border"].notna().to_numpy() if "border" in pts else np.zeros(n, dtype=bool)
        if n >= 3:
            hull = shapely.boundary(shapely.convex_hull(shapely.multipoints(shapely.points(x, y))))
            edge = edge | (shapely.distance(shapely.points(x, y), hull) <= 0.01)
        self.edge = edge

    @staticmethod
    def _delaunay_pairs(x: np.ndarray, y: np.ndarray) -> list[tuple[int, int]]:
        if len(x) < 2:
            return []
        if len(x) == 2:
            return [(0, 1)]
        lookup = {(round(float(a), 6), round(float(b), 6)): i for i, (a, b) in enumerate(zip(x, y))}
        edges = shapely.delaunay_triangles(shapely.multipoints(shapely.points(x, y)), only_edges=True)
        coords = shapely.get_coordinates(shapely.get_parts(edges)).reshape(-1, 2, 2)
        out = []
        for (x0, y0), (x1, y1) in coords:
            a = lookup.get((round(float(x0), 6), round(float(y0), 6)))
            b = lookup.get((round(float(x1), 6), round(float(y1), 6)))
            if a is not None and b is not None and a != b:
                out.append((a, b))
        return out

    def touching_ids(self, place_id: str) -> list[str]:
        """The places whose cells touch ``place_id``'s."""
        i = self.index.get(place_id)
        return [] if i is None else list(self.ids[self.touching[i]])

    def near_ids(self, place_id: str) -> list[str]:
        """The places near ``place_id`` (touching, or within :data:`NEAR_KM`)."""
        i = self.index.get(place_id)
        return [] if i is None else list(self.ids[self.near[i]])

    def side_near(self, place_id: str, side: str, state: Mapping) -> bool:
        """Whether ``side`` (or an ally, ``vocab.toml``) holds, or fights in, a place near ``place_id`` (or
        ``place_id`` itself) in ``state`` (place id -> an object with ``side``, ``status`` and ``other_side``)."""
        own = state.get(place_id)
        if own is not None and (allied(own.side, side) or allied(own.other_side, side)):
            return True
        i = self.index.get(place_id)
        if i is None:
            return True  # a place without a point: nothing to check against
        for j in self.near[i]:
            s = state.get(self.ids[j])
            if s is not None and (allied(s.side, side) or (s.status == "contested" and allied(s.other_side, side))):
                return True
        return False

    def side_around(self, place_id: str, state: Mapping, exclude: set[str]) -> str | None:
        """The side holding most of the places whose cells touch ``place_id``'s, leaving out ``exclude``."""
        counts = Counter(s.side for s in (state.get(p) for p in self.touching_ids(place_id))
                         if s is not None and s.side not in exclude and s.side != "unknown")
        return counts.most_common(1)[0][0] if counts else None


def ring_pocket(neighbours: Neighbours, start: int, ring: str, side_of: Mapping[str, str | None],
                max_places: int = POCKET_MAX_PLACES) -> list[int] | None:
    """The pocket ``ring`` encloses around place ``start`` (an index): the places connected to it through touching
    cells none of which ``ring`` or an ally holds; None when ``start`` is ``ring``'s, when the group has more than
    ``max_places`` places (a front, not a pocket), reaches the edge of the map (a foreign border: open to the
    outside), or touches no place of ``ring``'s. ``side_of``: place id -> side."""
    if allied(side_of.get(neighbours.ids[start]), ring):
        return None
    seen, todo, bounded = {start}, [start], False
    while todo:
        a = todo.pop()
        if neighbours.edge[a]:
            return None
        for j in neighbours.touching[a]:
            j = int(j)
            if allied(side_of.get(neighbours.ids[j]), ring):
                bounded = True
            elif j not in seen:
                seen.add(j)
                todo.append(j)
                if len(seen) > max_places:
                    return None
    return sorted(seen) if bounded else None


def encircled(neighbours: Neighbours, side_of: Mapping[str, str | None], max_places: int = POCKET_MAX_PLACES
              ) -> dict[str, str]:
    """Every place that lies in a pocket (:func:`ring_pocket`), and the side around it."""
    out: dict[str, str] = {}
    sides = {s for s in side_of.values() if s not in (None, "unknown")}
    for ring in sorted(sides):
        done: set[int] = set()
        for i in range(len(neighbours.ids)):
            if i in done or allied(side_of.get(neighbours.ids[i]), ring):
                continue
            members = ring_pocket(neighbours, i, ring, side_of, max_places)
            if members is None:  # a front: mark the ground walked so as not to walk it again
                done.update(_walk(neighbours, i, ring, side_of))
                continue
            done.update(members)
            out.update((neighbours.ids[m], ring) for m in members)
    return out


def _walk(neighbours: Neighbours, start: int, ring: str, side_of: Mapping[str, str | None]) -> set[int]:
    """Every place connected to ``start`` through cells that ``ring`` and its allies do not hold."""
    seen, todo = {start}, [start]
    while todo:
        a = todo.pop()
        for j in neighbours.touching[a]:
            j = int(j)
            if j not in seen and not allied(side_of.get(neighbours.ids[j]), ring):
                seen.add(j)
                todo.append(j)
    return seen


def groups(n: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The connected groups of items ``0..n-1`` joined by ``pairs`` (union-find), each in ascending order."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        parent[root(int(a))] = root(int(b))
    out: dict[int, list[int]] = {}
    for i in range(n):
        out.setdefault(root(i), []).append(i)
    return list(out.values())
