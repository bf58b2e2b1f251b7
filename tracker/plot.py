"""Draw a :class:`~tracker.frames.Frame` as a map: ``tracker map``.

A :class:`MapCanvas` is one figure for one region. It renders the static base once, in two raster layers:
what lies under the control polygons (sea, neighbours, Syria's fill, the side panel) and what lies over them
(governorate borders, the Euphrates, Lake Assad, towns, legend, scale bar). Each frame then restores the
under-layer, draws the day's polygons, front lines and besieged rings, pastes the over-layer, and adds the
day's change labels and text. Animations reuse one canvas for every frame (see :mod:`tracker.animate`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never open a window; the renderer writes pixels

import numpy as np
import shapely
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox, offset_copy
from functools import lru_cache

import pandas as pd
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from tracker import basemap, vocab
from tracker.fileio import replacing
from tracker.frames import Frame
from tracker.regions import Region

#: Sides always in the legend (the Wikipedia map's); others join when a frame shows them.
LEGEND_SIDES: tuple[str, ...] = ("government", "opposition", "sdf", "isis", "hts", "turkey")
BASE_CREDIT = "Base map: OCHA (CC BY 3.0 IGO), Natural Earth"


@dataclass
class RenderResult:
    """What one rendered frame shows, for tests and callers.

    Attributes
    ----------
    labels : list of str
        Every change text drawn (on the map and in the side panel).
    map_labels : list of str
        Change labels placed on the map (the rest did not fit without overlapping).
    title : str
        The title text (the date).
    size : tuple of int
        (width, height) in pixels.
    """

    labels: list[str] = field(default_factory=list)
    map_labels: list[str] = field(default_factory=list)
    title: str = ""
    size: tuple[int, int] = (0, 0)


# --- geometry to matplotlib paths -------------------------------------------------------------------------

class _PathCache:
    """Paths of the geometry objects seen in the last frame: a layer that did not change keeps its object, and
    its conversion is reused. Holding the geometry keeps its ``id`` from being recycled."""

    def __init__(self) -> None:
        self.last: dict[int, tuple[Any, MplPath | None]] = {}
        self.now: dict[int, tuple[Any, MplPath | None]] = {}

    def get(self, geom: Any) -> MplPath | None:
        key = id(geom)
        hit = self.now.get(key) or self.last.get(key)
        if hit is None or hit[0] is not geom:
            hit = (geom, _geom_to_path(geom))
        self.now[key] = hit
        return hit[1]

    def next_frame(self) -> None:
        self.last, self.now = self.now, {}


def geoms_to_paths(geoms: Iterable[Any], cache: _PathCache | None = None) -> list[MplPath]:
    """One compound path per (multi)polygon or (multi)line geometry; holes kept, empties skipped."""
    paths = []
    for geom in geoms:
        path = cache.get(geom) if cache is not None else _geom_to_path(geom)
        if path is not None:
            paths.append(path)
    return paths


def _geom_to_path(geom: Any) -> MplPath | None:
    if geom is None or shapely.is_empty(geom):
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
        # Exteriors counter-clockwise, holes clockwise: Agg's non-zero fill then leaves the holes empty.
        polys = shapely.get_parts(shapely.orient_polygons(geom))
        parts = shapely.get_rings(polys[shapely.get_type_id(polys) == 3])
        closed = True
    else:
        parts = shapely.get_parts(geom)
        closed = False
    if len(parts) == 0:
        return None
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    starts = np.r_[0, np.flatnonzero(np.diff(idx)) + 1]
    codes[starts] = MplPath.MOVETO
    if closed:
        codes[np.r_[starts[1:] - 1, len(coords) - 1]] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def _lighten(colour: str, amount: float) -> tuple[float, float, float]:
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    return tuple(rgb + (1 - rgb) * amount)


def _halo(colour: str) -> list:
    """A stroke around text so it reads on any fill."""
    from matplotlib.patheffects import withStroke

    return [withStroke(linewidth=2.6, foreground=colour)]


def _blend(colour: str, under: str, alpha: float) -> tuple[float, float, float]:
    """``colour`` at ``alpha`` over ``under``, as one opaque colour."""
    top, bottom = np.array(matplotlib.colors.to_rgb(colour)), np.array(matplotlib.colors.to_rgb(under))
    return tuple(top * alpha + bottom * (1 - alpha))


def _split_side(side: str) -> tuple[str, str | None]:
    first, _, second = str(side).partition("|")
    return first, (second or None)


# --- the canvas -------------------------------------------------------------------------------------------

class MapCanvas:
    """One figure for one region; :meth:`draw` renders a frame into it, reusing the static base.

    Parameters
    ----------
    region
        What to show.
    legend_sides
        Sides listed in the legend besides :data:`LEGEND_SIDES`.
    subtitle
        A line under the date (default: the region's name).
    scale
        Pixels per pixel of the configured size, the layout unchanged (2 for print).
    follow
        An animation's canvas: the legend explains fading highlights and the trail of earlier changes.
    """

    def __init__(self, region: Region, legend_sides: Sequence[str] = (), subtitle: str | None = None,
                 scale: float = 1.0, follow: bool = False) -> None:
        self.style = basemap.style()
        self.region = region
        self.scale = scale
        self.follow = follow
        fig_cfg = self.style["figure"]
        self.size = (round(fig_cfg["width_px"] * scale), round(fig_cfg["height_px"] * scale))
        dpi = fig_cfg["dpi"] * scale
        matplotlib.rcParams["font.family"] = fig_cfg["font"]
        self.fig = Figure(figsize=(self.size[0] / dpi, self.size[1] / dpi), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes(fig_cfg["map_axes"])
        self.panel = self.fig.add_axes(fig_cfg["panel_axes"])
        self.panel.set_axis_off()
        self._legend_sides = list(dict.fromkeys([*LEGEND_SIDES, *legend_sides]))
        self._subtitle = subtitle if subtitle is not None else self._region_title(region)
        self._set_view()
        self._under: list[Artist] = []
        self._over: list[Artist] = []
        self._occupied: list[Bbox] = []  # display boxes taken by static labels
        self._bg = None
        self._overlay = None
        self._dynamic: list[Artist] = []
        self._paths = _PathCache()

    @staticmethod
    def _region_title(region: Region) -> str:
        return {"syria": "Syria: who controls what", "bbox": "Syria (detail)",
                "front": "Syria: where the front moved"}.get(region.name, f"Syria: {region.label}")

    # geometry of the view ------------------------------------------------------------------------------
    def _set_view(self) -> None:
        # Equirectangular at the view's mid-latitude: widen the box to the axes' pixel aspect.
        w, s, e, n = self.region.bbox
        self.coslat = math.cos(math.radians((s + n) / 2))
        ax_w = self.fig.get_figwidth() * self.fig.dpi * self.style["figure"]["map_axes"][2]
        ax_h = self.fig.get_figheight() * self.fig.dpi * self.style["figure"]["map_axes"][3]
        want = ax_w / ax_h
        dx, dy = (e - w) * self.coslat, n - s
        if dx / dy < want:
            extra = (dy * want - dx) / self.coslat / 2
            w, e = w - extra, e + extra
        else:
            extra = (dx / want - dy) / 2
            s, n = s - extra, n + extra
        self.view = (w, s, e, n)
        self.ax.set_xlim(w, e)
        self.ax.set_ylim(s, n)
        self.ax.set_aspect("auto")
        self.ax.set_xticks([])
        self.ax.set_yticks([])
        for spine in self.ax.spines.values():
            spine.set_edgecolor("#888888")
            spine.set_linewidth(0.8)

    def _deg_per_px(self) -> float:
        return (self.view[2] - self.view[0]) / self.ax.bbox.width

    # static layers -------------------------------------------------------------------------------------
    def _collection(self, geoms: Iterable[Any], **kwargs: Any) -> PathCollection:
        col = PathCollection(geoms_to_paths(geoms), **kwargs)
        self.ax.add_collection(col, autolim=False)
        return col

    def _build_static(self) -> None:
        base = basemap.load()
        c, lw, fs = self.style["colours"], self.style["lines"], self.style["font_size"]
        self.ax.set_facecolor(c["sea"])
        self.fig.patch.set_facecolor("white")
        view = shapely.box(*self.view)
        self._under += [
            self._collection(base.countries.geometry, facecolors=c["neighbour"], edgecolors=c["neighbour_edge"],
                             linewidths=0.6, zorder=1),
            self._collection(base.outline.geometry, facecolors=c["syria"], edgecolors="none", zorder=1),
        ]
        self._over += [
            self._collection(base.governorates.geometry, facecolors="none", edgecolors=c["governorate_edge"],
                             linewidths=lw["governorate"], linestyles=(0, (4, 2)), zorder=3),
            self._collection(base.outline.geometry, facecolors="none", edgecolors=c["syria_edge"],
                             linewidths=lw["syria"], zorder=3),
            self._collection(base.lakes.geometry, facecolors=c["water"], edgecolors=c["water"], linewidths=0.5,
                             zorder=3),
            self._collection(base.rivers.geometry, facecolors="none", edgecolors=c["water"],
                             linewidths=lw["river"], zorder=3),
        ]
        renderer = self.canvas.get_renderer()
        self._draw_scale_bar()
        self._place_neighbour_names(base, view, renderer)
        self._place_towns(base, renderer)
        self._draw_water_names(renderer)
        self._draw_legend()

    def _free(self, box: Bbox, taken: Sequence[Bbox]) -> bool:
        inside = self.ax.bbox.padded(-2)
        if not (inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1):
            return False
        return not any(box.overlaps(t) for t in taken)

    def _place_text(self, x: float, y: float, text: str, renderer, taken: list[Bbox],
                    offsets: Sequence[tuple[float, float, str, str]], **kwargs: Any):
        """Try each (dx, dy, ha, va) offset in points; keep the first that overlaps nothing in ``taken``."""
        for dx, dy, ha, va in offsets:
            artist = self.ax.text(x, y, text, ha=ha, va=va, transform=offset_copy(
                self.ax.transData, fig=self.fig, x=dx, y=dy, units="points"), **kwargs)
            box = artist.get_window_extent(renderer).padded(2)
            if self._free(box, taken):
                taken.append(box)
                return artist
            artist.remove()
        return None

    def _place_neighbour_names(self, base: basemap.BaseLayers, view, renderer) -> None:
        c, fs = self.style["colours"], self.style["font_size"]
        view_area = shapely.area(view)
        for name, geom in zip(base.countries["name"], base.countries.geometry):
            part = shapely.intersection(geom, view)
            if part.is_empty or part.area < 0.02 * view_area:
                continue
            biggest = max(shapely.get_parts(part), key=lambda g: g.area)
            spot = shapely.ops.polylabel(biggest, tolerance=0.02) if biggest.geom_type == "Polygon" else biggest.centroid
            label = self._place_text(spot.x, spot.y, name.upper(), renderer, self._occupied,
                                     [(0, 0, "center", "center")], fontsize=fs["neighbour"], color=c["neighbour_label"],
                                     fontstyle="italic", zorder=4, path_effects=_halo(c["neighbour"]))
            if label is not None:
                self._over.append(label)

    def _place_towns(self, base: basemap.BaseLayers, renderer) -> None:
        c, fs = self.style["colours"], self.style["font_size"]
        w, s, e, n = self.view
        show_minor = (e - w) < self.style["labels"]["minor_town_span"]
        towns = base.towns[(base.towns["lon"].between(w, e)) & (base.towns["lat"].between(s, n))]
        towns = towns[(towns["rank"] == 1) | show_minor].sort_values("rank")
        halo = _halo(c["town_halo"])
        offsets = [(5, 0, "left", "center"), (-5, 0, "right", "center"), (0, 5, "center", "bottom"),
                   (0, -5, "center", "top"), (5, 5, "left", "bottom"), (-5, -5, "right", "top")]
        for town in towns.itertuples():
            size = fs["town_major"] if town.rank == 1 else fs["town_minor"]
            dot = Line2D([town.lon], [town.lat], marker="s" if town.rank == 1 else "o", ms=4 if town.rank == 1 else 3,
                         color=c["town"], mec="white", mew=0.7, zorder=5, linestyle="none")
            label = self._place_text(town.lon, town.lat, f"{town.en}  {town.ar}", renderer, self._occupied, offsets,
                                     fontsize=size, color=c["town"], path_effects=halo, zorder=5,
                                     fontweight="bold" if town.rank == 1 else "normal")
            self.ax.add_line(dot)
            self._over.append(dot)
            # The dot itself is occupied too: change labels must not cover it.
            px, py = self.ax.transData.transform((town.lon, town.lat))
            self._occupied.append(Bbox.from_extents(px - 4, py - 4, px + 4, py + 4))
            if label is not None:
                self._over.append(label)

    def _draw_water_names(self, renderer) -> None:
        base = basemap.load()
        c = self.style["colours"]
        view = shapely.box(*self.view)
        lake = shapely.intersection(base.lakes.geometry.union_all(), view) if len(base.lakes) else None
        if lake is not None and not lake.is_empty and lake.area > 0:
            p = lake.centroid
            label = self._place_text(p.x, p.y, "Lake Assad", renderer, self._occupied,
                                     [(0, -8, "center", "top"), (0, 8, "center", "bottom"), (12, -4, "left", "top"),
                                      (-12, 4, "right", "bottom"), (0, -20, "center", "top")],
                                     fontsize=self.style["font_size"]["town_minor"], color=c["water"],
                                     fontstyle="italic", zorder=4, path_effects=_halo(c["town_halo"]))
            if label is not None:
                self._over.append(label)

    def _draw_scale_bar(self) -> None:
        c, fs = self.style["colours"], self.style["font_size"]
        w, s, e, n = self.view
        km_per_deg = 111.32 * self.coslat
        width_km = (e - w) * km_per_deg
        length = max(v for v in (5, 10, 20, 25, 50, 100, 150, 200, 300) if v <= width_km / 5 or v == 5)
        seg = length / 2 / km_per_deg
        h = 0.008 * (n - s)
        # Bottom right, on a white card: readable over any colour, clear of the legend (in the panel).
        x0, y0 = e - 0.04 * (e - w) - 2 * seg, s + 0.035 * (n - s)
        card = Rectangle((x0 - 0.02 * (e - w), y0 - 0.015 * (n - s)), 2 * seg + 0.04 * (e - w), 0.06 * (n - s),
                         facecolor="white", edgecolor="#999999", lw=0.6, alpha=0.85, zorder=5.5)
        self.ax.add_patch(card)
        self._over.append(card)
        for i, colour in enumerate(("#222222", "white")):
            bar = Rectangle((x0 + i * seg, y0), seg, h, facecolor=colour, edgecolor="#222222", lw=0.8, zorder=6)
            self.ax.add_patch(bar)
            self._over.append(bar)
        for frac, text in ((0, "0"), (1, f"{length} km")):
            t = self.ax.text(x0 + frac * 2 * seg, y0 + 2.2 * h, text, ha="center", va="bottom", fontsize=fs["scale"],
                             color=c["text"], zorder=6)
            self._over.append(t)
        self._occupied.append(card.get_window_extent(self.canvas.get_renderer()).padded(3))

    def _draw_legend(self) -> None:
        c, fs, alpha = self.style["colours"], self.style["font_size"], self.style["alpha"]
        hatch = self.style["hatch"]["contested"]
        land = c["syria"]
        handles: list[Artist] = [Patch(facecolor=_blend(vocab.side_colour(s), land, alpha["held"]), edgecolor="none",
                                       label=vocab.side_label(s)) for s in self._legend_sides]
        # Status swatches in the government's red (grey would read as HTS).
        red, other = vocab.side_colour("government"), vocab.side_colour("isis")
        handles += [
            Patch(facecolor=_blend(red, land, alpha["contested"]), hatch=hatch, edgecolor=other, linewidth=0,
                  label="Contested (hatch: attacker)"),
            Patch(facecolor=_blend(red, land, alpha["claimed"]), hatch=self.style["hatch"]["claimed"], edgecolor=red,
                  linewidth=0, label="Claimed, awaiting confirmation (dots)"),
            Patch(facecolor=_blend(red, land, alpha["inferred"]), edgecolor="none", label="Inferred advance (lighter)"),
            Patch(facecolor=_blend(red, land, alpha["held"]), hatch=self.style["hatch"]["stale"], edgecolor=land,
                  linewidth=0, label="Stale: no report for months (stripes)"),
            Patch(facecolor=_blend(red, land, alpha["held"]), hatch=self.style["hatch"]["thin"], edgecolor=land,
                  linewidth=0, label="Thinly held desert (stipple)"),
            Line2D([], [], marker="o", ms=11, mfc="none", mec=c["besieged_ring"], mew=self.style["lines"]["besieged"],
                   linestyle="none", label="Besieged"),
            Line2D([], [], color=c["front"], lw=self.style["lines"]["front"], label="Front line"),
            Line2D([], [], marker="o", ms=7, mfc="white", mec=c["change_edge"], mew=1.8, linestyle="none",
                   label="Changed hands (ringed, then fading)" if self.follow else "Changed hands since previous frame"),
        ]
        if self.follow:
            handles.append(Patch(facecolor="none", edgecolor=c["change_edge"], linestyle=(0, (2, 1.5)), linewidth=1.2,
                                 label="Changed hands earlier on"))
        legend = self.panel.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.93), frameon=False,
                                   fontsize=fs["legend"], title="Control", title_fontsize=fs["panel_heading"],
                                   alignment="left", handlelength=1.8, borderaxespad=0.0)
        self._over.append(legend)
        renderer = self.canvas.get_renderer()
        box = legend.get_window_extent(renderer).transformed(self.panel.transAxes.inverted())
        self._panel_top = box.y0 - 0.03

    def _prepare(self) -> None:
        """Render the under- and over-layers once."""
        self._build_static()
        under = set(self._under) | {self.ax.patch, self.fig.patch}
        over = set(self._over)
        for a in over:
            a.set_visible(False)
        self.canvas.draw()
        self._bg = self.canvas.copy_from_bbox(self.fig.bbox)
        # Over-layer on a transparent figure.
        for a in under:
            a.set_visible(False)
        for spine in self.ax.spines.values():
            spine.set_visible(False)
        for a in over:
            a.set_visible(True)
        self.canvas.draw()
        rgba = np.asarray(self.canvas.buffer_rgba()).copy()
        for a in over:
            a.set_visible(False)
        for spine in self.ax.spines.values():
            spine.set_visible(True)
        self._overlay = _Overlay(rgba)
        # Static label boxes in image pixels (y down), for placing the change labels.
        height = self.size[1]
        self._occupied_px = [(b.x0, height - b.y1, b.x1, height - b.y0) for b in self._occupied]
        self._map_px = _box_px(self.ax.bbox, height)
        self._panel_px = _box_px(self.panel.bbox, height)

    # per frame -----------------------------------------------------------------------------------------
    def _control_artists(self, frame: Frame) -> list[Artist]:
        layers = frame.layers
        if layers is None or len(layers) == 0:
            return []
        alpha, hatch, lw = self.style["alpha"], self.style["hatch"], self.style["lines"]
        land = self.style["colours"]["syria"]
        out: list[Artist] = []
        plain_paths, plain_colours = [], []
        if "other_side" in layers.columns:  # the polygons module names the attacker in its own column
            other = layers["other_side"].where(layers["other_side"].notna(), "").astype(str)
            keys = layers["side"].astype(str) + np.where(other != "", "|" + other, "")
        else:
            keys = layers["side"].astype(str)
        stale = layers["stale"].fillna(False).to_numpy(bool) if "stale" in layers.columns else np.zeros(len(layers), bool)
        for (side, status, old), group in layers.groupby([keys.to_numpy(), layers["status"].to_numpy(), stale],
                                                         sort=False):
            first, second = _split_side(side)
            colour = vocab.side_colour(first)
            paths = geoms_to_paths(group.geometry.values, self._paths)
            if not paths:
                continue
            if old:  # no evidence for months: striped with the land colour over its fill, whatever its status
                out.append(self._collection_dyn(paths, facecolors="none", edgecolors=land, linewidths=0,
                                                hatch=hatch["stale"], zorder=2.1))
            # Opaque fills pre-blended with the land colour: overlapping layers never darken each other.
            if status in ("contested", "claimed"):
                edge = (vocab.side_colour(second) if second else "#333333") if status == "contested" else colour
                out.append(self._collection_dyn(paths, facecolors=_blend(colour, land, alpha[status]),
                                                edgecolors=edge, linewidths=0, hatch=hatch[status], zorder=2))
                continue
            fill = _blend(colour, land, alpha["inferred"] if status == "inferred" else alpha["held"])
            plain_paths += paths
            plain_colours += [fill] * len(paths)
            if status == "besieged":
                out.append(self._collection_dyn(paths, facecolors="none", edgecolors=self.style["colours"]["besieged_ring"],
                                                linewidths=lw["besieged"], linestyles=(0, (3, 2)), zorder=2.5))
        if plain_paths:
            out.insert(0, self._collection_dyn(plain_paths, facecolors=plain_colours, edgecolors="none", zorder=2))
        thin = getattr(frame, "thin", None)
        if thin is not None and len(thin):
            veil = geoms_to_paths(thin.geometry.values, self._paths)
            if veil:  # stippled with the land colour: the side's hue stays readable (a paler black reads as HTS)
                out.append(self._collection_dyn(veil, facecolors="none", edgecolors=land, linewidths=0,
                                                hatch=hatch["thin"], zorder=2.2))
        return out

    def _collection_dyn(self, paths: list[MplPath], **kwargs: Any) -> PathCollection:
        col = PathCollection(paths, **kwargs)
        if "hatch" in kwargs:
            col.set_hatch_linewidth(self.style["hatch"]["linewidth"])
        self.ax.add_collection(col, autolim=False)
        return col

    def _front_artists(self, frame: Frame) -> list[Artist]:
        if frame.front_lines is None or len(frame.front_lines) == 0:
            return []
        paths = geoms_to_paths(frame.front_lines.geometry.values, self._paths)
        if not paths:
            return []
        width = self.style["lines"]["front"]
        # A white casing keeps the line visible where it runs along the near-black of IS.
        return [self._collection_dyn(paths, facecolors="none", edgecolors="white", linewidths=width + 1.6, zorder=2.6),
                self._collection_dyn(paths, facecolors="none", edgecolors=self.style["colours"]["front"],
                                     linewidths=width, zorder=2.7)]

    def _besieged_artists(self, frame: Frame) -> list[Artist]:
        if frame.besieged is None or len(frame.besieged) == 0:
            return []
        c = self.style["colours"]
        ring = Line2D(frame.besieged["lon"].astype(float), frame.besieged["lat"].astype(float), marker="o", ms=15,
                      mfc="none", mec=c["besieged_ring"], mew=self.style["lines"]["besieged"], linestyle="none",
                      zorder=11)
        self.ax.add_line(ring)
        return [ring]

    def _changes_in_view(self, changes):
        if changes is None or len(changes) == 0:
            return None
        w, s, e, n = self.view
        lon = pd.to_numeric(changes["lon"], errors="coerce")
        lat = pd.to_numeric(changes["lat"], errors="coerce")
        # Changes with no coordinates are listed in the panel but cannot be placed.
        keep = lon.isna() | lat.isna() | (lon.between(w, e) & lat.between(s, n))
        return changes[keep.to_numpy()]

    def _change_marks(self, changes) -> list[Artist]:
        """Outlines of the changed cells and a dot per changed place, in the new side's colour."""
        if changes is None or len(changes) == 0:
            return []
        c, lw = self.style["colours"], self.style["lines"]
        out: list[Artist] = []
        if "geometry" in changes.columns:
            paths = geoms_to_paths(g for g in changes["geometry"] if g is not None)
            if paths:
                out.append(self._collection_dyn(paths, facecolors="none", edgecolors=c["change_edge"],
                                                linewidths=lw["change"], zorder=11))
        ok = changes[changes["lon"].notna() & changes["lat"].notna()]
        for to_side, group in ok.groupby(ok["to_side"].fillna("unknown").astype(str)):
            dots = Line2D(group["lon"].astype(float), group["lat"].astype(float), marker="o", ms=7,
                          mfc=vocab.side_colour(_split_side(to_side)[0]), mec=c["change_edge"], mew=1.8,
                          linestyle="none", zorder=12)
            self.ax.add_line(dots)
            out.append(dots)
        return out

    def _recent_marks(self, recent) -> list[Artist]:
        """An animation's latest changes: each cell filled and outlined in magenta, a ring around the place and a
        dot in the new holder's colour, all fading with the change's age (``fade``: 1 new, towards 0 old)."""
        if recent is None or len(recent) == 0:
            return []
        c, lw = self.style["colours"], self.style["lines"]
        rgb = matplotlib.colors.to_rgb(c["change_edge"])
        out: list[Artist] = []
        for fade, group in recent.groupby("fade", sort=True):  # the oldest first: the newest drawn on top
            fade = float(fade)
            paths = geoms_to_paths(g for g in group["geometry"] if g is not None)
            if paths:
                out.append(self._collection_dyn(paths, facecolors=[(*rgb, 0.45 * fade)], edgecolors=[(*rgb, fade)],
                                                linewidths=lw["change"] * (1 + fade), zorder=11))
            ok = group[group["lon"].notna() & group["lat"].notna()]
            if not len(ok):
                continue
            ring = Line2D(ok["lon"].astype(float), ok["lat"].astype(float), marker="o", ms=12 + 16 * fade,
                          mfc="none", mec=(*rgb, fade), mew=1 + 1.5 * fade, linestyle="none", zorder=12)
            self.ax.add_line(ring)
            out.append(ring)
            for to_side, side_rows in ok.groupby(ok["to_side"].fillna("unknown").astype(str)):
                dots = Line2D(side_rows["lon"].astype(float), side_rows["lat"].astype(float), marker="o", ms=7,
                              mfc=vocab.side_colour(_split_side(to_side)[0]), mec=c["change_edge"], mew=1.8,
                              alpha=max(fade, 0.25), linestyle="none", zorder=12)
                self.ax.add_line(dots)
                out.append(dots)
        return out

    def _trail_artists(self, frame: Frame) -> list[Artist]:
        """The cells that changed hands earlier in an animation, outlined faintly: where the front moved."""
        if frame.trail is None or len(frame.trail) == 0:
            return []
        paths = geoms_to_paths(frame.trail.geometry.values)
        return [self._collection_dyn(paths, facecolors="none", edgecolors=self.style["colours"]["change_edge"],
                                     linewidths=1.0, linestyles=(0, (2, 1.5)), zorder=10)] if paths else []

    def _time_bar(self, frame: Frame, painter: _Painter) -> None:
        """A bar along the foot of the panel from the animation's first to last day: ticks on the days with
        changes, the part already shown darker, the current day marked."""
        if frame.span is None:
            return
        c, fs, k = self.style["colours"], self.style["font_size"], self.scale
        first, last = frame.span
        x0, _, x1, bottom = self._panel_px
        y = bottom - 26 * k
        width = max((last - first).days, 1)

        def at(day: dt.date) -> float:
            return x0 + (x1 - x0) * min(max((day - first).days / width, 0.0), 1.0)

        painter.add_line(x0, y, x1, y, c["muted"], width=2)
        for day in frame.marks:
            if first <= day <= last:
                painter.add_line(at(day), y - 6 * k, at(day), y + 6 * k, c["change_edge"], width=2)
        painter.add_line(x0, y, at(frame.day), y, c["text"], width=5)
        painter.add_square(at(frame.day) - 5 * k, y - 5 * k, 10 * k, c["text"])
        painter.add(_fmt_day(first), x0, y + 9 * k, fs["footnote"], colour=c["muted"])
        w, _ = painter.size(_fmt_day(last), fs["footnote"])
        painter.add(_fmt_day(last), x1 - w, y + 9 * k, fs["footnote"], colour=c["muted"])

    def _change_labels(self, changes, painter: _Painter) -> list[str]:
        """Place a boxed label next to each change (up to ``max_map_changes``) where it overlaps nothing."""
        if changes is None or len(changes) == 0:
            return []
        fs, height = self.style["font_size"], self.size[1]
        ok = changes[changes["lon"].notna() & changes["lat"].notna()]
        xy = self.ax.transData.transform(np.c_[ok["lon"].astype(float), ok["lat"].astype(float)]) if len(ok) else []
        k = self.scale  # the offsets below are in pixels at scale 1
        taken = list(self._occupied_px) + [(x - 5 * k, height - y - 5 * k, x + 5 * k, height - y + 5 * k)
                                           for x, y in xy]
        placed: list[str] = []
        pad = 5 * k
        for (x, y), row in zip(list(xy)[: self.style["labels"]["max_map_changes"]], ok.itertuples()):
            y = height - y
            text = _change_text(row)
            w, h = painter.size(text, fs["change"])
            w, h = w + 2 * pad, h + 2 * pad
            # Next to the dot first; farther out (with a leader line) when the near spots are taken.
            for dx, dy in ((9, -6), (-9, -6), (9, 6), (-9, 6), (0, -12), (0, 12), (34, -34), (-34, -34), (34, 34),
                           (-34, 34), (0, -50), (0, 50), (60, 0), (-60, 0)):
                dx, dy = dx * k, dy * k
                x0 = x + dx if dx > 0 else (x + dx - w if dx < 0 else x - w / 2)
                y0 = y + dy - h if dy < 0 else (y + dy if dy > 0 else y - h / 2)
                box = (x0, y0, x0 + w, y0 + h)
                if _inside(box, self._map_px) and not any(_overlap(box, t) for t in taken):
                    taken.append(box)
                    old = getattr(row, "fade", 1.0) < 1.0  # an earlier frame's change, fading in an animation
                    edge = self.style["colours"]["muted"] if old else vocab.side_colour(_split_side(str(row.to_side))[0])
                    if abs(dx) > 20 * k or abs(dy) > 20 * k:
                        painter.add_line(x, y, min(max(x, x0), x0 + w), min(max(y, y0), y0 + h), self.style["colours"]["change_edge"])
                    painter.add(text, x0 + pad + 1, y0 + pad - 1, fs["change"], box=box, edge=edge,
                                colour=self.style["colours"]["muted"] if old else None)
                    placed.append(text)
                    break
        return placed

    def _panel_texts(self, frame: Frame, changes, painter: _Painter) -> list[str]:
        """The list of changes in the side panel; in an animation (``frame.recent``) a running list of the
        latest ones with their dates, the older ones greyed, above the time bar."""
        c, fs = self.style["colours"], self.style["font_size"]
        n = 0 if changes is None else len(changes)
        running = frame.recent is not None or frame.span is not None
        x0, top, x1, bottom = self._panel_px
        if frame.span is not None:
            bottom -= 46 * self.scale  # the time bar
        height = self.size[1]
        y = height - self.panel.transAxes.transform((0, self._panel_top))[1]
        if running:
            new = 0 if changes is None or not n else int((changes["fade"] >= 1).sum())
            heading = f"Latest changes ({new} new)"
        else:
            since = f" since {frame.previous_day.day} {frame.previous_day:%b %Y}" if frame.previous_day else ""
            heading = f"Changes{since} ({n})"
        painter.add(heading, x0, y, fs["panel_heading"], bold=True)
        y += 2.4 * fs["panel_heading"] * self.scale
        texts: list[str] = []
        k = self.scale
        line = fs["panel"] * 1.5 * self.fig.dpi / 72
        for row in (changes.head(self.style["labels"]["panel_changes"]).itertuples() if n else []):
            if y + 2 * line > bottom:
                break
            colour = vocab.side_colour(_split_side(str(row.to_side))[0])
            old = getattr(row, "fade", 1.0) < 1.0
            painter.add_square(x0, y + 2 * k, 11 * k, colour)
            when = getattr(row, "day", None) if running else None
            for max_en in (28, 22, 16, 10):  # shorten the English name until the entry fits the panel
                text = _change_text(row, max_en)
                if isinstance(when, dt.date):
                    text = f"{when.day} {when:%b} · {text}"
                if painter.size(text, fs["panel"])[0] <= x1 - x0 - 18 * k:
                    break
            painter.add(text, x0 + 18 * k, y, fs["panel"], colour=c["muted"] if old else None)
            texts.append(text)
            y += 2 * line + 6 * k
        if n > len(texts):
            painter.add(f"+ {n - len(texts)} more", x0 + 18 * k, y, fs["panel"], colour=c["muted"])
        if n == 0:
            painter.add("none reported", x0, y, fs["panel"], colour=c["muted"])
        return texts

    def draw(self, frame: Frame) -> RenderResult:
        """Render ``frame`` into the canvas (read it with :meth:`rgb`).

        Returns
        -------
        RenderResult
            The texts drawn, so callers and tests can see what a reader sees.
        """
        if self._bg is None:
            self._prepare()
        for artist in self._dynamic:
            artist.remove()
        self._paths.next_frame()
        renderer = self.canvas.get_renderer()
        self.canvas.restore_region(self._bg)
        # an animation highlights its latest changes (fading), a map the changes since the previous day
        recent = frame.recent is not None
        visible = self._changes_in_view(frame.recent if recent else frame.changes)
        # Besieged rings go under the over-layer so town labels stay readable on top of them.
        under = (self._control_artists(frame) + self._front_artists(frame) + self._besieged_artists(frame)
                 + self._trail_artists(frame))
        over = self._recent_marks(visible) if recent else self._change_marks(visible)
        for artist in under:
            artist.draw(renderer)
        self._overlay.paste(np.asarray(self.canvas.buffer_rgba()))
        for artist in over:
            artist.draw(renderer)
        self._dynamic = under + over
        # Texts: PIL (with raqm, which shapes Arabic) draws a label ~10x faster than matplotlib.
        # RGBA end to end: slicing out RGB would cost a strided copy per frame.
        image = Image.fromarray(np.asarray(self.canvas.buffer_rgba()))
        painter = _Painter(self.fig.dpi, self.style["colours"]["text"], self.scale)
        c, fs = self.style["colours"], self.style["font_size"]
        title = _fmt_day(frame.day)
        painter.add(title, 0.012 * self.size[0], 0.012 * self.size[1], fs["title"], bold=True)
        painter.add(self._subtitle, 0.013 * self.size[0], 0.058 * self.size[1], fs["subtitle"], colour=c["muted"])
        painter.add(_footnote(frame), 0.006 * self.size[0], self.size[1] - 0.034 * self.size[1], fs["footnote"],
                    colour=c["muted"])
        if frame.layers is None or len(frame.layers) == 0:
            x0, y0, x1, y1 = self._map_px
            painter.add("no control data for this day", (x0 + x1) / 2, (y0 + y1) / 2, 14, colour=c["muted"],
                        centre=True)
        map_labels = self._change_labels(visible, painter)
        panel_labels = self._panel_texts(frame, visible, painter)
        self._time_bar(frame, painter)
        painter.paint(image)
        self._rgba = np.asarray(image)
        return RenderResult(labels=map_labels + panel_labels, map_labels=map_labels, title=title, size=self.size)

    def rgb(self) -> np.ndarray:
        """The last frame as a (height, width, 3) uint8 array (a view of :meth:`rgba`)."""
        return self._rgba[..., :3]

    def rgba(self) -> np.ndarray:
        """The last frame as a (height, width, 4) uint8 array (opaque)."""
        return self._rgba

    def close(self) -> None:
        """Free the figure."""
        self.fig.clear()


def _box_px(bbox: Bbox, height: int) -> tuple[float, float, float, float]:
    """A matplotlib display box (y up) as image pixels (x0, top, x1, bottom)."""
    return (bbox.x0, height - bbox.y1, bbox.x1, height - bbox.y0)


def _inside(box, outer) -> bool:
    return outer[0] + 2 <= box[0] and box[2] <= outer[2] - 2 and outer[1] + 2 <= box[1] and box[3] <= outer[3] - 2


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@lru_cache(maxsize=32)
def _font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    family = basemap.style()["figure"]["font"]
    path = font_manager.findfont(font_manager.FontProperties(family=family, weight="bold" if bold else "normal"))
    return ImageFont.truetype(path, size_px, layout_engine=ImageFont.Layout.RAQM)


class _Painter:
    """Collects the frame's texts, measures them, and draws them onto the finished image in one pass."""

    _measure = ImageDraw.Draw(Image.new("L", (1, 1)))

    def __init__(self, dpi: float, colour: str, scale: float = 1.0) -> None:
        self.dpi = dpi
        self.colour = colour
        self.scale = scale  # line widths and spacing, in pixels at scale 1
        self.items: list[tuple] = []

    def _font(self, size_pt: float, bold: bool = False) -> ImageFont.FreeTypeFont:
        return _font(round(size_pt * self.dpi / 72), bold)

    def size(self, text: str, size_pt: float, bold: bool = False) -> tuple[float, float]:
        """Width and height of ``text`` in pixels."""
        x0, y0, x1, y1 = self._measure.multiline_textbbox((0, 0), text, font=self._font(size_pt, bold),
                                                          spacing=3 * self.scale)
        return x1 - min(x0, 0), y1 - min(y0, 0)

    def add(self, text: str, x: float, y: float, size_pt: float, bold: bool = False, colour: str | None = None,
            box=None, edge: str | None = None, centre: bool = False) -> None:
        """Queue ``text`` with its top-left at (x, y) pixels (its centre with ``centre``), optionally boxed."""
        if centre:
            w, h = self.size(text, size_pt, bold)
            x, y = x - w / 2, y - h / 2
        self.items.append(("text", text, x, y, size_pt, bold, colour or self.colour, box, edge))

    def add_square(self, x: float, y: float, side: float, colour: str) -> None:
        """Queue a filled square (a legend swatch)."""
        self.items.append(("square", x, y, side, colour))

    def add_line(self, x0: float, y0: float, x1: float, y1: float, colour: str, width: float = 2) -> None:
        """Queue a line (a leader from a place to its label, the time bar), ``width`` in pixels at scale 1."""
        self.items.append(("line", x0, y0, x1, y1, colour, width))

    def paint(self, image: Image.Image) -> None:
        """Draw every queued item (leader lines first, under the labels)."""
        draw = ImageDraw.Draw(image)
        for item in sorted(self.items, key=lambda it: it[0] != "line"):
            if item[0] == "line":
                _, x0, y0, x1, y1, colour, width = item
                draw.line((x0, y0, x1, y1), fill=colour, width=round(width * self.scale))
                continue
            if item[0] == "square":
                _, x, y, side, colour = item
                draw.rectangle((x, y, x + side, y + side), fill=colour, outline="#333333", width=round(self.scale))
                continue
            _, text, x, y, size_pt, bold, colour, box, edge = item
            if box is not None:
                draw.rounded_rectangle(box, radius=4 * self.scale, fill="white", outline=edge or "#333333",
                                       width=round(2 * self.scale))
            draw.multiline_text((x, y), text, font=self._font(size_pt, bold), fill=colour, spacing=3 * self.scale)



class _Overlay:
    """The over-layer as the few pixels it covers, alpha-composited into the Agg buffer with numpy.

    Pasting ~15% of the pixels is ~20x faster than drawing a full-figure image artist.
    """

    def __init__(self, rgba: np.ndarray) -> None:
        flat = rgba.reshape(-1, 4)
        alpha = flat[:, 3]
        self.solid = np.flatnonzero(alpha == 255)
        self.solid_rgb = flat[self.solid, :3].copy()
        self.soft = np.flatnonzero((alpha > 0) & (alpha < 255))
        a = (alpha[self.soft].astype(np.float32) / 255.0)[:, None]
        self.soft_a = 1.0 - a
        self.soft_rgb = flat[self.soft, :3].astype(np.float32) * a + 0.5  # Agg's buffer is straight RGBA

    def paste(self, buffer: np.ndarray) -> None:
        flat = buffer.reshape(-1, 4)
        flat[self.solid, :3] = self.solid_rgb
        flat[self.soft, :3] = (flat[self.soft, :3] * self.soft_a + self.soft_rgb).astype(np.uint8)


def _fmt_day(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day} {day:%B %Y}"


def _change_text(row: Any, max_en: int = 28) -> str:
    name = str(getattr(row, "name_en", "") or getattr(row, "place_id", "") or "?")
    if len(name) > max_en:  # long names (a "Frontline Fortification") would run out of the panel
        name = name[: max_en - 1].rstrip() + "…"
    name_ar = getattr(row, "name_ar", "")
    if isinstance(name_ar, str) and name_ar.strip():
        name = f"{name}  {name_ar.strip()}"
    to = _short(row.to_side) if isinstance(row.to_side, str) and row.to_side else "?"
    frm = getattr(row, "from_side", None)
    other = getattr(row, "other_side", None)
    other = _short(other) if isinstance(other, str) and other else None
    status = getattr(row, "status", "held")
    # In the control model a contested or besieged place is held by ``to_side`` against ``other_side``.
    if status == "contested":
        side = f"contested ({to} vs {other})" if other else f"contested ({to})"
    elif status == "besieged":
        side = f"{to}, besieged by {other}" if other else f"{to}, besieged"
    elif status == "inferred":
        side = f"probably {to}"
    elif status == "claimed":
        side = f"claimed by {to}"
    elif isinstance(frm, str) and frm and frm != row.to_side:
        side = f"{_short(frm)} → {to}"
    else:
        side = f"to {to}"
    return f"{name}\n{side}"


def _short(side: str) -> str:
    first = _split_side(side)[0]
    return basemap.style()["short_sides"].get(first, vocab.side_label(first))


def _footnote(frame: Frame) -> str:
    parts = []
    if frame.sources_note:
        note = frame.sources_note if len(frame.sources_note) <= 150 else frame.sources_note[:147] + "..."
        parts.append(f"Sources: {note}")
    if frame.baseline_date:
        parts.append(f"Baseline map of {_fmt_day(frame.baseline_date)}")
    parts.append(BASE_CREDIT)
    return "  ·  ".join(parts)


# --- files ------------------------------------------------------------------------------------------------

def write_png(rgb: np.ndarray, out: str | os.PathLike, palette: bool = False) -> Path:
    """Write an RGB array to ``out`` atomically (temp file + rename); ``palette`` makes a smaller 8-bit PNG."""
    out = Path(out)
    image = Image.fromarray(np.ascontiguousarray(rgb))
    if palette:
        image = image.quantize(colors=192, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    with replacing(out) as tmp:
        image.save(tmp, format="PNG", optimize=True)
    return out


class Canvases:
    """Canvases kept for reuse by :func:`render_map`, keyed by region, legend sides and scale: building a canvas's
    static base is most of the cost of one map (a kept canvas draws the next frame about ten times faster, pixel
    for pixel the same). The ``size`` most recently used are kept."""

    def __init__(self, size: int = 3) -> None:
        self.size = size
        self.kept: dict[tuple, MapCanvas] = {}

    def get(self, region: Region, legend_sides: Sequence[str], scale: float) -> MapCanvas:
        """The kept canvas for these, or a new one (the least recently used is freed beyond ``size``)."""
        key = (region, tuple(legend_sides), scale)
        canvas = self.kept.pop(key, None) or MapCanvas(region, legend_sides=legend_sides, scale=scale)
        self.kept[key] = canvas  # last: most recently used
        while len(self.kept) > self.size:
            self.kept.pop(next(iter(self.kept))).close()
        return canvas


def render_map(frame: Frame, region: Region, out: str | os.PathLike | None = None,
               palette: bool = False, scale: float = 1.0,
               canvases: Canvases | None = None) -> tuple[RenderResult, np.ndarray]:
    """Render one frame for ``region`` (``scale`` times the configured size: 2 for print); write a PNG to ``out``
    if given. With ``canvases``, a canvas kept there for the same view is reused (and the new one kept).

    Returns
    -------
    (RenderResult, ndarray)
        The texts drawn and the RGB image.
    """
    if canvases is not None:
        canvas = canvases.get(region, _sides_in(frame), scale)
        result = canvas.draw(frame)
        rgb = canvas.rgb().copy()
    else:
        canvas = MapCanvas(region, legend_sides=_sides_in(frame), scale=scale)
        try:
            result = canvas.draw(frame)
            rgb = canvas.rgb().copy()
        finally:
            canvas.close()
    if out is not None:
        write_png(rgb, out, palette=palette)
    return result, rgb


def _sides_in(frame: Frame) -> list[str]:
    found: list[str] = []
    if frame.layers is not None and len(frame.layers):
        for side in frame.layers["side"].astype(str):
            found += [s for s in side.split("|") if s]
    return [s for s in dict.fromkeys(found) if s in vocab.sides()]


def map_view(day: dt.date, region: str | None = None, bbox: str | None = None, source=None,
             front_days: int = 30) -> tuple[Frame, Region]:
    """The frame of ``day`` (changes since the day before) and the view of a named region (default Syria) or a
    ``"W,S,E,N"`` box; ``front`` zooms to the changes of the ``front_days`` days up to ``day``.

    ``source`` is a frame source (:func:`tracker.animate.default_source`; made from the database when None).

    Raises
    ------
    RegionError
        Unknown region or malformed box.
    """
    from tracker.animate import default_source
    from tracker.regions import parse_bbox, region as named

    view = parse_bbox(bbox) if bbox else None
    if view is None and region is not None and region.strip().casefold() != "front":
        view = named(region)  # fail on a bad name before any slow work
    source = source if source is not None else default_source()
    frame = source(day, day - dt.timedelta(days=1))
    if view is None and region is not None:
        timeline = getattr(source, "timeline", None)
        changes = timeline.changes_between(day - dt.timedelta(days=front_days), day) if timeline is not None else None
        points = list(zip(changes["lon"], changes["lat"])) if changes is not None else frame.change_points()
        view = named("front", points)
    return frame, view or named("syria")


def map_for_day(day: dt.date, out: str | os.PathLike | None = None, region: str | None = None,
                bbox: str | None = None, con=None, front_days: int = 30) -> tuple[Path, RenderResult]:
    """``tracker map``: the map of ``day`` (see :func:`map_view`) as a PNG at ``out`` (default
    ``<outputs>/map_<region>_<day>.png``), written atomically.

    Raises
    ------
    RegionError
        Unknown region or malformed box.
    """
    from tracker import settings
    from tracker.animate import default_source
    from tracker.regions import parse_bbox, region as named

    if bbox:
        parse_bbox(bbox)
    elif region is not None and region.strip().casefold() != "front":
        named(region)  # fail on a bad name before any slow work
    frame, view = map_view(day, region, bbox, default_source(con), front_days)
    path = Path(out) if out else settings.outputs_dir() / f"map_{view.name}_{day.isoformat()}.png"
    result, _ = render_map(frame, view, path)
    return path, result
