"""A :class:`~tracker.sitrep.model.Sitrep` as Markdown, self-contained HTML, or PDF printed from that HTML.

The templates live in ``tracker/templates``. The PDF is the HTML report printed by WeasyPrint (Pango shapes
Arabic and lays it out right to left) through the template's print stylesheet: A4, running header and page
numbers, table headers repeated on every page, quotes wrapped inside their column, maps at print resolution.
"""

from __future__ import annotations

import base64
import datetime as dt
from functools import lru_cache
from typing import Any

from tracker.sitrep.model import FORMATS, QUOTES_PER_CHANGE, RECENT_WEEKS, Sitrep, SitrepError
from tracker.sitrep.words import (fmt_day, fmt_km2, fmt_pct, fmt_short, fmt_signed_km2, is_rtl, isolate,
                                  side_colour, side_label, state_label)


def _md_cell(text: Any) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ").strip()


@lru_cache(maxsize=1)
def environment() -> Any:
    """The Jinja2 environment of the report templates, with the report's filters."""
    import jinja2  # noqa: PLC0415

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tracker", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        day=fmt_day, short=fmt_short, km2=fmt_km2, signed_km2=fmt_signed_km2, side=side_label, state=state_label,
        colour=side_colour, rtl=is_rtl, b64=lambda b: base64.b64encode(b).decode("ascii"), md_cell=_md_cell,
        isolate=isolate, pct=fmt_pct,
    )
    return env


def _html(rep: Sitrep, media: str) -> str:
    template = environment().get_template("sitrep.html.j2")
    return template.render(rep=rep, one_day=dt.timedelta(days=1), recent_weeks=RECENT_WEEKS,
                           quotes_per_change=QUOTES_PER_CHANGE, media=media)


def pdf_from_html(html: str) -> bytes:
    """Print an HTML document to PDF bytes with WeasyPrint."""
    import logging  # noqa: PLC0415

    import weasyprint  # noqa: PLC0415 (loads Pango: only when a PDF is asked for)

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its CSS warnings are about rules meant for browsers
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(string=html).write_pdf()


def render(rep: Sitrep, fmt: str = "md", images: dict[str, str] | None = None) -> str | bytes:
    """The report as Markdown or HTML text, or PDF bytes.

    Parameters
    ----------
    rep
        What to show.
    fmt
        ``md``, ``html`` or ``pdf``.
    images
        For Markdown: file names of the map, close-up and chart (``{"map": ..., "detail": ..., "chart": ...}``).
    """
    if fmt not in FORMATS:
        raise SitrepError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "pdf":
        return pdf_from_html(_html(rep, "print"))
    if fmt == "html":
        return _html(rep, "screen")
    return environment().get_template("sitrep.md.j2").render(
        rep=rep, images=images or {}, one_day=dt.timedelta(days=1), recent_weeks=RECENT_WEEKS,
        quotes_per_change=QUOTES_PER_CHANGE)
