"""Maps: size, labels of what changed, days without data, regions and CLI errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from PIL import Image

from tracker import plot, regions
from tracker.cli import main
from tracker.frames import Frame

DAY = dt.date(2017, 10, 14)


def hand_frame(day: dt.date = DAY, with_changes: bool = True) -> Frame:
    """A few boxes around Deir ez-Zor and Mayadin: held, contested, inferred, besieged; Mayadin changed hands."""
    layers = gpd.GeoDataFrame({
        "side": ["government", "isis", "sdf", "government", "government"],
        "status": ["held", "held", "contested", "inferred", "besieged"],
        "other_side": [None, None, "isis", None, "isis"],
    }, geometry=[shapely.box(40.0, 35.2, 40.5, 35.45), shapely.box(40.3, 34.6, 41.0, 35.2),
                 shapely.box(40.5, 35.3, 40.9, 35.6), shapely.box(40.35, 34.95, 40.55, 35.1),
                 shapely.box(40.1, 35.3, 40.2, 35.38)], crs="EPSG:4326")
    fronts = gpd.GeoDataFrame(geometry=[shapely.LineString([(40.3, 35.2), (40.5, 35.2), (40.5, 35.45)])],
                              crs="EPSG:4326")
    changes = pd.DataFrame({
        "place_id": ["p1"], "name_en": ["Mayadin"], "name_ar": ["الميادين"], "lat": [35.019], "lon": [40.451],
        "from_side": ["isis"], "to_side": ["government"], "status": ["held"], "day": [day], "claim_ids": [["c1"]],
    }) if with_changes else pd.DataFrame()
    besieged = pd.DataFrame({"name_en": ["Deir ez-Zor airport"], "lat": [35.28], "lon": [40.18]})
    return Frame(day=day, layers=layers, front_lines=fronts, changes=changes, besieged=besieged,
                 previous_day=day - dt.timedelta(days=1), sources_note="test reports",
                 baseline_date=dt.date(2017, 7, 15))


@pytest.fixture
def deir(sources) -> regions.Region:
    return regions.region("Deir ez-Zor")


def test_map_has_expected_size_and_is_written_atomically(tmp_path: Path, deir) -> None:
    out = tmp_path / "maps" / "m.png"
    result, rgb = plot.render_map(hand_frame(), deir, out)
    with Image.open(out) as image:
        assert image.size == result.size == (rgb.shape[1], rgb.shape[0]) == (1280, 960)
    assert [p.name for p in out.parent.iterdir()] == ["m.png"]  # no temp file left behind
    assert result.title == "14 October 2017"


def test_changed_place_is_labelled_on_the_map_and_in_the_panel(deir) -> None:
    result, _ = plot.render_map(hand_frame(), deir)
    assert any("Mayadin" in t and "الميادين" in t for t in result.map_labels)
    assert sum("Mayadin" in t for t in result.labels) == 2  # map label + panel entry
    assert any("IS → Government" in t for t in result.labels)


@pytest.mark.parametrize("frame", [Frame(day=DAY), hand_frame(with_changes=False),
                                   Frame(day=DAY, layers=hand_frame().layers.iloc[0:0], changes=None)])
def test_day_without_changes_or_data_renders(frame: Frame, deir) -> None:
    result, rgb = plot.render_map(frame, deir)
    assert result.labels == [] and rgb.shape == (960, 1280, 3)


def test_canvas_reuse_gives_the_same_pixels_as_a_fresh_canvas(deir) -> None:
    canvas = plot.MapCanvas(deir)
    canvas.draw(hand_frame(DAY - dt.timedelta(days=3)))
    canvas.draw(Frame(day=DAY))
    canvas.draw(hand_frame())
    _, fresh = plot.render_map(hand_frame(), deir)
    assert (canvas.rgb() == fresh).all()


def test_regions(sources) -> None:
    syria = regions.region("syria")
    assert syria.bbox[0] < 36 and syria.bbox[2] > 42
    assert regions.region("deir_ez_zor") == regions.region("Deir-ez-Zor") == regions.region("دير الزور")
    assert regions.region("idlib").name == "idleb"
    front = regions.region("front", [(40.45, 35.02), (40.5, 35.1)])
    assert front.bbox[0] < 40.45 and front.bbox[2] > 40.5 and front.span >= 1.2
    assert regions.region("front").name == "front"  # no changes: all of Syria
    with pytest.raises(regions.RegionError, match="unknown region"):
        regions.region("narnia")
    assert regions.parse_bbox("39, 34, 41.5, 36").bbox == (39.0, 34.0, 41.5, 36.0)
    for bad in ("1,2,3", "a,b,c,d", "41,34,39,36"):
        with pytest.raises(regions.RegionError):
            regions.parse_bbox(bad)


@pytest.mark.parametrize("args, message", [
    (["map", "--date", "2017-10-14", "--region", "narnia"], "unknown region"),
    (["map", "--date", "2017-10-14", "--bbox", "1,2,3"], "--bbox"),
    (["map", "--date", "2017-10-14", "--region", "syria", "--bbox", "39,34,41,36"], "not both"),
    (["animate", "--start", "2017-10-14", "--end", "2017-10-01"], "before"),
    (["animate", "--start", "2017-10-01", "--end", "2017-10-14", "--region", "narnia"], "unknown region"),
])
def test_cli_bad_input_is_a_clear_error(args: list[str], message: str, tmp_path: Path, db_path: Path,
                                        sources) -> None:
    out = tmp_path / "out.png"
    res = CliRunner().invoke(main, [*args, "--out", str(out), "--db", str(db_path)])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert not out.exists()


def test_cli_map_writes_a_png(tmp_path: Path, db_path: Path, sources) -> None:
    out = tmp_path / "m.png"
    res = CliRunner().invoke(main, ["map", "--date", "2017-10-14", "--bbox", "39.8,34.6,41,35.6", "--out", str(out),
                                    "--db", str(db_path)])
    # an empty database: the map is drawn ("no control data"), with a warning and exit status 1
    assert res.exit_code == 1 and "warning: no places in the database" in res.output, res.output
    with Image.open(out) as image:
        assert image.size == (1280, 960)


def test_change_text_reads_the_control_model_statuses() -> None:
    row = pd.DataFrame({"name_en": ["Ashara"], "name_ar": ["العشارة"], "from_side": ["isis"], "to_side": ["government"],
                        "other_side": ["isis"], "status": ["contested"]}).iloc[0]
    assert plot._change_text(row) == "Ashara  العشارة\ncontested (Government vs IS)"
    assert plot._change_text(row.replace("contested", "held")).endswith("IS → Government")
    assert plot._change_text(row.replace("contested", "besieged")).endswith("Government, besieged by IS")


def test_kept_canvases_give_the_same_pixels_and_stay_few(deir) -> None:
    canvases = plot.Canvases(size=2)
    _, first = plot.render_map(hand_frame(DAY - dt.timedelta(days=3)), deir, canvases=canvases)
    _, again = plot.render_map(hand_frame(), deir, canvases=canvases)
    _, fresh = plot.render_map(hand_frame(), deir)
    assert len(canvases.kept) == 1 and (again == fresh).all() and not (first == fresh).all()
    wide = regions.Region("wide", (deir.bbox[0] - 1, deir.bbox[1] - 1, deir.bbox[2] + 1, deir.bbox[3] + 1))
    for view in (wide, regions.Region("other", deir.bbox), deir):
        plot.render_map(hand_frame(), view, canvases=canvases)
    assert len(canvases.kept) == 2 and list(canvases.kept)[-1][0] == deir
