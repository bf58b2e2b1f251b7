"""Build the gazetteer table from the sources in ``<sources>/geo`` and GeoNames.

Steps (see docs/gazetteer.md):

1. admin units (OCHA P-codes, Open-Syria aliases and centroids) become rows with the precision of
   their level, plus the "countryside of" phrases that name them as regions;
2. every point source (Wikipedia map, Syrian Archive, GeoNames) is placed in a subdistrict polygon;
3. each OCHA settlement is linked, one to one, to the best point of each source whose name agrees
   across scripts (consonant skeletons) and that lies in its subdistrict (or within 3 km of it);
4. unlinked points become rows of their own (Syrian Archive and GeoNames first try to give an
   Arabic name to a Wikipedia map point at the same spot);
5. the overrides CSV is merged last (corrections, landmarks, inferred dots).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
import warnings
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from . import sources as src
from .errors import InputError
from .normalize import (
    DATA,
    is_arabic,
    latin_key,
    levenshtein,
    name_key,
    norm,
    persian_variants,
    qualifier,
    skeleton,
    split_feature,
)

SCHEMA_VERSION = "1"
COLUMNS = ["place_id", "name_en", "name_ar", "alt_names", "feature_type", "lat", "lon", "coord_precision",
           "coord_source", "inferred_reason", "adm1_pcode", "adm1_en", "adm1_ar", "adm2_pcode", "adm2_en",
           "adm2_ar", "adm3_pcode", "adm3_en", "adm3_ar", "population", "country", "sources",
           "wikimap_idx", "wikimap_sides", "wikimap_status", "wikimap_feature", "wikimap_size", "linked",
           "admin_centre", "importance", "border", "euphrates_bank"]

WIKIMAP_FEATURE = {"town": "town", "hill": "hill", "base": "military_base", "industry": "industry",
                   "oil": "oil_field", "airbase": "airport", "heliport": "airport", "dam": "dam",
                   "border_crossing": "border_crossing", "naval": "military_base"}
NEAR_DEG = 0.03  # ~3 km: a point this close to a subdistrict may belong to it (2017 vs 2019 lines)


# ---------------------------------------------------------------- admin units
class Admin:
    """OCHA admin units by P-code with names and parents."""

    def __init__(self, adm123: pd.DataFrame, opensyria: pd.DataFrame) -> None:
        self.units = {r.pcode: r._asdict() for r in adm123.itertuples(index=False)}
        self.os = {r.pcode: r._asdict() for r in opensyria.itertuples(index=False)}
        self.adm3_by_en: dict[str, list[str]] = defaultdict(list)   # two subdistricts are called Suran
        for p, r in self.units.items():
            if r["level"] == "subdistrict":
                self.adm3_by_en[r["name_en"]].append(p)

    def path(self, pcode: str | None) -> dict:
        """``adm1/2/3_pcode/_en/_ar`` for a subdistrict (or higher) P-code."""
        out = {f"adm{i}_{k}": None for i in (1, 2, 3) for k in ("pcode", "en", "ar")}
        if not pcode or pcode not in self.units:
            return out
        u = self.units[pcode]
        chain = {"subdistrict": 3, "district": 2, "governorate": 1}
        level = chain[u["level"]]
        codes = {level: pcode}
        if level >= 2:
            codes[1] = u["adm1"]
        if level == 3:
            codes[2] = u["adm2"]
        for lv, pc in codes.items():
            if pc in self.units:
                out[f"adm{lv}_pcode"] = pc
                out[f"adm{lv}_en"] = self.units[pc]["name_en"]
                out[f"adm{lv}_ar"] = self.units[pc]["name_ar"]
        return out


def _read_csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def admin_rows(admin: Admin) -> list[dict]:
    """One row per governorate, district and subdistrict, with region phrases as alternate names."""
    templates = _read_csv("admin_phrases.csv")
    dirs = defaultdict(list)
    for d in _read_csv("directions.csv"):
        dirs[d["lang"]].append(d["form"])
    rows = []
    for pcode, u in admin.units.items():
        os_ = admin.os.get(pcode, {})
        ar, en = u["name_ar"], u["name_en"]
        ar_bare = ar.replace("مدينة ", "").replace("مركز ", "")
        alts = {ar, en, ar_bare, os_.get("name_en") or "", os_.get("name_ar") or ""}
        alts.update(a for a in os_.get("aliases", []) if a)
        # "Damascus countryside" is the Rural Damascus governorate, not the city
        phrase_target = "SY01" if pcode == "SY03" else pcode
        if pcode != "SY01":
            src_u = admin.units[phrase_target]
            names_ar = {src_u["name_ar"].replace("مدينة ", "").replace("مركز ", ""), os_.get("name_ar") or ""}
            names_en = {src_u["name_en"], os_.get("name_en") or ""}
            if pcode == "SY03":
                names_ar, names_en = {"دمشق"}, {"Damascus"}
            for t in templates:
                if t["level"] != u["level"]:
                    continue
                for nm in (names_ar if t["lang"] in ("ar", "fa") else names_en):
                    if not nm:
                        continue
                    nm_fa = nm.replace("ي", "ی").replace("ك", "ک") if t["lang"] == "fa" else nm
                    forms = dirs[t["lang"]] if "{dir}" in t["template"] else [""]
                    for d in forms:
                        alts.add(t["template"].format(ar=nm_fa, en=nm, dir=d).strip())
        lat, lon = os_.get("lat"), os_.get("lon")
        row = _blank()
        row.update(admin.path(pcode))
        row.update({
            "place_id": f"adm:{pcode}", "name_en": en, "name_ar": ar_bare, "feature_type": u["level"],
            "lat": lat, "lon": lon, "coord_precision": u["level"] if lat is not None else None,
            "coord_source": "Open-Syria centroid" if lat is not None else None,
            "population": os_.get("population"), "country": "SY",
            "alt_names": sorted(a for a in alts if a),
            "sources": {"names": "OCHA admin123", "aliases": "Open-Syria", "coord": "Open-Syria centroid"},
        })
        rows.append(row)
    return rows


def _blank() -> dict:
    row = {c: None for c in COLUMNS}
    row["alt_names"] = []
    row["sources"] = {}
    row["linked"] = []
    return row


# ---------------------------------------------------------------- points in subdistricts
def subdistrict_polygons(polys: gpd.GeoDataFrame, admin: Admin) -> gpd.GeoDataFrame:
    """The subdistrict polygons with their OCHA P-code (``pcode``).

    The polygons carry English names only; a name two subdistricts share (Suran in Aleppo and in
    Hama) is one multipolygon there: each of its parts goes to the subdistrict whose Open-Syria
    centroid is nearest.
    """
    rows = []
    for name, geom in zip(polys["shapeName"], polys.geometry):
        codes = admin.adm3_by_en.get(name, [])
        if len(codes) <= 1:
            rows.append((codes[0] if codes else None, name, geom))
            continue
        centres = {c: Point(admin.os[c]["lon"], admin.os[c]["lat"]) for c in codes
                   if admin.os.get(c, {}).get("lat") is not None}
        parts: dict[str, list] = defaultdict(list)
        for part in getattr(geom, "geoms", [geom]):
            rep = part.representative_point()
            parts[min(centres, key=lambda c: rep.distance(centres[c]))].append(part)
        for code, ps in parts.items():
            rows.append((code, name, shapely.union_all(ps)))
    return gpd.GeoDataFrame(rows, columns=["pcode", "shapeName", "geometry"], geometry="geometry",
                            crs="EPSG:4326")


def place_points(points: pd.DataFrame, polys: gpd.GeoDataFrame, admin: Admin) -> pd.DataFrame:
    """Add ``adm3`` (containing subdistrict P-code) and ``adm3_near`` (set of P-codes within ~3 km);
    ``polys`` come from :func:`subdistrict_polygons`."""
    gdf = gpd.GeoDataFrame(points.copy(), geometry=gpd.points_from_xy(points["lon"], points["lat"]),
                           crs="EPSG:4326")
    polys = polys.set_crs("EPSG:4326", allow_override=True)
    inside = gpd.sjoin(gdf[["geometry"]], polys[["pcode", "geometry"]], how="left", predicate="within")
    inside = inside[~inside.index.duplicated()]
    near = gdf[["geometry"]].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a degree buffer is what we want here
        near["geometry"] = near.buffer(NEAR_DEG)
    nj = gpd.sjoin(near, polys[["pcode", "geometry"]], how="inner", predicate="intersects")
    near_sets = nj.groupby(level=0)["pcode"].agg(lambda s: frozenset(s.dropna()))
    out = points.copy()
    out["adm3"] = inside["pcode"].reindex(out.index)
    out["adm3_near"] = near_sets.reindex(out.index)
    out["adm3_near"] = out["adm3_near"].map(lambda v: v if isinstance(v, frozenset) else frozenset())
    return out


# ---------------------------------------------------------------- name keys and scores
def _label_parts(label: str) -> list[str]:
    """A map label's name variants: ``Wadi al Ahmar/Wadi Al-Kharrar``, ``Teibah (Taybat al-Asm)``."""
    parts = [label]
    for sep in ("/", "("):
        parts += [p.strip(" )") for p in label.replace(")", "").split(sep) if p.strip(" )")]
    return list(dict.fromkeys(p for p in parts if p))


