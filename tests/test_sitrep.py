"""Weekly situation reports: gathering a week from a small hand-made database, rendering, writing, the CLI.

The control stage's tables are filled here by hand (names as in docs/schema.md), so these tests do not wait for
that stage; the end-to-end test at the bottom runs the real pipeline on the seeds and prints week 41 as a PDF.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from tracker import settings, sitrep, store
from tracker._errors import MissingDataError
from tracker.cli import main
from tracker.sitrep import output
from tracker.sitrep.words import fmt_range

D = dt.date
MAYADIN_Q = "استعادت السيطرة على مدينة الميادين"
TAYYIBAH_Q = "وسيطرت على قرية الطيبة الملاصقة"


def _make_db(path: Path, control: bool = True) -> Path:
    """A database with three reports, their claims and (if ``control``) a small control timeline."""
    con = duckdb.connect(str(path))
    store.migrate(con)
    reports = [
        ("r1", D(2017, 10, 12), "agency roundup (dpa, SANA)", "ar", "... وسيطرت على قرية الطيبة الملاصقة ..."),
        ("r2", D(2017, 10, 15), "Al-Watan (Syria)", "ar", "... استعادت السيطرة على مدينة الميادين ..."),
        ("r3", D(2017, 9, 4), "Al Mayadeen", "ar", "3 كلم تفصل الجيش السوري عن فك حصار داعش عن دير الزور"),
    ]
    basis = {"r1": json.dumps({"published_basis": "estimated: same events as another report"})}
    for rid, pub, src, lang, text in reports:
        con.execute("INSERT INTO reports (report_id, version, published, published_precision, source, lang, text, "
                    "sha256, path, ingested_at, kind, meta) VALUES (?, 1, ?, 'day', ?, ?, ?, ?, ?, now(), 'news', ?)",
                    [rid, pub, src, lang, text, rid, str(path.parent / "in" / f"{rid}.txt"), basis.get(rid)])
    claims = [
        ("c1", "r1", "government", "capture", "asserted", "الطيبة", "C5193", "Tayyibah", 35.03, 40.43,
         D(2017, 10, 12), TAYYIBAH_Q, "SANA", "agency roundup (dpa, SANA)", D(2017, 10, 12), 0.9, "isis"),
        ("c2", "r2", "government", "capture", "asserted", "الميادين", "C5180", "Mayadin", 35.015, 40.45,
         D(2017, 10, 14), MAYADIN_Q, None, "Al-Watan (Syria)", D(2017, 10, 15), 0.95, "isis"),
        ("c3", "r2", "sdf", "capture", "refuted", "الحسينية", "C5000", "Husayniyah", 35.36, 40.18,
         D(2017, 10, 14), "نفى مصدر سيطرة قسد على الحسينية", None, "Al-Watan (Syria)", D(2017, 10, 15), 0.6, None),
        ("c4", "r3", "government", "proximity", "asserted", "دير الزور", "C4800", "Deir ez-Zor", 35.33, 40.14,
         D(2017, 9, 4), "3 كلم تفصل الجيش", None, "Al Mayadeen", D(2017, 9, 4), 0.8, None),
    ]
    for c in claims:
        con.execute("INSERT INTO claims (claim_id, report_id, report_version, actor, action, status, place_text, "
                    "place_id, place_name, lat, lon, date, quote, attribution, source, lang, published, confidence, "
                    "opponent) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ar', ?, ?, ?)", list(c))
    if control:
        con.executemany("INSERT INTO places (place_id, name_en, name_ar, feature_type, lat, lon) "
                        "VALUES (?, ?, ?, ?, ?, ?)", [
                            ["C5193", "Tayyibah", "الطيبة", "village", 35.03, 40.43],
                            ["C5180", "Mayadin", "الميادين", "city", 35.015, 40.45],
                            ["C4800", "Deir ez-Zor", "دير الزور", "city", 35.33, 40.14],
                            ["C9999", "Jobar", "جوبر", "neighbourhood", 33.53, 36.33]])
        con.executemany("INSERT INTO control_events (event_id, place_id, from_side, to_side, to_status, day, "
                        "claim_ids, confidence, inferred, applied) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                            ["e1", "C5193", "isis", "government", "held", D(2017, 10, 12), ["c1"], 0.9, False, True],
                            ["e2", "C5180", "isis", "government", "held", D(2017, 10, 14), ["c2"], 0.95, False, True],
                            ["e3", "C9999", "isis", "sdf", "held", D(2017, 10, 14), [], 0.3, False, False]])
        con.executemany("INSERT INTO control_intervals (place_id, side, status, other_side, valid_from, valid_to, "
                        "inferred) VALUES (?, ?, ?, ?, ?, ?, false)", [
                            ["C4800", "government", "besieged", "isis", D(2014, 7, 1), D(2017, 9, 5)],
                            ["C9999", "opposition", "contested", "government", D(2017, 10, 1), None]])
        rows = []
        for k in range(10):
            day = D(2017, 8, 20) + dt.timedelta(weeks=k)
            rows += [[day, "government", "held", 60000 + 1500 * k], [day, "isis", "held", 40000 - 1500 * k],
                     [day, "sdf", "held", 30000], [day, "isis", "inferred", 999]]
        con.executemany("INSERT INTO faction_area (day, side, status, area_km2) VALUES (?, ?, ?, ?)", rows)
    con.close()
    return path


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    return _make_db(tmp_path / "small.duckdb")


def _gather(path: Path, week: str, **kw) -> sitrep.Sitrep:
    con = duckdb.connect(str(path), read_only=True)
    try:
        # the hand-made control tables only: no timeline rebuilt from this database's claims
        return sitrep.gather(con, week, geo=kw.pop("geo", sitrep.Geo()), **kw)
    finally:
        con.close()


# --- weeks -----------------------------------------------------------------------------------------------

def test_parse_week_and_bounds():
    assert sitrep.parse_week("2017-W41") == (2017, 41)
    assert sitrep.parse_week("2017w41") == (2017, 41)
    assert sitrep.week_bounds(2017, 41) == (D(2017, 10, 9), D(2017, 10, 15))
    assert sitrep.parse_week("2015-W53") == (2015, 53)
    for bad in ("2017-W99", "2017-W53", "2017-W00", "week 41", ""):
        with pytest.raises(sitrep.SitrepError):
            sitrep.parse_week(bad)
    assert sitrep.weeks_between(D(2017, 9, 4), D(2017, 9, 17)) == ["2017-W36", "2017-W37"]
    assert fmt_range(D(2017, 9, 25), D(2017, 10, 1)) == "25 September – 1 October 2017"


# --- gather ----------------------------------------------------------------------------------------------

def test_gather_week_with_changes(small_db):
    rep = _gather(small_db, "2017-W41", with_map=False)
    assert rep.in_span
    names = [c.name_en for c in rep.changes]
    assert names == ["Tayyibah", "Mayadin"]
    mayadin = rep.changes[1]
    assert (mayadin.from_side, mayadin.to_side, mayadin.name_ar) == ("isis", "government", "الميادين")
    assert mayadin.evidence[0].quote == MAYADIN_Q and mayadin.evidence[0].source == "Al-Watan (Syria)"
    areas = {a.side: a for a in rep.areas}
    assert areas["government"].start_km2 == 70500 and areas["government"].end_km2 == 72000
    assert areas["isis"].change_km2 == pytest.approx(-1500)
    assert [p.name_en for p in rep.contested] == ["Jobar"] and rep.besieged == []
    assert [d.kind for d in rep.disputed] == ["refuted"] and "Husayniyah" in rep.disputed[0].place
    assert {r.report_id for r in rep.reports} == {"r1", "r2"}
    r1 = next(r for r in rep.reports if r.report_id == "r1")
    assert r1.published_estimated and "same events" in r1.published_basis
    # the summary is written from the data: who gained, how much, the places, the estimate caveat
    assert "Syrian government" in rep.summary and "Mayadin" in rep.summary and "Tayyibah" in rep.summary
    assert "1,500 km²" in rep.summary and "estimate" in rep.summary
    # the city is named before the village
    assert rep.summary.index("Mayadin") < rep.summary.index("Tayyibah")
    assert len(rep.area_history) and set(rep.area_history["side"]) == {"government", "isis", "sdf"}


def test_gather_empty_week_says_so(small_db):
    rep = _gather(small_db, "2017-W45", with_map=False)
    assert rep.changes == [] and rep.reports == []
    assert "No reports" in rep.summary
    text = sitrep.render(rep, "md")
    assert "No control changes were reported" in text and "No reports are dated in this week" in text
    html = sitrep.render(rep, "html")
    assert "No reports are dated in this week" in html


def test_gather_without_control_says_what_to_run(tmp_path):
    # the control stage's tables are the one control model: without them there is no report, and a clear error
    path = _make_db(tmp_path / "claims.duckdb", control=False)
    with pytest.raises(MissingDataError, match="tracker run"):
        _gather(path, "2017-W41", with_map=False)
    result = invoke("sitrep", "--week", "2017-W41", "--db", str(path), "--out", str(tmp_path / "r.md"))
    assert result.exit_code == 2 and "tracker run" in result.output and not (tmp_path / "r.md").exists()


def test_week_outside_the_data_is_written_with_a_warning(small_db, tmp_path):
    before = _gather(small_db, "2014-W10", with_map=False)  # before the timeline's first day (1 July 2014)
    assert not before.in_span and before.areas == [] and "earlier" in before.notes[-1]
    result = invoke("sitrep", "--week", "2014-W10", "--db", str(small_db), "--out", str(tmp_path / "r.md"), "--json")
    assert result.exit_code == 1 and (tmp_path / "r.md").exists()
    assert "warning: 2014-W10 is outside the data" in result.output
    assert json.loads(result.output.splitlines()[-1])["in_span"] is False


def test_region_filters_changes(small_db):
    rep = _gather(small_db, "2017-W41", region="Damascus", with_map=False)
    assert rep.region == "damascus" and rep.changes == []
    rep = _gather(small_db, "2017-W41", region="deir ez-zor", with_map=False)
    assert {c.name_en for c in rep.changes} == {"Tayyibah", "Mayadin"}
    assert "Deir" in rep.title


# --- render ----------------------------------------------------------------------------------------------

def test_markdown_and_html_show_every_section(small_db):
    rep = _gather(small_db, "2017-W41", with_map=False)
    rep.map_png = rep.chart_png = b"\x89PNG\r\n\x1a\nfake"
    md = sitrep.render(rep, "md", {"map": "x-map.png", "chart": "x-chart.png"})
    for heading in ("## Summary", "## Control changes", "## Ground held", "## Map at the end of the week",
                    "## Ground by side over the last weeks", "## Contested and besieged places",
                    "## Refuted and conflicting claims", "## Reports used"):
        assert heading in md
    assert "week 41 of 2017 (9–15 October 2017)" in md
    assert MAYADIN_Q in md and "Islamic State → Syrian government" in md
    assert "| Syrian government | 70,500 km² | 72,000 km² | +1,500 km² |" in md
    assert "2017-10-12 (estimated)" in md and "![" in md and "x-map.png" in md
    html = sitrep.render(rep, "html")
    assert 'src="data:image/png;base64,' in html and "@media print" in html
    assert f'<q dir="rtl" lang="ar" class="ar">{MAYADIN_Q}</q>' in html
    assert '<span class="ar" dir="rtl" lang="ar">الميادين</span>' in html
    assert "<script" not in html and "http://" not in html and "https://" not in html  # self-contained


def test_html_escapes_report_text(small_db):
    rep = _gather(small_db, "2017-W41", with_map=False)
    rep.changes[0].evidence[0].quote = "<script>alert(1)</script>"
    assert "<script>alert" not in sitrep.render(rep, "html")


# --- write and CLI ---------------------------------------------------------------------------------------

def test_write_is_atomic_and_complains_clearly(small_db, tmp_path):
    rep = _gather(small_db, "2017-W41", with_map=False)
    out = tmp_path / "out" / "r.md"
    files = sitrep.write(rep, "md", out)
    assert files == [out] and out.read_text(encoding="utf-8").startswith("# Syria: situation report")
    with pytest.raises(sitrep.SitrepError, match="folder"):
        sitrep.write(rep, "md", tmp_path)
    with pytest.raises(sitrep.SitrepError, match="unknown format"):
        sitrep.write(rep, "docx", tmp_path / "r.docx")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_cli_bad_inputs_exit_non_zero_without_files(small_db, tmp_path):
    out = tmp_path / "o" / "r.html"
    for args, message in ((["--week", "2017-W99"], "ISO weeks 1 to 52"),
                          (["--week", "2017-W41", "--region", "Atlantis"], "unknown region"),
                          (["--week", "2017-W41", "--format", "docx"], "docx")):
        result = invoke("sitrep", *args, "--db", str(small_db), "--out", str(out))
        assert result.exit_code != 0 and message in result.output, result.output
    assert not out.exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = invoke("sitrep", "--week", "2017-W41", "--db", str(small_db), "--out", str(blocker / "r.md"))
    assert result.exit_code != 0 and "cannot create the folder" in result.output
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = invoke("sitrep", "--week", "2017-W41", "--db", str(small_db), "--out", str(locked / "r.md"))
        assert result.exit_code != 0 and "cannot write" in result.output
        assert list(locked.iterdir()) == []


def test_cli_writes_markdown_by_default_path(small_db, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_OUTPUTS", str(tmp_path / "outputs"))
    result = invoke("sitrep", "--week", "2017-W41", "--db", str(small_db), "--no-map")
    assert result.exit_code == 0, result.output
    path = tmp_path / "outputs" / "sitreps" / "2017-W41.md"
    assert path.exists() and str(path) in result.output
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp files left


def test_map_and_chart_are_pngs(small_db, sources):
    rep = _gather(small_db, "2017-W41", region="deir-ez-zor")
    assert rep.map_png and rep.map_png.startswith(b"\x89PNG")
    assert rep.chart_png and rep.chart_png.startswith(b"\x89PNG")


def test_write_weeks_and_index(small_db, tmp_path, monkeypatch):
    monkeypatch.setattr(output, "load_geo", lambda con, timeline=None: sitrep.Geo())
    folder = tmp_path / "sitreps"
    con = duckdb.connect(str(small_db), read_only=True)
    try:
        assert sitrep.weeks_covered(con) == ["2017-W36", "2017-W41"]
        files = sitrep.write_weeks(con, sitrep.weeks_between(D(2017, 10, 2), D(2017, 10, 15)), folder=folder)
    finally:
        con.close()
    assert [p.name for p in files] == ["2017-W40.md", "2017-W40.html", "2017-W41.md", "2017-W41.html"]
    index = (folder / "index.md").read_text(encoding="utf-8")
    assert index.index("2017-W41") < index.index("2017-W40") and "Mayadin" in index
    assert "No reports" in (folder / "2017-W40.md").read_text(encoding="utf-8")
    assert (folder / "2017-W41-map.png").read_bytes().startswith(b"\x89PNG")


def test_weeks_drawn_in_worker_processes_are_the_weeks_drawn_in_one(small_db, tmp_path, monkeypatch):
    monkeypatch.setattr(output, "load_geo", lambda con, timeline=None: sitrep.Geo())
    monkeypatch.setattr(output, "POOL_MIN_WEEKS", 1)
    weeks = sitrep.weeks_between(D(2017, 9, 25), D(2017, 10, 22))
    con = duckdb.connect(str(small_db), read_only=True)
    try:
        alone = sitrep.write_weeks(con, weeks, folder=tmp_path / "one", workers=1)
        pooled = sitrep.write_weeks(con, weeks, folder=tmp_path / "two", workers=2)
    finally:
        con.close()
    assert [p.name for p in pooled] == [p.name for p in alone] and len(alone) == 8

    def files(folder: Path) -> dict[str, bytes]:  # the time a report was generated aside
        return {p.name: re.sub(rb"[Gg]enerated [^<\n\"]*", b"", p.read_bytes()) for p in sorted(folder.iterdir())}

    one, two = files(tmp_path / "one"), files(tmp_path / "two")
    assert one == two and sum(name.endswith("-map.png") for name in one) == 4


def test_script_rejects_bad_region(small_db, tmp_path):
    script = Path(__file__).parent.parent / "scripts" / "weekly_sitrep.py"
    result = subprocess.run([sys.executable, str(script), "--start", "2017-10-09", "--end", "2017-10-15",
                             "--region", "Atlantis", "--db", str(small_db), "--out-dir", str(tmp_path / "s")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "unknown region" in result.stderr
    assert not (tmp_path / "s").exists() or not list((tmp_path / "s").iterdir())


def pdf_layout_faults(data: bytes, margin_mm: float = 12.0) -> list[str]:
    """Where a PDF's text overlaps other text or leaves the page's text area (its side margins), page by page.

    Every character's box is read back (pdfium); boxes of characters that are not next to each other in the
    text stream must not overlap by more than a third of the smaller box.
    """
    import numpy as np
    import pypdfium2 as pdfium
    import shapely

    faults = []
    pdf = pdfium.PdfDocument(data)
    for number in range(len(pdf)):
        page = pdf[number]
        width = page.get_width()
        text = page.get_textpage()
        boxes, index = [], []
        for i in range(text.count_chars()):
            if not text.get_text_range(i, 1).strip():
                continue
            left, bottom, right, top = text.get_charbox(i)
            if right - left < 0.3 or top - bottom < 0.3:
                continue
            boxes.append(shapely.box(left, bottom, right, top))
            index.append(i)
        if not boxes:
            continue
        boxes_a = np.array(boxes)
        margin = margin_mm / 25.4 * 72 - 1
        outside = [index[k] for k, b in enumerate(boxes) if b.bounds[0] < margin or b.bounds[2] > width - margin]
        if outside:
            faults.append(f"page {number + 1}: {len(outside)} characters in the side margins, e.g. "
                          f"{text.get_text_range(outside[0], 20)!r}")
        tree = shapely.STRtree(boxes_a)
        a, b = tree.query(boxes_a, predicate="intersects")
        keep = (a < b) & (np.abs(np.array(index)[a] - np.array(index)[b]) > 2)
        for i, j in zip(a[keep], b[keep]):
            inter = boxes_a[i].intersection(boxes_a[j]).area
            if inter > min(boxes_a[i].area, boxes_a[j].area) / 3:
                faults.append(f"page {number + 1}: {text.get_text_range(index[i], 12)!r} overlaps "
                              f"{text.get_text_range(index[j], 12)!r}")
                break
    return faults


def test_layout_check_sees_text_over_text_and_in_margins():
    from tracker.sitrep.render import pdf_from_html

    clean = pdf_from_html("<p>One line of text.</p><p>Another line below it.</p>")
    assert pdf_layout_faults(clean) == []
    over = pdf_from_html('<p style="position: absolute; top: 40mm">Mayadin contested</p>'
                         '<p style="position: absolute; top: 40.5mm; left: 2mm">Islamic State quote</p>')
    assert any("overlaps" in f for f in pdf_layout_faults(over))
    wide = pdf_from_html('<p style="white-space: nowrap">' + "an English quote that runs on " * 12 + "</p>")
    assert any("margins" in f for f in pdf_layout_faults(wide))


def test_pdf_is_the_printed_html(small_db, tmp_path):
    rep = _gather(small_db, "2017-W41", with_map=False)
    long_id = "news-en-" + "very-long-report-identifier-" * 3
    rep.reports[0].report_id = long_id  # long ids wrap inside their column
    rep.changes[1].evidence[0].quote = "The army said it had taken the city after " + "heavy fighting in its streets " * 8
    rep.chart_png = sitrep.area_chart(rep.area_history, rep.start, rep.end)
    rep.chart_svg = sitrep.area_chart(rep.area_history, rep.start, rep.end, fmt="svg")
    out = tmp_path / "r.pdf"
    assert sitrep.write(rep, "pdf", out) == [out]
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Control changes" in text and "Reports used" in text and "page 1 of" in text
    assert "الميادين" in text  # Arabic kept as text (shaped by Pango), not drawn as pictures
    assert pdf_layout_faults(data) == []
    empty = _gather(small_db, "2017-W45", with_map=False)
    assert sitrep.render(empty, "pdf").startswith(b"%PDF")


def test_table_headers_repeat_on_every_page(small_db):
    rep = _gather(small_db, "2017-W41", with_map=False)
    rep.changes = rep.changes * 30  # sixty rows: the table runs over pages
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(sitrep.render(rep, "pdf"))
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    with_rows = [t for t in pages if "Tayyibah" in t]
    assert len(with_rows) >= 3 and all("Source and quote" in t for t in with_rows)


def test_report_files_get_normal_permissions(small_db, tmp_path, monkeypatch):
    import stat

    monkeypatch.setattr(output, "load_geo", lambda con, timeline=None: sitrep.Geo())
    old = os.umask(0o022)
    try:
        rep = _gather(small_db, "2017-W41", with_map=False)
        rep.map_png = rep.chart_png = sitrep.area_chart(rep.area_history, rep.start, rep.end)
        files = [*sitrep.write(rep, "md", tmp_path / "a" / "r.md"), *sitrep.write(rep, "pdf", tmp_path / "a" / "r.pdf")]
        con = duckdb.connect(str(small_db), read_only=True)
        try:
            files += sitrep.write_weeks(con, ["2017-W41"], folder=tmp_path / "b")
        finally:
            con.close()
    finally:
        os.umask(old)
    files += [tmp_path / "b" / "index.md", tmp_path / "b" / "index.html"]
    assert len(files) >= 7
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {"0o644"}


class _Timeline:
    """The one thing incremental writing asks of a timeline: every place's state on a day (from the hand-made
    control_intervals)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def state_on(self, day, include_inferred=False):
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute("SELECT place_id, side, status, other_side, false AS stale FROM control_intervals "
                               "WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ORDER BY place_id",
                               [day, day]).df().set_index("place_id")
        finally:
            con.close()


