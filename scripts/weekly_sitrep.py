#!/usr/bin/env python3
"""Write one situation report per ISO week between two dates into outputs/sitreps/.

Usage::

    python scripts/weekly_sitrep.py --start 2017-09-04 --end 2017-11-26 [--region deir-ez-zor]
        [--format md --format html] [--db outputs/tracker.duckdb] [--out-dir outputs/sitreps]

Every week touching ``--start``..``--end`` gets a report (a week with no reports says so). The database is
opened read-only, so run ``tracker run`` first. Exit status 2 with a one-line message on bad arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, write the reports, print one line per week; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", type=_date, required=True, help="first day (YYYY-MM-DD)")
    parser.add_argument("--end", type=_date, required=True, help="last day (YYYY-MM-DD)")
    parser.add_argument("--region", default=None, help="syria (default), front, or a governorate")
    parser.add_argument("--format", dest="formats", action="append", choices=["md", "html", "pdf"],
                        help="repeat for several (default: md and html)")
    parser.add_argument("--db", type=Path, default=None, help="database (default outputs/tracker.duckdb)")
    parser.add_argument("--out-dir", type=Path, default=None, help="folder (default outputs/sitreps)")
    args = parser.parse_args(argv)

    from tracker import sitrep, store
    from tracker._errors import TrackerError

    try:
        weeks = sitrep.weeks_between(args.start, args.end)
        con = store.connect(args.db, read_only=True)
        try:
            files = sitrep.write_weeks(
                con, weeks, region=args.region, folder=args.out_dir,
                formats=tuple(args.formats or sitrep.BATCH_FORMATS),
                progress=lambda rep: print(f"{rep.week_id}: {len(rep.changes)} changes, "
                                           f"{len(rep.reports)} reports", file=sys.stderr))
        finally:
            con.close()
    except TrackerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in files:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
