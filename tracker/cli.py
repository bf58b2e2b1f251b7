"""The ``tracker`` command line. The bare command runs the whole pipeline on the default inputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tracker import settings, store
from tracker._errors import InputError, MissingDataError, TrackerError

DB_OPTION = click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
                         help="DuckDB file (default outputs/tracker.duckdb; env TRACKER_DB).")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
ROWS_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default=None,
                           help="How rows are printed: an aligned table (default), CSV with a header, or JSON "
                                "lines (--json is the same as --format json).")


def _echo_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=str))


class _Group(click.Group):
    """Turns tracker's and the gazetteer's own errors into a one-line message and exit code 2 (no traceback)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # a gazetteer error means the gazetteer was imported: no need to import it (slow) to recognise one
            gz_errors = sys.modules.get("gazetteer.errors")
            if not isinstance(exc, TrackerError) and not (gz_errors and isinstance(exc, gz_errors.GazetteerError)):
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, invoke_without_command=True,
             context_settings={"terminal_width": 110, "max_content_width": 110})
@click.option("--sources", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Sources directory with geo/, seeds/, corpus/ (default ../shared; env TRACKER_SOURCES).")
@click.version_option(package_name="tracker")
@click.pass_context
def main(ctx: click.Context, sources: Path | None) -> None:
    """Turn war reports into a time-stamped, queryable map of who controls what.

    With no command, runs the whole pipeline on the default inputs (`tracker run`).
    """
    settings.configure(sources=sources)
    _exit_on_sigterm()
    if ctx.invoked_subcommand is None:
        ctx.invoke(run)


def _exit_on_sigterm() -> None:
    """`kill PID` unwinds like Ctrl-C: temp files, an unpublished snapshot and ffmpeg are cleaned up."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _print_rejections(rejected: list[InputError], warnings: list[InputError] = ()) -> None:
    for err in warnings:
        click.echo(f"warning: {err}", err=True)
    for err in rejected:
        click.echo(f"rejected: {err}", err=True)


def _ingest_line(summary) -> str:
    return (f"{len(summary.new)} new, {len(summary.duplicate)} duplicate, "
            f"{len(summary.new_version)} new version, {len(summary.rejected)} rejected")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--strict", is_flag=True, help="Stop at the first bad input; store nothing.")
@JSON_OPTION
def ingest(paths: tuple[Path, ...], db: Path | None, strict: bool, as_json: bool) -> None:
    """Store reports (.txt with meta.jsonl, .md chronicles, .jsonl, .csv; folders walked)."""
    from tracker.ingest import ingest as do_ingest

    with store.writing(db) as con:  # published when complete: readers see the last snapshot meanwhile
        summary = do_ingest(con, paths, strict=strict, progress=not as_json)
    if as_json:
        _echo_json(summary.as_dict())
    else:
        _print_rejections(summary.rejected, summary.warnings)
        line = _ingest_line(summary)
        if not summary.new and not summary.new_version and not summary.rejected:
            line += ": nothing new"
        click.echo(line)
    sys.exit(1 if summary.rejected else 0)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Outputs directory (default outputs/; env TRACKER_OUTPUTS).")
@click.option("--strict", is_flag=True, help="Stop at the first bad input.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes extracting claims (default: every core; env TRACKER_WORKERS).")
@JSON_OPTION
def run(paths: tuple[Path, ...], db: Path | None, out: Path | None, strict: bool, workers: int | None,
        as_json: bool) -> None:
    """Run the whole pipeline (default inputs: the seeds, the Wikipedia articles and the news excerpts)."""
    from tracker import pipeline

    settings.configure(outputs=out, workers=workers)
    with store.writing(db) as con:  # published when complete: readers see the last snapshot meanwhile
        ctx = pipeline.run(con, list(paths) or None, out, strict=strict,
                           progress=None if as_json else (lambda name: click.echo(f"== {name}", err=True)))
    if as_json:
        _echo_json(ctx.results)
    else:
        if ctx.ingest_summary is not None:
            _print_rejections(ctx.ingest_summary.rejected, ctx.ingest_summary.warnings)
            click.echo("ingest: " + _ingest_line(ctx.ingest_summary))
        for name, figures in ctx.results.items():
            if name != "ingest":
                click.echo(f"{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items() if not isinstance(v, (list, dict))))
    sys.exit(1 if ctx.ingest_summary and ctx.ingest_summary.rejected else 0)


@main.command()
@click.argument("query")
@DB_OPTION
@ROWS_OPTION
@JSON_OPTION
@click.option("--limit", type=int, default=200, show_default=True, help="Rows shown in the table view.")
def sql(query: str, db: Path | None, fmt: str | None, as_json: bool, limit: int) -> None:
    """Run a read-only SQL query and print its rows (a table, CSV or JSON lines)."""
    from tracker.query import run_query
    from tracker.rowfmt import format_rows

    columns, rows = run_query(query, db)
    fmt = "json" if as_json else fmt or "table"
    if fmt == "table" and not columns:
        click.echo("(no result)")
        return
    text = format_rows(columns, rows, fmt, limit=limit if fmt == "table" else None)
    if text:
        click.echo(text)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--jsonl", is_flag=True, help="One claim per line as JSON (the default output).")
@click.option("--no-gazetteer", is_flag=True, help="Keep place words unresolved (no gazetteer lookup).")
def extract(paths: tuple[Path, ...], jsonl: bool, no_gazetteer: bool) -> None:
    """Print the claims found in reports (same inputs as ingest); the database is not touched."""
    from tracker.extract import extract_report
    from tracker.ingest import read_reports

    read = read_reports(paths)
    _print_rejections(read.errors, read.warnings)
    gz = None
    if not no_gazetteer:
        import gazetteer

        gz = gazetteer.load(settings.gazetteer_dir())  # a clear error saying what to run when it is not built
    for report in read.reports:
        for claim in extract_report(report, gz):
            _echo_json(claim.printed())
    sys.exit(1 if read.errors else 0)


@main.group("gazetteer")
def gazetteer_group() -> None:
    """Build and query the place gazetteer."""


@gazetteer_group.command("build")
def gazetteer_build() -> None:
    """Build the gazetteer from the sources into build/gazetteer."""
    import gazetteer

    stats = gazetteer.build(settings.sources_dir(), settings.gazetteer_dir(), progress=True)
    click.echo(f"{stats['places']} places, {stats['arabic_and_point']} with an Arabic name and a point "
               f"({stats['build_seconds']} s)")


@gazetteer_group.command("stats")
@JSON_OPTION
def gazetteer_stats(as_json: bool) -> None:
    """Counts by source, feature type, governorate and precision, and the linking figures."""
    import gazetteer
    from gazetteer.report import stats_text

    meta = gazetteer.load(settings.gazetteer_dir()).meta
    click.echo(json.dumps(meta, ensure_ascii=False, indent=1) if as_json else stats_text(meta))


@gazetteer_group.command("lookup")
@click.argument("name")
@click.option("--context", "context", default=None, help="Text around the name (e.g. the report).")
@JSON_OPTION
def gazetteer_lookup(name: str, context: str | None, as_json: bool) -> None:
    """Ranked candidates for NAME, in both scripts, with coordinates, admin path, score and reasons."""
    import gazetteer
    from gazetteer.report import resolution_dict, resolution_text

    res = gazetteer.load(settings.gazetteer_dir()).lookup(name, context)
    click.echo(json.dumps(resolution_dict(res), ensure_ascii=False) if as_json else resolution_text(res))


DATE = click.DateTime(formats=["%Y-%m-%d"])


@main.command("map")
@click.option("--date", "day", type=DATE, required=True, help="Day shown (YYYY-MM-DD).")
@click.option("--region", default=None, help="syria (default), front, or a governorate (e.g. deir-ez-zor).")
@click.option("--bbox", default=None, help="W,S,E,N in degrees, instead of --region.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PNG file (default outputs/map_<region>_<date>.png).")
@DB_OPTION
@JSON_OPTION
def map_cmd(day, region: str | None, bbox: str | None, out: Path | None, db: Path | None, as_json: bool) -> None:
    """Draw who controls what on one day as a PNG.

    A day after the data's last evidence is drawn with a warning and exit status 1; a day nothing can be said
    of (before the baseline, long after the last evidence) stops with exit status 2."""
    from tracker.plot import map_for_day

    if region and bbox:
        raise click.UsageError("give --region or --bbox, not both")
    con = store.connect(db, read_only=True, empty_if_missing=True)
    try:
        from tracker.control import load_timeline

        try:
            warnings = _outside_data(load_timeline(con), [day.date()])
        except MissingDataError as exc:
            warnings = [str(exc)]  # no control stage yet: the map says so itself
        path, result = map_for_day(day.date(), out, region=region, bbox=bbox, con=con)
    finally:
        con.close()
    _done({"files": [str(path)], "day": day.date(), "changes_labelled": len(result.map_labels),
           "changes": len(result.labels) - len(result.map_labels)}, warnings, as_json,
          f"{path} ({len(result.map_labels)} changes labelled on the map)")


@main.command("animate")
@click.option("--start", type=DATE, required=True, help="First day (YYYY-MM-DD).")
@click.option("--end", type=DATE, required=True, help="Last day (YYYY-MM-DD).")
@click.option("--region", default="syria", show_default=True, help="syria, front, or a governorate.")
@click.option("--format", "fmt", type=click.Choice(["mp4", "gif"]), default=None,
              help="Default: from --out's suffix, else mp4.")
@click.option("--step", type=click.IntRange(min=1), default=1, show_default=True, help="Days per frame.")
@click.option("--fps", type=click.FloatRange(min=0.1, max=60), default=4, show_default=True, help="Frames per second.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (default outputs/animation_<region>_<start>_<end>.<format>).")
@click.option("--hold-changes", type=click.IntRange(min=0, max=20), default=0, show_default=True,
              help="Show each frame with changes this many more times (a slower pace where the front moves).")
@DB_OPTION
@JSON_OPTION
def animate_cmd(start, end, region: str, fmt: str | None, step: int, fps: float, out: Path | None,
                hold_changes: int, db: Path | None, as_json: bool) -> None:
    """Render control over time as an MP4 or GIF, one frame per --step days.

    Days after the data's last evidence are drawn with a warning and exit status 1; a start or end nothing can
    be said of (before the baseline, long after the last evidence) stops with exit status 2."""
    from tracker.animate import animate, frame_days
    from tracker.regions import region as named

    days = frame_days(start.date(), end.date(), step)  # bad dates fail before opening anything
    if region.strip().casefold() != "front":
        named(region)
    fmt = fmt or (out.suffix.lstrip(".").lower() if out and out.suffix else "mp4")
    if out is None:
        out = settings.outputs_dir() / f"animation_{region}_{start:%Y-%m-%d}_{end:%Y-%m-%d}.{fmt}"
    con = store.connect(db, read_only=True, empty_if_missing=True)
    try:
        from tracker.control import load_timeline

        try:
            warnings = _outside_data(load_timeline(con), [days[0], days[-1]])
        except MissingDataError as exc:
            warnings = [str(exc)]
        result = animate(start.date(), end.date(), out, region=region, fmt=fmt, step=step, fps=fps, con=con,
                         hold_changes=hold_changes, progress=not as_json)
    finally:
        con.close()
    _done({"files": [str(result.path)], "frames": result.frames, "days": len(days), "size": list(result.size),
           "changes_labelled": sum(len(x) for x in result.labels)}, warnings, as_json,
          f"{result.path} ({result.frames} frames, {result.size[0]}x{result.size[1]})")


@main.command("sitrep")
@click.option("--week", required=True, help="ISO week, e.g. 2017-W41 (Monday to Sunday).")
@click.option("--region", default=None, help="syria (default), front, or a governorate (e.g. deir-ez-zor).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf"]), default=None,
              help="Default: from --out's suffix, else md.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (default outputs/sitreps/<week>[-<region>].<format>).")
@click.option("--no-map", is_flag=True, help="Leave out the map and the chart (quick).")
@DB_OPTION
@JSON_OPTION
def sitrep_cmd(week: str, region: str | None, fmt: str | None, out: Path | None, no_map: bool,
               db: Path | None, as_json: bool) -> None:
    """Write the weekly situation report for one ISO week.

    A week outside the data (before the baseline, after the last evidence) is written with a warning and exit
    status 1."""
    from tracker.sitrep import make

    files, rep = make(week, region, fmt, out, db, with_map=not no_map)
    warnings = [f"{rep.week_id} is outside the data: {rep.outside_data}"] if rep.outside_data else []
    _done({"files": [str(p) for p in files], "week": rep.week_id, "region": rep.region, "changes": len(rep.changes),
           "reports": len(rep.reports), "in_span": rep.in_span}, warnings, as_json, "\n".join(map(str, files)))


def _timeline(db: Path | None):
    from tracker import control

    if db is None:
        return control.load_timeline()
    con = store.connect(db, read_only=True)
    try:
        return control.load_timeline(con)
    finally:
        con.close()


def _reading(db: Path | None):
    """A read-only connection to the database; a clear error when the control stage has not filled it."""
    con = store.connect(db, read_only=True)
    if not con.execute("SELECT count(*) FROM places").fetchone()[0]:
        con.close()
        raise MissingDataError("no places in the database: run `tracker run` (the control stage) first")
    return con


def _check_span(span: tuple[bool, str | None]) -> None:
    """Warn on stderr for a day after the data's last evidence; stop (exit 2) where nothing can be said of it
    (``span``: what ``span_check`` says of the day)."""
    ok, why = span
    if not ok:
        raise InputError("--date", why)
    if why:
        click.echo(f"warning: {why}", err=True)


def _outside_data(tl, days) -> list[str]:
    """Warnings for days after the data's last evidence; an error (exit 2) for a day nothing can be said of."""
    warnings = []
    for day in days:
        ok, why = tl.span_check(day)
        if not ok:
            raise InputError("--date", why)
        if why:
            warnings.append(why)
    return warnings


def _done(summary: dict, warnings: list[str], as_json: bool, line: str) -> None:
    """The end of a command that wrote files: its summary (one line, or JSON), warnings on stderr, and exit
    status 1 when there were any."""
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        _echo_json({**summary, "warnings": warnings})
    else:
        click.echo(line)
    if warnings:
        sys.exit(1)


def _day(value: str):
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _state_rows(places, state, pids) -> list[dict]:
    st = state.loc[[pid for pid in pids if pid in state.index]]
    pl = places[~places.index.duplicated()].reindex(st.index)
    pl = pl.astype(object).where(pl.notna(), None)
    names_ar = pl["name_ar"] if "name_ar" in pl else [None] * len(st)

    def text(value) -> str | None:
        return str(value) if value is not None and value == value else None

    return [{"place_id": pid, "name_en": en, "name_ar": ar, "side": side, "status": status,
             "other_side": other if isinstance(other, str) else None, "since": text(since),
             "claim_ids": list(ids if ids is not None else []), "inferred": bool(inf), "last_evidence": text(last),
             "stale": bool(stale)}
            for pid, en, ar, side, status, other, since, ids, inf, last, stale in zip(
                st.index, pl["name_en"], names_ar, st["side"], st["status"], st["other_side"], st["since"],
                st["claim_ids"], st["inferred"], st["last_evidence"],
                st["stale"] if "stale" in st else [False] * len(st))]


@main.command("control")
@click.option("--date", "day", required=True, help="The day (YYYY-MM-DD).")
@click.option("--place", default=None, help="A place id or name (default: every place with a known state).")
@click.option("--as-reported", default=None, help="Only what reports published by this date said.")
@click.option("--inferred", is_flag=True, help="Include places inferred from proximity claims.")
@DB_OPTION
@ROWS_OPTION
@JSON_OPTION
def control_cmd(day: str, place: str | None, as_reported: str | None, inferred: bool, db: Path | None,
                fmt: str | None, as_json: bool) -> None:
    """Who held each place on a day: id, names, side, status, since, last evidence (stale when old), claim ids.

    Warns on stderr for a day after the last evidence; exits 2 before the baseline or when every state is stale."""
    if place or as_reported:
        tl = _timeline(db)
        _check_span(tl.span_check(_day(day)))
        state = tl.state_on(_day(day), as_reported=_day(as_reported) if as_reported else None,
                            include_inferred=inferred)
        if place:
            from tracker.api import places_named

            pids = places_named(tl, place)
            if not pids:
                raise InputError("--place", f"no place matches {place!r}")
        else:
            pids = list(state.index[state["side"] != "unknown"])
        rows = _state_rows(tl.places, state, pids)
    else:  # every place on one day: straight from the stored intervals, without loading the timeline (or pandas)
        from tracker.control.stored import state_rows, stored_span_check

        con = _reading(db)
        try:
            _check_span(stored_span_check(con, _day(day)))
            rows = state_rows(con, _day(day), include_inferred=inferred)
        finally:
            con.close()
    if as_json:
        for row in rows:
            _echo_json(row)
        return
    from tracker.rowfmt import format_rows

    columns = ["place_id", "name_en", "name_ar", "side", "status", "other_side", "since", "last_evidence", "stale",
               "inferred", "claim_ids"]
    click.echo(format_rows(columns, [[r[c] for c in columns] for r in rows], fmt or "table"))


@main.command("history")
@click.argument("place")
@DB_OPTION
@ROWS_OPTION
@JSON_OPTION
def history_cmd(place: str, db: Path | None, fmt: str | None, as_json: bool) -> None:
    """Every interval of a place's control, with the claims and quotes that opened it."""
    tl = _timeline(db)
    from tracker.api import places_named

    pids = places_named(tl, place)
    if not pids:
        raise InputError(place, "no place matches this name or id")
    if fmt in ("table", "csv"):
        from tracker.rowfmt import format_rows

        columns = ["place_id", "name_en", "valid_from", "valid_to", "side", "status", "other_side", "inferred",
                   "last_evidence", "claim_ids", "quotes"]
        rows = []
        for pid in pids:
            name = tl.places.at[pid, "name_en"] if pid in tl.places.index else pid
            for r in tl.history(pid).to_dict("records"):
                r = {**r, "place_id": pid, "name_en": name}
                rows.append([r[c] if not isinstance(r[c], float) or r[c] == r[c] else None for c in columns])
        click.echo(format_rows(columns, rows, fmt))
        return
    for pid in pids:
        name = tl.places.at[pid, "name_en"] if pid in tl.places.index else pid
        hist = tl.history(pid)
        ignored = tl.outcomes[(tl.outcomes["place_id"] == pid) & (tl.outcomes["outcome"] != "applied")]
        if as_json or fmt == "json":
            _echo_json({"place_id": pid, "name_en": name, "intervals": hist.to_dict("records"),
                        "other_claims": ignored.to_dict("records")})
            continue
        click.echo(f"{pid}  {name}")
        for r in hist.itertuples(index=False):
            other = f" ({r.other_side})" if isinstance(r.other_side, str) else ""
            flag = " [inferred]" if r.inferred else ""
            click.echo(f"  {r.valid_from} .. {r.valid_to or 'now'}  {r.side} {r.status}{other}{flag}  "
                       f"{','.join(r.claim_ids or [])}  {' | '.join(q for q in r.quotes if q)}")
        for r in ignored.itertuples(index=False):
            click.echo(f"  (claim {r.claim_id}: {r.outcome}: {r.reason})")


@main.command("export")
@click.option("--date", "day", default=None, help="One day (YYYY-MM-DD).")
@click.option("--start", default=None, help="First day of a range (YYYY-MM-DD), instead of --date.")
@click.option("--end", default=None, help="Last day of the range (YYYY-MM-DD).")
@click.option("--every", type=click.IntRange(min=1), default=1, show_default=True, help="Days between exported days.")
@click.option("--format", "fmt", type=click.Choice(["geojson", "geoparquet", "gpkg"]), default="geoparquet",
              show_default=True, help="GeoJSON (RFC 7946) and GeoParquet: files per day; GeoPackage: one file with "
                                      "every day and the time-enabled control_intervals layer.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="The control file of one day, a folder for a range, or the GeoPackage (default outputs/export/).")
@click.option("--no-inferred", is_flag=True, help="Leave out the inferred layer.")
@DB_OPTION
@JSON_OPTION
def export_cmd(day: str | None, start: str | None, end: str | None, every: int, fmt: str, out: Path | None,
               no_inferred: bool, db: Path | None, as_json: bool) -> None:
    """Write control polygons, front lines and places for QGIS and geopandas (EPSG:4326), one day or a range.

    Days after the data's last evidence are written with a warning and exit status 1; a day nothing can be said
    of (before the baseline, long after the last evidence) stops with exit status 2 before anything is written."""
    from tracker.export import days_between, export_days

    if day and (start or end):
        raise click.UsageError("give --date, or --start and --end, not both")
    if not day and not (start and end):
        raise click.UsageError("give --date, or --start and --end")
    days = [_day(day)] if day else days_between(_day(start), _day(end), every)
    tl = _timeline(db)
    warnings = _outside_data(tl, [days[0], days[-1]])
    files = export_days(days, fmt, out, timeline=tl, include_inferred=not no_inferred)
    _done({"files": [str(p) for p in files], "format": fmt, "days": len(days), "first": days[0], "last": days[-1]},
          warnings, as_json, "\n".join(map(str, files)))


@main.command("viewer")
@click.option("--start", type=DATE, default=None, help="First day (default: the timeline's start, its baseline).")
@click.option("--end", type=DATE, default=None, help="Last day (default: the last change).")
@click.option("--region", default="syria", show_default=True,
              help="syria, front (where control changed), or a governorate.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write (replaced whole); open its index.html in a browser.")
@DB_OPTION
def viewer_cmd(start, end, region: str, out: Path, db: Path | None) -> None:
    """Write an interactive map (a static page with a day slider) that opens from file:// with no network."""
    from tracker.regions import region as named
    from tracker.viewer import write_viewer

    if region.strip().casefold() != "front":
        named(region)  # an unknown region fails before the database is read
    con = store.connect(db, read_only=True)
    try:
        result = write_viewer(out, start=start.date() if start else None, end=end.date() if end else None,
                              region=region, con=con)
    finally:
        con.close()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{result.path / 'index.html'} ({result.start} to {result.end}, {result.places} places, "
               f"{result.events} changes, {result.bytes / 1e6:.1f} MB)")