def test_weeks_are_written_again_only_when_they_change(small_db, tmp_path, monkeypatch):
    monkeypatch.setattr(output, "load_geo", lambda con, timeline=None: sitrep.Geo())
    folder = tmp_path / "s"
    weeks = ["2017-W40", "2017-W41", "2017-W42"]

    def write() -> list[str]:
        con = duckdb.connect(str(small_db), read_only=True)
        try:
            files = sitrep.write_weeks(con, weeks, folder=folder, timeline=_Timeline(small_db), only_changed=True)
        finally:
            con.close()
        return [p.name for p in files]

    assert write() == ["2017-W40.md", "2017-W40.html", "2017-W41.md", "2017-W41.html", "2017-W42.md", "2017-W42.html"]
    assert write() == []  # nothing new
    con = duckdb.connect(str(small_db))
    con.execute("INSERT INTO control_events (event_id, place_id, day, from_side, to_side, to_status, claim_ids, "
                "confidence, inferred, applied) VALUES ('e9', 'C4800', DATE '2017-10-11', 'government', 'isis', "
                "'contested', [], 0.5, false, true)")
    con.close()
    assert write() == ["2017-W41.md", "2017-W41.html"]  # only the week whose content changed
    (folder / "2017-W42.html").unlink()
    assert write() == ["2017-W42.md", "2017-W42.html"]  # a missing file is written again
    monkeypatch.setattr(output, "code_key", lambda: "other templates")
    assert len(write()) == 6  # new templates or drawing code: every week again


