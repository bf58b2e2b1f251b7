from __future__ import annotations

import json
from datetime import date

import pytest

from tracker._errors import InputError
from tracker.ingest import ingest, read_reports, latest_reports


def test_seeds_store_five_reports_with_meta_dates(con, sources):
    summary = ingest(con, [sources / "seeds"])
    assert len(summary.new) == 5 and not summary.rejected
    rows = con.execute("SELECT report_id, published, lang, source FROM reports ORDER BY report_id").fetchall()
    meta = {m["id"]: m for m in map(json.loads, (sources / "seeds" / "meta.jsonl").read_text().splitlines())}
    assert [r[2] for r in rows].count("ar") == 4 and [r[2] for r in rows].count("fa") == 1
    for rid, published, lang, source in rows:
        assert published == date.fromisoformat(meta[rid]["published"])
        assert source == meta[rid]["source"]
        assert lang == meta[rid]["lang"]


def test_every_default_input_is_read(sources):
    from tracker import settings

    result = read_reports(settings.default_inputs())
    assert len(result.reports) >= 430 and not result.errors, [str(e) for e in result.errors]


def test_second_ingest_stores_nothing(con, sources):
    ingest(con, [sources / "seeds"])
    again = ingest(con, [sources / "seeds"])
    assert not again.new and not again.new_version and len(again.duplicate) == 5
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 5


def test_fixture_formats_and_language_detection(con, fixtures_dir):
    summary = ingest(con, [fixtures_dir])
    assert not summary.rejected, [str(e) for e in summary.rejected]
    langs = dict(con.execute("SELECT report_id, lang FROM reports").fetchall())
    # fa_siege.txt has no lang in meta.jsonl: told from its letters and words
    assert langs == {"fx-ar-1": "ar", "fx-fa-1": "fa", "fx-en-1": "en", "fx-json-1": "en",
                     "fx-json-2": "en", "fx-csv-1": "ar"}


def test_changed_text_becomes_new_version(con, tmp_path):
    path = tmp_path / "r.jsonl"
    rec = {"id": "r1", "published": "2017-10-01", "source": "s", "lang": "en", "text": "The army took Mayadin."}
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    assert ingest(con, [path]).new == ["r1"]
    rec["text"] = "The army took Mayadin and Tayyibah."
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    summary = ingest(con, [path])
    assert summary.new_version == ["r1"]
    versions = con.execute("SELECT version, text FROM reports WHERE report_id='r1' ORDER BY version").fetchall()
    assert [v[0] for v in versions] == [1, 2] and versions[0][1] == "The army took Mayadin."
    assert latest_reports(con)[0].version == 2


def test_same_text_under_other_id_is_duplicate(con, tmp_path):
    path = tmp_path / "r.jsonl"
    lines = [{"id": i, "published": "2017-10-01", "source": "s", "text": "The army took Mayadin."} for i in ("a", "b")]
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    summary = ingest(con, [path])
    assert summary.new == ["a"] and summary.duplicate == ["b"]


def test_windows_1256_file(con, tmp_path):
    folder = tmp_path / "cp"
    folder.mkdir()
    text = "سيطر الجيش السوري على مدينة الميادين في ريف دير الزور."
    (folder / "a.txt").write_bytes(text.encode("cp1256"))
    (folder / "meta.jsonl").write_text(json.dumps({"id": "cp1", "file": "a.txt", "published": "2017-10-14",
                                                   "source": "s"}), encoding="utf-8")
    summary = ingest(con, [folder])
    assert summary.new == ["cp1"]
    assert con.execute("SELECT text, lang FROM reports").fetchone() == (text, "ar")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_encodings(con, tmp_path, encoding):
    path = tmp_path / "r.csv"
    path.write_text("id,published,source,text\nx,2017-10-01,s,الجيش تقدم نحو الميادين\n", encoding=encoding)
    assert ingest(con, [path]).new == ["x"]


def test_malformed_jsonl_line_is_rejected_naming_line_and_the_rest_stored(con, tmp_path):
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"id": "g", "published": "2017-10-01", "source": "s", "text": "The army took Mayadin."})
    other = json.dumps({"id": "h", "published": "2017-10-02", "source": "s", "text": "The army took Quriyah."})
    path.write_text(good + "\n{not json\n" + other + "\n[1]\n", encoding="utf-8")
    summary = ingest(con, [path])
    assert [(e.line, e.reason.split(" (")[0]) for e in summary.rejected] == [(2, "malformed JSON"),
                                                                             (4, "expected a JSON object, got list")]
    err = summary.rejected[0]
    assert err.path == str(path) and f"{path}:2" in str(err)
    # every bad line is named, and the good lines are stored
    assert summary.new == ["g", "h"]
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 2


