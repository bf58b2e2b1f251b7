"""Cells, daily layers, front lines and areas on a small synthetic grid of villages (fast, no sources needed)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from tracker import polygons as P
from tracker.control import Timeline
from tracker.testing import make_baseline, make_claim, make_places

ROWS = [(f"V{i}{j}", f"v{i}{j}", 35.0 + 0.05 * i, 38.5 + 0.05 * j) for i in range(4) for j in range(4)]
PLACES = make_places(ROWS + [("SUB", "known to its subdistrict", 35.1, 38.6, "subdistrict")])
BASE = make_baseline([(r[0], "government" if r[3] < 38.6 else "isis") for r in ROWS] + [("SUB", "isis")])
OUTLINE = shapely.box(-100_000, -100_000, 100_000, 100_000)


def cells():
    pts = P.cell_places(PLACES, BASE)
    return P.build_cells(pts, outline=OUTLINE)


def test_cells_partition_the_outline_and_subdistrict_has_none():
    c = cells()
    assert "SUB" not in set(c.place_id) and len(c) == 16
    assert shapely.coverage_is_valid(c.geometry)
    # no land without a cell: the cells add up to the outline, and no circular caps
    assert c.area_km2.sum() == pytest.approx(shapely.area(OUTLINE) / 1e6, rel=1e-9)
    assert c.area_km2.max() > np.pi * P.THIN_KM**2
    # land farther than THIN_KM from every settlement is thinly held: counted per cell and as one geometry
    assert c.thin_km2.sum() == pytest.approx(shapely.area(c.thin) / 1e6, rel=1e-6)
    assert 0 < c.thin_km2.sum() < c.area_km2.sum()
    assert len(c.edge_i) > 0


def test_layers_front_lines_and_area():
    c = cells()
    tl = Timeline(PLACES, BASE, [make_claim("V11", "isis", "capture", "2017-08-01"),
                                 make_claim("V20", "isis", "siege", "2017-08-01")])
    dp = P.DailyPolygons(tl, c)
    before = dp.layers_on("2017-07-20")
    assert set(before["side"]) == {"government", "isis"} and set(before["status"]) == {"held"}
    assert str(before.crs) == "EPSG:4326"
    after = dp.layers_on("2017-08-02")
    assert "besieged" in set(after["status"])
    gov_before = before.loc[before["side"] == "government", "area_km2"].sum()
    gov_after = after.loc[(after["side"] == "government") & (after["status"] == "held"), "area_km2"].sum()
    assert gov_after < gov_before
    fl = P.front_lines(tl.state_on("2017-08-02"), c)
    assert list(fl[["side_a", "side_b"]].iloc[0]) == ["government", "isis"] and fl["length_km"].iat[0] > 0
    area = P.area_table(tl, c, "2017-07-31", "2017-08-02")
    assert len(set(area["day"])) == 3
    total = area.groupby("day")["area_km2"].sum()
    assert np.allclose(total.to_numpy(), c.area_km2.sum())
    assert np.allclose(area.groupby("day")["thin_km2"].sum().to_numpy(), c.thin_km2.sum())
    unc = P.uncertain_on("2017-08-02", timeline=tl, cells=c)
    assert list(unc["place_id"]) == ["SUB"] and unc["coord_precision"].iat[0] == "subdistrict"


def test_only_changed_groups_are_redrawn():
    c = cells()
    tl = Timeline(PLACES, BASE, [make_claim("V11", "isis", "capture", "2017-08-01")])
    dp = P.DailyPolygons(tl, c)
    dp.advance("2017-07-20")
    assert dp.advance("2017-07-25") == []
    assert sorted(dp.advance("2017-08-01")) == ["government|held||", "isis|held||"]


def test_stale_states_are_their_own_layers():
    from datetime import date, timedelta

    from tracker.control import STALE_DAYS

    c = cells()
    tl = Timeline(PLACES, BASE, [make_claim("V11", "isis", "capture", "2017-08-01")])
    late = date(2017, 8, 1) + timedelta(days=STALE_DAYS - 10)
    layers = P.DailyPolygons(tl, c).layers_on(late)
    stale = layers[layers["stale"]]
    # the baseline's states aged past the threshold; the captured village's did not
    assert len(stale) and not layers[~layers["stale"]].empty
    fresh = layers[~layers["stale"]]
    assert set(fresh["side"]) == {"isis"} and fresh["n_places"].sum() == 1
