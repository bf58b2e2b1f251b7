"""The static base of every map: Syria, its governorates, the neighbours, the Euphrates, Lake Assad, towns.

Layers are read once per process from ``<sources>/geo`` (see ``../shared/geo/README.md``) and cached;
styling constants and the town list come from ``data/render.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from tracker import settings, vocab
from tracker._errors import MissingDataError

#: Everything drawn is clipped to this box (W, S, E, N): Syria plus a margin of its neighbours.
CONTEXT_BOX: tuple[float, float, float, float] = (34.0, 31.0, 44.0, 38.5)

_FILES = {
    "outline": "boundaries/syr_adm0_from_ocha2016.geojson",
    "governorates": "boundaries/syr_adm1_ocha2016.geojson",
    "countries": "boundaries/ne10m_countries_context_clip.geojson",
    "rivers": "water/ne10m_rivers_lake_centerlines_clip.geojson",
    "lakes": "water/ne10m_lakes_clip.geojson",
}
# Natural Earth names of the Euphrates (Turkish, English, Arabic segments) and Lake Assad.
_EUPHRATES = {"Euphrates", "Firat", "Al Furat"}
_LAKE_ASSAD = {"Buhayrat al-Assad"}


@lru_cache(maxsize=1)
def style() -> dict[str, Any]:
    """The styling table ``data/render.toml`` (colours, sizes, alphas, region aliases, towns)."""
    return vocab.data_file("render.toml")


@dataclass(frozen=True)
class BaseLayers:
    """The base layers, all in EPSG:4326.

    Attributes
    ----------
    outline, governorates : GeoDataFrame
        Syria (one row) and its 14 governorates (``adm1_en``, ``adm1_ar``).
    countries : GeoDataFrame
        Neighbouring countries (``name``), Syria excluded.
    rivers, lakes : GeoDataFrame
        The Euphrates and Lake Assad.
    towns : DataFrame
        ``en``, ``ar``, ``lat``, ``lon``, ``rank``.
    """

    outline: gpd.GeoDataFrame
    governorates: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame
    rivers: gpd.GeoDataFrame
    lakes: gpd.GeoDataFrame
    towns: pd.DataFrame


def _read(geo: Path, key: str) -> gpd.GeoDataFrame:
    path = geo / _FILES[key]
    if not path.exists():
        raise MissingDataError(f"base-map layer missing: {path} (set --sources or TRACKER_SOURCES)")
    frame = gpd.read_file(path)
    return frame.set_crs("EPSG:4326") if frame.crs is None else frame.to_crs("EPSG:4326")


@lru_cache(maxsize=4)
def _load(geo: Path) -> BaseLayers:
    countries = _read(geo, "countries")
    countries = countries[countries["name"].notna() & (countries["name"] != "Syria")].copy()
    countries["geometry"] = countries.geometry.clip_by_rect(*CONTEXT_BOX)
    rivers = _read(geo, "rivers")
    lakes = _read(geo, "lakes")
    towns = pd.DataFrame(style()["towns"])
    return BaseLayers(
        outline=_read(geo, "outline"),
        governorates=_read(geo, "governorates"),
        countries=countries[~countries.geometry.is_empty].reset_index(drop=True),
        rivers=rivers[rivers["name"].isin(_EUPHRATES)].reset_index(drop=True),
        lakes=lakes[lakes["name"].isin(_LAKE_ASSAD)].reset_index(drop=True),
        towns=towns,
    )


def load() -> BaseLayers:
    """The base layers from the current sources directory (cached per directory).

    Raises
    ------
    MissingDataError
        If a layer file is absent.
    """
    return _load(settings.geo_dir().resolve())


def syria_bounds() -> tuple[float, float, float, float]:
    """Syria's bounding box (W, S, E, N)."""
    return tuple(float(v) for v in load().outline.total_bounds)  # type: ignore[return-value]


def syria_shape() -> shapely.Geometry:
    """Syria's outline as one (multi)polygon."""
    return load().outline.geometry.union_all()
