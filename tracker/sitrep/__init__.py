"""Weekly situation reports: ``tracker sitrep --week 2017-W41``.

A report is built in two steps. :func:`gather` reads one ISO week from the store into a plain :class:`Sitrep`
(control changes with the quotes behind them, ground held by each side, contested and besieged places, disputed
claims, the reports used, the maps and the chart, and a summary written from those figures). :func:`render`
turns it into Markdown, self-contained HTML, or a PDF printed from that HTML; :func:`write` puts it on disk.

Modules
-------
- :mod:`~tracker.sitrep.model`: the records (:class:`Sitrep`, :class:`Change`, ...) and ISO weeks
- :mod:`~tracker.sitrep.gather`: the week read from the store's tables (``docs/schema.md``)
- :mod:`~tracker.sitrep.summary`: the summary paragraph
- :mod:`~tracker.sitrep.figures`: the maps (``tracker.plot``) and the chart of ground by side
- :mod:`~tracker.sitrep.words`: how dates, areas, sides and states are written
- :mod:`~tracker.sitrep.render`: Jinja2 templates (``tracker/templates``) and the PDF (WeasyPrint)
- :mod:`~tracker.sitrep.output`: files, many weeks (written again only when they changed), the pipeline stage
"""

from __future__ import annotations

from tracker.sitrep.figures import area_chart
from tracker.sitrep.gather import Geo, data_span, gather, load_geo, weeks_covered
from tracker.sitrep.model import (FORMATS, AreaRow, Change, Disputed, Evidence, PlaceState, ReportUsed, Sitrep,
                                  SitrepError, StandingGroup, parse_week, week_bounds, week_of, weeks_between)
from tracker.sitrep.output import (BATCH_FORMATS, default_path, make, stage_sitreps, write, write_index,
                                   write_weeks)
from tracker.sitrep.render import render
from tracker.sitrep.summary import final_changes, write_summary

__all__ = [
    "BATCH_FORMATS", "FORMATS", "AreaRow", "Change", "Disputed", "Evidence", "Geo", "PlaceState", "ReportUsed",
    "Sitrep", "SitrepError", "StandingGroup", "area_chart", "data_span", "default_path", "final_changes", "gather",
    "load_geo", "make", "parse_week", "render", "stage_sitreps", "week_bounds", "week_of", "weeks_between",
    "weeks_covered", "write", "write_index", "write_summary", "write_weeks",
]