UNIT_WORDS = {r["en"].lower(): r for r in _read_csv("unit_words.csv")}
_UNIT_WORD = "|".join(r["en"] for r in UNIT_WORDS.values())
_UNIT = re.compile(rf"\b(?:(\d+)(?:st|nd|rd|th)?\s+(?:[A-Z][a-z]+\s+){{0,2}}({_UNIT_WORD})|({_UNIT_WORD})\s+(\d+))\b")


def unit_alternates(label: str) -> list[str]:
    """The names a numbered unit's base goes by: "46th Regiment" is also "Regiment 46", "Base 46",
    "الفوج 46" and "هنگ 46" (``unit_words.csv``); reports name bases by their unit."""
    out: list[str] = []
    for m in _UNIT.finditer(label):
        number, word = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        row = UNIT_WORDS[word.lower()]
        n = int(number)
        if n < 10:
            continue
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        out += [f"{word} {n}", f"{n}{suffix} {word}", f"Base {n}", f"{row['ar']} {n}", f"{row['fa']} {n}"]
    return list(dict.fromkeys(out))


def add_unit_alternates(table: pd.DataFrame) -> pd.DataFrame:
    """Give each numbered unit's base of the map its unit names (:func:`unit_alternates`), except a
    name a source or an override already gives another place ("اللواء 137" is the override's base,
    not the 137th Artillery Brigade's HQ)."""
    given: dict[str, set[str]] = defaultdict(set)
    for pid, en, ar, alts in zip(table["place_id"], table["name_en"], table["name_ar"], table["alt_names"]):
        for n in [en, ar, *(alts or [])]:
            if isinstance(n, str) and n:
                given[n].add(pid)
    bases = table.index[(table["feature_type"] == "military_base") & table["wikimap_idx"].notna()]
    for i in bases:
        pid = table.at[i, "place_id"]
        alts = list(table.at[i, "alt_names"] or [])
        alts += [a for a in unit_alternates(table.at[i, "name_en"] or "")
                 if a not in alts and not given.get(a, set()) - {pid}]
        table.at[i, "alt_names"] = alts
    return table


def _skels(names: list[str]) -> set[str]:
    out = set()
    for n in names:
        core, _ = split_feature(n)
        s = skeleton(core)
        if s.split("~")[0]:
            out.add(s)
    return out


def _score(a: set[str], b: set[str]) -> float:
    """Name agreement of two skeleton sets (0 when they disagree)."""
    best = 0.0
    for x in a:
        xb, _, xq = x.partition("~")
        for y in b:
            if x == y:
                return 0.9 if len(xb) > 2 else 0.8
            yb, _, yq = y.partition("~")
            if xq != yq:
                if xb == yb and not (xq and yq):
                    best = max(best, 0.62)
                continue
            m = min(len(xb), len(yb))
            if m >= 4:
                d = levenshtein(xb, yb, 2)
                if d == 1:
                    best = max(best, 0.72)
                elif d == 2 and m >= 7:
                    best = max(best, 0.62)
    return best


REF_KM = 10.0  # a map point this far from where GeoNames puts a settlement is doubtful


def link(ocha: pd.DataFrame, points: pd.DataFrame, threshold: float = 0.6,
         ref: dict[int, tuple[float, float]] | None = None) -> dict[int, tuple[int, float]]:
    """One-to-one links OCHA row -> point row, greedy by score within (or near) the subdistrict.

    Parameters
    ----------
    ocha
        OCHA settlements with ``adm3_pcode``, ``skels`` and ``ar_keys``.
    points
        A point source with ``adm3``, ``adm3_near``, ``skels`` and ``ar_keys``.
    threshold
        The lowest name score linked.
    ref
        Where GeoNames puts some OCHA rows (row position -> lat, lon): a point of the same name
        more than :data:`REF_KM` from there loses 0.15, and among equal scores the nearer point wins
        (the map has two "Sanamayn"-like labels 18 km apart; GeoNames knows which is the town).

    Returns
    -------
    dict
        OCHA row position -> (point row position, score).
    """
    by_adm3: dict[str, list[int]] = defaultdict(list)
    for j, near in enumerate(points["adm3_near"]):
        for p in near:
            by_adm3[p].append(j)
    p_adm3 = points["adm3"].tolist()
    p_sk, p_ar = points["skels"].tolist(), points["ar_keys"].tolist()
    p_lat, p_lon = points["lat"].tolist(), points["lon"].tolist()
    ref = ref or {}
    pairs = []
    for i, (adm3, sk, ark) in enumerate(zip(ocha["adm3_pcode"], ocha["skels"], ocha["ar_keys"])):
        at = ref.get(i)
        for j in by_adm3.get(adm3, ()):
            s = 1.0 if ark & p_ar[j] else _score(sk, p_sk[j])
            if p_adm3[j] != adm3:
                s = s - 0.1 if s >= 0.9 else 0.0  # a neighbour's point: only on an exact name
            # a row without a reference point ranks as one whose point is REF_KM away
            d = REF_KM if at is None else float(np.hypot((p_lat[j] - at[0]) * 111.0, (p_lon[j] - at[1]) * 91.0))
            if at is not None and d > REF_KM:
                s -= 0.15
            if s >= threshold:
                pairs.append((s, d, i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2], t[3]))
    used_i, used_j, out = set(), set(), {}
    for s, _, i, j in pairs:
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        out[i] = (j, s)
    return out