def test_strict_raises_first_error(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "published": "2017-10-01", "text": 5}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:1: field 'text' must be a string"):
        read_reports([path], strict=True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "text": "The army took Mayadin."}', "no publication date"),
        ('{"id": "a", "published": "2999-01-01", "text": "The army took Mayadin."}', "in the future"),
        ('{"id": "a", "published": "yesterday", "text": "The army took Mayadin."}', "unreadable publication date"),
        ('{"id": "a", "published": "2017-10-01", "text": "12345 !!! 678"}', "no letters"),
        ('{"id": "a", "published": "2017-10-01", "text": "   "}', "empty text"),
        ('{"id": "a", "published": "2017-10-01", "text": "Der Vormarsch geht weiter"}', "unknown language"),
        ('[1, 2]', "expected a JSON object"),
    ],
)
def test_bad_records_get_clear_messages(tmp_path, content, message):
    path = tmp_path / "r.jsonl"
    path.write_text(content + "\n", encoding="utf-8")
    result = read_reports([path])
    assert not result.reports and len(result.errors) == 1
    assert message in str(result.errors[0]) and str(result.errors[0]).startswith(f"{path}:1: ")


def test_csv_with_wrong_header(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("name,date,body\nx,2017-10-01,hello\n", encoding="utf-8")
    err = read_reports([path]).errors[0]
    assert "header lacks id, published, text" in str(err) and err.line == 1


def test_txt_without_metadata_and_missing_path(tmp_path):
    (tmp_path / "lone.txt").write_text("The army took Mayadin.", encoding="utf-8")
    result = read_reports([tmp_path / "lone.txt", tmp_path / "nowhere.txt"])
    reasons = sorted(e.reason for e in result.errors)
    assert any("meta.jsonl" in r for r in reasons) and any("no such file" in r for r in reasons)


def test_binary_and_empty_files(tmp_path):
    (tmp_path / "bin.csv").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "empty.jsonl").write_bytes(b"")
    errors = {e.path.rsplit("/", 1)[-1]: e.reason for e in read_reports([tmp_path]).errors}
    assert "binary" in errors["bin.csv"]
    assert "no reports" in errors["empty.jsonl"]


def test_chronicle_markdown(con, sources):
    article = sources / "corpus" / "wikipedia" / "articles" / "2017_mayadin_offensive.md"
    summary = ingest(con, [article])
    assert summary.new == ["2017_mayadin_offensive"]
    kind, lang, meta, text = con.execute("SELECT kind, lang, meta, text FROM reports").fetchone()
    assert kind == "chronicle" and lang == "en" and "October 2017" in json.loads(meta)["period"]
    assert not text.startswith("---")


def test_the_basis_of_an_estimated_publication_date_is_kept(tmp_path):
    import json

    from tracker.ingest import read_reports

    (tmp_path / "a.txt").write_text("The army took the village.", encoding="utf-8")
    (tmp_path / "meta.jsonl").write_text(json.dumps({"file": "a.txt", "id": "a", "lang": "en", "published":
                                                     "2017-10-12", "published_basis": "estimated: from the events"})
                                         + "\n", encoding="utf-8")
    (report,) = read_reports([tmp_path]).reports
    assert json.loads(report.meta) == {"published_basis": "estimated: from the events"}


@pytest.mark.parametrize("ending", ["\n", "", "\r\n\n\n"])
def test_a_plain_utf8_jsonl_read_line_by_line_gives_what_reading_it_whole_does(tmp_path, monkeypatch, ending):
    import tracker.ingest as ingest_mod

    lines = [json.dumps({"id": "a", "published": "2017-10-01", "text": "The army took Mayadin."}),
             "", "  ", "{not json",
             json.dumps({"id": "b", "published": "2017-10-02", "text": "سيطر الجيش على الميادين"}, ensure_ascii=False),
             json.dumps({"id": "c", "published": "2017-10-03", "text": "The army \u2028 took \u0085 Hajin."}),
             json.dumps({"id": "d", "published": "2017-13-01", "text": "bad date"})]
    path = tmp_path / "r.jsonl"
    path.write_bytes(("\r\n".join(lines[:3]) + "\n" + "\n".join(lines[3:]) + ending).encode("utf-8"))
    monkeypatch.setattr(ingest_mod, "READ_CHUNK", 7)  # checked in chunks that cut characters and lines
    streamed = read_reports([path])
    read_whole = []
    monkeypatch.setattr(ingest_mod, "plain_utf8", lambda chunks: read_whole.append(1) or False)
    whole = read_reports([path])
    assert read_whole and streamed.reports == whole.reports and len(streamed.reports) == 3
    assert [(e.line, e.reason) for e in streamed.errors] == [(e.line, e.reason) for e in whole.errors] != []


def test_reingest_in_batches_finds_duplicates_and_versions_in_the_store(con, tmp_path, monkeypatch):
    import tracker.ingest as ingest_mod

    monkeypatch.setattr(ingest_mod, "INGEST_BATCH", 2)
    rows = [{"id": f"r{i}", "published": "2017-10-01", "text": f"The army took town {i % 3}."} for i in range(5)]
    rows.append({"id": "r0", "published": "2017-10-01", "text": "The army took town 0, then left."})
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    first = ingest(con, [path])
    assert first.new == ["r0", "r1", "r2"] and first.duplicate == ["r3", "r4"] and first.new_version == ["r0"]
    again = ingest(con, [path])
    assert not again.new and not again.new_version and len(again.duplicate) == 6
    assert con.execute("SELECT max(version) FROM reports WHERE report_id = 'r0'").fetchone()[0] == 2
