"""The baseline: who held each place on the day the timeline starts.

Reports move control forward from a snapshot. By default the snapshot is the 6,179-point revision of
Wikipedia's "Syrian Civil War detailed map" module (``<sources>/geo/wikimap``), dated to about 10-21 July 2017
by its README; tracker dates it :data:`BASELINE_DATE` (15 July 2017) with ``estimated`` precision. The six
big cities the module draws as inset pictures get their control from ``data/baseline_insets.toml`` (each with its
reason). A user may give their own snapshot instead: a CSV or GeoJSON with a place (id or name) or lat/lon, a
side, a status and a date (:func:`read_baseline`).

Places come from the gazetteer when it is built (``gazetteer.load(folder)``); otherwise from the Wikipedia map points
alone, with ids ``wm:<idx>`` (:func:`load_places` says which in its ``version``).

Public functions
----------------
- :func:`load_places` ``(prefer_gazetteer=True) -> (places, version)``
- :func:`wikimap_places` ``(path=None) -> places``
- :func:`load_baseline` ``(path=None, places=None) -> (baseline, extra_places)``
- :func:`parse_sides` ``(code) -> (side, other_side)``

A baseline frame has one row per place: ``place_id, side, status, other_side, day, date_precision, source, note``
with ``status`` one of ``held``, ``contested``, ``besieged``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from tracker import settings, vocab
from tracker._errors import InputError, MissingDataError

#: The date the default baseline stands for: the middle of the module revision's 10-21 July 2017 window.
BASELINE_DATE: date = date(2017, 7, 15)
#: Its precision: the revision is dated by the events it shows, not by a timestamp.
BASELINE_PRECISION: str = "estimated"
#: Where the default snapshot lives inside the sources directory.
WIKIMAP_CSV: str = "wikimap/scw_detailed_map_points.csv"
#: A user's lat/lon snaps to an existing place this close (km); farther, it becomes a new place.
MATCH_RADIUS_KM: float = 2.0

#: Columns of a places frame (the gazetteer's, indexed by ``place_id``).
PLACE_COLUMNS: tuple[str, ...] = (
    "name_en", "name_ar", "feature_type", "lat", "lon", "coord_precision", "adm1_en", "adm2_en", "adm3_en",
    "population", "country", "wikimap_idx", "wikimap_sides", "wikimap_status", "wikimap_feature", "border",
)
BASELINE_COLUMNS: tuple[str, ...] = (
    "place_id", "side", "status", "other_side", "day", "date_precision", "source", "note",
)
# Known typos of the module revision, corrected where the README names them: idx -> (lat, lon).
_WIKIMAP_FIXES: dict[int, tuple[float, float]] = {1375: (36.74, 36.6514)}  # Kharab Suluq: longitude "366514."
# 'mixed' on the map is stable shared control (Idlib's rebel/HTS towns), not fighting: held by the first
# side named, the second kept as other_side
_WIKIMAP_STATUSES = {"control": "held", "mixed": "mixed", "contested": "contested"}
_STATUS_WORDS = {
    "held": "held", "control": "held", "controlled": "held",
    "contested": "contested", "mixed": "mixed", "besieged": "besieged",
}


@lru_cache(maxsize=1)
def _insets() -> dict[int, dict]:
    return {int(k): v for k, v in vocab.data_file("baseline_insets.toml").items()}


#: Feature types that are areas, not places on the ground: they take no baseline state of their own.
AREA_FEATURES: frozenset[str] = frozenset({"governorate", "district", "subdistrict"})


def ground_places(places: pd.DataFrame) -> pd.DataFrame:
    """Places with a point coordinate in Syria that are not administrative areas."""
    ok = places["lat"].notna() & places["lon"].notna()
    if "coord_precision" in places:
        ok &= places["coord_precision"].isin(["point"]) | places["coord_precision"].isna()
    if "country" in places:
        ok &= places["country"].isin(["SY"]) | places["country"].isna()
    if "feature_type" in places:
        ok &= ~places["feature_type"].isin(list(AREA_FEATURES))
    return places[ok]


def _area_rows(places: pd.DataFrame, taken: set[str]) -> list[dict]:
    """Baseline rows for the towns of ``data/baseline_areas.toml`` (areas the module draws as inset pictures)."""
    rows = []
    if "name_ar" not in places:
        return rows
    ground = ground_places(places)
    ground = ground[~ground.index.isin(list(taken))]
    for entry in vocab.data_file("baseline_areas.toml").values():
        names = {_norm_ar(n) for n in entry["names_ar"]}
        d = _km(entry["lat"], entry["lon"], ground["lat"].to_numpy(float), ground["lon"].to_numpy(float))
        hit = ground[(d <= entry["radius_km"]) & ground["name_ar"].map(lambda n: _norm_ar(n) in names).to_numpy()]
        rows += [_baseline_row(pid, entry["sides"], "control", BASELINE_DATE, BASELINE_PRECISION, "wikimap area",
                               entry["reason"]) for pid in hit.index if pid not in taken]
        taken.update(hit.index)
    return rows


def _norm_ar(name) -> str:
    """An Arabic name with hamza forms and ta marbuta folded (for matching the areas file)."""
    if not isinstance(name, str):
        return ""
    return name.translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})).strip()


def _nearest_rows(places: pd.DataFrame, base: pd.DataFrame) -> list[dict]:
    """Baseline rows for ground places with no dot on the map: the state of the nearest dot (what the map shows
    there, read as the nearest dot's area), with the dot named in the note."""
    ground = ground_places(places)
    known = base.set_index("place_id")
    dots = ground[ground.index.isin(known.index)]
    rest = ground[~ground.index.isin(known.index)]
    if dots.empty or rest.empty:
        return []
    scale = np.cos(np.radians(35.0))  # degrees of longitude to degrees of latitude, near enough for "nearest"
    tree = shapely.STRtree(shapely.points(dots["lon"].to_numpy(float) * scale, dots["lat"].to_numpy(float)))
    nearest = tree.nearest(shapely.points(rest["lon"].to_numpy(float) * scale, rest["lat"].to_numpy(float)))
    rows = []
    for pid, j in zip(rest.index, nearest):
        dot = dots.index[j]
        src = known.loc[dot]
        km = float(_km(rest.at[pid, "lat"], rest.at[pid, "lon"], np.array([dots.at[dot, "lat"]]),
                       np.array([dots.at[dot, "lon"]]))[0])
        name = dots.at[dot, "name_en"] if "name_en" in dots else dot
        rows.append({"place_id": pid, "side": src["side"], "status": src["status"], "other_side": src["other_side"],
                     "day": src["day"], "date_precision": BASELINE_PRECISION, "source": "wikimap nearest dot",
                     "note": f"no dot of its own: the state of the nearest dot, {name} ({km:.1f} km)"})
    return rows


def parse_sides(code: str) -> tuple[str, str | None]:
    """Side and second side of a side code.

    Parameters
    ----------
    code
        A tracker side name (``government``) or a Wikipedia map code (``gov``, ``opp``, ``SDF``, ``IS``,
        ``JaN``, ``Trk``); ``a|b`` names two sides (contested, mixed, or ``a`` besieged by ``b``).

    Raises
    ------
    ValueError
        When a part is not a known side.
    """
    parts = [p.strip() for p in str(code).split("|") if p.strip()]
    if not parts or len(parts) > 2:
        raise ValueError(f"side {code!r} must be one side or two joined by '|'")
    names = []
    for part in parts:
        side = part.lower() if part.lower() in vocab.sides() else vocab.side_from_wikimap(part)
        if side is None:
            raise ValueError(f"unknown side {part!r} (use {', '.join(vocab.sides())} or gov/opp/SDF/IS/JaN/Trk)")
        names.append(side)
    return names[0], (names[1] if len(names) > 1 else None)


def _wikimap_path(path: str | Path | None) -> Path:
    p = Path(path) if path is not None else settings.geo_dir() / WIKIMAP_CSV
    if not p.exists():
        raise MissingDataError(f"{p}: the Wikipedia map points are missing (set TRACKER_SOURCES or --sources)")
    return p


def wikimap_places(path: str | Path | None = None) -> pd.DataFrame:
    """Every Wikipedia map control point (and the six inset cities) as a places frame with ids ``wm:<idx>``.

    Map furniture (the road overlay, a label anchor, border-crossing icons without a side) is left out;
    the inset cities get the coordinates of ``data/baseline_insets.toml``.
    """
    raw = pd.read_csv(_wikimap_path(path))
    for idx, (lat, lon) in _WIKIMAP_FIXES.items():
        raw.loc[raw["idx"] == idx, ["lat", "lon"]] = (lat, lon)
    keep = raw["status"].isin(list(_WIKIMAP_STATUSES)) & raw["sides"].notna()
    insets = _insets()
    inset_rows = raw["idx"].isin(list(insets))
    for idx, entry in insets.items():
        raw.loc[raw["idx"] == idx, ["lat", "lon", "label"]] = (entry["lat"], entry["lon"], entry["name"])
    rows = raw[keep | inset_rows].copy()
    places = pd.DataFrame({
        "place_id": "wm:" + rows["idx"].astype(str),
        "name_en": rows["label"].where(rows["label"].notna(), None),
        "name_ar": None,
        "feature_type": rows["feature"].replace({"city_inset": "city"}),
        "lat": rows["lat"].astype(float),
        "lon": rows["lon"].astype(float),
        "coord_precision": "point",
        "adm1_en": None, "adm2_en": None, "adm3_en": None,
        "population": np.nan,
        "country": "SY",
        "wikimap_idx": rows["idx"].astype("Int64"),
        "wikimap_sides": rows["sides"].where(rows["sides"].notna(), None),
        "wikimap_status": rows["status"],
        "wikimap_feature": rows["feature"],
        "border": None,
    }).set_index("place_id")
    return places


def _file_version(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:12]


def load_places(prefer_gazetteer: bool = True) -> tuple[pd.DataFrame, str]:
    """The places the timeline knows, and a version string naming where they came from.

    Uses the gazetteer (``gazetteer.load(folder).places``, version ``gazetteer:<version>``) when it is built, else
    the Wikipedia map points (version ``wikimap:<hash>``). Falls back quietly: the gazetteer is optional.
    """
    if prefer_gazetteer:
        try:
            import gazetteer

            gaz = gazetteer.load(settings.gazetteer_dir())
            places = gaz.places.copy()
            for col in PLACE_COLUMNS:
                if col not in places.columns:
                    places[col] = None
            places.index.name = "place_id"
            return places[list(PLACE_COLUMNS)], f"gazetteer:{gaz.version}"
        except Exception:  # not built yet, or an older gazetteer: the wikimap places still work
            pass
    path = _wikimap_path(None)
    return wikimap_places(path), f"wikimap:{_file_version(path)}"


def _km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance (km) from one point to many."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _baseline_row(place_id: str, code: str, status_word: str, day: date, precision: str, source: str,
                  note: str = "", besieger: str | None = None) -> dict:
    side, other = parse_sides(code)
    status = _STATUS_WORDS.get(status_word, status_word)
    if status == "mixed":
        status = "held"
    elif status == "held" and other is not None:
        status = "contested"  # two sides named on a plain 'control' row: no holder can be told
    if status == "besieged" and other is None and besieger:
        other = parse_sides(besieger)[0]
    return {"place_id": place_id, "side": side, "status": status, "other_side": other, "day": day,
            "date_precision": precision, "source": source, "note": note}