def _admin_suffix_stripped(names: list[str], r) -> set[str]:
    """Skeletons of OCHA names with a trailing admin name dropped ("Btoshiyet Manbaj" -> "Btoshiyet")."""
    admin_sk = {skeleton(x) for x in (r.adm1_en, r.adm2_en, r.adm3_en, r.adm2_ar, r.adm3_ar,
                                      r.adm3_ar.replace("مركز ", "")) if x}
    out = set()
    for n in names:
        words = norm(n).split()
        for k in (1, 2):
            if len(words) > k and skeleton(" ".join(words[-k:])) in admin_sk:
                out |= _skels([" ".join(words[:-k])])
    return out


def link_district(ocha: pd.DataFrame, points: pd.DataFrame, admin: Admin,
                  done: dict[int, tuple[int, float]], column: str = "skels",
                  min_len: int = 3) -> dict[int, tuple[int, float]]:
    """Second pass: an exact key that is unique on both sides within one district (score 0.8).

    Catches villages whose 2019 OCHA subdistrict differs from the 2017 polygon holding the point.
    ``column`` holds the key sets: skeletons (``skels``, at least ``min_len`` consonants), or
    transliteration keys (``lkeys``), which tell short names apart by their vowels (Quriyeh).
    """
    used = {j for j, _ in done.values()}
    p_adm2 = {j: (admin.units.get(a) or {}).get("adm2") for j, a in zip(points.index, points["adm3"])}
    by_key: dict[tuple[str, str], list] = defaultdict(list)
    for j, sk in zip(points.index, points[column]):
        if j in used or not p_adm2[j]:
            continue
        for k in sk:
            if len(k.split("~")[0]) >= min_len:
                by_key[(p_adm2[j], k)].append(j)
    o_key: dict[tuple[str, str], list] = defaultdict(list)
    for i, (adm2, sk) in enumerate(zip(ocha["adm2_pcode"], ocha[column])):
        if i in done:
            continue
        for k in sk:
            o_key[(adm2, k)].append(i)
    out, taken = {}, set()
    for key, js in by_key.items():
        js, is_ = sorted(set(js)), sorted(set(o_key.get(key, ())))
        if len(js) == 1 and len(is_) == 1 and is_[0] not in out and js[0] not in taken:
            out[is_[0]] = (js[0], 0.8)
            taken.add(js[0])
    return out


def own_alternates(r) -> tuple[list[str], list[str]]:
    """The OCHA alternates of a settlement that are names of it (Arabic, English).

    OCHA often fills the alternates column with the admin unit that tells homonyms apart
    ("Khazneh - Al-Hasakeh" has the alternate "Al-Hasakeh"): such a word names the unit, not the
    village, and taken as a name it links the village to the city's point.
    """
    units = [x.replace("مركز ", "") for x in (r.adm1_en, r.adm2_en, r.adm3_en, r.adm1_ar, r.adm2_ar, r.adm3_ar) if x]
    admin = {skeleton(x) for x in units}
    admin_keys = _lkeys(units)
    keep = [[a for a in alts if skeleton(a) not in admin and not _one_letter_apart(_lkeys([a]), admin_keys)]
            for alts in (r.ar_alts, r.en_alts)]
    return keep[0], keep[1]


def _far_from(lat: np.ndarray, lon: np.ndarray, points: list[tuple[float, float]], km: float = 1.0) -> np.ndarray:
    """Per (lat, lon), whether it is more than ``km`` from every (lat, lon) of ``points``."""
    if not points:
        return np.ones(len(lat), dtype=bool)
    p = np.asarray(points, dtype=float)
    d = np.hypot((lat[:, None] - p[None, :, 0]) * 111.0, (lon[:, None] - p[None, :, 1]) * 91.0)
    return d.min(axis=1) > km


def _lkeys(names: list[str]) -> set[str]:
    """Transliteration keys of Latin names (see :func:`gazetteer.normalize.latin_keys`)."""
    return {latin_key(split_feature(n)[0]) for n in names if n and not is_arabic(n)} - {""}


def _ar_keys(names: list[str]) -> set[str]:
    return {name_key(split_feature(n)[0]) for n in names if n and is_arabic(n)}


def _consistent_ar(ar: str, en: str) -> bool:
    """Whether an Arabic name agrees with its English twin (Syrian Archive has wrong Arabic names)."""
    a, b = _skels([ar]), _skels([en])
    return bool(a and b and _score(a, b) >= 0.62)