# --- end to end: the real pipeline on the seeds -------------------------------------------------------------

def test_seeds_week_41_end_to_end(sources, tmp_path, monkeypatch):
    from tracker import pipeline

    # every stage but the animation, which the report does not need (and which takes longest)
    monkeypatch.setattr(pipeline, "STAGES", [(n, s) for n, s in pipeline.STAGES if n != "render"])
    out = tmp_path / "out"
    con = store.connect(tmp_path / "t.duckdb")
    try:
        ctx = pipeline.run(con, [sources / "seeds"], out)
        assert ctx.results["sitreps"]["last"] == "2017-W42"
        again = pipeline.run(con, [sources / "seeds"], out)  # nothing new: every stage is skipped
        assert all(again.results[name].get("skipped") for name, _ in pipeline.STAGES)
        (out / "sitreps" / "2017-W41.html").unlink()  # a missing output: its stage runs, and writes that week
        again = pipeline.run(con, [sources / "seeds"], out)
        assert [n for n, r in again.results.items() if not r.get("skipped")] == ["sitreps"]
        assert again.results["sitreps"]["written"] == 1 and (out / "sitreps" / "2017-W41.html").exists()
        # a new report with no claim: it is stored and read, control is left as it was, one week is written
        (tmp_path / "new.jsonl").write_text(json.dumps({"id": "quiet", "published": "2017-10-18", "lang": "en",
                                                        "text": "The weather in Damascus was mild on Wednesday."}),
                                            encoding="utf-8")
        again = pipeline.run(con, [sources / "seeds", tmp_path / "new.jsonl"], out)
        assert [n for n, r in again.results.items() if not r.get("skipped")] == ["ingest", "extract", "sitreps"]
        assert again.results["sitreps"]["written"] == 1  # week 42, where the report is listed
        pdf = sitrep.render(sitrep.gather(con, "2017-W41", print_scale=2), "pdf")
    finally:
        con.close()
    # the seeds speak for the government: its gains of week 41 are claimed, and stand in week 42 uncontradicted
    md = (out / "sitreps" / "2017-W41.md").read_text(encoding="utf-8")
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    gained = {name: [r for r in rows if name in r and "→ Syrian government (claimed) |" in r and "| claimed |" in r]
              for name in ("الميادين", "الطيبة")}
    # the quote behind Mayadin's change: the body's sentence or the headline that says the same
    quoted = " ".join(gained["الميادين"])
    assert gained["الميادين"] and ("استعادت السيطرة على مدينة الميادين" in quoted or "يسيطر على الميادين" in quoted)
    assert gained["الطيبة"] and "سيطرت على قرية الطيبة" in " ".join(gained["الطيبة"])
    assert "Mayadin" in md.split("## Control changes")[0]  # named in the summary
    assert "| Side | Start of week | End of week | Change |" in md and "| Syrian government |" in md
    assert "(2017-W41-map.png)" in md and (out / "sitreps" / "2017-W41-map.png").stat().st_size > 50_000
    html = (out / "sitreps" / "2017-W41.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') >= 2
    assert (out / "sitreps" / "index.md").exists()
    # the printed report: maps at print resolution, no text over other text, nothing in the margins
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    images = [obj for i in range(len(document)) for obj in document[i].get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE])]
    assert max(obj.get_px_size()[0] for obj in images) >= 2560
    assert pdf_layout_faults(pdf) == []
