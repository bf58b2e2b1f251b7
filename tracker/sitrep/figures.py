"""The pictures of a weekly report: the end-of-week map, a close-up of the changes, the chart of ground by side."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from tracker import vocab
from tracker._errors import TrackerError
from tracker.sitrep.summary import final_changes

if TYPE_CHECKING:
    from tracker.sitrep.gather import Area, Geo
    from tracker.sitrep.model import Sitrep


def area_chart(history: pd.DataFrame, start: dt.date, end: dt.date, title: str = "", fmt: str = "png",
               dpi: int = 110) -> bytes | None:
    """Ground by side at the end of each week, in the sides' colours: the totals (thousand km²) above, the
    change since the first week shown (km²) below. PNG (at ``dpi``) or SVG (``fmt="svg"``: vector, for print)."""
    if history is None or history.empty:
        return None
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.layout_engine import TightLayoutEngine  # noqa: PLC0415

    fig = Figure(figsize=(8.6, 5.4), dpi=dpi)
    _chart_canvas(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    order = {s: i for i, s in enumerate(vocab.sides())}
    hist = history.assign(week_end=pd.to_datetime(history["week_end"]).dt.date).sort_values("week_end")
    days = sorted(hist["week_end"].unique())
    for side in sorted(hist["side"].unique(), key=lambda s: order.get(s, 99)):
        rows = hist[hist["side"] == side]
        colour = vocab.side_colour(side)
        edge = "#333333" if side == "sdf" else colour  # yellow needs an edge on white
        style = dict(marker="o", markersize=4, linewidth=2.2, color=colour, markeredgecolor=edge)
        top.plot(rows["week_end"], rows["km2"] / 1000, label=vocab.side_label(side), **style)
        bottom.plot(rows["week_end"], rows["km2"] - rows["km2"].iloc[0], **style)
    for ax in (top, bottom):
        ax.axvspan(start - dt.timedelta(days=0.5), end + dt.timedelta(days=0.5), color="#f0e6b0", alpha=0.55,
                   zorder=0, label="this week" if ax is top else None)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
    top.set_ylim(bottom=0)
    top.set_ylabel("held, thousand km²", fontsize=9)
    bottom.axhline(0, color="#888888", linewidth=0.8)
    bottom.set_ylabel(f"change since {days[0].day} {days[0]:%b}, km²", fontsize=9)
    bottom.set_xticks(days)
    bottom.set_xticklabels([f"{d.day} {d:%b}" for d in days], fontsize=8)
    top.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    top.set_title(title or "Ground held at the end of each week", fontsize=10, loc="left")
    # fig.tight_layout()'s layout, without the engine it leaves on the figure (which makes savefig lay the texts
    # out once more before it draws them)
    TightLayoutEngine().execute(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()


#: The Agg canvas the charts are drawn on, kept from one chart to the next (see :func:`_chart_canvas`).
_CANVAS: list = []


def _chart_canvas(fig: Any) -> None:
    """Put ``fig`` on this process's kept Agg canvas. Its renderer, kept while the size stays the same, is the
    one the layout measures the texts with and the one that draws: the texts' sizes are measured once per process
    (matplotlib caches them per renderer) rather than twice per chart, and the layout no longer draws the figure
    once to get a renderer. The pixels are the same."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415

    if not _CANVAS:
        _CANVAS.append(FigureCanvasAgg(fig))
        return
    canvas = _CANVAS[0]
    canvas.figure = fig
    fig.set_canvas(canvas)


def _frame(rep: Sitrep, geo: Geo) -> Any:
    """The end-of-week :class:`tracker.frames.Frame`, with this report's changes (filtered to the region,
    named in both scripts) as the highlights, counted from the Sunday before the week."""
    from tracker import frames  # noqa: PLC0415

    # The map labels a contested or besieged change "contested by <to_side>": give it the attacker.
    changes = pd.DataFrame([{"place_id": c.place_id, "name_en": c.name_en, "name_ar": c.name_ar, "lat": c.lat,
                             "lon": c.lon, "from_side": c.from_side,
                             "to_side": c.other_side if c.status in {"contested", "besieged"} and c.other_side
                             else c.to_side, "status": c.status, "day": c.day}
                            for c in final_changes(rep.changes) if c.lat is not None],
                           columns=frames.CHANGE_COLUMNS)
    before = rep.start - dt.timedelta(days=1)
    if geo.source is None:
        return frames.Frame(day=rep.end, changes=changes, previous_day=before,
                            sources_note=f"{len(rep.reports)} reports of week {rep.week_id}")
    frame = geo.source(rep.end, before)
    frame.changes = changes
    return frame


