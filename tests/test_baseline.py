"""The baseline: the Wikipedia map snapshot and a user's CSV/GeoJSON."""

from __future__ import annotations

import json

import pytest

from tracker import baseline as bl
from tracker._errors import InputError
from tracker.testing import make_places

PLACES = make_places([("P1", "Mayadin", 35.015, 40.45), ("P2", "Hatla", 35.306, 40.242)])


def test_wikimap_baseline(sources):
    places = bl.wikimap_places()
    base, extra = bl.load_baseline(places=places)
    assert len(places) >= 6142 and len(extra) == 0
    assert set(base["day"]) == {bl.BASELINE_DATE} and set(base["date_precision"]) == {"estimated"}
    row = base.set_index("place_id").loc["wm:2954"]
    assert (row["side"], row["status"]) == ("isis", "held")
    raqqa = base.set_index("place_id").loc["wm:5874"]  # ar-Rafiqah district, SDF|IS contested
    assert (raqqa["side"], raqqa["status"], raqqa["other_side"]) == ("sdf", "contested", "isis")
    dez = base.set_index("place_id").loc["wm:2804"]
    assert (dez["side"], dez["status"], dez["other_side"]) == ("government", "besieged", "isis")
    assert places.loc["wm:1375", "lon"] == pytest.approx(36.6514)


def test_parse_sides():
    assert bl.parse_sides("gov|SDF") == ("government", "sdf")
    assert bl.parse_sides("isis") == ("isis", None)
    with pytest.raises(ValueError):
        bl.parse_sides("martians")


def test_user_csv(tmp_path):
    f = tmp_path / "base.csv"
    f.write_text("place,lat,lon,side,status,date\nMayadin,,,IS,control,2017-09-01\n,35.3061,40.2421,gov,,\n"
                 ",33.0,36.0,opp|gov,contested,\n", encoding="utf-8")
    base, extra = bl.read_baseline(f, PLACES)
    rows = base.set_index("place_id")
    assert rows.loc["P1", "side"] == "isis" and str(rows.loc["P1", "day"]) == "2017-09-01"
    assert rows.loc["P2", "side"] == "government"
    assert list(extra.index) == ["user:4"] and rows.loc["user:4", "status"] == "contested"


def test_user_csv_bad_row_names_file_and_line(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("place,side\nMayadin,IS\nHatla,martians\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        bl.read_baseline(f, PLACES)
    assert exc.value.line == 3 and "bad.csv" in str(exc.value) and "martians" in str(exc.value)
    f.write_text("place,side,date\nNowhere,IS,\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown place"):
        bl.read_baseline(f, PLACES)
    f.write_text("place,side,date\nMayadin,IS,12/10/2017\n", encoding="utf-8")
    with pytest.raises(InputError, match="unreadable date"):
        bl.read_baseline(f, PLACES)


def test_user_geojson(tmp_path):
    f = tmp_path / "base.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"side": "SDF"}, "geometry": {"type": "Point", "coordinates": [40.45, 35.015]}},
    ]}), encoding="utf-8")
    base, _ = bl.read_baseline(f, PLACES)
    assert base.set_index("place_id").loc["P1", "side"] == "sdf"


def test_places_without_a_dot_take_the_nearest_dot_or_their_inset_area(sources):
    places, _ = bl.load_places()
    base, _ = bl.load_baseline(places=places)
    rows = base.set_index("place_id")
    # every ground place in Syria has a state: the map is partitioned among sides from the first day
    ground = bl.ground_places(places)
    assert len(ground) > 6000 and ground.index.isin(rows.index).all()
    inherited = rows[rows["source"] == "wikimap nearest dot"]
    assert len(inherited) and inherited["note"].str.startswith("no dot of its own").all()
    # Douma has no dot (the module draws Eastern Ghouta as an inset): the areas file gives it its pocket's side
    douma = ground.index[(ground["name_ar"] == "دوما") & (ground["lat"].between(33.5, 33.6))]
    assert rows.loc[douma[0], "side"] == "opposition" and rows.loc[douma[0], "source"] == "wikimap area"
