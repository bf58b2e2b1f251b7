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


def _echo_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=str))


class _Group(click.Group):
    """Turns tracker's and the gazetteer's own errors into a one-line message and exit code 2 (no traceback)."""

    def invoke(self, ctx: click.Context):
        from gazetteer.errors import GazetteerError

        try:
            return super().invoke(ctx)
        except (TrackerError, GazetteerError) as exc:
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
@JSON_OPTION
def run(paths: tuple[Path, ...], db: Path | None, out: Path | None, strict: bool, as_json: bool) -> None:
    """Run the whole pipeline (default inputs: the seeds, the Wikipedia articles and the news excerpts)."""
    from tracker import pipeline

    settings.configure(outputs=out)
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
@JSON_OPTION
@click.option("--limit", type=int, default=200, show_default=True, help="Rows shown in the table view.")
def sql(query: str, db: Path | None, as_json: bool, limit: int) -> None:
    """Run a read-only SQL query and print a table (or JSON lines)."""
    from tracker.query import run_query

    columns, rows = run_query(query, db)
    if as_json:
        for row in rows:
            _echo_json(dict(zip(columns, row)))
        return
    from tracker.query import format_table

    click.echo(format_table(columns, rows, limit=limit))


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
def map_cmd(day, region: str | None, bbox: str | None, out: Path | None, db: Path | None) -> None:
    """Draw who controls what on one day as a PNG."""
    from tracker.plot import map_for_day

    if region and bbox:
        raise click.UsageError("give --region or --bbox, not both")
    con = store.connect(db, read_only=True, empty_if_missing=True)
    try:
        from tracker.control import load_timeline

        try:
            _check_span(load_timeline(con), day.date())
        except MissingDataError:
            pass  # no control stage yet: the map says so itself
        path, result = map_for_day(day.date(), out, region=region, bbox=bbox, con=con)
    finally:
        con.close()
    click.echo(f"{path} ({len(result.map_labels)} changes labelled on the map)")


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
@DB_OPTION
def animate_cmd(start, end, region: str, fmt: str | None, step: int, fps: float, out: Path | None,
                db: Path | None) -> None:
    """Render control over time as an MP4 or GIF, one frame per --step days."""
    from tracker.animate import animate, frame_days
    from tracker.regions import region as named

    frame_days(start.date(), end.date(), step)  # bad dates fail before opening anything
    if region.strip().casefold() != "front":
        named(region)
    fmt = fmt or (out.suffix.lstrip(".").lower() if out and out.suffix else "mp4")
    if out is None:
        out = settings.outputs_dir() / f"animation_{region}_{start:%Y-%m-%d}_{end:%Y-%m-%d}.{fmt}"
    con = store.connect(db, read_only=True, empty_if_missing=True)
    try:
        result = animate(start.date(), end.date(), out, region=region, fmt=fmt, step=step, fps=fps, con=con)
    finally:
        con.close()
    click.echo(f"{result.path} ({result.frames} frames, {result.size[0]}x{result.size[1]})")


@main.command("sitrep")
@click.option("--week", required=True, help="ISO week, e.g. 2017-W41 (Monday to Sunday).")
@click.option("--region", default=None, help="syria (default), front, or a governorate (e.g. deir-ez-zor).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf"]), default=None,
              help="Default: from --out's suffix, else md.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (default outputs/sitreps/<week>[-<region>].<format>).")
@click.option("--no-map", is_flag=True, help="Leave out the map and the chart (quick).")
@DB_OPTION
def sitrep_cmd(week: str, region: str | None, fmt: str | None, out: Path | None, no_map: bool,
               db: Path | None) -> None:
    """Write the weekly situation report for one ISO week."""
    from tracker.sitrep import make

    for path in make(week, region, fmt, out, db, with_map=not no_map):
        click.echo(str(path))


def _timeline(db: Path | None):
    from tracker import control

    if db is None:
        return control.load_timeline()
    con = store.connect(db, read_only=True)
    try:
        return control.load_timeline(con)
    finally:
        con.close()


def _check_span(tl, day) -> None:
    """Warn on stderr for a day after the data's last evidence; stop (exit 2) where nothing can be said of it."""
    ok, why = tl.span_check(day)
    if not ok:
        raise InputError("--date", why)
    if why:
        click.echo(f"warning: {why}", err=True)


