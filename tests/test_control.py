"""The control rules on small hand-made timelines and on the seeds' claims with the real baseline.

Places are laid out on a small grid near Mayadin; claims default to a neutral agency (trusted for every side),
``source=None`` makes a claim's source unknown (trusted for none).
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.control import CONFIRM_DAYS, AdvanceRule, State, Timeline
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


def test_mayadin_contested_then_claimed_then_held():
    tl = Timeline(PLACES, BASE, seeds_claims())
    assert_state(tl, "MAY", "2017-10-11", "isis")
    assert_state(tl, "MAY", "2017-10-12", "isis", "contested")
    assert tl.who_held("MAY", "2017-10-13").other_side == "government"
    # Al-Watan speaks for the government: its claim of a government gain is claimed, not held, until it stands
    assert_state(tl, "MAY", "2017-10-15", "government", "claimed")
    assert_state(tl, "MAY", date(2017, 10, 15 + CONFIRM_DAYS), "government")
    assert_state(tl, "TAY", "2017-10-13", "government")


def test_refuted_region_intent_and_proximity_change_nothing():
    with_claims = Timeline(PLACES, BASE, seeds_claims(), infer=False)
    assert_state(with_claims, "HAL", "2017-10-20", "government")
    assert_state(with_claims, "DEZ", "2017-09-10", "government", "besieged")
    assert_state(with_claims, "OMAR", "2017-10-20", "isis")
    reasons = set(with_claims.outcomes["reason"])
    assert "refuted claim: never changes control" in reasons
    assert "intent claim: never changes control" in reasons
    assert "region-level or unresolved place: changes no settlement by itself" in reasons
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


def test_a_report_repeating_itself_weighs_once_in_a_conflict():
    one = dict(report_id="r1", source="Reuters", reported="2017-10-01")
    claims = [make_claim("B", "government", "capture", "2017-10-01", **one),
              make_claim("B", "government", "capture", "2017-10-01", **one),
              make_claim("B", "government", "capture", "2017-10-01", **one),
              make_claim("B", "isis", "capture", "2017-10-01", report_id="r2", source="AFP", reported="2017-10-01")]
    tl = Timeline(PLACES, BASE, claims)
    assert tl.conflicts["resolution"].iat[0] == "contested until settled"


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
              make_claim("B", "isis", "withdraw", "2017-10-05", opponent="government")]
    tl = Timeline(PLACES, BASE, claims)
    s = tl.who_held("B", "2017-10-02")
    assert (s.side, s.status, s.other_side) == ("isis", "besieged", "government")
    assert_state(tl, "B", "2017-10-06", "government")


# ---------------------------------------------------------------- evidence in proportion to what a claim moves
GRID = make_places([(f"G{i}{j}", f"G{i}{j}", 35.0 + 0.05 * i, 38.5 + 0.05 * j) for i in range(5) for j in range(5)])
GRID.loc["G22", ["name_en", "feature_type", "population"]] = ["Big Town", "city", 90_000]
GRID_BASE = make_baseline([(p, "government" if p[1] in "01" else "isis") for p in GRID.index])


def test_a_major_place_flips_on_one_report_only_from_a_source_trusted_for_that_side():
    sana = [make_claim("G22", "government", "capture", "2017-08-01", attribution="SANA", report_id="r1")]
    tl = Timeline(GRID, GRID_BASE, sana)
    assert_state(tl, "G22", "2017-08-02", "government", "claimed")
    # nobody repeats it and nothing contradicts it: it stands after a while
    assert_state(tl, "G22", date(2017, 8, 1 + CONFIRM_DAYS + 1), "government")
    assert "uncontradicted" in tl.events_for("G22")["note"].iat[-1]
    # a report for IS there three weeks earlier contradicts it: it is not drawn, and waits for another source
    held = [make_claim("G22", "isis", "siege", "2017-07-11"), make_claim("G22", "isis", "capture", "2017-07-20")]
    tl = Timeline(GRID, GRID_BASE, held + sana)
    assert_state(tl, "G22", "2017-08-02", "isis")
    assert_state(tl, "G22", date(2017, 8, 1 + CONFIRM_DAYS + 1), "isis")
    pending = tl.outcomes[tl.outcomes["outcome"] == "pending"]
    assert len(pending) == 1 and "reported holding the place" in pending["reason"].iat[0]
    # ... and an independent report within the wait applies it
    other = [make_claim("G22", "government", "capture", "2017-08-04", source="Syrian Observatory", report_id="r3")]
    assert_state(Timeline(GRID, GRID_BASE, held + sana + other), "G22", "2017-08-05", "government")
    # an independent report corroborates it: held
    more = sana + [make_claim("G22", "government", "capture", "2017-08-03", source="Syrian Observatory",
                              report_id="r2")]
    tl = Timeline(GRID, GRID_BASE, more)
    assert_state(tl, "G22", "2017-08-04", "government")
    assert_state(tl, "G22", "2017-09-01", "government")
    # the same report again is no corroboration
    again = sana + [make_claim("G22", "government", "capture", "2017-08-03", attribution="SANA", report_id="r1")]
    assert_state(Timeline(GRID, GRID_BASE, again), "G22", "2017-08-05", "government", "claimed")
    # an admission (IS media reporting its own loss) is trusted
    amaq = [make_claim("G22", "government", "capture", "2017-08-01", attribution="Amaq")]
    assert_state(Timeline(GRID, GRID_BASE, amaq), "G22", "2017-08-02", "government")


def test_the_holders_loss_in_the_same_words_is_evidence_for_the_taker():
    # "IS lost Big Town" to the army, in a chronicle that no profile trusts, far from the army's ground
    quote = "IS lost Big Town"
    pair = [make_claim("G44", "isis", "withdraw", "2017-11-15", source=None, quote=quote, report_id="w1"),
            make_claim("G44", "government", "capture", "2017-11-15", source=None, quote=quote, report_id="w1")]
    big = GRID.copy()
    big.loc["G44", ["name_en", "feature_type", "population"]] = ["Far City", "city", 90_000]
    tl = Timeline(big, GRID_BASE, pair)
    assert_state(tl, "G44", "2017-11-16", "government")
    assert "the holder's loss" in tl.events_for("G44")["note"].iat[-1]
    # the taker's claim alone still waits for an independent report
    assert_state(Timeline(big, GRID_BASE, pair[1:]), "G44", "2017-11-16", "isis")


def test_a_village_claim_from_an_unknown_source_stands_unless_contradicted():
    tl = Timeline(GRID, GRID_BASE, [make_claim("G21", "government", "capture", "2017-08-01", source=None)])
    assert_state(tl, "G21", "2017-08-02", "government", "claimed")
    assert_state(tl, "G21", date(2017, 8, 1 + CONFIRM_DAYS + 1), "government")
    assert "uncontradicted" in tl.events_for("G21")["note"].iat[-1]
    # a holder reported there a few weeks earlier keeps the village against one unrepeated report
    claims = [make_claim("G21", "isis", "capture", "2017-07-20"),
              make_claim("G21", "government", "capture", "2017-08-01", source=None)]
    tl = Timeline(GRID, GRID_BASE, claims)
    assert_state(tl, "G21", date(2017, 8, 1 + CONFIRM_DAYS + 1), "isis")


def test_a_gain_far_from_the_sides_ground_waits_for_a_second_report():
    far = make_claim("G44", "sdf", "capture", "2017-08-01", source=None, report_id="r1")
    tl = Timeline(GRID, GRID_BASE, [far])
    assert_state(tl, "G44", "2017-08-20", "isis")
    assert list(tl.outcomes["outcome"]) == ["pending"]
    second = make_claim("G44", "sdf", "capture", "2017-08-03", source="somewhere.net", report_id="r2")
    tl = Timeline(GRID, GRID_BASE, [far, second])
    assert_state(tl, "G44", "2017-08-04", "sdf")
    assert set(tl.outcomes["outcome"]) == {"applied"}


def test_a_low_confidence_claim_against_a_well_attested_holder_waits_for_another_source():
    # IS reported holding the village by two sources; one trusted report, read with low confidence (its side from
    # the context, its place from "the town"), says the army took it: one misread sentence must not move it
    held = [make_claim("G32", "isis", "capture", "2017-08-01", source="Reuters"),
            make_claim("G32", "isis", "capture", "2017-08-05", source="SOHR")]
    misread = make_claim("G32", "government", "capture", "2017-08-20", source="AFP", confidence=0.6)
    tl = Timeline(GRID, GRID_BASE, held + [misread])
    assert_state(tl, "G32", "2017-08-21", "isis")
    assert_state(tl, "G32", "2017-09-20", "isis")
    assert "low confidence" in tl.outcomes[tl.outcomes["outcome"] == "pending"]["reason"].iat[0]
    # the same report read with confidence is evidence enough from a trusted source
    sure = make_claim("G32", "government", "capture", "2017-08-20", source="AFP", confidence=0.85)
    assert_state(Timeline(GRID, GRID_BASE, held + [sure]), "G32", "2017-08-21", "government")
    # a holder one source reported is not well attested
    assert_state(Timeline(GRID, GRID_BASE, held[:1] + [misread]), "G32", "2017-08-21", "government")
    # an independent report within the wait applies it
    second = make_claim("G32", "government", "capture", "2017-08-22", source="ACLED", confidence=0.6)
    assert_state(Timeline(GRID, GRID_BASE, held + [misread, second]), "G32", "2017-08-23", "government")


def test_list_and_region_wide_phrases_never_move_a_major_place():
    places = GRID.copy()
    places.loc["PROV", ["name_en", "feature_type", "coord_precision", "lat", "lon"]] = \
        ["Hamah", "governorate", "governorate", 35.1, 38.6]
    quote = "encircled IS in a pocket spanning Hamah, Big Town and G24"

    def listed(texts):
        claims = []
        for k, (pid, text) in enumerate(texts):  # one clause: overlapping quote spans
            c = make_claim(pid, "isis", "siege", "2017-08-01", report_id="r1", quote=quote)
            c.start, c.end, c.place_text = 100 + k, 160, text
            claims.append(c)
        return Timeline(places, GRID_BASE, claims)

    # one of the list's names is a province's: the list reads as provinces and moves no major place
    tl = listed([("G20", "Hamah"), ("G22", "Big Town"), ("G24", "G24")])
    assert tl.outcomes.set_index("place_id")["reason"]["G22"] == "a list or region-wide phrase: never moves a major place"
    assert_state(tl, "G22", "2017-08-02", "isis")
    # a list of towns is a list of towns: "ISIL lost al-Qa'im and Abu Kamal"
    tl = listed([("G21", "G21"), ("G22", "Big Town")])
    assert tl.outcomes.set_index("place_id")["reason"]["G22"] != "a list or region-wide phrase: never moves a major place"


def test_a_major_place_must_be_named_in_the_clause():
    claim = make_claim("G22", "government", "capture", "2017-08-01", quote="the army took the city")
    claim.place_text = "Big Town"
    tl = Timeline(GRID, GRID_BASE, [claim])
    assert tl.outcomes["reason"].iat[0].startswith("the clause does not name the major place")
    assert_state(tl, "G22", "2017-08-02", "isis")


def test_a_siege_needs_the_besieger_around_and_not_just_driven_out():
    far = Timeline(GRID, GRID_BASE, [make_claim("G00", "sdf", "siege", "2017-08-01")])
    assert_state(far, "G00", "2017-08-02", "government")
    back = [make_claim("G22", "government", "capture", "2017-08-01"),
            make_claim("G22", "isis", "siege", "2017-09-01")]
    tl = Timeline(GRID, GRID_BASE, back)
    assert_state(tl, "G22", "2017-09-02", "government")
    assert "just driven out" in tl.outcomes["reason"].iat[-1]


def test_loser_phrasing_gives_the_place_to_the_side_around_it():
    tl = Timeline(GRID, GRID_BASE, [make_claim("G20", "isis", "withdraw", "2017-08-01")])
    assert_state(tl, "G20", "2017-08-02", "government")
    assert "holds the ground around it" in tl.events_for("G20")["note"].iat[-1]


def test_a_claim_naming_only_the_loser_gives_the_place_to_the_side_around_it():
    fell = make_claim("G20", "unknown", "capture", "2017-08-01", opponent="isis")
    tl = Timeline(GRID, GRID_BASE, [fell])
    assert_state(tl, "G20", "2017-08-02", "government")


def test_capturing_a_town_takes_the_points_named_after_it():
    places = make_places([("NAS", "Nasib", 32.555, 36.176), ("XING", "Nassib Crossing", 32.523, 36.188),
                          ("FAR", "Nasib Farms", 32.40, 36.40), ("OTHER", "Tafas", 32.56, 36.18)])
    base = make_baseline([(p, "opposition") for p in places.index])
    tl = Timeline(places, base, [make_claim("NAS", "government", "capture", "2018-07-06")])
    assert_state(tl, "XING", "2018-07-07", "government")
    assert_state(tl, "FAR", "2018-07-07", "opposition")  # too far to be part of it
    assert_state(tl, "OTHER", "2018-07-07", "opposition")  # near, but not named after it


# ---------------------------------------------------------------- staleness and the data's span
def test_every_state_carries_its_last_evidence_and_turns_stale():
    from tracker.control import STALE_DAYS

    claims = [make_claim("B", "government", "capture", "2017-10-01"),
              make_claim("B", "government", "capture", "2017-11-01")]
    tl = Timeline(PLACES, BASE, claims)
    st = tl.who_held("B", "2017-11-05")
    assert st.last_evidence == date(2017, 11, 1) and st.since == date(2017, 10, 1)
    state = tl.state_on("2017-11-05")
    assert not state.loc["B", "stale"] and state.loc["OMAR", "last_evidence"] == date(2017, 7, 15)
    late = date.fromordinal(date(2017, 11, 1).toordinal() + STALE_DAYS + 1)
    assert tl.state_on(late).loc["B", "stale"]
    ok, why = tl.span_check("2017-01-01")
    assert not ok and "before" in why
    ok, why = tl.span_check("2030-01-01")
    assert not ok and "stale" in why
    assert tl.span_check("2017-10-15") == (True, None)


# ---------------------------------------------------------------- inference
def test_proximity_infers_the_approach_only_when_asked():
    places = make_places([("H", "held", 35.0, 40.0), ("M", "middle", 35.0, 40.2), ("P", "target", 35.0, 40.4)])
    base = make_baseline([("H", "government"), ("M", "isis"), ("P", "isis")])
    claims = [make_claim("P", "government", "proximity", "2017-10-15", distance_km=5)]
    tl = Timeline(places, base, claims)
    assert_state(tl, "M", "2017-10-16", "isis")
    assert_state(tl, "M", "2017-10-16", "government", "inferred", include_inferred=True)
    assert_state(tl, "P", "2017-10-16", "isis", include_inferred=True)
    off = Timeline(places, base, claims, infer=False)
    assert_state(off, "M", "2017-10-16", "isis", include_inferred=True)


def test_a_village_left_behind_the_front_is_inferred_after_a_while():
    from tracker.control.inference import INFER_AFTER_DAYS

    # government takes the ring around G22's neighbour G12 (a village): G12 is left behind
    ring = ["G01", "G02", "G03", "G11", "G13", "G21", "G23"]
    places = GRID.copy()
    base = make_baseline([(p, "isis") for p in places.index if p not in ("G00", "G04", "G10", "G14")]
                         + [(p, "government") for p in ("G00", "G04", "G10", "G14")])
    claims = [make_claim(p, "government", "capture", "2017-08-01") for p in ring]
    tl = Timeline(places, base, claims)
    assert_state(tl, "G12", "2017-08-03", "isis", include_inferred=True)
    later = date(2017, 8, 1 + INFER_AFTER_DAYS + 1)
    assert_state(tl, "G12", later, "government", "inferred", include_inferred=True)
    assert_state(tl, "G12", later, "isis")  # reported control is untouched
    ev = tl.events_for("G12")
    assert ev["inferred"].all() and len(ev["claim_ids"].iat[0]) >= 1
    # a report about the place after the capture keeps it
    heard = claims + [make_claim("G12", "isis", "capture", "2017-08-04")]
    assert_state(Timeline(places, base, heard), "G12", later, "isis", include_inferred=True)
    assert_state(Timeline(places, base, claims, infer=False), "G12", later, "isis", include_inferred=True)


def test_settlements_inside_a_campaigns_gains_are_inferred_for_it():
    from tracker.control.inference import INFER_AFTER_DAYS

    # Turkish-backed forces take the rim of an SDF district and its town; the villages between are not named
    places = make_places([(f"A{i}{j}", f"a{i}{j}", 36.5 + 0.03 * i, 36.8 + 0.03 * j) for i in range(7) for j in range(7)]
                         + [(f"T{k}", f"t{k}", 36.5 + 0.03 * k, 37.1) for k in range(7)]
                         + [(f"U{k}", f"u{k}", 36.5 + 0.03 * k, 37.2) for k in range(7)])
    base = make_baseline([(p, "sdf") for p in places.index if p.startswith("A")]
                         + [(p, "government") for p in places.index if p.startswith("T")]
                         + [(p, "isis") for p in places.index if p.startswith("U")])
    rim = [p for p in places.index if p.startswith("A") and ({p[1], p[2]} & {"0", "6"})]
    claims = [make_claim(p, "turkey", "capture", date(2018, 1, 22) + (date(2018, 3, 1) - date(2018, 1, 22)) * k
                         // len(rim)) for k, p in enumerate(rim)] + [make_claim("A33", "turkey", "capture", "2018-03-18")]
    claims.append(make_claim("A24", "sdf", "capture", "2018-03-20"))  # a report for the SDF keeps that village
    tl = Timeline(places, base, claims)
    day = date(2018, 3, 18 + INFER_AFTER_DAYS + 1)
    inside = [p for p in places.index if p.startswith("A") and p not in rim and p not in ("A33", "A24")]
    shown = tl.state_on(day, include_inferred=True)
    assert (shown.loc[inside, "side"] == "turkey").all() and shown.loc[inside, "inferred"].all()
    assert shown.loc["A24", "side"] == "sdf"
    assert (shown.loc[[p for p in places.index if p.startswith("T")], "side"] == "government").all()
    assert "behind the front" in set(tl.events[tl.events["inferred"]]["note"].str.split(":").str[0])
    assert_state(Timeline(places, base, claims, infer=False), "A22", day, "sdf", include_inferred=True)


def test_allied_sides_never_conflict():
    claims = [make_claim("B", "turkey", "capture", "2017-10-01", source="Anadolu"),
              make_claim("B", "opposition", "capture", "2017-10-01", source="Reuters")]
    tl = Timeline(PLACES, BASE, claims)
    assert tl.conflicts.empty and tl.who_held("B", "2017-10-02").side in ("turkey", "opposition")


def test_a_region_claim_gives_every_settlement_of_the_region_as_inferred():
    places = make_places([("R", "Daraa", 32.7, 36.2), ("V1", "v1", 32.7, 36.1), ("V2", "v2", 32.8, 36.2),
                          ("X", "outside", 33.5, 36.3)])
    places["adm1_en"] = ["Dar'a", "Dar'a", "Dar'a", "Damascus"]
    places.loc["R", ["feature_type", "coord_precision"]] = ["governorate", "governorate"]
    base = make_baseline([("V1", "opposition"), ("V2", "isis"), ("X", "opposition")])
    claim = make_claim("R", "government", "capture", "2018-07-31", quote="Daraa province fully under government control",
                       place_precision="governorate")
    claim.place_text = "Daraa province"
    tl = Timeline(places, base, [claim])
    for pid in ("V1", "V2"):
        assert_state(tl, pid, "2018-08-01", "government", "inferred", include_inferred=True)
        assert_state(tl, pid, "2018-08-01", base.set_index("place_id").at[pid, "side"])
    assert_state(tl, "X", "2018-08-01", "opposition", include_inferred=True)
    # without a whole-region scope nothing follows
    claim.quote = "the army advanced in Daraa province"
    assert_state(Timeline(places, base, [claim]), "V1", "2018-08-01", "opposition", include_inferred=True)


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
    # too far to be a district of the city: unchanged
    assert_state(tl, "FAR", "2017-10-18", "isis")
    # traceable: the district's change cites the city's claim
    city_claim = tl.history("RAQ")["claim_ids"].iloc[-1]
    assert list(tl.history("D2")["claim_ids"].iloc[-1]) == list(city_claim)
    # an advance into the city does not spread
    tl = Timeline(places, base, [make_claim("RAQ", "isis", "advance", "2017-10-17")])
    assert_state(tl, "D2", "2017-10-18", "isis")


def test_a_campaign_that_names_the_rim_and_the_town_takes_the_district(sources):
    """Afrin district on the real baseline: captures of its outer third (from the outside in, January to March)
    and of Afrin town infer the villages between them for the Turkish-backed forces, and nothing far beyond."""
    import numpy as np

    from tracker import baseline as bl

    places, _ = bl.load_places()
    base, _ = bl.load_baseline(places=places)
    ground = bl.ground_places(places)
    afrin = ground[ground["adm2_en"].eq("Afrin") & ground.index.isin(base["place_id"])]
    rim_first = afrin.index[np.argsort(-np.hypot(afrin["lat"] - afrin["lat"].mean(),
                                                 (afrin["lon"] - afrin["lon"].mean()) * 0.8).to_numpy())]
    rim = list(rim_first[: len(afrin) * 3 // 10])
    claims = [make_claim(p, "turkey", "capture", date(2018, 1, 22) + (date(2018, 3, 15) - date(2018, 1, 22)) * k
                         // len(rim), source="SOHR", report_id=f"r{k}") for k, p in enumerate(rim)]
    town = afrin.index[afrin["name_ar"].eq("عفرين") & afrin["feature_type"].isin(["town", "city"])][0]
    claims.append(make_claim(town, "turkey", "capture", "2018-03-18", source="SOHR", report_id="town"))
    tl = Timeline(places, base, claims)
    shown = tl.state_on("2018-03-26", include_inferred=True)
    assert (shown.reindex(afrin.index)["side"] == "turkey").mean() >= 0.9
    outside = shown[shown["inferred"] & ~shown.index.isin(afrin.index)]
    assert len(outside) < 0.1 * len(afrin)
    off = Timeline(places, base, claims, infer=False).state_on("2018-03-26", include_inferred=True)
    assert (off.reindex(afrin.index)["side"] == "turkey").mean() < 0.35


def test_claim_rows_read_and_write_as_the_records_of_a_frame() -> None:
    import pickle

    import pandas as pd

    from tracker.control.evidence import claim_rows

    frame = pd.DataFrame({"claim_id": ["c1", "c2"], "place_id": ["p1", None], "extra": [1, 2]}, dtype=object)
    rows, records = claim_rows(frame), frame.to_dict("records")
    assert [dict(r) for r in rows] == records and list(rows[0]) == list(records[0])
    row = rows[0]
    assert row["place_id"] == "p1" and row.get("holder") is None and "holder" not in row and "extra" in row
    row["holder"] = "isis"
    assert {**row, "place_id": "p9"} == {**records[0], "holder": "isis", "place_id": "p9"}
    assert pickle.loads(pickle.dumps(row)) == row and rows[1]["place_id"] is None


def test_an_offensive_named_by_its_district_towns_alone_infers_the_villages_between():
    from tracker.control.inference import CAMPAIGN_LINK_KM, INFER_AFTER_DAYS

    # reports of a district offensive name only its towns, 24-25 km apart (Afrin 2018: Raju, Jandairis, Afrin)
    towns = [("T1", "t1", 36.50, 36.60), ("T2", "t2", 36.50, 36.88), ("T3", "t3", 36.715, 36.74)]
    villages = [(f"V{i}{j}", f"v{i}{j}", 36.50 + 0.035 * i, 36.60 + 0.04 * j) for i in range(7) for j in range(8)]
    places = make_places(towns + villages)
    base = make_baseline([(p, "sdf") for p in places.index])
    claims = [make_claim("T1", "turkey", "capture", "2018-03-03"), make_claim("T2", "turkey", "capture", "2018-03-09"),
              make_claim("T3", "turkey", "capture", "2018-03-17")]
    gaps = [places_km(places, a, b) for a, b in (("T1", "T2"), ("T2", "T3"), ("T1", "T3"))]
    assert 20 < min(gaps) and max(gaps) <= CAMPAIGN_LINK_KM
    day = date(2018, 3, 17 + INFER_AFTER_DAYS + 1)
    shown = Timeline(places, base, claims).state_on(day, include_inferred=True)
    assert shown.loc["V23", "side"] == "turkey" and shown.loc["V23", "inferred"]  # well inside the three towns
    assert shown.loc["V60", "side"] == "sdf"  # outside them


def places_km(places, a, b):
    import math
    la, oa, lb, ob = places.at[a, "lat"], places.at[a, "lon"], places.at[b, "lat"], places.at[b, "lon"]
    return math.hypot((la - lb) * 111.2, (oa - ob) * 111.2 * math.cos(math.radians(la)))
