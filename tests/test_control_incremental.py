"""The control fold fed incrementally (issue 17): a run that reuses the groups of places an earlier run folded, and
folds again only those whose claims changed, gives the tables of one fold over all the claims, row for row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tracker import baseline as bl
from tracker import store
from tracker.control import Timeline
from tracker.control import tables
from tracker.control.tables import read_claims, read_fold_cache, resolve_regions, write_fold_cache
from tracker.extract import load_gazetteer, stage
from tracker.ingest import ingest

WRITTEN = Path(__file__).parent / "data" / "written_reports.jsonl"


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    """Places, baseline and the claims of the written reports, in claim id order (the stored order)."""
    folder = tmp_path_factory.mktemp("inc")
    con = store.connect(folder / "db.duckdb")
    ingest(con, [WRITTEN])
    stage.store_claims(con, load_gazetteer(), workers=1)
    claims = resolve_regions(read_claims(con)).sort_values("claim_id").reset_index(drop=True)
    con.close()
    places, _ = bl.load_places()
    base, extra = bl.load_baseline(places=places)
    if len(extra):
        places = pd.concat([places, extra[[c for c in places.columns if c in extra.columns]]])
    return places, base, claims


def _tables(tl: Timeline) -> dict[str, pd.DataFrame]:
    return {name: getattr(tl, name).reset_index(drop=True).astype(str)
            for name in ("events", "intervals", "conflicts", "outcomes")}


def _assert_same(a: Timeline, b: Timeline) -> None:
    ta, tb = _tables(a), _tables(b)
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], obj=name)


def test_new_claims_fold_only_their_groups_and_give_the_full_folds_tables(setting):
    places, base, claims = setting
    territorial = claims[claims["action"].isin(["capture", "withdraw"]) & claims["place_id"].notna()]
    assert len(territorial) > 20
    new = territorial.sample(4, random_state=3).index  # a few claims of a later run
    full = Timeline(places, base, claims)
    cache: dict = {}
    first = Timeline(places, base, claims.drop(new), fold_cache=cache, neighbours=full.neighbours)
    assert first.fold_counts["refolded_groups"] == first.fold_counts["groups"]
    again = Timeline(places, base, claims, fold_cache=cache, neighbours=full.neighbours)
    _assert_same(full, again)
    counts = again.fold_counts
    assert 0 < counts["refolded_groups"] < counts["groups"]
    assert counts["refolded_claims"] < len(claims)
    # nothing new: nothing folded, the same tables
    same = Timeline(places, base, claims, fold_cache=cache, neighbours=full.neighbours)
    assert same.fold_counts["refolded_groups"] == 0
    _assert_same(full, same)
    # claims taken away (a report replaced) fold their groups again too
    fewer = Timeline(places, base, claims.drop(new), fold_cache=cache, neighbours=full.neighbours)
    _assert_same(first, fewer)
    assert 0 < fewer.fold_counts["refolded_groups"] < fewer.fold_counts["groups"]


def test_a_changed_setting_folds_everything_again(setting):
    places, base, claims = setting
    cache: dict = {}
    Timeline(places, base, claims, fold_cache=cache)
    later = base.copy()
    later.loc[later.index[0], "side"] = "isis" if later.loc[later.index[0], "side"] != "isis" else "government"
    moved = Timeline(places, later, claims, fold_cache=cache)
    assert moved.fold_counts["refolded_groups"] == moved.fold_counts["groups"]
    _assert_same(Timeline(places, later, claims), moved)


def test_a_new_claim_refolds_the_places_near_it():
    # a line of villages 9 km apart: government holds A0, IS the rest
    from tracker.control import claims_frame
    from tracker.testing import make_baseline, make_claim, make_places

    places = make_places([(f"A{i}", f"a{i}", 35.0 + 0.005 * (i % 2), 38.0 + 0.1 * i) for i in range(7)])
    base = make_baseline([(p, "government" if p == "A0" else "isis") for p in places.index])
    far = make_claim("A3", "government", "capture", "2017-08-10", source=None)  # no government ground near A3
    near = make_claim("A2", "government", "capture", "2017-08-05")  # later reported: A2, next to A0 and A3
    cache: dict = {}
    before = Timeline(places, base, [far], fold_cache=cache)
    after = Timeline(places, base, [far, near], fold_cache=cache)
    _assert_same(Timeline(places, base, claims_frame([far, near]).sort_values("claim_id")), after)

    def outcome(tl: Timeline) -> str:
        return tl.outcomes.set_index("place_id").at["A3", "outcome"]

    assert (outcome(before), outcome(after)) == ("pending", "applied")  # A3's claim read again with A2 taken


def test_the_cache_file_written_in_pieces_reads_back_whole(setting, tmp_path, monkeypatch):
    """The groups are kept in pickles of a few rows each (the pickler's memory stays small); read back, they are the
    same groups, and a run from them folds nothing again and gives the same tables. A file in the earlier format (one
    pickle of the whole cache) still reads."""
    import pickle

    places, base, claims = setting
    cache: dict = {}
    full = Timeline(places, base, claims, fold_cache=cache)
    monkeypatch.setattr(tables, "FOLD_CACHE_PIECE", 7)
    path = tmp_path / "db.duckdb.fold.pickle"
    write_fold_cache(path, cache)
    back = read_fold_cache(path)
    assert back == cache and len(back["groups"]) > 1
    again = Timeline(places, base, claims, fold_cache=back, neighbours=full.neighbours)
    assert again.fold_counts["refolded_groups"] == 0
    _assert_same(full, again)
    path.write_bytes(pickle.dumps(cache))
    assert read_fold_cache(path) == cache
    path.write_bytes(b"cut short")
    assert read_fold_cache(path) == {}