def _day(value: str):
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _places_named(tl, name: str) -> list[str]:
    """The place ids a ``--place`` or ``history`` argument means, by the gazetteer's resolver (every
    spelling, importance); the timeline's own name match when the gazetteer is not built or knows
    nothing of the name (a place a user's baseline added).

    Raises
    ------
    InputError
        When the name is ambiguous: the message lists the candidates, ranked, with their admin path.
    """
    if name in tl.places.index:
        return [name]
    import gazetteer

    try:
        res = gazetteer.load(settings.gazetteer_dir()).find_places(name)
    except gazetteer.MissingDataError:
        return tl.find_places(name)
    known = [c for c in res.candidates if c.place_id in tl.places.index]
    if res.best is not None and res.best.place_id in tl.places.index:
        return [res.best.place_id]
    if not known:
        return tl.find_places(name)
    if len(known) == 1:
        return [known[0].place_id]
    lines = [f"  {c.place_id}\t{c.name_en or ''} | {c.name_ar or ''}\t[{c.feature_type}]\t{c.admin_path}"
             for c in known[:10]]
    raise InputError(name, "several places have this name; give one of these place ids:\n" + "\n".join(lines))


def _state_rows(tl, state, pids) -> list[dict]:
    rows = []
    for pid in pids:
        if pid not in state.index:
            continue
        s = state.loc[pid]
        p = tl.places.loc[pid].where(tl.places.loc[pid].notna(), None) if pid in tl.places.index else {}
        rows.append({"place_id": pid, "name_en": p.get("name_en"), "name_ar": p.get("name_ar"), "side": s["side"],
                     "status": s["status"], "other_side": s["other_side"] if isinstance(s["other_side"], str) else None,
                     "since": str(s["since"]) if s["since"] is not None else None,
                     "claim_ids": list(s["claim_ids"] or []), "inferred": bool(s["inferred"]),
                     "last_evidence": str(s["last_evidence"]) if s.get("last_evidence") is not None else None,
                     "stale": bool(s.get("stale", False))})
    return rows


@main.command("control")
@click.option("--date", "day", required=True, help="The day (YYYY-MM-DD).")
@click.option("--place", default=None, help="A place id or name (default: every place with a known state).")
@click.option("--as-reported", default=None, help="Only what reports published by this date said.")
@click.option("--inferred", is_flag=True, help="Include places inferred from proximity claims.")
@DB_OPTION
@JSON_OPTION
def control_cmd(day: str, place: str | None, as_reported: str | None, inferred: bool, db: Path | None,
                as_json: bool) -> None:
    """Who held each place on a day: id, names, side, status, since, last evidence (stale when old), claim ids.

    Warns on stderr for a day after the last evidence; exits 2 before the baseline or when every state is stale."""
    tl = _timeline(db)
    _check_span(tl, _day(day))
    state = tl.state_on(_day(day), as_reported=_day(as_reported) if as_reported else None,
                        include_inferred=inferred)
    if place:
        pids = _places_named(tl, place)
        if not pids:
            raise InputError("--place", f"no place matches {place!r}")
    else:
        pids = list(state.index[state["side"] != "unknown"])
    rows = _state_rows(tl, state, pids)
    if as_json:
        for row in rows:
            _echo_json(row)
        return
    for r in rows:
        other = f" ({r['other_side']})" if r["other_side"] else ""
        stale = " (stale)" if r["stale"] else ""
        click.echo(f"{r['place_id']}\t{r['name_en'] or ''}\t{r['name_ar'] or ''}\t{r['side']}\t{r['status']}{other}"
                   f"\tsince {r['since']}\tlast evidence {r['last_evidence']}{stale}\t{','.join(r['claim_ids'])}")


@main.command("history")
@click.argument("place")
@DB_OPTION
@JSON_OPTION
def history_cmd(place: str, db: Path | None, as_json: bool) -> None:
    """Every interval of a place's control, with the claims and quotes that opened it."""
    tl = _timeline(db)
    pids = _places_named(tl, place)
    if not pids:
        raise InputError(place, "no place matches this name or id")
    for pid in pids:
        name = tl.places.at[pid, "name_en"] if pid in tl.places.index else pid
        hist = tl.history(pid)
        ignored = tl.outcomes[(tl.outcomes["place_id"] == pid) & (tl.outcomes["outcome"] != "applied")]
        if as_json:
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
@click.option("--date", "day", required=True, help="The day (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["geoparquet", "geojson"]), default="geoparquet",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Polygons file (front lines and places are written beside it).")
@click.option("--no-inferred", is_flag=True, help="Leave out the inferred layer.")
@DB_OPTION
def export_cmd(day: str, fmt: str, out: Path | None, no_inferred: bool, db: Path | None) -> None:
    """Write a day's control polygons, front lines and places (EPSG:4326)."""
    from tracker.export import export_day

    tl = _timeline(db)
    _check_span(tl, _day(day))
    for path in export_day(_day(day), fmt, out, timeline=tl, include_inferred=not no_inferred):
        click.echo(str(path))