def _png(frame: Any, region: Any, scale: float, canvases: Any = None) -> bytes:
    from PIL import Image  # noqa: PLC0415

    from tracker import plot  # noqa: PLC0415

    _, rgb = plot.render_map(frame, region, scale=scale, canvases=canvases)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", dpi=(96 * scale, 96 * scale))  # optimize=True: 4x slower
    return buf.getvalue()


@dataclass
class Drawing:
    """What the pictures of one report are drawn from, as plain data (:func:`prepare`): drawn by :func:`paint`,
    in a worker process when many weeks are written.

    Attributes
    ----------
    frame : tracker.frames.Frame or None
        The end-of-week map's data (None when it could not be made; ``note`` then says why).
    maps : list of (str, Region)
        The pictures to draw of it: ``map`` and, for Syria with changes, ``detail``.
    note : str
        A note for the report when the map cannot show control (or could not be made at all).
    """

    frame: Any
    maps: list[tuple[str, Any]]
    scale: float
    history: pd.DataFrame
    start: dt.date
    end: dt.date
    title: str
    note: str = ""


@dataclass
class Pictures:
    """The pictures :func:`paint` drew, and a note when the map could not be drawn."""

    map_png: bytes | None = None
    detail_png: bytes | None = None
    chart_png: bytes | None = None
    chart_svg: bytes | None = None
    note: str = ""


def prepare(rep: Sitrep, area: Area, geo: Geo, scale: float = 1.0) -> Drawing:
    """The data of a report's pictures (read from the timeline and its polygons: in the process that holds them)."""
    from tracker import regions  # noqa: PLC0415 (geodata loads only here)

    title = f"Ground held at the end of each week ({area.label if area.bbox else 'all of Syria'})"
    drawing = Drawing(frame=None, maps=[], scale=scale, history=rep.area_history, start=rep.start, end=rep.end,
                      title=title)
    try:
        frame = _frame(rep, geo)
        if area.name == "syria":
            drawing.maps.append(("map", regions.region("syria")))
            if len(frame.changes):
                drawing.maps.append(("detail", regions.region("front", frame.change_points())))
        else:
            drawing.maps.append(("map", regions.Region(area.name, area.bbox, area.label)))  # type: ignore[arg-type]
        drawing.frame = frame
        if not len(frame.layers):
            drawing.note = (f"No control layers for the map ({geo.error or 'the polygon stage has not run'}): "
                            "it shows where the week's changes are, not who holds what.")
    except TrackerError as exc:
        drawing.note = f"No map: {exc}"
    return drawing


def paint(drawing: Drawing, canvases: Any = None) -> Pictures:
    """Draw the maps (PNG at ``drawing.scale`` times the screen size) and the chart (PNG, and for print, scale
    above 1, SVG); ``canvases`` (:class:`tracker.plot.Canvases`) keeps the maps' canvases for the next call."""
    out = Pictures(note=drawing.note)
    if drawing.frame is not None:
        try:
            for key, region in drawing.maps:
                setattr(out, f"{key}_png", _png(drawing.frame, region, drawing.scale, canvases))
        except TrackerError as exc:
            out.note = f"No map: {exc}"
    out.chart_png = area_chart(drawing.history, drawing.start, drawing.end, drawing.title)
    if drawing.scale > 1:  # print: the chart as vector
        out.chart_svg = area_chart(drawing.history, drawing.start, drawing.end, drawing.title, fmt="svg")
    return out


def apply(rep: Sitrep, pictures: Pictures) -> None:
    """Put the pictures (and the note, if any) into the report."""
    rep.map_png, rep.detail_png = pictures.map_png, pictures.detail_png
    rep.chart_png, rep.chart_svg = pictures.chart_png, pictures.chart_svg
    if pictures.note:
        rep.notes.append(pictures.note)


def draw(rep: Sitrep, area: Area, geo: Geo, scale: float = 1.0) -> None:
    """Fill the report's pictures: the map (and for Syria a close-up of the changes) at ``scale`` times the
    screen size, the chart as PNG (and for print, ``scale`` above 1, as SVG). A map that cannot be drawn leaves a
    note instead."""
    apply(rep, paint(prepare(rep, area, geo, scale)))
