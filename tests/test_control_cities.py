"""Cities and their parts, split cities, and captures the fighting after them contradicts (docs/control-model.md)."""

from __future__ import annotations

from tracker.control import Timeline
from tracker.testing import assert_state, make_baseline, make_claim, make_places


def _capital():
    """A government city with a camp quarter held by IS, and an opposition town beside it."""
    places = make_places([("CAP", "Capital", 33.51, 36.29), ("CAMP", "Camp (Capital)", 33.47, 36.30),
                          ("GOVQ", "Old Quarter district", 33.50, 36.31), ("OPP", "Outer Town", 33.47, 36.33)])
    places.loc["CAP", ["feature_type", "population"]] = ["city", 1_500_000]
    return places, make_baseline([("CAP", "government"), ("CAMP", "isis"), ("GOVQ", "government"),
                                  ("OPP", "opposition")])


def test_a_report_on_the_city_does_not_take_another_sides_pocket_in_it():
    places, base = _capital()
    # a government gain "in the capital" (here: a confirmation of its hold) must not hand over IS's camp
    tl = Timeline(places, base, [make_claim("CAP", "government", "capture", "2018-02-20",
                                            quote="government troops seized control of Capital")])
    assert_state(tl, "CAMP", "2018-02-21", "isis")
    out = tl.outcomes.set_index("place_id")
    assert "pocket of isis" in out.loc["CAMP", "reason"]
    # a claim that all of the city changed takes the pocket too
    tl = Timeline(places, base, [make_claim("CAP", "government", "capture", "2018-05-21",
                                            quote="the army took full control of Capital")])
    assert_state(tl, "CAMP", "2018-05-22", "government")
    # the camp named itself changes as any place does
    tl = Timeline(places, base, [make_claim("CAMP", "government", "capture", "2018-05-21",
                                            quote="the army took Camp")])
    assert_state(tl, "CAMP", "2018-05-22", "government")


def test_a_city_taken_from_its_holder_still_takes_the_holders_quarters():
    places, base = _capital()
    # IS takes the city from the government: the government's quarter goes with it, the camp is IS's already
    tl = Timeline(places, base, [make_claim("CAP", "isis", "capture", "2018-03-01", quote="IS captured Capital")])
    assert_state(tl, "GOVQ", "2018-03-02", "isis")


def _valley():
    """A row of villages along a river: the SDF holds the north end, IS the rest."""
    places = make_places([(f"V{i}", f"Village {i}", 34.40 + 0.03 * i, 40.90) for i in range(5)])
    return places, make_baseline([(f"V{i}", "sdf" if i >= 3 else "isis") for i in range(5)])


def test_a_side_still_firing_on_a_place_it_took_had_not_finished_taking_it():
    places, base = _valley()
    took = make_claim("V2", "sdf", "capture", "2019-01-23", quote="SDF fully overran and recaptured Village 2")
    # its ally's air strikes on the village two days later: the enemy is still inside
    strike = make_claim("V2", "coalition", "strike", "2019-01-25", quote="Coalition airstrikes in Village 2")
    tl = Timeline(places, base, [took, strike])
    assert_state(tl, "V2", "2019-01-24", "sdf")
    assert_state(tl, "V2", "2019-01-26", "isis", "contested")
    assert "not complete" in tl.events_for("V2")["note"].iloc[-1]
    # the final capture settles it
    final = make_claim("V2", "sdf", "capture", "2019-03-23", quote="SDF took control of Village 2")
    assert_state(Timeline(places, base, [took, strike, final]), "V2", "2019-03-24", "sdf")
    # the enemy's attack, fire the same day as the capture, or fire long after it changes nothing
    for other in (make_claim("V2", "isis", "attack", "2019-01-25"), make_claim("V2", "sdf", "attack", "2019-01-23"),
                  make_claim("V2", "coalition", "strike", "2019-05-25")):
        assert_state(Timeline(places, base, [took, other]), "V2", other.date, "sdf")
    # a place the side has held since the baseline is not reopened by its fire on it
    assert_state(Timeline(places, base, [make_claim("V4", "sdf", "attack", "2019-01-25")]), "V4", "2019-01-26", "sdf")


def test_a_pocket_one_gain_went_into_goes_at_the_campaigns_next_gain():
    # a band of five opposition villages ringed by the government; the first gain splits it, the second gain is
    # at the far end: the remnant by the first gain is examined again after the second
    places = make_places([(f"G{i}{j}", f"g{i}{j}", 35.0 + 0.05 * i, 38.5 + 0.05 * j) for i in range(5) for j in range(7)])
    band = [f"G2{j}" for j in range(1, 6)]
    base = make_baseline([(p, "opposition" if p in band else "government") for p in places.index])
    gains = [make_claim("G22", "government", "capture", "2018-03-01"),
             make_claim("G25", "government", "capture", "2018-04-10")]
    tl = Timeline(places, base, gains)
    assert_state(tl, "G23", "2018-04-30", "government", "inferred", include_inferred=True)
    assert_state(tl, "G21", "2018-03-30", "opposition", include_inferred=True)  # one gain: a raid
    # with the second gain more than 60 days later, the first one stays a raid
    late = [gains[0], make_claim("G25", "government", "capture", "2018-05-10")]
    assert_state(Timeline(places, base, late), "G21", "2018-06-30", "opposition", include_inferred=True)