# ---------------------------------------------------------------- main build
def build(sources_dir: str | Path, out_dir: str | Path, progress: bool = False) -> dict:
    """Build the gazetteer and write ``places.parquet``, ``links.csv`` and ``meta.json`` into ``out_dir``.

    This writes the files in place; :func:`gazetteer.build` wraps it so that the folder a reader
    loads is only ever replaced by a complete build.

    Parameters
    ----------
    sources_dir
        Folder holding ``geo/`` (and ``corpus/``, whose texts weigh the places' importance).
    out_dir
        Output folder.
    progress
        Print one line per step to stderr.

    Returns
    -------
    dict
        The statistics also written to ``meta.json``.
    """
    t0 = time.perf_counter()
    geo = Path(sources_dir) / "geo"
    out = Path(out_dir)
    say = _sayer(progress, t0)

    adm123 = src.read_ocha_admin123(geo)
    admin = Admin(adm123, src.read_opensyria(geo))
    ocha = src.read_ocha_admin4(geo)
    wm = src.read_wikimap(geo)
    sa = src.read_syrian_archive(geo)
    foreign = src.read_foreign_list()
    gn = src.read_geonames(("SY",), set(foreign["geonameid"]))
    polys = subdistrict_polygons(src.read_adm3_polygons(geo), admin)
    dots = src.read_unnamed_dots(geo)
    overrides = src.read_overrides(DATA / "overrides.csv")
    say("sources read")

    # SA admin units ("... nahiyah") are not settlements
    sa = sa[~sa["name_en"].str.contains("nahiyah|mantiqah|district|governorate", case=False, na=False)]
    sa = sa[~sa["name_ar"].fillna("").str.contains("ناحية|منطقة|محافظة")].reset_index(drop=True)
    sa["ar_ok"] = [_consistent_ar(a, e) if isinstance(a, str) else False for a, e in zip(sa.name_ar, sa.name_en)]
    gn_sy = gn[gn["country"] == "SY"].reset_index(drop=True)
    gn_foreign = gn[gn["country"] != "SY"].reset_index(drop=True)

    wm = place_points(wm, polys, admin)
    sa = place_points(sa, polys, admin)
    gn_sy = place_points(gn_sy, polys, admin)
    say("points placed in subdistricts")

    own = [own_alternates(r) for r in ocha.itertuples(index=False)]
    ocha["ar_alts"] = [a for a, _ in own]
    ocha["en_alts"] = [e for _, e in own]
    ocha["skels"] = [_skels([b, be, *aa, *ea]) | _admin_suffix_stripped([b, be], r)
                     for b, be, aa, ea, r in zip(ocha.name_ar_base, ocha.name_en_base, ocha.ar_alts,
                                                 ocha.en_alts, ocha.itertuples(index=False))]
    ocha["ar_keys"] = [_ar_keys([b, *aa]) for b, aa in zip(ocha.name_ar_base, ocha.ar_alts)]
    wm["skels"] = [_skels(_label_parts(lb)) for lb in wm.label]
    wm["ar_keys"] = [set() for _ in range(len(wm))]
    sa["skels"] = [_skels([e] + ([a] if ok else [])) for e, a, ok in zip(sa.name_en, sa.name_ar, sa.ar_ok)]
    sa["ar_keys"] = [_ar_keys([a]) if ok else set() for a, ok in zip(sa.name_ar, sa.ar_ok)]
    gn_sy["skels"] = [_skels([n, *ln, *an]) for n, ln, an in zip(gn_sy.name, gn_sy.latin_names, gn_sy.ar_names)]
    gn_sy["ar_keys"] = [_ar_keys(an) for an in gn_sy.ar_names]

    sa_links = link(ocha, sa)
    gn_links = link(ocha, gn_sy)
    ref = {i: (float(gn_sy.at[j, "lat"]), float(gn_sy.at[j, "lon"])) for i, (j, _) in gn_links.items()}
    towns = wm[wm["feature"] == "town"]
    wm_links = {i: (towns.index[j], s) for i, (j, s) in link(ocha, towns.reset_index(drop=True), ref=ref).items()}
    wm_links.update(link_district(ocha, towns, admin, wm_links))
    # a map point at another settlement's GeoNames point is that settlement's (merge_colocated), not
    # a district-wide match by transliteration
    ocha["lkeys"] = [_lkeys([be, *ea]) for be, ea in zip(ocha.name_en_base, ocha.en_alts)]
    free = towns[_far_from(towns["lat"].to_numpy(float), towns["lon"].to_numpy(float), list(ref.values()))]
    free = free.assign(lkeys=[_lkeys(_label_parts(lb)) for lb in free.label])
    wm_links.update(link_district(ocha, free, admin, wm_links, column="lkeys", min_len=4))
    say(f"linked OCHA: {len(wm_links)} map points, {len(sa_links)} Syrian Archive, {len(gn_links)} GeoNames")

    rows: list[dict] = admin_rows(admin)
    used_wm = {j for j, _ in wm_links.values()}
    used_sa = {j for j, _ in sa_links.values()}
    used_gn = {j for j, _ in gn_links.values()}
    link_log = []

    for i, r in enumerate(ocha.itertuples(index=False)):
        row = _blank()
        row.update(admin.path(r.adm3_pcode))
        alts = [r.name_ar, r.name_ar_base, *r.ar_alts, r.name_en, r.name_en_base, *r.en_alts]
        srcs = {"name_ar": "OCHA", "name_en": "OCHA", "admin": "OCHA"}
        row.update({"place_id": r.pcode, "name_ar": r.name_ar_base, "name_en": r.name_en.replace("  ", " "),
                    "feature_type": "neighbourhood" if r.kind == "neighbourhood" else "village",
                    "country": "SY", "lat": r.adm3_centroid_lat, "lon": r.adm3_centroid_lon,
                    "coord_precision": "subdistrict", "coord_source": f"OCHA subdistrict centroid {r.adm3_pcode}"})
        coord_set = False
        if i in wm_links:
            j, s = wm_links[i]
            w = wm.loc[j]
            _set_wikimap(row, w)
            row.update({"lat": w.lat, "lon": w.lon, "coord_precision": "point",
                        "coord_source": f"Wikipedia map point idx {w.idx}"})
            alts += _label_parts(w.label)
            srcs["coord"] = f"wikimap:{w.idx}"
            row["linked"].append(f"wm:{w.idx}")
            link_log.append(("wikimap", r.pcode, r.name_ar_base, r.name_en, w.label, round(s, 2), int(w.idx)))
            coord_set = True
        if i in gn_links:
            j, s = gn_links[i]
            g = gn_sy.loc[j]
            alts += [g["name"], *g.latin_names, *g.ar_names]
            row["population"] = g.population
            srcs["population"] = f"GeoNames {g.geonameid}"
            row["linked"].append(f"gn:{g.geonameid}")
            link_log.append(("geonames", r.pcode, r.name_ar_base, r.name_en, g["name"], round(s, 2), g.geonameid))
            if not coord_set:
                row.update({"lat": g.lat, "lon": g.lon, "coord_precision": "point",
                            "coord_source": f"GeoNames {g.geonameid}"})
                srcs["coord"] = f"geonames:{g.geonameid}"
                coord_set = True
        if i in sa_links:
            j, s = sa_links[i]
            a = sa.loc[j]
            alts += [a.name_en] + ([a.name_ar] if a.ar_ok else [])
            row["linked"].append(f"sa:{a.pk}")
            link_log.append(("syrianarchive", r.pcode, r.name_ar_base, r.name_en, a.name_en, round(s, 2), a.pk))
            if not coord_set:
                row.update({"lat": a.lat, "lon": a.lon, "coord_precision": "point",
                            "coord_source": f"Syrian Archive place {a.pk}"})
                srcs["coord"] = f"syrianarchive:{a.pk}"
        if not coord_set and "coord" not in srcs:
            srcs["coord"] = "OCHA subdistrict centroid"
        row["feature_type"] = _settlement_type(row)
        row["alt_names"] = alts
        row["sources"] = srcs
        rows.append(row)
    say("OCHA rows")

    # Wikipedia map points not linked to OCHA: a row each; SA / GeoNames at the same spot lend an Arabic name
    wm_rest = wm[~wm.index.isin(used_wm)]
    sa_rest = sa[~sa.index.isin(used_sa)].reset_index(drop=True)
    gn_rest = gn_sy[~gn_sy.index.isin(used_gn)].reset_index(drop=True)
    lend_sa = _near_links(wm_rest, sa_rest)
    lend_gn = _near_links(wm_rest, gn_rest)
    for k, (j, w) in enumerate(wm_rest.iterrows()):
        row = _blank()
        row.update(admin.path(w.adm3))
        _set_wikimap(row, w)
        ftype = WIKIMAP_FEATURE.get(w.feature, "town")
        if ftype == "town" and not w.marksize >= TOWN_MARK:
            ftype = "village"  # the map's "town" is any settlement; a small mark is a village
        label_type = split_feature(w.label)[1]
        if label_type and ftype in ("town", "military_base", "industry"):
            ftype = label_type if ftype != "town" or label_type in ("roundabout", "bridge") else ftype
        elif label_type in ("roundabout", "bridge") and ftype == "village":
            ftype = label_type
        alts = _label_parts(w.label)
        srcs = {"name_en": f"wikimap:{w.idx}", "coord": f"wikimap:{w.idx}", "admin": "adm3 polygon"}
        row.update({"place_id": f"wm:{w.idx}", "name_en": w.label, "feature_type": ftype, "country": "SY",
                    "lat": w.lat, "lon": w.lon, "coord_precision": "point",
                    "coord_source": f"Wikipedia map point idx {w.idx}" + (f" ({w.fix})" if w.fix else "")})
        if k in lend_gn:
            g = gn_rest.loc[lend_gn[k]]
            alts += [g["name"], *g.latin_names, *g.ar_names]
            if g.ar_names:
                row["name_ar"] = g.ar_names[0]
                srcs["name_ar"] = f"geonames:{g.geonameid}"
            row["population"] = g.population
            row["linked"].append(f"gn:{g.geonameid}")
        if k in lend_sa:
            a = sa_rest.loc[lend_sa[k]]
            alts.append(a.name_en)
            if a.ar_ok:
                alts.append(a.name_ar)
                if not row["name_ar"]:
                    row["name_ar"] = a.name_ar
                    srcs["name_ar"] = f"syrianarchive:{a.pk}"
            row["linked"].append(f"sa:{a.pk}")
        row["alt_names"] = alts
        row["sources"] = srcs
        rows.append(row)
    lent_sa = set(lend_sa.values())
    lent_gn = set(lend_gn.values())
    for j, a in sa_rest.iterrows():
        if j in lent_sa:
            continue
        row = _blank()
        row.update(admin.path(a.adm3))
        ftype = split_feature(a.name_en)[1] or split_feature(a.name_ar if isinstance(a.name_ar, str) else "")[1]
        row.update({"place_id": f"sa:{a.pk}", "name_en": a.name_en, "name_ar": a.name_ar if a.ar_ok else None,
                    "feature_type": ftype or "village", "country": "SY", "lat": a.lat, "lon": a.lon,
                    "coord_precision": "point", "coord_source": f"Syrian Archive place {a.pk}",
                    "alt_names": [a.name_en] + ([a.name_ar] if a.ar_ok else []),
                    "sources": {"all": f"syrianarchive:{a.pk}", "admin": "adm3 polygon",
                                **({} if a.ar_ok else {"name_ar": "dropped: disagrees with the English name"})}})
        rows.append(row)
    for j, g in gn_rest.iterrows():
        if j in lent_gn:
            continue
        rows.append(_geonames_row(g, admin.path(g.adm3)))
    for _, g in gn_foreign.iterrows():
        rows.append(_geonames_row(g, {}))
    say("point rows")

    table = pd.DataFrame(rows, columns=COLUMNS)
    table = merge_colocated(table, link_log)
    say("co-located records merged")
    table = apply_overrides(table, overrides, dots, polys, admin)
    table = add_unit_alternates(table)
    table["admin_centre"] = [admin_centre(r) for r in table.itertuples(index=False)]
    # the settlement a district or governorate is named after is at least a town
    promote = (table["feature_type"] == "village") & (table["admin_centre"].fillna("").str.len().between(4, 6))
    table.loc[promote, "feature_type"] = "town"
    table = share_admin_aliases(table)
    table = _finish(table)
    say("overrides merged")
    table["importance"] = importance(table, corpus_counts(table, geo.parent / CORPUS))
    table["border"] = border_countries(table, src.read_neighbours(geo))
    table["euphrates_bank"] = euphrates_banks(table, src.read_euphrates(geo))
    say("importance, borders, banks")

    stats = _stats(table, wm_links, sa_links, gn_links, len(ocha), time.perf_counter() - t0)
    out.mkdir(parents=True, exist_ok=True)
    table.to_parquet(out / "places.parquet", index=False)
    pd.DataFrame(link_log, columns=["source", "pcode", "name_ar", "name_en", "matched_name", "score", "ref"]) \
        .to_csv(out / "links.csv", index=False)
    stats["version"] = _version(table)
    (out / "meta.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
    say(f"written {out}")
    return stats


def _sayer(progress: bool, t0: float):
    import sys

    def say(msg: str) -> None:
        if progress:
            print(f"[{time.perf_counter() - t0:5.1f}s] {msg}", file=sys.stderr)
    return say


def _set_wikimap(row: dict, w: pd.Series) -> None:
    row["wikimap_idx"] = int(w.idx)
    row["wikimap_sides"] = w.sides or None
    row["wikimap_status"] = w.status or None
    row["wikimap_feature"] = w.feature or None
    row["wikimap_size"] = float(w.marksize) if w.marksize == w.marksize else None


TOWN_MARK = 8  # the map draws towns with marks of this size or more (Atarib, Jarabulus, Maskanah: 8)


def _settlement_type(row: dict) -> str:
    """city (50,000 people or more), town (5,000, or a large map mark), village; or neighbourhood."""
    if row["feature_type"] == "neighbourhood":
        return "neighbourhood"
    pop = row.get("population") or 0
    if pop >= 50000:
        return "city"
    size = row.get("wikimap_size")
    if pop >= 5000 or (size is not None and size == size and size >= TOWN_MARK):
        return "town"
    return "village"


def _near_links(wm_rest: pd.DataFrame, other: pd.DataFrame, km: float = 3.0) -> dict[int, int]:
    """Unlinked map point (position) -> point of another source nearby with an agreeing name."""
    if other.empty or wm_rest.empty:
        return {}
    olat, olon = other["lat"].to_numpy(), other["lon"].to_numpy()
    osk = other["skels"].tolist()
    pairs = []
    for k, (lat, lon, sk) in enumerate(zip(wm_rest.lat, wm_rest.lon, wm_rest.skels)):
        d = np.hypot((olat - lat) * 111.0, (olon - lon) * 91.0)
        for j in np.nonzero(d < km)[0]:
            s = _score(sk, osk[j])
            if s >= 0.62:
                pairs.append((s, -d[j], k, int(j)))
    pairs.sort(reverse=True)
    used_k, used_j, out = set(), set(), {}
    for s, _, k, j in pairs:
        if k not in used_k and j not in used_j:
            used_k.add(k)
            used_j.add(j)
            out[k] = j
    return out


MERGE_KM = 2.0        # a map point or other record this close to a settlement with its name is that settlement
MERGE_TOWN_KM = 4.0   # ... for a town or city (map marks of towns sit anywhere in the built-up area)


def merge_colocated(table: pd.DataFrame, link_log: list[tuple]) -> pd.DataFrame:
    """Merge records of one settlement that the linking left apart, so that it has one row.

    An OCHA settlement with a point and no map point takes the nearest unlinked map town within
    :data:`MERGE_KM` (:data:`MERGE_TOWN_KM` for a town or city) whose name agrees (skeletons, as in
    :func:`link`); then any settlement takes an unlinked Syrian Archive or GeoNames row that close
    with an agreeing name. The merged row keeps the settlement's id, adds the other's names, its
    map fields and, for a map point, its coordinate (the map point is the linking's first choice).
    Without this a city could stand stateless beside a village-sized map point carrying its state.
    """
    table = table.reset_index(drop=True)
    pid = table["place_id"]
    is_point = table["coord_precision"] == "point"
    is_ocha = ~pid.str.contains(":")
    settlement = table["feature_type"].isin(["city", "town", "village"])
    town_size = table["feature_type"].isin(["city", "town"])
    takers = [i for i in np.flatnonzero(is_ocha & is_point & settlement & table["wikimap_idx"].isna())]
    givers = [j for j in np.flatnonzero(pid.str.startswith("wm:") & (table["wikimap_feature"] == "town"))]
    drop: set[int] = set()
    _merge_pass(table, takers, givers, town_size, drop, link_log, take_point=True)
    takers = [i for i in np.flatnonzero((is_ocha | pid.str.startswith("wm:")) & is_point & settlement)
              if i not in drop]
    givers = [j for j in np.flatnonzero(pid.str.startswith("sa:") | (pid.str.startswith("gn:")
                                                                      & (table["country"] == "SY")))]
    _merge_pass(table, takers, givers, town_size, drop, link_log, take_point=False)
    return table.drop(index=sorted(drop)).reset_index(drop=True)


def _merge_pass(table: pd.DataFrame, takers: list[int], givers: list[int], town_size: pd.Series,
                drop: set[int], link_log: list[tuple], take_point: bool) -> None:
    """One greedy one-to-one pass of :func:`merge_colocated` (best name score, then nearest)."""
    if not takers or not givers:
        return
    lat, lon = table["lat"].to_numpy(float), table["lon"].to_numpy(float)
    glat, glon = lat[givers], lon[givers]
    names = {k: list(table.at[k, "alt_names"]) + [table.at[k, "name_en"] or ""] for k in takers + givers}
    skels = {k: _skels(v) for k, v in names.items()}
    keys = {k: {latin_key(n) for n in v if n and not is_arabic(n)} - {""} for k, v in names.items()}
    pairs = []
    for i in takers:
        radius = MERGE_TOWN_KM if town_size.iat[i] else MERGE_KM
        d = np.hypot((glat - lat[i]) * 111.0, (glon - lon[i]) * 91.0)
        for k in np.flatnonzero(d <= radius):
            j = givers[k]
            score = _score(skels[i], skels[j])
            if score < 0.8 and d[k] <= 1.5 and _one_letter_apart(keys[i], keys[j]):
                score = 0.8  # "Sosa" and "Al-Susat" 1 km apart
            if score >= 0.9 or (score >= 0.8 and d[k] <= 1.5):
                pairs.append((-score, d[k], i, j))
    pairs.sort()
    used: set[int] = set()
    for neg, dist, i, j in pairs:
        if i in used or j in used or j in drop:
            continue
        used.update((i, j))
        drop.add(j)
        giver = table.loc[j]
        row = table.loc[i].to_dict()
        row["alt_names"] = list(row["alt_names"]) + [n for n in giver["alt_names"] if n not in row["alt_names"]]
        row["linked"] = list(row["linked"]) + [giver["place_id"], *giver["linked"]]
        srcs = dict(row["sources"])
        if take_point:
            for col in ("lat", "lon", "wikimap_idx", "wikimap_sides", "wikimap_status", "wikimap_feature",
                        "wikimap_size"):
                row[col] = giver[col]
            row["coord_source"] = giver["coord_source"]
            srcs["coord"] = srcs["merged"] = giver["place_id"]
            row["feature_type"] = _settlement_type(row)
        else:
            srcs["merged"] = giver["place_id"]
        if not row.get("population") and giver.get("population"):
            row["population"] = giver["population"]
        row["sources"] = srcs
        table.loc[i] = pd.Series(row)
        link_log.append(("merged", row["place_id"], row["name_ar"], row["name_en"], giver["name_en"],
                         round(-neg, 2), giver["place_id"]))


def _one_letter_apart(a: set[str], b: set[str]) -> bool:
    """Whether two sets of transliteration keys hold keys of 4+ letters at most one edit apart."""
    return any(len(x) >= 4 and len(y) >= 4 and levenshtein(x, y, 1) <= 1 for x in a for y in b)


def _geonames_row(g: pd.Series, path: dict) -> dict:
    row = _blank()
    row.update(path)
    pop = g.population or 0
    row.update({"place_id": f"gn:{g.geonameid}", "name_en": g["name"],
                "name_ar": g.ar_names[0] if g.ar_names else None,
                "feature_type": "city" if pop >= 50000 else "town", "country": g.country,
                "lat": g.lat, "lon": g.lon, "coord_precision": "point",
                "coord_source": f"GeoNames {g.geonameid}", "population": g.population or None,
                "alt_names": [g["name"], *g.latin_names, *g.ar_names],
                "sources": {"all": f"geonames:{g.geonameid}"}})
    return row


def _dot_near(anchor: tuple[float, float], dots: gpd.GeoDataFrame, within: object | None,
              taken: np.ndarray) -> tuple[int, float, float, float] | None:
    """The nearest unnamed OCHA dot to ``anchor`` that is not the anchor's own dot nor a known place."""
    lat, lon = anchor
    xs, ys = dots.geometry.x.to_numpy(), dots.geometry.y.to_numpy()
    d = np.hypot((ys - lat) * 111.0, (xs - lon) * 91.0)
    order = np.argsort(d)
    for j in order[:40]:
        if d[j] < 1.0:
            continue  # the anchor town's own dot
        if taken.size and np.min(np.hypot((taken[:, 0] - ys[j]) * 111.0, (taken[:, 1] - xs[j]) * 91.0)) < 0.7:
            continue  # already a named point
        if within is not None and not within.contains(Point(xs[j], ys[j])):
            continue
        return int(dots.iloc[j]["seq"]), float(ys[j]), float(xs[j]), float(d[j])
    return None


def apply_overrides(table: pd.DataFrame, ov: pd.DataFrame, dots: gpd.GeoDataFrame,
                    polys: gpd.GeoDataFrame, admin: Admin) -> pd.DataFrame:
    """Merge the overrides CSV: update rows with the same place_id, add the others."""
    path = DATA / "overrides.csv"
    table = table.set_index("place_id", drop=False)
    taken = table.loc[table["coord_precision"] == "point", ["lat", "lon"]].to_numpy(dtype=float)
    for r in ov.to_dict("records"):
        pid = r["place_id"]
        row = table.loc[pid].to_dict() if pid in table.index else _blank() | {"place_id": pid, "country": "SY"}
        srcs = dict(row["sources"] or {})
        for col in ("name_en", "name_ar", "feature_type", "country", "inferred_reason"):
            if r[col]:
                row[col] = r[col]
                srcs[col] = f"overrides.csv:{r['line']}"
        if r["alt_names"]:
            # "-X" takes X away: a source's alternate that is another place's name
            names = [a.strip() for a in r["alt_names"].split("|")]
            gone = {a[1:].strip() for a in names if a.startswith("-")}
            row["alt_names"] = [a for a in row["alt_names"] or [] if a not in gone] + \
                [a for a in names if not a.startswith("-")]
        if r["adm_pcode"]:
            if r["adm_pcode"] not in admin.units:
                raise InputError(path, f"unknown adm_pcode {r['adm_pcode']!r}", r["line"])
            row.update(admin.path(r["adm_pcode"]))
        at = r["at"]
        if r["lat"]:
            row.update({"lat": float(r["lat"]), "lon": float(r["lon"]),
                        "coord_precision": r["coord_precision"] or "point"})
        elif at.startswith("dot_near:"):
            anchor = at.split(":", 1)[1]
            if anchor not in table.index:
                raise InputError(path, f"dot_near: unknown place {anchor!r}", r["line"])
            a = table.loc[anchor]
            shape = None
            if row.get("adm3_en"):
                hit = polys[polys["pcode"] == row["adm3_pcode"]]
                shape = hit.geometry.iloc[0] if len(hit) else None
            found = _dot_near((a["lat"], a["lon"]), dots, shape, taken)
            if found is None:
                raise InputError(path, f"no unnamed dot found near {anchor}", r["line"])
            seq, lat, lon, dist = found
            row.update({"lat": lat, "lon": lon, "coord_precision": "inferred"})
            row["inferred_reason"] = (f"{r['inferred_reason']}; nearest unnamed OCHA dot (seq {seq}, "
                                      f"{dist:.1f} km) to {anchor} inside {row.get('adm3_en')}")
        elif at:
            if at.startswith("adm:") and at[4:] in admin.units:
                ref = table.loc[at]
                row.update({"lat": ref["lat"], "lon": ref["lon"], "coord_precision": ref["feature_type"]})
            elif at in table.index:
                ref = table.loc[at]
                row.update({"lat": ref["lat"], "lon": ref["lon"], "coord_precision": ref["coord_precision"]})
            else:
                raise InputError(path, f"'at' names an unknown place {at!r}", r["line"])
        if r["lat"] or at:
            row["coord_source"] = r["coord_source"]
            srcs["coord"] = f"overrides.csv:{r['line']}"
        row["sources"] = srcs
        table.loc[pid] = pd.Series(row)
    return table.reset_index(drop=True)


# ---------------------------------------------------------------- geography for context
BORDER_KM = 15.0   # "on the Jordanian border": a Syrian place this close to Jordan
BANK_KM = 40.0     # "east of the Euphrates": places this close to the river have a bank


def _xy_km(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local kilometres (x east, y north) around Syria, good to a few per cent for distances."""
    return (lon - 38.5) * 91.0, (lat - 35.0) * 111.0


def border_countries(table: pd.DataFrame, neighbours: gpd.GeoDataFrame) -> list[str | None]:
    """Per place in Syria, the neighbouring country within :data:`BORDER_KM` (the nearest), else None."""
    out: list[str | None] = [None] * len(table)
    syria = (table["country"] == "SY") & table["lat"].notna()
    idx = np.flatnonzero(syria.to_numpy())
    if not len(idx) or neighbours.empty:
        return out
    pts = gpd.GeoSeries(gpd.points_from_xy(table["lon"].to_numpy()[idx], table["lat"].to_numpy()[idx]),
                        crs="EPSG:4326").to_crs(3857)
    shapes = neighbours.to_crs(3857)
    dists = np.column_stack([pts.distance(g) for g in shapes.geometry]) / 1000.0 * np.cos(
        np.radians(table["lat"].to_numpy()[idx]))[:, None]   # web-mercator metres are stretched by 1/cos(lat)
    near = dists.min(axis=1) <= BORDER_KM
    which = dists.argmin(axis=1)
    for k, i in enumerate(idx):
        if near[k]:
            out[i] = shapes["country"].iat[which[k]]
    return out


def euphrates_banks(table: pd.DataFrame, river: gpd.GeoDataFrame) -> list[str | None]:
    """Per place within :data:`BANK_KM` of the Euphrates, ``E`` on its left (north-eastern, Jazira)
    bank or ``W`` on its right (south-western, Shamiya) bank, else None.

    Through Syria the river runs south, then east, then south-east: each segment is oriented so that
    it runs with the flow (its eastward minus northward step is positive), and the sign of the cross
    product with the nearest segment gives the side.
    """
    out: list[str | None] = [None] * len(table)
    segs = []
    for geom in river.geometry:
        for line in getattr(geom, "geoms", [geom]):
            xy = np.asarray(line.coords)
            segs += list(zip(xy[:-1], xy[1:]))
    if not segs:
        return out
    a = np.array([s[0] for s in segs])
    b = np.array([s[1] for s in segs])
    flip = (b[:, 0] - a[:, 0]) - (b[:, 1] - a[:, 1]) < 0
    a[flip], b[flip] = b[flip].copy(), a[flip].copy()
    ax, ay = _xy_km(a[:, 1], a[:, 0])
    bx, by = _xy_km(b[:, 1], b[:, 0])
    vx, vy = bx - ax, by - ay
    seg_len2 = np.maximum(vx * vx + vy * vy, 1e-9)
    px, py = _xy_km(table["lat"].to_numpy(float), table["lon"].to_numpy(float))
    for i in np.flatnonzero(~np.isnan(px) & (table["country"] == "SY").to_numpy()):
        t = np.clip(((px[i] - ax) * vx + (py[i] - ay) * vy) / seg_len2, 0.0, 1.0)
        d = np.hypot(ax + t * vx - px[i], ay + t * vy - py[i])
        k = int(d.argmin())
        if d[k] <= BANK_KM:
            cross = vx[k] * (py[i] - ay[k]) - vy[k] * (px[i] - ax[k])
            out[i] = "E" if cross > 0 else "W"
    return out


# ---------------------------------------------------------------- importance
CORPUS = "corpus/wikipedia/articles"   # the development corpus (inside the sources folder), read when present
FEATURE_IMPORTANCE = {"city": 0.45, "town": 0.3, "village": 0.08, "neighbourhood": 0.05}


def importance(table: pd.DataFrame, counts: dict[str, int] | None = None) -> list[float]:
    """A prior per place in [0, 1]: how likely a bare mention of its name means it.

    Adds what the sources know of its size and rank: the feature type (:data:`FEATURE_IMPORTANCE`;
    0.05 for other features, 0 for admin units), the Wikipedia map's size mark (>= 9: a town the map
    draws large, +0.25; 7-8, +0.12), population (+0.08 per tenfold above 1,000, at most +0.25), being the
    settlement its governorate (+0.3), district (+0.2) or subdistrict (+0.1) is named after, and how
    often the development corpus names it (``counts``, see :func:`corpus_counts`: +0.05 per tenfold,
    at most +0.15).
    """
    counts = counts or {}
    out = []
    for r in table.itertuples(index=False):
        if r.feature_type in ("governorate", "district", "subdistrict"):
            out.append(0.0)
            continue
        imp = _prior(r)
        n = counts.get(r.place_id, 0)
        if n:
            imp += min(0.15, 0.05 * float(np.log10(1 + n)))
        out.append(round(min(1.0, imp), 3))
    return out


def _prior(r) -> float:
    """:func:`importance` without the corpus counts."""
    imp = FEATURE_IMPORTANCE.get(r.feature_type, 0.05)
    size = r.wikimap_size if r.wikimap_feature == "town" else None
    if size is not None and size == size:
        imp += 0.25 if size >= 9 else 0.12 if size >= 7 else 0.0
    pop = r.population
    if pop is not None and pop == pop and pop > 1000:
        imp += min(0.25, 0.08 * float(np.log10(pop / 1000)))
    centre = r.admin_centre
    return imp + (CENTRE_IMPORTANCE[len(centre)] if isinstance(centre, str) and centre else 0.0)


#: what being the settlement an admin unit is named after adds, by the length of the unit's P-code
CENTRE_IMPORTANCE = {4: 0.3, 6: 0.2, 8: 0.1}
#: words of admin-unit names that are not names of the settlement at its centre
_ADMIN_WORDS = ("ناحية", "ناحیة", "ناحیه", "مركز", "مرکز", "منطقة", "منطقه", "ريف", "ریف", "محافظة", "محافظه",
                "استان", "حومه", "الريف", "الریف", "district", "subdistrict", "governorate", "province",
                "countryside", "rural", "nahiyat", "markaz", "mintaqat")


_ADMIN_KEYS = frozenset(w[2:] if w.startswith("ال") else w for w in map(norm, _ADMIN_WORDS))


def admin_centre(r) -> str | None:
    """The P-code of the highest admin unit named after settlement ``r`` (its governorate, district
    or subdistrict; the unit must contain it), or None."""
    if r.feature_type not in ("city", "town", "village") or not isinstance(r.adm3_pcode, str):
        return None
    own = _exact_keys([r.name_ar, r.name_en])
    if not own:
        return None
    for code, names in ((r.adm1_pcode, (r.adm1_en, r.adm1_ar)), (r.adm2_pcode, (r.adm2_en, r.adm2_ar)),
                        (r.adm3_pcode, (r.adm3_en, r.adm3_ar))):
        unit = _exact_keys([n.replace("مركز ", "") for n in names if isinstance(n, str)])
        if own & unit:
            return code
    return None


def _exact_keys(names: list) -> set[str]:
    """Arabic name keys and Latin transliteration keys of ``names`` (qualified "X (Y)" forms left out)."""
    out = set()
    for n in names:
        if isinstance(n, str) and n and "(" not in n:
            out.add(name_key(n) if is_arabic(n) else latin_key(n))
    out.discard("")
    return out


def share_admin_aliases(table: pd.DataFrame) -> pd.DataFrame:
    """Give a settlement the other names of the units named after it ("Kobani", "کوبانی" of the Ain
    al-Arab subdistrict go to the town), leaving out admin phrases and romanisations."""
    aliases = {pid[4:]: alts for pid, alts in zip(table["place_id"], table["alt_names"]) if pid.startswith("adm:")}
    out = []
    for r in table.itertuples(index=False):
        alts = list(r.alt_names or [])
        if isinstance(r.admin_centre, str) and r.admin_centre:
            codes = [r.admin_centre] + [c for c in (r.adm2_pcode, r.adm3_pcode)
                                        if isinstance(c, str) and c.startswith(r.admin_centre)]
            for code in dict.fromkeys(codes):
                alts += [a for a in aliases.get(code, []) if a not in alts and _plain_alias(a)]
        out.append(alts)
    table = table.copy()
    table["alt_names"] = out
    return table


def _plain_alias(name: str) -> bool:
    """An admin unit's alias that names the place itself: no admin word, no qualifier (a region such
    as "الغوطة الشرقية" is the alias of Jaramana subdistrict, not of the town), no lower-case
    romanisation, no letters of other alphabets (Kurdish ێ ۆ), no feature word (a landform: "Jabal
    al-Zawiya" is the Ehsem subdistrict's, not the village Ihsim's)."""
    words = [w[2:] if w.startswith("ال") and len(w) > 3 else w for w in norm(name).split()]
    if any(w in _ADMIN_KEYS or qualifier(w) for w in words) or split_feature(name)[1] == "mountain":
        return False
    if not is_arabic(name):
        return name[:1].isupper()
    return not any(c in name for c in "ێۆڕڵەھ")


def corpus_counts(table: pd.DataFrame, folder: Path) -> dict[str, int]:
    """How often the development corpus (``folder``/*.md) names each place.

    Every mention found by the gazetteer's own mention index counts for the one place of its name
    with the highest prior (:func:`importance` without counts): a hamlet that shares a city's name
    gains nothing from the city's fame. Empty when the folder is absent.
    """
    from .index import MentionIndex

    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if not files:
        return {}
    places = table.set_index("place_id", drop=False)
    prior = dict(zip(table["place_id"], (_prior(r) for r in table.itertuples(index=False))))
    index = MentionIndex(places)
    counts: dict[str, int] = defaultdict(int)
    for f in files:
        for m in index.find(f.read_text(encoding="utf-8")):
            ids = [p for p in (m.exact_ids or m.place_ids) if places.at[p, "feature_type"] not in
                   ("governorate", "district", "subdistrict")]
            if ids:
                counts[max(ids, key=lambda p: (prior[p], p))] += 1
    return dict(counts)


def _finish(table: pd.DataFrame) -> pd.DataFrame:
    """Clean alternate names (all scripts, Persian spellings by rule) and serialise sources."""
    alts_out = []
    for name_ar, name_en, alts in zip(table.name_ar, table.name_en, table.alt_names):
        names = [name_ar, name_en, *(alts or [])]
        names = [n.strip() for n in names if isinstance(n, str) and n.strip()]
        extra = []
        for n in names:
            if is_arabic(n):
                extra += persian_variants(n)
        seen, keep = set(), []
        for n in names + extra:
            k = norm(n) if not is_arabic(n) else n
            if k not in seen:
                seen.add(k)
                keep.append(n)
        alts_out.append(keep)
    table["alt_names"] = alts_out
    table["sources"] = [json.dumps(s, ensure_ascii=False, sort_keys=True) for s in table["sources"]]
    table["linked"] = [list(v or []) for v in table["linked"]]
    for col in ("lat", "lon", "population", "wikimap_size"):
        table[col] = pd.to_numeric(table[col], errors="coerce")
    table["wikimap_idx"] = pd.array(table["wikimap_idx"], dtype="Int64")
    return table


def _stats(table: pd.DataFrame, wm_links: dict, sa_links: dict, gn_links: dict, n_ocha: int,
           seconds: float) -> dict:
    has_ar = table["name_ar"].notna() & (table["name_ar"].astype(str).str.len() > 0)
    point = table["coord_precision"] == "point"
    prefix = table["place_id"].str.extract(r"^([a-z]+):")[0].fillna("ocha")
    return {
        "schema": SCHEMA_VERSION,
        "places": int(len(table)),
        "arabic_and_point": int((has_ar & point).sum()),
        "by_source": prefix.value_counts().to_dict(),
        "by_feature_type": table["feature_type"].value_counts().to_dict(),
        "by_precision": table["coord_precision"].fillna("none").value_counts().to_dict(),
        "by_governorate": table["adm1_en"].fillna("(none or abroad)").value_counts().to_dict(),
        "by_country": table["country"].fillna("?").value_counts().to_dict(),
        "links": {"ocha_settlements": n_ocha, "to_wikimap": len(wm_links), "to_syrianarchive": len(sa_links),
                  "to_geonames": len(gn_links),
                  "ocha_with_point": int((point & ~table["place_id"].str.contains(":")).sum()),
                  "wikimap_rows": int(table["wikimap_idx"].notna().sum())},
        "build_seconds": round(seconds, 1),
    }


def _version(table: pd.DataFrame) -> str:
    h = hashlib.sha1()
    h.update(pd.util.hash_pandas_object(table[["place_id", "name_ar", "name_en", "lat", "lon"]].astype(str),
                                        index=False).to_numpy().tobytes())
    return h.hexdigest()[:12]
