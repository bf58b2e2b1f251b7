"""The control stage and the database: write the timeline once, read it back (never refolded from claims)."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tracker.control.days import STALE_DAYS, as_date, to_date
from tracker.control.records import CONFLICT_COLUMNS, EVENT_COLUMNS, INTERVAL_COLUMNS, OUTCOME_COLUMNS
from tracker.control.stored import STATE_ON_SQL

if TYPE_CHECKING:  # the timeline (and the fold behind it) is loaded only by what needs it: a day's state does not
    from tracker.control.timeline import Timeline

# ---------------------------------------------------------------- the database
_PLACE_TABLE_COLUMNS = ("place_id", "name_en", "name_ar", "feature_type", "lat", "lon", "coord_precision",
                        "adm1_en", "adm2_en", "adm3_en", "country", "wikimap_idx")


#: Claims columns the control fold never reads (long texts, the place's own name and point, which the fold takes
#: from the places): the control stage leaves them in the store. Each costs memory per claim at every step.
NOT_FOLDED: tuple[str, ...] = ("candidates", "resolution", "date_text", "extracted_at", "report_version",
                               "place_name", "lat", "lon", "lang", "place_start", "place_end")


def read_claims(con, skip: Sequence[str] = ()) -> pd.DataFrame:
    """The stored claims (newest version of each report) in ``claim_id`` order (the fold's), with the report's
    publication date as report time; without the columns ``skip``."""
    import pyarrow as pa

    star = f"c.* EXCLUDE ({', '.join(skip)}, published)" if skip else "c.* EXCLUDE (published)"
    # through Arrow, not ``.df()``: at 130,000 claims ``.df()`` peaks 150 MB higher and keeps 90 MB more; the sort
    # there too (a sort in DuckDB keeps 50 MB more, one in pandas a second frame)
    table = con.execute(
        f"SELECT {star}, coalesce(c.published, r.published) AS published FROM claims c "
        "LEFT JOIN reports r ON r.report_id = c.report_id AND r.version = c.report_version"
    ).to_arrow_table().sort_by("claim_id")
    frame = table.to_pandas(date_as_object=False,  # dates as datetime64, not an object per cell
                            types_mapper={pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype()}.get)
    del table
    pa.default_memory_pool().release_unused()  # the table's buffers, which Arrow's allocator would keep
    return frame


def write_timeline(con, tl: Timeline, places_version: str = "") -> dict:
    """Replace the places, baseline, control_events, control_intervals, conflicts and claim_outcomes tables."""
    pl = tl.places.reset_index()
    for col in _PLACE_TABLE_COLUMNS:
        if col not in pl.columns:
            pl[col] = None
    pl = pl[list(_PLACE_TABLE_COLUMNS)].copy()
    pl["wikimap_idx"] = pd.to_numeric(pl["wikimap_idx"], errors="coerce").astype("Int64")
    pl["has_cell"] = False
    pl["cell_area_km2"] = np.nan
    pl["cell_wkb"] = None
    pl["places_version"] = places_version
    pl = pl.drop_duplicates("place_id")
    frames = {
        "places": pl,
        "baseline": tl.baseline[["place_id", "side", "status", "other_side", "day", "date_precision", "source",
                                 "note"]],
        "control_events": tl.events[list(EVENT_COLUMNS)],
        "control_intervals": tl.intervals[list(INTERVAL_COLUMNS)],
        "conflicts": tl.conflicts[list(CONFLICT_COLUMNS)],
        "claim_outcomes": tl.outcomes[list(OUTCOME_COLUMNS)],
    }
    from tracker.store import transaction

    con.execute("SET pandas_analyze_sample = 1000000")  # columns that start with NULLs still get their type
    with transaction(con):
        for table, df in frames.items():
            con.execute(f"DELETE FROM {table}")
            if len(df):
                df = df.astype(object).where(df.notna(), None)
                con.register("_frame", df)
                cols = ", ".join(df.columns)
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _frame")
                con.unregister("_frame")
    return {k: len(v) for k, v in frames.items()}


def read_places(con, ids: list[str] | None = None) -> pd.DataFrame:
    """The stored places (all, or those of ``ids``), indexed by ``place_id``."""
    sql = f"SELECT {', '.join(_PLACE_TABLE_COLUMNS)} FROM places"
    if ids is None:
        return con.execute(sql).df().set_index("place_id")
    return con.execute(sql + " WHERE place_id IN (SELECT unnest($1))", [ids]).df().set_index("place_id")


def _dates(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """DuckDB dates as python dates, missing values as None (what the timeline compares)."""
    df = df.astype(object).where(df.notna(), None)
    for col in cols:
        df[col] = [to_date(v) for v in df[col]]
    return df


def _lists(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for col in cols:
        df[col] = [list(v) if v is not None else [] for v in df[col]]
    return df


_TIMELINE_CACHE: dict[tuple, Timeline] = {}


def load_timeline(con=None) -> Timeline:
    """The timeline as the control stage stored it (places, baseline, control_events, control_intervals,
    conflicts, claim_outcomes; never refolded from the claims). Default: the configured database, read-only,
    cached until the file changes.

    Raises
    ------
    MissingDataError
        When the control stage has not filled the places table yet.
    """
    from tracker import settings, store
    from tracker._errors import MissingDataError

    key = None
    own = con is None
    if own:
        path = settings.db_path()
        key = (str(path), path.stat().st_mtime if path.exists() else 0)
        if key in _TIMELINE_CACHE:
            return _TIMELINE_CACHE[key]
        con = store.connect(path, read_only=True)
    try:
        places = read_places(con)
        if not len(places):
            raise MissingDataError("no places in the database: run `tracker run` (the control stage) first")
        base = _dates(con.execute("SELECT * FROM baseline").df(), "day")
        events = _lists(_dates(con.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM control_events").df(),
                               "day", "reported"), "claim_ids", "quotes")
        intervals = _lists(_dates(con.execute(f"SELECT {', '.join(INTERVAL_COLUMNS)} FROM control_intervals").df(),
                                  "valid_from", "valid_to", "last_evidence"), "claim_ids")
        intervals["inferred"] = intervals["inferred"].astype(bool)
        events["inferred"] = events["inferred"].astype(bool)
        events["applied"] = events["applied"].astype(bool)
        conflicts = _lists(_dates(con.execute(f"SELECT {', '.join(CONFLICT_COLUMNS)} FROM conflicts").df(),
                                  "day_from", "day_to", "settled_on"), "sides", "claim_ids", "weights")
        outcomes = con.execute(f"SELECT {', '.join(OUTCOME_COLUMNS)} FROM claim_outcomes").df()
        outcomes = outcomes.astype(object).where(outcomes.notna(), None)
        claims = con.execute("SELECT claim_id, report_id, attribution, source FROM claims").df()
    finally:
        if own:
            con.close()
    from tracker.control.timeline import Timeline

    tl = Timeline.from_tables(places, base, events, intervals, conflicts, outcomes, claims)
    if key is not None:
        _TIMELINE_CACHE.clear()
        _TIMELINE_CACHE[key] = tl
    return tl


# ---------------------------------------------------------------- one day, straight from the tables
def stored_state_on(con, day: date | str, include_inferred: bool = False) -> pd.DataFrame:
    """The state of every place on ``day`` from the control stage's tables, without loading the timeline: the
    frame :meth:`Timeline.state_on` gives (``side, status, other_side, since, claim_ids, inferred, last_evidence,
    stale``, indexed by ``place_id``), in a fraction of a second however many claims there are."""
    df = con.execute(STATE_ON_SQL, [as_date(day), include_inferred, STALE_DAYS]).df()
    df = _lists(_dates(df, "since", "last_evidence"), "claim_ids")
    df["inferred"] = df["inferred"].astype(bool)
    df["stale"] = df["stale"].astype(bool)
    return df.set_index("place_id")


def changes_between(d0: date | str, d1: date | str, *, timeline: Timeline | None = None, con=None,
                    include_inferred: bool = False) -> pd.DataFrame:
    """Control changes with ``d0 <= day <= d1`` (see :meth:`Timeline.changes_between`), from the database
    unless a ``timeline`` is given."""
    tl = timeline if timeline is not None else load_timeline(con)
    return tl.changes_between(d0, d1, include_inferred=include_inferred)


def resolve_regions(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims with a region's words and no place ("eastern Ghouta", "Daraa province") get the administrative
    unit the gazetteer resolves them to (``region_id``) and its direction (``region_direction``), so a claim
    about all of a region can reach its settlements. Without a built gazetteer, claims are returned as they are."""
    claims = claims.copy()
    claims["region_id"] = None
    claims["region_direction"] = None
    if claims.empty or "place_text" not in claims:
        return claims
    try:
        import gazetteer

        from tracker import settings

        gaz = gazetteer.load(settings.gazetteer_dir())
    except Exception:  # no gazetteer built: region claims stay unresolved, as the extractor left them
        return claims
    todo = claims["place_id"].isna() & claims["place_text"].notna() & claims["action"].isin(["capture", "withdraw"])
    found: dict[str, tuple[str | None, str | None]] = {}
    for i in claims.index[todo]:
        text = str(claims.at[i, "place_text"])
        if text not in found:
            res = gaz.lookup(text)
            best = res.best
            found[text] = (best.place_id, res.direction) if best is not None and str(best.place_id).startswith(
                "adm:") else (None, None)
        claims.at[i, "region_id"], claims.at[i, "region_direction"] = found[text]
    return claims


def build_timeline(con, baseline_path=None, fold_cache: dict | None = None) -> tuple[Timeline, str]:
    """The timeline from the gazetteer (or the Wikipedia map places), a baseline and the stored claims
    (folded incrementally with ``fold_cache``, see :class:`Timeline`)."""
    from tracker import baseline as bl
    from tracker.control.timeline import Timeline

    places, version = bl.load_places()
    base, extra = bl.load_baseline(baseline_path, places=places)
    if len(extra):
        places = pd.concat([places, extra[[c for c in places.columns if c in extra.columns]]])
    return Timeline(places, base, resolve_regions(read_claims(con, skip=NOT_FOLDED)), fold_cache=fold_cache), version


def fold_cache_path(con) -> Path | None:
    """Where the control stage keeps the fold's groups of places between runs (``<db>.fold.pickle``, beside the
    published database); None for an in-memory database."""
    from tracker.store import database_path

    db = database_path(con)
    return Path(f"{db}.fold.pickle") if db is not None else None


#: Rows of one list of one group that go in one pickle of the fold cache file (:func:`write_fold_cache`).
FOLD_CACHE_PIECE = 20_000


def write_fold_cache(path: Path, cache: dict) -> None:
    """Keep the fold groups (:mod:`tracker.control.incremental`) in ``path``: the setting, then each group's lists in
    pieces of :data:`FOLD_CACHE_PIECE` rows, each its own pickle. A pickler remembers every object it wrote (16 bytes
    each, twice that while its table grows), so one pickle of all rows peaked at 30 MB over the stage at 130,000
    claims; pieces keep that to the size of a piece. Values shared by two pieces are written, and read back, twice."""
    from tracker.fileio import replacing

    with replacing(path) as tmp, open(tmp, "wb") as f:  # streamed: no second copy in memory
        pickler = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dump(cache.get("setting"))
        pickler.clear_memo()
        for group, entry in cache.get("groups", {}).items():
            for name, (keys, rows) in entry.items():
                for i in range(0, max(len(keys), 1), FOLD_CACHE_PIECE):
                    pickler.dump((group, name, keys[i:i + FOLD_CACHE_PIECE], rows[i:i + FOLD_CACHE_PIECE]))
                    pickler.clear_memo()


def read_fold_cache(path: Path | None) -> dict:
    """The kept fold groups (an empty dict when there are none or the file is unreadable: all is folded)."""
    if path is None or not path.exists():
        return {}
    try:
        with open(path, "rb") as f:  # each piece its own pickle, read with its own memo
            setting = pickle.load(f)  # noqa: S301 (our own file, written by this stage)
            if isinstance(setting, dict):  # the whole cache in one pickle, as earlier versions wrote it
                return setting
            groups: dict[str, dict] = {}
            while f.peek(1):
                group, name, keys, rows = pickle.load(f)  # noqa: S301
                kept_keys, kept_rows = groups.setdefault(group, {}).setdefault(name, ([], []))
                kept_keys.extend(keys)
                kept_rows.extend(rows)
    except Exception:  # a file of another version of the code, or cut short: fold everything again
        return {}
    return {"setting": setting, "groups": groups}


def stage_control(ctx) -> dict:
    """Pipeline stage: fold the baseline and the stored claims into events, intervals and conflicts, and store
    them: every later stage reads these tables (or this timeline) instead of folding the claims again. The fold
    is incremental (:mod:`tracker.control.incremental`): only the groups of places whose claims changed since
    the last run are folded again."""
    path = fold_cache_path(ctx.con)
    cache = read_fold_cache(path)
    tl, version = build_timeline(ctx.con, fold_cache=cache)
    if path is not None:
        write_fold_cache(path, cache)
    del cache
    counts = write_timeline(ctx.con, tl, version)
    ctx.timeline = tl.shed()  # the stages after this one draw this timeline, as stored
    applied = tl.events[tl.events["applied"]]
    return {"places": counts["places"], "events": int((~applied["inferred"]).sum()),
            "inferred": int(applied["inferred"].sum()), "claimed": int((applied["to_status"] == "claimed").sum()),
            "conflicts": len(tl.conflicts), "ignored_claims": int((tl.outcomes["outcome"] == "ignored").sum()),
            "pending_claims": int((tl.outcomes["outcome"] == "pending").sum()), "places_version": version,
            "start": str(tl.start), "end": str(tl.end), "last_evidence": str(tl.last_evidence), **tl.fold_counts,
            **{f"inferred_{k.replace(' ', '_')}": v for k, v in tl.inferred_counts.items()}}
