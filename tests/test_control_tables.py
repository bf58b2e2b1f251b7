"""The control stage's tables: the timeline is written once and read back as it was, never folded again."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from tracker import store
from tracker.cli import main
from tracker.control import Timeline, load_timeline, write_timeline
from tracker.testing import assert_timeline_equal, make_baseline, make_claim, make_places

PLACES = make_places([(f"V{i}{j}", f"v{i}{j}", 35.0 + 0.05 * i, 38.5 + 0.05 * j) for i in range(3) for j in range(3)])
BASE = make_baseline([(p, "government" if p[1] == "0" else "isis") for p in PLACES.index])
CLAIMS = [make_claim("V11", "government", "capture", "2017-08-01", reported="2017-08-03"),
          make_claim("V12", "government", "capture", "2017-08-05", source=None),
          make_claim("V21", "government", "advance", "2017-08-10")]


def stored(db_path):
    tl = Timeline(PLACES, BASE, CLAIMS)
    con = store.connect(db_path)
    try:
        write_timeline(con, tl, "test")
    finally:
        con.close()
    return tl


def test_the_stored_timeline_is_the_folded_one(db_path):
    tl = stored(db_path)
    con = store.connect(db_path, read_only=True)
    try:
        back = load_timeline(con)
    finally:
        con.close()
    assert_timeline_equal(tl, back, check_claims=True)
    for day in ("2017-07-20", "2017-08-06", "2017-08-20"):
        a, b = tl.state_on(day, include_inferred=True), back.state_on(day, include_inferred=True)
        assert a.drop(columns="claim_ids").equals(b.drop(columns="claim_ids"))
    assert back.who_held("V12", "2017-08-06").status == "claimed"
    assert back.who_held("V11", "2017-08-02").last_evidence == date(2017, 8, 1)
    # report time from the stored events: on 2 August the capture of 1 August was not yet reported
    assert back.who_held("V11", "2017-08-02", as_reported="2017-08-02").side == "isis"
    assert back.who_held("V11", "2017-08-02", as_reported="2017-08-03").side == "government"


def test_control_command_warns_after_the_data_and_refuses_where_nothing_can_be_said(db_path):
    stored(db_path)
    run = CliRunner().invoke
    ok = run(main, ["control", "--date", "2017-08-06", "--db", str(db_path), "--json"])
    assert ok.exit_code == 0 and '"last_evidence": "2017-08-05"' in ok.output and "warning" not in ok.output
    after = run(main, ["control", "--date", "2017-09-01", "--db", str(db_path), "--place", "V11"])
    assert after.exit_code == 0 and "warning: 2017-09-01 is after the last evidence" in after.output
    far = run(main, ["control", "--date", "2030-01-01", "--db", str(db_path)])
    assert far.exit_code == 2 and "every state is stale" in far.output
    before = run(main, ["control", "--date", "2016-01-01", "--db", str(db_path)])
    assert before.exit_code == 2 and "before the timeline starts" in before.output


def test_one_day_read_from_the_tables_is_the_timelines_state(db_path):
    from tracker.cli import _state_rows
    from tracker.control.stored import state_rows, stored_span
    from tracker.control.tables import stored_state_on

    tl = stored(db_path)
    con = store.connect(db_path, read_only=True)
    try:
        assert stored_span(con) == (tl.start, tl.last_evidence)
        for day in ("2017-07-20", "2017-08-01", "2017-08-06", "2017-08-20", "2018-03-01"):
            for inferred in (False, True):
                a, b = tl.state_on(day, include_inferred=inferred), stored_state_on(con, day, inferred)
                assert list(a.index) == list(b.index) and list(a.columns) == list(b.columns)
                for col in a.columns:
                    assert [_plain(v) for v in a[col]] == [_plain(v) for v in b[col]], (day, inferred, col)
                # the rows `tracker control --date` prints, without pandas, are those of the timeline's state
                known = list(a.index[a["side"] != "unknown"])
                assert state_rows(con, day, inferred) == _state_rows(tl.places, a, known)
    finally:
        con.close()


def _plain(value):
    """None for a missing value, a list for an array: how two frames' cells compare."""
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return list(value)
    return None if value is None or value != value else value
