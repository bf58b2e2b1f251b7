"""A weekly situation report as PDF, drawn with matplotlib (``tracker sitrep --format pdf``).

No extra library and no system package: matplotlib's PDF backend lays out A4 pages with the same sections as
the HTML report (its fonts shape Arabic since 3.11). Arabic quotes get lines of their own, right-aligned, because
one matplotlib text does not reorder mixed-direction runs. The words themselves come from the same helpers the
Jinja2 templates use (:mod:`tracker.sitrep`), so the formats say the same thing.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from tracker import sitrep as sr  # noqa: E402

PAGE_W, PAGE_H = 8.27, 11.69  # A4, inches
MARGIN = 0.6
FONT = "DejaVu Sans"  # has Arabic glyphs
# Average advance of a DejaVu Sans character, in ems: enough to wrap text into columns.
_EM_PER_CHAR = 0.56
MUTED = "#5c5c5c"


def _chars(width_in: float, size: float) -> int:
    return max(8, int(width_in * 72 / (size * _EM_PER_CHAR)))


@dataclass
class _Cell:
    lines: list[tuple[str, dict]]  # (text, text kwargs) per line


class _Pages:
    """A cursor over A4 pages: text, wrapped paragraphs, tables and images flow down and onto new pages."""

    def __init__(self, pdf: PdfPages, footer: str) -> None:
        self.pdf = pdf
        self.footer = footer
        self.fig: Figure | None = None
        self.y = 0.0
        self.page = 0

    def new_page(self) -> None:
        self.flush()
        self.fig = Figure(figsize=(PAGE_W, PAGE_H))
        self.page += 1
        self.y = MARGIN
        self.fig.text(MARGIN / PAGE_W, 0.35 / PAGE_H, self.footer, fontsize=7, color=MUTED, family=FONT)
        self.fig.text(1 - MARGIN / PAGE_W, 0.35 / PAGE_H, f"page {self.page}", fontsize=7, color=MUTED,
                      family=FONT, ha="right")

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None

    def room(self, height: float) -> None:
        if self.fig is None or self.y + height > PAGE_H - MARGIN:
            self.new_page()

    def text(self, x: float, y: float, s: str, **kw: Any) -> None:
        kw.setdefault("family", FONT)
        kw.setdefault("va", "top")
        self.fig.text(x / PAGE_W, 1 - y / PAGE_H, s, **kw)

    def heading(self, s: str, size: float = 13) -> None:
        self.room(0.9)
        self.y += 0.15
        self.text(MARGIN, self.y, s, fontsize=size, weight="bold")
        self.y += size / 72 * 1.5
        self.fig.add_artist(Line2D(
            [MARGIN / PAGE_W, 1 - MARGIN / PAGE_W], [1 - (self.y - 0.04) / PAGE_H] * 2, color="#cccccc", lw=0.6))
        self.y += 0.06

    def para(self, s: str, size: float = 9.5, **kw: Any) -> None:
        width = PAGE_W - 2 * MARGIN
        for line in textwrap.wrap(s, _chars(width, size)) or [""]:
            self.room(size / 72 * 1.45)
            self.text(MARGIN, self.y, line, fontsize=size, **kw)
            self.y += size / 72 * 1.45
        self.y += 0.08

    def image(self, png: bytes, max_h: float, title: str = "") -> None:
        img = Image.open(io.BytesIO(png))
        width = PAGE_W - 2 * MARGIN
        h = min(max_h, width * img.height / img.width)
        w = h * img.width / img.height
        self.room(h + 0.1 + (0.9 if title else 0))  # a heading stays with its picture
        if title:
            self.heading(title)
        ax = self.fig.add_axes([MARGIN / PAGE_W, 1 - (self.y + h) / PAGE_H, w / PAGE_W, h / PAGE_H])
        ax.imshow(img)
        ax.set_axis_off()
        self.y += h + 0.1

    def table(self, header: Sequence[str], rows: Sequence[Sequence[_Cell]], widths: Sequence[float],
              size: float = 8, title: str = "") -> None:
        line_h = size / 72 * 1.4
        first = max(len(c.lines) for c in rows[0]) * line_h + 0.08 if rows else 0
        self.room((0.9 if title else 0) + line_h + 0.05 + first)  # heading, header and a first row together
        if title:
            self.heading(title)
        xs = [MARGIN]
        for w in widths[:-1]:
            xs.append(xs[-1] + w)

        def draw_header() -> None:
            for x, h in zip(xs, header):
                self.text(x + 0.03, self.y, h, fontsize=size, weight="bold")
            self.y += line_h + 0.05
            self._rule("#999999")

        draw_header()
        for row in rows:
            height = max(len(c.lines) for c in row) * line_h + 0.08
            if self.y + height > PAGE_H - MARGIN:
                self.new_page()
                draw_header()
            for x, w, cell in zip(xs, widths, row):
                for k, (s, kw) in enumerate(cell.lines):
                    kw = dict(kw)
                    x_at = x + w - 0.05 if kw.pop("rtl", False) else x + 0.03
                    kw.setdefault("ha", "right" if x_at > x + 0.03 else "left")
                    self.text(x_at, self.y + 0.04 + k * line_h, s, fontsize=kw.pop("size", size), **kw)
            self.y += height
            self._rule("#dddddd")
        self.y += 0.1

    def _rule(self, colour: str) -> None:
        self.fig.add_artist(Line2D(
            [MARGIN / PAGE_W, 1 - MARGIN / PAGE_W], [1 - self.y / PAGE_H] * 2, color=colour, lw=0.5))


def _wrap(s: str, width_in: float, size: float = 8, **kw: Any) -> list[tuple[str, dict]]:
    """Lines of ``s`` that fit ``width_in`` inches at ``size`` points, each with its text style."""
    style = {**kw, "size": size}
    return [(line, style) for line in (textwrap.wrap(s or "", _chars(width_in, size)) or [""])]


def _quote_lines(e: sr.Evidence, width_in: float, size: float = 8) -> list[tuple[str, dict]]:
    rtl = sr.is_rtl(e.quote)
    lines = [(line, {"rtl": rtl}) for line in textwrap.wrap(e.quote, _chars(width_in, size)) or [""]]
    if lines and not rtl:  # Arabic lines go without marks: matplotlib does not mirror them
        lines[0] = ("“" + lines[0][0], lines[0][1])
        lines[-1] = (lines[-1][0] + "”", lines[-1][1])
    src = f"{e.source or e.report_id}{' citing ' + e.attribution if e.attribution else ''}"
    if e.kind == "chronicle":  # a later history: its copy date is not when anything was reported
        src += " (chronicle)"
    elif e.published:
        src += f", {sr.fmt_short(e.published)}{' (est.)' if e.published_estimated else ''}"
    return lines + _wrap(src, width_in, size - 1, color=MUTED)


def render_pdf(rep: sr.Sitrep) -> bytes:
    """The report as PDF bytes (A4)."""
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": rep.title, "Creator": "tracker"}) as pdf:
        pages = _Pages(pdf, f"{rep.title} · generated {rep.generated:%Y-%m-%d %H:%M} UTC by tracker")
        pages.new_page()
        for line in textwrap.wrap(rep.title, 62):
            pages.text(MARGIN, pages.y, line, fontsize=15, weight="bold")
            pages.y += 0.3
        pages.para(f"Week {rep.week_id}: Monday {sr.fmt_day(rep.start)} to Sunday {sr.fmt_day(rep.end)} · "
                   f"{len(rep.reports)} report{'s' if len(rep.reports) != 1 else ''}", size=8.5, color=MUTED)
        pages.heading("Summary")
        pages.para(rep.summary, size=10)
        for note in rep.notes:
            pages.para("Note. " + note, size=8.5, color="#6b4e00")

        if rep.changes:
            widths = [0.75, 1.45, 1.75, 0.55, 2.57]
            rows = []
            for c in rep.changes:
                place = _wrap(c.name_en, widths[1], weight="bold") + ([(c.name_ar, {"rtl": True})] if c.name_ar else [])
                sides = _wrap(f"{sr.state_label(c.from_side, c.from_status)} →", widths[2]) + \
                    _wrap(sr.state_label(c.to_side, c.status, c.other_side), widths[2])
                quotes = [ln for e in c.evidence[:sr.QUOTES_PER_CHANGE] for ln in _quote_lines(e, widths[4])]
                rows.append([_Cell(_wrap(sr.fmt_short(c.day), widths[0])), _Cell(place), _Cell(sides),
                             _Cell([(c.status, {}), (sr.fmt_pct(c.confidence), {})]),
                             _Cell(quotes or [("no quote stored", {"color": MUTED})])])
            pages.table(["Day", "Place", "From → to", "Status", "Source and quote"], rows, widths,
                        title="Control changes")
        else:
            pages.heading("Control changes")
            pages.para("No control changes were reported this week.")

        if rep.areas:
            widths = [2.8, 1.4, 1.4, 1.47]
            rows = [[_Cell([(sr.side_label(a.side), {"color": "#1b1b1b"})]),
                     _Cell([(sr.fmt_km2(a.start_km2), {"rtl": True})]), _Cell([(sr.fmt_km2(a.end_km2), {"rtl": True})]),
                     _Cell([(sr.fmt_signed_km2(a.change_km2), {"rtl": True})])] for a in rep.areas]
            pages.table(["Side", "Start of week", "End of week", "Change"], rows, widths, size=8.5,
                        title="Ground held")
        else:
            pages.heading("Ground held")
        pages.para(rep.area_note, size=8, color=MUTED)

        for title, png in (("Map at the end of the week", rep.map_png), ("Where control changed", rep.detail_png),
                           ("Ground by side over the last weeks", rep.chart_png)):
            if png:
                pages.image(png, max_h=6.0, title=title)

        listed = rep.contested + rep.besieged
        title = "Contested and besieged places"
        if not listed and not rep.standing:
            pages.heading(title)
            pages.para("None at the end of the week.")
        if listed:
            widths = [3.0, 3.0, 1.07]
            rows = [[_Cell(_wrap(p.name_en, widths[0]) + ([(p.name_ar, {"rtl": True})] if p.name_ar else [])),
                     _Cell(_wrap(sr.state_label(p.side, p.status, p.other_side), widths[1])),
                     _Cell([(sr.fmt_short(p.since), {})])] for p in listed]
            pages.table(["Place", "State", "Since"], rows, widths, title=title)
            title = ""
        if rep.standing:
            widths = [2.6, 0.6, 2.8, 1.07]
            rows = [[_Cell(_wrap(sr.state_label(g.side, g.status, g.other_side), widths[0])),
                     _Cell([(str(g.count), {})]), _Cell(_wrap(", ".join(g.examples), widths[2])),
                     _Cell([(sr.fmt_day(g.since), {})])] for g in rep.standing]
            pages.table(["Contested or besieged for longer", "Places", "For example", "Since"], rows, widths,
                        title=title)

        if rep.disputed:
            widths = [2.2, 4.87]
            rows = [[_Cell(_wrap(f"{d.place} ({sr.fmt_short(d.day)})", widths[0], weight="bold")
                           + _wrap(f"{d.kind}: {d.description}", widths[0])),
                     _Cell([ln for e in d.evidence for ln in _quote_lines(e, widths[1])])] for d in rep.disputed]
            pages.table(["Place", "Quote"], rows, widths, title="Refuted and conflicting claims")
        else:
            pages.heading("Refuted and conflicting claims")
            pages.para("None this week.")

        if rep.reports:
            widths = [2.0, 1.3, 2.6, 0.5, 0.67]
            rows = [[_Cell([(r.report_id, {"family": "DejaVu Sans Mono"})]),
                     _Cell([(r.published.isoformat() if r.published else "undated", {})]
                           + ([("estimated", {"color": MUTED})] if r.published_estimated else [])),
                     _Cell(_wrap(r.source or "", widths[2])), _Cell([(r.lang or "", {})]),
                     _Cell([(str(r.claims), {})])] for r in rep.reports]
            pages.table(["Report", "Published", "Source", "Lang.", "Claims"], rows, widths, title="Reports used")
            for r in rep.reports:
                if r.published_basis:
                    pages.para(f"{r.report_id}: {r.published_basis}", size=7.5, color=MUTED)
        else:
            pages.heading("Reports used")
            pages.para("No reports are dated in this week.")
        pages.flush()
    return buf.getvalue()