def _norm(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _inset_place(places: pd.DataFrame, idx: int, entry: dict) -> str | None:
    """The place an inset city stands for: its wikimap point, else the nearest place within 10 km whose
    English name contains the city's (``Ar-Raqqa`` for ``Raqqa``), cities first."""
    if "wikimap_idx" in places and places["wikimap_idx"].notna().any():
        hit = places.index[places["wikimap_idx"].astype("Float64") == idx]
        if len(hit):
            return hit[0]
    key = _norm(entry["name"])
    names = places["name_en"].fillna("").map(_norm)
    match = names.str.contains(key, regex=False)
    if entry.get("name_ar") and "name_ar" in places and (places["name_ar"] == entry["name_ar"]).any():
        match = places["name_ar"] == entry["name_ar"]
    same = places[match & places["lat"].notna()]
    if "coord_precision" in same:
        same = same[same["coord_precision"].isin(["point"]) | same["coord_precision"].isna()]
    if len(same):
        d = _km(entry["lat"], entry["lon"], same["lat"].to_numpy(float), same["lon"].to_numpy(float))
        near = same[d <= 10].assign(_city=lambda f: f.get("feature_type").eq("city") if "feature_type" in f else False,
                                    _d=d[d <= 10])
        if len(near):
            return near.sort_values(["_city", "_d"], ascending=[False, True]).index[0]
    return None


def wikimap_baseline(places: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The default baseline over ``places`` (joined on ``wikimap_idx``), and any inset cities it had to add."""
    rows = []
    known = places[places["wikimap_sides"].notna()] if "wikimap_sides" in places else places.iloc[:0]
    for pid, rec in known.iterrows():
        status = _WIKIMAP_STATUSES.get(rec["wikimap_status"])
        if status is None:
            continue
        rows.append(_baseline_row(pid, rec["wikimap_sides"], rec["wikimap_status"], BASELINE_DATE,
                                  BASELINE_PRECISION, "wikimap"))
    extra = []
    for idx, entry in _insets().items():
        pid = _inset_place(places, idx, entry)
        if pid is None:
            pid = f"wm:{idx}"
            extra.append({"place_id": pid, "name_en": entry["name"], "name_ar": None, "feature_type": "city",
                          "lat": entry["lat"], "lon": entry["lon"], "coord_precision": "point", "country": "SY",
                          "wikimap_idx": idx, "wikimap_status": "other", "wikimap_feature": "city_inset"})
        rows.append(_baseline_row(pid, entry["sides"], entry["status"], BASELINE_DATE, BASELINE_PRECISION,
                                  "wikimap inset", entry["reason"], entry.get("besieger")))
    rows += _area_rows(places, {r["place_id"] for r in rows})
    base = pd.DataFrame(rows, columns=list(BASELINE_COLUMNS)).drop_duplicates("place_id", keep="last")
    extra_df = pd.DataFrame(extra, columns=["place_id", *PLACE_COLUMNS]).set_index("place_id")
    every = pd.concat([places, extra_df[[c for c in places.columns if c in extra_df.columns]]]) if len(extra_df) \
        else places
    near = pd.DataFrame(_nearest_rows(every, base), columns=list(BASELINE_COLUMNS))
    base = pd.concat([base, near], ignore_index=True) if len(near) else base
    return base.reset_index(drop=True), extra_df


def _read_user_rows(path: Path) -> list[tuple[int | None, str, dict]]:
    """(line, where, record) for each row of a CSV or feature of a GeoJSON baseline."""
    if not path.exists():
        raise InputError(path, "no such baseline file")
    if path.suffix.lower() in {".geojson", ".json"}:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(path, f"not a GeoJSON file: {exc}") from None
        feats = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(feats, list):
            raise InputError(path, "a GeoJSON baseline must be a FeatureCollection")
        out = []
        for i, feat in enumerate(feats):
            rec = dict((feat or {}).get("properties") or {})
            geom = (feat or {}).get("geometry") or {}
            if geom.get("type") == "Point" and len(geom.get("coordinates") or []) >= 2:
                rec.setdefault("lon", geom["coordinates"][0])
                rec.setdefault("lat", geom["coordinates"][1])
            out.append((None, f"feature {i}", rec))
        return out
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            if "side" not in header:
                raise InputError(path, f"the header needs a 'side' column (has: {', '.join(header) or 'nothing'})", 1)
            if "place" not in header and "place_id" not in header and not {"lat", "lon"} <= set(header):
                raise InputError(path, "the header needs 'place' (id or name) or 'lat' and 'lon' columns", 1)
            rows = []
            for rec in reader:
                rows.append((reader.line_num, "", {k.strip().lower(): v for k, v in rec.items() if k}))
            return rows
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None


def _float(value, path: Path, line: int | None, where: str, name: str, lo: float, hi: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(path, f"{where + ': ' if where else ''}{name} {value!r} is not a number", line) from None
    if not (lo <= x <= hi) or math.isnan(x):
        raise InputError(path, f"{where + ': ' if where else ''}{name} {x} is outside {lo}..{hi}", line)
    return x


def read_baseline(path: str | Path, places: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A user's baseline (CSV or GeoJSON) over ``places``.

    Each row names a place by ``place`` (a place id or an exact English/Arabic name) or ``place_id``, or gives
    ``lat``/``lon`` (snapped to a place within :data:`MATCH_RADIUS_KM`, else added as ``user:<line>``); a
    ``side`` (tracker name or map code, ``a|b`` for two sides); optional ``status`` (``held``, ``contested``,
    ``mixed``, ``besieged``; default ``held``) and ``date`` (YYYY-MM-DD; default :data:`BASELINE_DATE`).

    Returns
    -------
    (baseline, extra_places)

    Raises
    ------
    InputError
        Naming the file and line (or GeoJSON feature) of the first bad row.
    """
    path = Path(path)
    names_en = places["name_en"].fillna("").str.casefold()
    names_ar = places["name_ar"].fillna("") if "name_ar" in places else pd.Series("", index=places.index)
    rows, extra = [], []
    for line, where, rec in _read_user_rows(path):
        pre = f"{where}: " if where else ""
        place = str(rec.get("place_id") or rec.get("place") or "").strip()
        lat = rec.get("lat")
        lon = rec.get("lon")
        has_xy = lat not in (None, "") and lon not in (None, "")
        pid = None
        if place:
            if place in places.index:
                pid = place
            else:
                hits = places.index[(names_en == place.casefold()) | (names_ar == place)]
                if len(hits) == 1:
                    pid = hits[0]
                elif len(hits) > 1 and not has_xy:
                    raise InputError(path, f"{pre}place name {place!r} is ambiguous ({len(hits)} places): "
                                     "give its place_id or lat/lon", line)
                elif len(hits) > 1:
                    y = _float(lat, path, line, where, "lat", 32.0, 37.5)
                    x = _float(lon, path, line, where, "lon", 35.5, 42.5)
                    sub = places.loc[hits]
                    pid = hits[int(np.argmin(_km(y, x, sub["lat"].to_numpy(float), sub["lon"].to_numpy(float))))]
                elif not has_xy:
                    raise InputError(path, f"{pre}unknown place {place!r}: give a place_id, an exact name or lat/lon",
                                     line)
        if pid is None:
            if not has_xy:
                raise InputError(path, f"{pre}row names no place: give 'place' or 'lat' and 'lon'", line)
            y = _float(lat, path, line, where, "lat", 32.0, 37.5)
            x = _float(lon, path, line, where, "lon", 35.5, 42.5)
            ok = places["lat"].notna() & places["lon"].notna()
            d = _km(y, x, places.loc[ok, "lat"].to_numpy(float), places.loc[ok, "lon"].to_numpy(float))
            if len(d) and d.min() <= MATCH_RADIUS_KM:
                pid = places.index[ok][int(np.argmin(d))]
            else:
                pid = f"user:{line if line is not None else where.split()[-1]}"
                extra.append({"place_id": pid, "name_en": place or None, "lat": y, "lon": x,
                              "coord_precision": "point", "country": "SY", "feature_type": "town"})
        side = str(rec.get("side") or "").strip()
        if not side:
            raise InputError(path, f"{pre}empty side", line)
        status = str(rec.get("status") or "held").strip().lower()
        if status not in _STATUS_WORDS:
            raise InputError(path, f"{pre}unknown status {status!r} (held, contested, mixed, besieged)", line)
        raw_day = str(rec.get("date") or "").strip()
        try:
            day = date.fromisoformat(raw_day) if raw_day else BASELINE_DATE
        except ValueError:
            raise InputError(path, f"{pre}unreadable date {raw_day!r} (use YYYY-MM-DD)", line) from None
        try:
            rows.append(_baseline_row(pid, side, status, day, "day" if raw_day else BASELINE_PRECISION,
                                      f"user:{path.name}", str(rec.get("note") or "")))
        except ValueError as exc:
            raise InputError(path, f"{pre}{exc}", line) from None
    if not rows:
        raise InputError(path, "no baseline rows")
    base = pd.DataFrame(rows, columns=list(BASELINE_COLUMNS)).drop_duplicates("place_id", keep="last")
    extra_df = pd.DataFrame(extra, columns=["place_id", *PLACE_COLUMNS]).set_index("place_id")
    return base.reset_index(drop=True), extra_df


def load_baseline(path: str | Path | None = None,
                  places: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baseline: the default Wikipedia map snapshot, or a user's file.

    Parameters
    ----------
    path
        A user's CSV/GeoJSON baseline; None for the Wikipedia map revision of about 15 July 2017.
    places
        The places it refers to; default :func:`load_places`.

    Returns
    -------
    (baseline, extra_places)
        ``extra_places`` are places the baseline needed that ``places`` lacked (append them).
    """
    if places is None:
        places, _ = load_places()
    if path is None:
        return wikimap_baseline(places)
    return read_baseline(path, places)
