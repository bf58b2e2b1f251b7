"""The control rules of issue 5 on small hand-made timelines and on the seeds' claims with the real baseline."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.control import AdvanceRule, State, Timeline
from tracker.testing import assert_state, assert_timeline_equal, make_baseline, make_claim, make_places

PLACES = make_places([
    ("MAY", "Mayadin", 35.015, 40.45), ("TAY", "Tayyibah", 35.025, 40.428, "subdistrict"),
    ("DEZ", "Deir ez-Zor", 35.336, 40.141), ("HAL", "Halabiya roundabout", 35.36, 40.16),
    ("AK", "Abu Kamal", 34.45, 40.918), ("OMAR", "al-Omar oil field", 35.104, 40.576),
    ("A", "Village A", 35.10, 40.30), ("B", "Village B", 35.06, 40.38), ("QAIM", "Al-Qaim", 34.37, 41.09),
])
PLACES.loc["QAIM", "country"] = "IQ"
BASE = make_baseline([("MAY", "isis"), ("DEZ", "government", "besieged", "isis"), ("HAL", "government"),
                      ("AK", "isis"), ("OMAR", "isis"), ("A", "government"), ("B", "isis")])


def seeds_claims():
    """What the seeds yield about these places (see ../shared/eval/seeds.gold.jsonl)."""
    return [
        make_claim("MAY", "government", "advance", "2017-10-12", reported="2017-10-12", attribution="SANA"),
        make_claim("TAY", "government", "capture", "2017-10-12", reported="2017-10-12", place_precision="subdistrict"),
        make_claim("MAY", "government", "capture", "2017-10-15", reported="2017-10-15", source="Al-Watan"),
        make_claim("HAL", "sdf", "advance", "2017-10-15", reported="2017-10-15", status="refuted"),
        make_claim("DEZ", "government", "proximity", "2017-09-04", reported="2017-09-04", distance_km=3),
        make_claim("OMAR", "government", "proximity", "2017-10-15", reported="2017-10-15", distance_km=12),
        make_claim(None, "government", "capture", "2017-10-12", reported="2017-10-12"),
        make_claim("QAIM", "pmf", "advance", "2017-05-31", status="intent"),
    ]


def test_mayadin_contested_then_government():
    tl = Timeline(PLACES, BASE, seeds_claims())
    assert_state(tl, "MAY", "2017-10-11", "isis")
    assert_state(tl, "MAY", "2017-10-12", "isis", "contested")
    assert tl.who_held("MAY", "2017-10-13").other_side == "government"
    assert_state(tl, "MAY", "2017-10-15", "government")
    assert_state(tl, "TAY", "2017-10-13", "government")


def test_refuted_region_intent_and_proximity_change_nothing():
    with_claims = Timeline(PLACES, BASE, seeds_claims(), infer=False)
    assert_state(with_claims, "HAL", "2017-10-20", "government")
    assert_state(with_claims, "DEZ", "2017-09-10", "government", "besieged")
    assert_state(with_claims, "OMAR", "2017-10-20", "isis")
    reasons = set(with_claims.outcomes["reason"])
    assert "refuted claim: never changes control" in reasons
    assert "intent claim: never changes control" in reasons
    assert "region-level or unresolved place: changes no settlement" in reasons
    # reported control of every place other than the ones captured or advanced into is the baseline's
    changed = set(with_claims.events[with_claims.events["applied"]]["place_id"])
    assert changed == {"MAY", "TAY"}


def test_outside_syria_changes_nothing():
    tl = Timeline(PLACES, BASE, [make_claim("QAIM", "government", "capture", "2017-11-01")])
    assert tl.outcomes["reason"].iat[0] == "place outside Syria"


def test_abu_kamal_three_changes():
    claims = [make_claim("AK", "government", "capture", "2017-11-09"),
              make_claim("AK", "isis", "capture", "2017-11-11"),
              make_claim("AK", "government", "capture", "2017-11-19")]
    tl = Timeline(PLACES, BASE, claims)
    assert_state(tl, "AK", "2017-11-10", "government")
    assert_state(tl, "AK", "2017-11-12", "isis")
    assert_state(tl, "AK", "2017-11-20", "government")
    hist = tl.history("AK")
    assert list(hist["side"]) == ["isis", "government", "isis", "government"]
    assert tl.conflicts.empty
    ch = tl.changes_between("2017-11-01", "2017-11-30")
    assert list(ch["to_side"]) == ["government", "isis", "government"]
    assert all(len(ids) == 1 for ids in ch["claim_ids"])


def test_valid_time_and_report_time():
    claims = [make_claim("MAY", "government", "capture", "2017-10-14", reported="2017-10-17")]
    tl = Timeline(PLACES, BASE, claims)
    assert_state(tl, "MAY", "2017-10-15", "government")
    assert_state(tl, "MAY", "2017-10-15", "isis", as_reported="2017-10-16")
    assert_state(tl, "MAY", "2017-10-15", "government", as_reported="2017-10-17")


def test_before_baseline_kept_but_not_applied():
    tl = Timeline(PLACES, BASE, [make_claim("MAY", "sdf", "capture", "2017-05-31")])
    assert_state(tl, "MAY", "2017-08-01", "isis")
    ev = tl.events_for("MAY")
    assert len(ev) == 1 and not ev["applied"].iat[0]


def test_conflict_weighed_partisan_gain_counts_less():
    claims = [make_claim("B", "government", "capture", "2017-10-01", reported="2017-10-01", attribution="SANA"),
              make_claim("B", "isis", "capture", "2017-10-01", reported="2017-10-01", attribution="SOHR")]
    tl = Timeline(PLACES, BASE, claims)
    assert len(tl.conflicts) == 1
    conflict = tl.conflicts.iloc[0]
    assert conflict["resolution"] == "weighed" and conflict["winner"] == "isis"
    assert_state(tl, "B", "2017-10-02", "isis")
    assert "overruled" in set(tl.outcomes["outcome"])


def test_unsettled_conflict_keeps_place_contested_until_settled():
    claims = [make_claim("B", "government", "capture", "2017-10-01", reported="2017-10-01", source="Reuters"),
              make_claim("B", "sdf", "capture", "2017-10-02", reported="2017-10-01", source="AFP"),
              make_claim("B", "sdf", "capture", "2017-10-20", reported="2017-10-20", source="AFP")]
    tl = Timeline(PLACES, BASE, claims)
    assert tl.who_held("B", "2017-10-05").status == "contested"
    assert_state(tl, "B", "2017-10-21", "sdf")
    assert tl.conflicts["settled_on"].iat[0] == date(2017, 10, 20)


def test_siege_and_withdraw():
    claims = [make_claim("B", "government", "siege", "2017-10-01"),
              make_claim("B", "isis", "withdraw", "2017-10-05", opponent="government"),
              make_claim("MAY", "isis", "withdraw", "2017-10-05")]
    tl = Timeline(PLACES, BASE, claims)
    s = tl.who_held("B", "2017-10-02")
    assert (s.side, s.status, s.other_side) == ("isis", "besieged", "government")
    assert_state(tl, "B", "2017-10-06", "government")
    assert_state(tl, "MAY", "2017-10-06", "isis", "contested")


def test_proximity_infers_the_approach_only_when_asked():
    claims = [make_claim("OMAR", "government", "proximity", "2017-10-15", distance_km=5)]
    places = make_places([("H", "held", 35.0, 40.0), ("M", "middle", 35.0, 40.2), ("P", "target", 35.0, 40.4)])
    base = make_baseline([("H", "government"), ("M", "isis"), ("P", "isis")])
    claims = [make_claim("P", "government", "proximity", "2017-10-15", distance_km=5)]
    tl = Timeline(places, base, claims)
    assert_state(tl, "M", "2017-10-16", "isis")
    assert_state(tl, "M", "2017-10-16", "government", "inferred", include_inferred=True)
    assert_state(tl, "P", "2017-10-16", "isis", include_inferred=True)
    off = Timeline(places, base, claims, infer=False)
    assert_state(off, "M", "2017-10-16", "isis", include_inferred=True)


def test_rule_strategy_override():
    class AdvanceTakes(AdvanceRule):
        def apply(self, state, claim):
            return State(claim["side"], "held")

    tl = Timeline(PLACES, BASE, [make_claim("B", "government", "advance", "2017-10-01")],
                  rules={"advance": AdvanceTakes()})
    assert_state(tl, "B", "2017-10-02", "government")


def test_timeline_equal_helper_and_state_on():
    a = Timeline(PLACES, BASE, seeds_claims())
    b = Timeline(PLACES, BASE, list(reversed(seeds_claims())))
    assert_timeline_equal(a, b)
    state = a.state_on("2017-10-16")
    assert state.loc["MAY", "side"] == "government" and len(state) == len(PLACES)
    with pytest.raises(AssertionError):
        assert_timeline_equal(a, Timeline(PLACES, BASE, []))


def test_real_baseline_mayadin(sources):
    from tracker import baseline as bl

    places, _ = bl.load_places()
    base, extra = bl.load_baseline(places=places)
    may = places.index[places["wikimap_idx"].astype("Float64") == 2954][0]
    tl = Timeline(places, base, [make_claim(may, "government", "advance", "2017-10-12"),
                                 make_claim(may, "government", "capture", "2017-10-15")])
    assert_state(tl, may, "2017-10-10", "isis")
    assert_state(tl, may, "2017-10-13", "isis", "contested")
    assert_state(tl, may, "2017-10-16", "government")


def test_capturing_a_city_takes_its_districts():
    places = make_places([("RAQ", "Raqqa", 35.95, 39.01), ("D1", "Bitani district", 35.96, 39.02),
                          ("D2", "Rawdah district", 35.94, 39.00), ("FAR", "Kesra district", 35.80, 39.30),
                          ("V", "Village near Raqqa", 35.951, 39.011)])
    places.loc["RAQ", "feature_type"] = "city"
    base = make_baseline([("RAQ", "sdf", "contested", "isis"), ("D1", "sdf", "contested", "isis"),
                          ("D2", "isis"), ("FAR", "isis"), ("V", "isis")])
    tl = Timeline(places, base, [make_claim("RAQ", "sdf", "capture", "2017-10-17", reported="2017-10-17")])
    for pid in ("RAQ", "D1", "D2"):
        assert_state(tl, pid, "2017-10-18", "sdf")
    # too far to be a district of the city, or not a district: unchanged
    assert_state(tl, "FAR", "2017-10-18", "isis")
    assert_state(tl, "V", "2017-10-18", "isis")
    # traceable: the district's change cites the city's claim
    city_claim = tl.history("RAQ")["claim_ids"].iloc[-1]
    assert list(tl.history("D2")["claim_ids"].iloc[-1]) == list(city_claim)
    # an advance into the city does not spread
    tl = Timeline(places, base, [make_claim("RAQ", "isis", "advance", "2017-10-17")])
    assert_state(tl, "D2", "2017-10-18", "isis")
