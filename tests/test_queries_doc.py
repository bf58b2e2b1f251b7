"""Every SQL block of docs/queries.md runs on a database built from the seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker import store

DOC = Path(__file__).resolve().parent.parent / "docs" / "queries.md"
QUERIES = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from tracker import settings
    from tracker.pipeline import (
        RunContext,
        stage_control,
        stage_extract,
        stage_gazetteer,
        stage_ingest,
        stage_polygons,
    )

    src = settings.sources_dir()
    if not (src / "seeds").is_dir():
        pytest.skip("sources directory not found")
    path = tmp_path_factory.mktemp("q") / "seeds.duckdb"
    con = store.connect(path)
    ctx = RunContext(con=con, inputs=[src / "seeds"], out_dir=path.parent)
    for stage in (stage_ingest, stage_gazetteer, stage_extract, stage_control, stage_polygons):
        stage(ctx)
    yield con
    con.close()


def test_at_least_ten_queries():
    assert len(QUERIES) >= 10


@pytest.mark.parametrize("sql", QUERIES, ids=[f"q{i + 1}" for i in range(len(QUERIES))])
def test_query_runs(seeded, sql):
    seeded.execute(sql).fetchall()


def test_mayadin_answers(seeded):
    rows = seeded.execute(
        "SELECT side, status FROM control_on('2017-10-13') WHERE name_ar = 'الميادين' AND coord_precision = 'point'"
    ).fetchall()
    assert ("isis", "contested") in rows
    rows = seeded.execute(
        "SELECT side FROM control_on('2017-10-16') WHERE name_ar = 'الميادين' AND coord_precision = 'point'"
    ).fetchall()
    assert ("government",) in rows
    rows = seeded.execute(
        "SELECT side, status FROM control_as_reported('2017-10-16', '2017-10-13') s "
        "JOIN places p USING (place_id) WHERE s.name_ar = 'الميادين' AND p.coord_precision = 'point'"
    ).fetchall()
    assert ("isis", "contested") in rows


def test_place_names_find_a_place_in_any_spelling(seeded):
    rows = seeded.execute("SELECT DISTINCT place_id FROM place_names WHERE name IN ('Al-Mayadeen', 'المیادین')"
                          ).fetchall()
    assert ("C5192",) in rows
