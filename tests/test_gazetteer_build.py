"""The real build: schema, coverage, wikimap rows, admin rows, overrides and their citations."""

import json

import pandas as pd
import pytest

import gazetteer
from gazetteer.build import COLUMNS
from gazetteer.sources import read_overrides
from tracker.testing import built_gazetteer
from gazetteer.errors import InputError, MissingDataError


@pytest.fixture(scope="module")
def gaz():
    return built_gazetteer()


def test_schema_and_targets(gaz):
    P = gaz.places
    assert set(COLUMNS) <= set(P.columns)
    assert P["place_id"].is_unique
    assert gaz.meta["arabic_and_point"] >= 3000
    has_ar = P["name_ar"].notna() & (P["coord_precision"] == "point")
    assert int(has_ar.sum()) == gaz.meta["arabic_and_point"]
    for s in P["sources"].head(50):
        json.loads(s)


def test_every_wikimap_point_is_a_row(gaz):
    P = gaz.places
    wm = P["wikimap_idx"].dropna().astype(int)
    assert wm.is_unique and len(wm) >= 6100          # 6,179 minus insets, overlay, label anchor
    row = P.loc[P["wikimap_idx"] == 2954].iloc[0]
    assert row["place_id"] == "C5192" and row["wikimap_sides"] == "IS"


def test_subdistrict_centroids_are_never_points(gaz):
    P = gaz.places
    ocha_only = P[~P["place_id"].str.contains(":") & P["wikimap_idx"].isna()
                  & ~P["coord_source"].fillna("").str.contains("GeoNames|Syrian Archive|inferred")]
    assert (ocha_only["coord_precision"] != "point").all()
    adm = P[P["feature_type"].isin(["governorate", "district", "subdistrict"])]
    assert (adm["coord_precision"] == adm["feature_type"]).all() and len(adm) == 348


def test_overrides_cite_their_coordinates(gaz):
    P = gaz.places
    tay = gaz.place("C5193")
    assert tay["coord_precision"] == "inferred" and "seq" in tay["inferred_reason"]
    for pid in ("ov:halabiya-roundabout", "ov:jabal-bishri", "ov:kharrata-oil-field"):
        assert P.loc[pid, "coord_source"]
    assert gaz.place("wm:2984")["name_ar"] == "اللواء 137"


def test_bad_overrides_are_reported_with_a_line(tmp_path):
    bad = tmp_path / "overrides.csv"
    bad.write_text("place_id,name_en,name_ar,alt_names,feature_type,lat,lon,coord_precision,at,adm_pcode,"
                   "inferred_reason,country,coord_source\nov:x,X,,,,35.1,40.2,,,,,SY,\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_overrides(bad)
    assert err.value.line == 2 and "coord_source" in str(err.value)


def test_load_without_build(tmp_path):
    with pytest.raises(MissingDataError, match="tracker gazetteer build"):
        gazetteer.load(tmp_path)


def test_foreign_places_are_abroad(gaz):
    P = gaz.places
    for gid, cc in (("360630", "EG"), ("92138", "IQ"), ("390188", "IQ")):
        assert P.loc[f"gn:{gid}", "country"] == cc
    assert isinstance(P, pd.DataFrame)


def test_admin_name_alternates_do_not_link_villages_to_cities(gaz):
    # OCHA gives "Khazneh - Al-Hasakeh" the alternate "Al-Hasakeh" (its subdistrict): the city's map
    # point and GeoNames record go to the city, not to the village
    assert gaz.place("C4360")["wikimap_idx"] == 3506
    assert gaz.place("C4331")["wikimap_idx"] is None
    assert "gn:167357" in gaz.place("C1767")["linked"]          # Manbij
    assert "Al-Hasakeh" not in gaz.place("C4331")["alt_names"]


def test_colocated_records_are_one_place(gaz):
    # Palmyra: the OCHA town (Arabic, GeoNames population) and the map point "Palmyra" 0.3 km away
    tadmor = gaz.place("C2889")
    assert tadmor["wikimap_idx"] == 4596 and tadmor["wikimap_sides"] == "gov" and "Palmyra" in tadmor["alt_names"]
    assert "wm:4596" not in gaz.places.index and "wm:4596" in tadmor["linked"]
    assert "sa:183" not in gaz.places.index                        # Yarmouk Camp is Yarmuk (Damascus)
    # GeoNames admin areas and lower-case romanisations of other scripts are not places or names
    assert not gaz.places["name_en"].fillna("").str.contains("Nāḩiyat").any()
    assert "parumira yi ji" not in tadmor["alt_names"]


def test_subdistricts_of_one_name_keep_their_own_points(gaz):
    # two subdistricts are called Suran (Aleppo, Hama): each village links to a map point in its own
    assert gaz.place("C1664")["wikimap_idx"] == 2018 and gaz.place("C1664")["adm1_en"] == "Aleppo"
    assert gaz.place("C3026")["wikimap_idx"] == 3419 and gaz.place("C3026")["adm1_en"] == "Hama"


def test_importance_centres_borders_and_banks(gaz):
    # the settlement a unit is named after, and what it is worth against a hamlet of its name
    assert gaz.place("C1767")["admin_centre"] == "SY0205" and gaz.place("C1007")["admin_centre"] == "SY02"
    assert gaz.place("C1767")["importance"] == 1.0 and gaz.place("C1264")["importance"] < 0.1
    assert "Kobani" in gaz.place("C1946")["alt_names"] or "Kobane" in gaz.place("C1946")["alt_names"]
    assert "الغوطة الشرقية" not in gaz.place("C2304")["alt_names"]     # a region, not Jaramana town
    # borders within 15 km, banks of the Euphrates within 40 km
    assert (gaz.place("C5999")["border"], gaz.place("C1564")["border"], gaz.place("C5086")["border"]) == \
        ("JO", "TR", None)
    banks = {pid: gaz.place(pid)["euphrates_bank"] for pid in ("C5086", "C5710", "C5929", "C5184", "C4446")}
    assert banks == {"C5086": "W", "C5710": "E", "C5929": "W", "C5184": "E", "C4446": None}


def test_numbered_unit_bases_go_by_their_unit_in_every_language():
    from gazetteer.build import unit_alternates
    alts = unit_alternates("46th Regiment")
    assert {"Regiment 46", "Base 46", "الفوج 46", "هنگ 46"} <= set(alts)
    assert {"93rd Brigade", "اللواء 93", "تیپ 93"} <= set(unit_alternates("Brigade 93"))
    assert "الفرقة 17" in unit_alternates("Division 17")
    assert unit_alternates("4th Division (Mezzeh)") == []  # the fighting unit, not a place
    assert unit_alternates("Tal Sawwan") == []


@pytest.mark.parametrize("name, place_id", [
    ("اللواء 93", "wm:5944"), ("Base 46", "wm:2089"), ("مطار التيفور", "wm:4801"), ("T4 airbase", "wm:4801"),
    ("Jarrah airbase", "wm:2201"), ("مدرسة المشاة", "wm:96"), ("Kuweires", "wm:2197"),
    ("سد الفرات", "wm:5929"), ("Handarat", "ov:handarat"), ("حي النشوة", "ov:nashwa-hasakah"),
])
def test_military_sites_and_quarters_have_the_names_reports_use(gaz, name, place_id):
    hit = gaz.lookup(name)
    assert place_id in [c.place_id for c in hit.candidates[:2]]
