"""The Python API (``tracker.open``): every example of docs/api.md runs, in order, on a database built from the
seeds, and the answers are what the page says."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import tracker
from tracker import store
from tracker._errors import InputError, StoreError

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A folder with ``outputs/tracker.duckdb`` built from the seeds (every stage but the pictures)."""
    from tracker import settings
    from tracker.pipeline import (RunContext, stage_control, stage_extract, stage_gazetteer, stage_ingest,
                                  stage_polygons)

    src = settings.sources_dir()
    if not (src / "seeds").is_dir():
        pytest.skip("sources directory not found")
    folder = tmp_path_factory.mktemp("api")
    path = folder / "outputs" / "tracker.duckdb"
    con = store.connect(path)
    try:
        ctx = RunContext(con=con, inputs=[src / "seeds"], out_dir=path.parent)
        for stage in (stage_ingest, stage_gazetteer, stage_extract, stage_control, stage_polygons):
            stage(ctx)
    finally:
        con.close()
    return folder


def test_the_page_has_examples():
    assert len(BLOCKS) >= 6 and "tracker.open(" in BLOCKS[0]


def test_every_example_runs(seeded, monkeypatch):
    monkeypatch.chdir(seeded)
    namespace: dict = {}
    for block in BLOCKS:
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 (the documentation's own examples)
    day, hist, week = namespace["day"], namespace["hist"], namespace["week"]
    assert isinstance(day, gpd.GeoDataFrame) and day.crs.to_epsg() == 4326 and len(day) > 1000
    assert set(day.geom_type) == {"Point"}
    assert (hist["side"] == "government").any() and (hist["side"] == "isis").any()  # Mayadin changed hands
    assert set(week["name_en"]) & {"Al Mayadin", "Tiba (Al Mayadin)"}
    assert (seeded / "deir-ez-zor_2017-10-15.png").stat().st_size > 50_000
    assert (seeded / "changes.geojson").exists() and "Mayadin" in namespace["rep"].summary
    assert namespace["areas"]["area_km2"].sum() == pytest.approx(185_000, rel=0.02)  # the cells partition Syria


def test_answers_agree_with_the_timeline(seeded):
    t = tracker.open(seeded / "outputs" / "tracker.duckdb")
    mayadin = t.history("C5192")
    assert list(mayadin["place_id"].unique()) == ["C5192"]
    on = t.control_on(dt.date(2017, 10, 16)).set_index("place_id")
    assert on.at["C5192", "side"] == t.timeline.who_held("C5192", "2017-10-16").side
    before = t.control_on("2017-10-16", as_reported="2017-10-13").set_index("place_id")
    assert (before.at["C5192", "side"], before.at["C5192", "status"]) == ("isis", "contested")
    reported, inferred = t.control_on("2017-10-15"), t.control_on("2017-10-15", include_inferred=True)
    assert not reported["inferred"].any() and inferred["inferred"].any()
    # a place with an inferred state keeps its reported one without include_inferred (when it has one)
    overlaid = set(inferred.loc[inferred["inferred"], "place_id"])
    assert overlaid & set(reported["place_id"])
    assert set(inferred["place_id"]) - set(reported["place_id"]) <= overlaid
    assert isinstance(t.sql("SELECT 1 AS one"), pd.DataFrame)


def test_dates_outside_the_data_warn_or_fail(seeded):
    t = tracker.open(seeded / "outputs" / "tracker.duckdb")
    with pytest.warns(UserWarning, match="after the last evidence"):
        t.control_on(t.timeline.last_evidence + dt.timedelta(days=10))
    with pytest.raises(InputError, match="before the timeline starts"):
        t.polygons_on("2016-01-01")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.control_on("2017-10-01")  # inside the data: no warning


def test_open_says_what_is_wrong(tmp_path):
    with pytest.raises(StoreError, match="tracker run"):
        tracker.open(tmp_path / "none.duckdb")
    assert "open" in dir(tracker) and tracker.Tracker.__name__ == "Tracker"
