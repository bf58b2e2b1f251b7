"""Classes of bad input: each is rejected line by line with file:line and a reason, never a traceback, never
stored as garbage; the good records beside it are stored (issue 15).

Every class is a small folder written here. Each is read alone (fast), then all together through
``tracker ingest`` and ``tracker run`` (a batch in which no report has a territorial claim).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.ingest import read_reports

QUIET_EN = "Markets in the old city reopened on day {n} after the holiday, traders said."
QUIET_AR = "افتتحت الأسواق في المدينة القديمة أبوابها في اليوم {n} بعد العطلة بحسب التجار."
_count = iter(range(10_000))


def rec(text: str | None = None, **fields) -> dict:
    """A good JSON record (unique text, no control claim), changed by ``fields``."""
    n = next(_count)
    record = {"id": f"r{n}", "published": "2017-10-01", "source": "test", "lang": "en",
              "text": text.format(n=n) if isinstance(text, str) else QUIET_EN.format(n=n) if text is None else text}
    record.update(fields)
    return {k: v for k, v in record.items() if v is not ...}


def line(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def jsonl(*lines: bytes, end: bytes = b"\n") -> bytes:
    return end.join(lines) + end


def meta_line(file: str, **fields) -> bytes:
    return line({"id": file.split(".")[0], "file": file, "published": "2017-10-01", "source": "test", **fields})


@dataclass
class Case:
    """A class of bad input: the files to write, the rejections expected (file, line or None, reason
    pattern), the number of reports stored, and warnings expected (file, pattern)."""

    files: dict[str, bytes | Callable[[Path], None]]
    rejected: list[tuple[str, int | None, str]] = field(default_factory=list)
    stored: int = 0
    warned: list[tuple[str, str]] = field(default_factory=list)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    path.symlink_to("/dev/null")


def _loop(path: Path) -> None:
    path.mkdir()
    (path / "loop").symlink_to(path)


ARABIC = QUIET_AR.format(n=1)

CASES: dict[str, Case] = {
    "jsonl one malformed line": Case({"a.jsonl": jsonl(line(rec()), b"{not json", line(rec()))},
                                     [("a.jsonl", 2, "malformed JSON")], 2),
    "jsonl several bad lines all named": Case(
        {"a.jsonl": jsonl(b"[1, 2]", line(rec()), b'"text"', line(rec(id=...)), line(rec()))},
        [("a.jsonl", 1, "expected a JSON object"), ("a.jsonl", 3, "expected a JSON object"),
         ("a.jsonl", 4, "missing field 'id'")], 2),
    "jsonl lone surrogate": Case({"a.jsonl": jsonl(line(rec()).replace(b"Markets", b"\\ud800Markets"), line(rec()))},
                                 [("a.jsonl", 1, "lone surrogate U\\+D800")], 1),
    "jsonl surrogate in id": Case({"a.jsonl": jsonl(b'{"id": "\\udc00", "published": "2017-10-01", "text": "x y"}',
                                                    line(rec()))},
                                  [("a.jsonl", 1, "field 'id': a lone surrogate")], 1),
    "jsonl nested deeply": Case({"a.jsonl": jsonl(b"[" * 100_000 + b"]" * 100_000, line(rec()))},
                                [("a.jsonl", 1, "nested too deeply")], 1),
    "jsonl NUL in text": Case({"a.jsonl": jsonl(line(rec()).replace(b"Markets", b"\\u0000Markets"), line(rec()))},
                              [("a.jsonl", 1, "NUL character")], 1),
    "jsonl control characters in text": Case(
        {"a.jsonl": jsonl(line(rec(text="\u0001\u0002\u0003 garbage \u0004\u0005")), line(rec()))},
        [("a.jsonl", 1, "control or unassigned characters")], 1),
    "jsonl U+2028 inside a string": Case({"a.jsonl": jsonl(line(rec(text="Markets\u2028reopened on day {n}.")),
                                                           line(rec()))}, [], 2),
    "jsonl replacement characters in a url": Case({"a.jsonl": jsonl(line(rec(url="http://x.org/\ufffd\ufffd-\ufffd")))},
                                                  [], 1),
    "jsonl huge integer": Case({"a.jsonl": jsonl(b'{"id": ' + b"9" * 5000 + b'}', line(rec()))},
                               [("a.jsonl", 1, "malformed JSON")], 1),
    "jsonl date before 1900": Case({"a.jsonl": jsonl(line(rec(published="0001-01-01")), line(rec()))},
                                   [("a.jsonl", 1, "before 1900")], 1),
    "jsonl date in the future": Case({"a.jsonl": jsonl(line(rec(published="9999-12-31")), line(rec()))},
                                     [("a.jsonl", 1, "in the future")], 1),
    "jsonl impossible date": Case({"a.jsonl": jsonl(line(rec(published="2017-02-30")), line(rec()))},
                                  [("a.jsonl", 1, "unreadable publication date")], 1),
    "jsonl date as number": Case({"a.jsonl": jsonl(line(rec(published=20171001)), line(rec()))},
                                 [("a.jsonl", 1, "must be a string")], 1),
    "jsonl huge date string": Case({"a.jsonl": jsonl(line(rec(published="2" * 100_000)), line(rec()))},
                                   [("a.jsonl", 1, r"unreadable publication date '2+\.\.\.")], 1),
    "jsonl text not a string": Case({"a.jsonl": jsonl(line(rec(text=["a"])), line(rec()))},
                                    [("a.jsonl", 1, "field 'text' must be a string")], 1),
    "jsonl unsupported language": Case({"a.jsonl": jsonl(line(rec(lang="de")), line(rec()))},
                                       [("a.jsonl", 1, "unsupported language 'de'")], 1),
    "jsonl bool id": Case({"a.jsonl": jsonl(line(rec(id=True)), line(rec()))},
                          [("a.jsonl", 1, "field 'id' must be a string")], 1),
    "jsonl empty and letterless texts": Case({"a.jsonl": jsonl(line(rec(text="   ")), line(rec(text="12 !! 3")),
                                                               line(rec()))},
                                             [("a.jsonl", 1, "empty text"), ("a.jsonl", 2, "no letters")], 1),
    "jsonl with BOM and CRLF": Case({"a.jsonl": b"\xef\xbb\xbf" + jsonl(line(rec()), line(rec()), end=b"\r\n")}, [], 2),
    "jsonl one invalid UTF-8 byte": Case(
        {"a.jsonl": jsonl(line(rec(text=QUIET_AR)), line(rec(text=QUIET_AR)).replace("الأسواق".encode(), b"\xff\xfe"),
                          line(rec(text=QUIET_AR)))},
        [("a.jsonl", 2, r"invalid UTF-8 at byte \d+")], 2),
    "jsonl empty file": Case({"a.jsonl": b""}, [("a.jsonl", None, "no reports in file")]),
    "jsonl only blank lines": Case({"a.jsonl": b"\n  \n\r\n"}, [("a.jsonl", None, "no reports in file")]),
    "csv field over 131072 characters": Case(
        {"a.csv": b"id,published,source,text\nbig,2017-10-01,s,\"" + ("Markets reopened after the holiday. " * 9000).encode() + b"\"\n"
                  + b"small,2017-10-01,s,Markets reopened on the second day of the week.\n"}, [], 2),
    "csv unterminated quote": Case(
        {"a.csv": b"id,published,source,text\na,2017-10-01,s,\"Markets reopened\nb,2017-10-02,s,Traders came back to the market.\n"},
        [("a.csv", 2, "quoted field is never closed")], 1),
    "csv field counts": Case(
        {"a.csv": b"id,published,source,text\na,2017-10-01,s,Markets reopened after the holiday.,extra\nb,2017-10-01,s\n"
                  b"c,2017-10-01,s,Traders came back to the market.\n"},
        [("a.csv", 2, r"more fields \(5\)"), ("a.csv", 3, r"fewer fields \(3\)")], 1),
    "csv wrong header": Case({"a.csv": b"name,date,body\nx,2017-10-01,hello\n"},
                             [("a.csv", 1, "header lacks id, published, text")]),
    "csv semicolons and multi-line quotes": Case(
        {"a.csv": b"id;published;source;text\na;2017-10-01;s;\"Markets reopened;\nafter the holiday.\"\n"
                  b"b;2017-10-01;s;Traders came back to the market.\n"}, [], 2),
    "csv UTF-16 with BOM": Case({"a.csv": f"id,published,source,text\na,2017-10-01,s,{ARABIC}\n".encode("utf-16")},
                                [], 1, [("a.csv", "UTF-16")]),
    "csv bad row date": Case({"a.csv": b"id,published,source,text\na,0001-01-01,s,Markets reopened after the holiday.\n"
                                       b"b,2017-10-01,s,Traders came back to the market.\n"}, [("a.csv", 2, "before 1900")], 1),
    "txt UTF-8 with one bad byte": Case(
        {"a.txt": ARABIC.encode()[:10] + b"\xff" + ARABIC.encode()[10:], "meta.jsonl": meta_line("a.txt")},
        [("a.txt", None, "invalid UTF-8 at byte 10")]),
    "txt UTF-16BE without BOM": Case({"a.txt": QUIET_EN.format(n=0).encode("utf-16-be"),
                                      "meta.jsonl": meta_line("a.txt")}, [], 1, [("a.txt", "UTF-16-BE")]),
    "txt UTF-16LE Arabic without BOM": Case({"a.txt": ARABIC.encode("utf-16-le"),
                                             "meta.jsonl": meta_line("a.txt", lang="ar")}, [], 1,
                                            [("a.txt", "UTF-16-LE")]),
    "txt Windows-1256": Case({"a.txt": ARABIC.encode("cp1256"), "meta.jsonl": meta_line("a.txt")}, [], 1,
                             [("a.txt", "Windows-1256")]),
    "txt binary without NULs": Case({"a.txt": bytes((i * 37 + 11) % 255 + 1 for i in range(3000)),
                                     "meta.jsonl": meta_line("a.txt")},
                                    [("a.txt", None, "byte")]),
    "txt binary with NULs": Case({"a.txt": bytes(range(256)) * 8, "meta.jsonl": meta_line("a.txt")},
                                 [("a.txt", None, "binary data")]),
    "txt cut inside its last character": Case({"a.txt": ARABIC[:-1].encode()[:-1], "meta.jsonl": meta_line("a.txt")},
                                              [], 1, [("a.txt", "last character is cut")]),
    "txt without metadata": Case({"a.txt": b"Markets reopened after the holiday."}, [("a.txt", None, "no metadata")]),
    "meta names a missing file": Case({"a.txt": QUIET_EN.format(n=2).encode(),
                                       "meta.jsonl": jsonl(meta_line("a.txt"), meta_line("gone.txt"))},
                                      [("meta.jsonl", 2, "names 'gone.txt', which is not in")], 1),
    "meta with a bad line and a repeated entry": Case(
        {"a.txt": QUIET_EN.format(n=3).encode(), "b.txt": QUIET_EN.format(n=4).encode(),
         "meta.jsonl": jsonl(meta_line("a.txt"), b"{oops", meta_line("b.txt"), meta_line("b.txt", source="x"))},
        [("meta.jsonl", 2, "malformed JSON"), ("meta.jsonl", 4, "a second entry for 'b.txt'")], 2),
    "meta with a date before 1900": Case({"a.txt": QUIET_EN.format(n=5).encode(),
                                          "meta.jsonl": meta_line("a.txt", published="0001-01-01")},
                                         [("meta.jsonl", 1, "before 1900")]),
    "chronicle dated before 1900": Case({"a.md": b"---\npubDate: 0001-01-01\n---\nMarkets reopened after the holiday.\n"},
                                        [("a.md", None, "before 1900")]),
    "FIFO named .txt": Case({"a.txt": _fifo}, [("a.txt", None, "named pipe")]),
    "device named .jsonl": Case({"a.jsonl": _device}, [("a.jsonl", None, "character device")]),
    "symbolic link loop": Case({"sub": _loop, "a.jsonl": jsonl(line(rec()))}, [], 1),
}


def write_case(folder: Path, case: Case) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in case.files.items():
        if callable(content):
            content(folder / name)
        else:
            (folder / name).write_bytes(content)
    return folder


def expected_lines(folder: Path, case: Case) -> list[str]:
    return [f"{folder / name}{f':{ln}' if ln is not None else ''}: {pattern}" for name, ln, pattern in case.rejected]


@pytest.mark.parametrize("name", list(CASES))
def test_each_class_is_rejected_where_it_is_bad_and_the_rest_is_read(tmp_path, name):
    case = CASES[name]
    folder = write_case(tmp_path / "in", case)
    result = read_reports([folder])
    got = [str(e) for e in result.errors]
    want = expected_lines(folder, case)
    assert len(got) == len(want), got
    for message, pattern in zip(got, want):
        where, reason = pattern.split(": ", 1)
        assert message.startswith(where + ": ") and re.search(reason, message), message
    assert len(result.reports) == case.stored
    assert all("internal error" not in m for m in got)
    warned = [(Path(w.path).name, w.reason) for w in result.warnings]
    assert len(warned) == len(case.warned), warned
    for (file, reason), (want_file, pattern) in zip(warned, case.warned):
        assert file == want_file and re.search(pattern, reason)
    for report in result.reports:  # stored as text, never garbage
        assert "\ufffd" not in report.text and "\x00" not in report.text
        assert "Markets" in report.text or "الأسواق" in report.text or "Traders" in report.text


def test_decoding_other_than_utf8_is_recorded(tmp_path):
    folder = write_case(tmp_path / "in", CASES["txt Windows-1256"])
    report = read_reports([folder]).reports[0]
    assert report.text == ARABIC and json.loads(report.meta) == {"encoding": "cp1256"}


def test_strict_stops_at_the_first_bad_line(tmp_path):
    folder = write_case(tmp_path / "in", CASES["jsonl several bad lines all named"])
    result = CliRunner().invoke(main, ["ingest", str(folder), "--strict", "--db", str(tmp_path / "db.duckdb")])
    assert result.exit_code == 2 and "a.jsonl:1: expected a JSON object" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    # nothing published, no working file left
    assert sorted(p.name for p in tmp_path.iterdir()) == [".db.duckdb.lock", "in"]


@pytest.fixture(scope="module")
def all_classes(tmp_path_factory) -> tuple[Path, list[str], int]:
    root = tmp_path_factory.mktemp("bad")
    lines, stored = [], 0
    for i, (name, case) in enumerate(CASES.items()):
        folder = write_case(root / f"c{i:02d}", case)
        lines += expected_lines(folder, case)
        stored += case.stored
    return root, lines, stored


def _stored(output: str) -> int:
    """Reports stored or found stored: classes share some ids and texts, so some are versions or duplicates."""
    m = re.search(r"(\d+) new, (\d+) duplicate, (\d+) new version", output)
    return sum(map(int, m.groups()))


def _check_output(output: str, expected: list[str]) -> None:
    assert "Traceback" not in output and "internal error" not in output
    rejected = [m.removeprefix("rejected: ") for m in output.splitlines() if m.startswith("rejected: ")]
    assert len(rejected) == len(expected), "\n".join(rejected)
    for pattern in expected:
        where, reason = pattern.split(": ", 1)
        assert any(m.startswith(where + ": ") and re.search(reason, m) for m in rejected), pattern


def test_ingest_of_every_class_together(all_classes, tmp_path):
    root, expected, stored = all_classes
    result = CliRunner().invoke(main, ["ingest", str(root), "--db", str(tmp_path / "db.duckdb")])
    assert result.exit_code == 1, result.output
    _check_output(result.output, expected)
    assert _stored(result.output) == stored


def test_run_on_every_class_together_with_no_territorial_claim(all_classes, tmp_path, sources, monkeypatch):
    from tracker import animate

    monkeypatch.setitem(animate.RUN_ANIMATION, "end", animate.RUN_ANIMATION["start"])  # one frame: quick
    root, expected, stored = all_classes
    result = CliRunner().invoke(main, ["run", str(root), "--db", str(tmp_path / "db.duckdb"),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    _check_output(result.output, expected)
    assert _stored(result.output) == stored
    # every stage ran on a batch without a control claim, and said so
    assert "note=no claim in the reports extracted" in result.output
    assert "note=no control event: the baseline stands" in result.output
    assert re.search(r"^sitreps: weeks=\d", result.output, re.M)
