"""Pockets and the side pressing a place: the besieger's ring as ground, a pocket being reduced, a loser named
alone (docs/control-model.md). Places are a 7 x 7 grid about 5.5 km apart; the hull of the grid is the map's edge."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.control import Timeline
from tracker.control.graph import Neighbours, encircled, ring_pocket
from tracker.control.inference import POCKET_DAYS
from tracker.testing import assert_state, make_baseline, make_claim, make_places

GRID = make_places([(f"P{i}{j}", f"p{i}{j}", 35.0 + 0.05 * i, 38.5 + 0.05 * j) for i in range(7) for j in range(7)])
GRID.loc["P33", ["name_en", "feature_type", "population"]] = ["Big Town", "city", 90_000]
GRID.loc["P24", ["name_en", "feature_type", "population"]] = ["Mid Town", "town", 30_000]
INNER = [f"P{i}{j}" for i in range(2, 5) for j in range(2, 5)]  # a 3 x 3 block in the middle


def baseline(opposition: list[str]):
    return make_baseline([(p, "opposition" if p in opposition else "government") for p in GRID.index])


def test_a_pocket_is_found_only_when_closed_and_away_from_the_edge():
    nb = Neighbours(GRID)
    sides = {p: ("opposition" if p in INNER else "government") for p in GRID.index}
    assert set(encircled(nb, sides)) == set(INNER) and set(encircled(nb, sides).values()) == {"government"}
    # the same block reaching the edge of the map (a border) is open to the outside: no pocket
    open_block = INNER + ["P52", "P53", "P54", "P62", "P63", "P64"]
    sides = {p: ("opposition" if p in open_block else "government") for p in GRID.index}
    assert encircled(nb, sides) == {}
    assert ring_pocket(nb, nb.index["P33"], "government", sides) is None
    # a place by a foreign border (the gazetteer's `border`) is the edge too
    bordered = GRID.assign(border=None)
    bordered.loc["P34", "border"] = "TR"
    sides = {p: ("opposition" if p in INNER else "government") for p in GRID.index}
    assert encircled(Neighbours(bordered), sides) == {}


def test_a_pockets_ring_is_its_besiegers_ground_however_old():
    # nothing has been reported around the pocket since the baseline, ten months before: the ring still stands
    late = [make_claim("P33", "government", "capture", "2018-05-15")]
    assert_state(Timeline(GRID, baseline(INNER), late), "P33", "2018-05-16", "government")
    # the same city in open ground the government was last reported on ten months before: it waits
    open_block = INNER + ["P52", "P53", "P54", "P62", "P63", "P64"]
    tl = Timeline(GRID, baseline(open_block), late)
    assert_state(tl, "P33", "2018-05-16", "opposition")
    assert tl.outcomes["outcome"].iat[-1] == "pending"


def test_a_pocket_its_besieger_is_reducing_goes_with_it():
    two = [make_claim("P22", "government", "capture", "2018-03-01"),
           make_claim("P42", "government", "capture", "2018-03-05")]
    tl = Timeline(GRID, baseline(INNER), two)
    due = date(2018, 3, 1) + timedelta(days=POCKET_DAYS)
    for p in ("P23", "P32", "P34", "P43", "P44", "P24"):  # a town goes with the pocket ...
        assert_state(tl, p, due - timedelta(days=1), "opposition", include_inferred=True)
        assert_state(tl, p, due, "government", "inferred", include_inferred=True)
        assert_state(tl, p, due, "opposition")  # reported control is untouched
    assert_state(tl, "P33", due + timedelta(days=30), "opposition", include_inferred=True)  # ... a city never
    assert "reduced pocket" in set(tl.events[tl.events["inferred"]]["note"].str.split(":").str[0])
    # one gain inside a years-long siege is a raid, not the pocket's end
    one = Timeline(GRID, baseline(INNER), two[:1])
    assert_state(one, "P23", due + timedelta(days=30), "opposition", include_inferred=True)
    # a report for the holder in the pocket after the gains keeps that place
    heard = two + [make_claim("P34", "opposition", "capture", "2018-03-08")]
    tl = Timeline(GRID, baseline(INNER), heard)
    assert_state(tl, "P34", due, "opposition", include_inferred=True)
    assert_state(tl, "P23", due, "government", "inferred", include_inferred=True)
    # switchable off like every inference
    assert_state(Timeline(GRID, baseline(INNER), two, infer=False), "P23", due, "opposition", include_inferred=True)


def test_a_loser_named_alone_leaves_the_place_to_the_side_pressing_it():
    # P33 (IS) touches government cells on most sides and SDF cells on one; the SDF was reported taking
    # the village next to it a week before IS is reported to have left
    base = make_baseline([(p, "isis" if p == "P33" else "sdf" if p in ("P43", "P44", "P53", "P54") else "government")
                          for p in GRID.index])
    left = make_claim("P33", "isis", "withdraw", "2018-03-10")
    pressing = [make_claim("P43", "sdf", "advance", "2018-03-03"), left]
    tl = Timeline(GRID, base, pressing)
    assert_state(tl, "P33", "2018-03-11", "sdf")
    # with no side reported around it, the side holding most of the ground around it
    assert_state(Timeline(GRID, base, [left]), "P33", "2018-03-11", "government")


def test_arabic_scope_words_are_read_with_the_proclitics_joined_to_them():
    from tracker.control.inference import claim_scope

    # the article and the prepositions are written joined: "الكاملة" is "كاملة", "بالكامل" is "كامل"
    assert claim_scope({"quote": "أعلن الجيش السيطرة الكاملة على المنطقة"}) == "whole"
    assert claim_scope({"quote": "سيطرته على المنطقة بالكامل"}) == "whole"
    assert claim_scope({"quote": "سقط وآخر معاقل التنظيم"}) == "last"
    assert claim_scope({"quote": "السيطرة على معظم القرى الكاملة"}) is None  # a partial word cancels it
    assert claim_scope({"quote": "الكاملي"}) is None  # another word
