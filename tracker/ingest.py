"""Reading reports from files and storing them, idempotently.

Inputs
------
- ``.txt`` (and ``.md``) files, with metadata from a ``meta.jsonl`` beside them (fields ``id``,
  ``file``, ``published``, ``source``, ``lang``; optional ``title``, ``url``). A Markdown file
  with a YAML-like front matter (the Wikipedia chronicles of the corpus) carries its own
  metadata there and is stored as a ``chronicle``.
- ``.jsonl``: one report per line with ``id``, ``published``, ``source``, ``text`` and
  optional ``lang``, ``title``, ``url``.
- ``.csv``: the same fields as columns.

Folders are walked. A file with a bad record is rejected whole, so the good lines of a
file are either all stored or none; the message names the file and line, and the rest of
the batch goes on.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
from tqdm import tqdm

from tracker._errors import InputError
from tracker.records import Report
from tracker.store import transaction
from tracker.textio import DecodeError, decode, detect_language, has_letters

SUFFIXES = {".txt", ".md", ".jsonl", ".csv"}
LANGS = {"ar", "fa", "en"}
# an input file larger than this is rejected rather than read into memory
MAX_FILE_BYTES = 512 * 1024 * 1024
# one report's text: anything longer is a scraping accident (a whole site, a dump), not a report
MAX_REPORT_CHARS = 5_000_000
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass
class ReadResult:
    """Reports read from inputs, and the inputs rejected with their reasons."""

    reports: list[Report] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def sha256(text: str) -> str:
    """Content hash of a report's text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Every readable input file under ``paths`` (folders walked, sorted), with a
    ``meta.jsonl`` left out: it describes the other files."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for sub in sorted(p for p in path.rglob("*") if p.is_file()):
                if sub.suffix.lower() in SUFFIXES and sub.name != "meta.jsonl":
                    yield sub
        else:
            yield path


def parse_published(value: object, path: Path, line: int | None, today: date | None = None) -> tuple[date, str]:
    """Parse a publication date: ``YYYY-MM-DD`` (or an ISO timestamp) is a day, ``YYYY-MM`` a month.

    Raises
    ------
    InputError
        When the date is missing, unreadable or in the future.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(path, "no publication date (field 'published'; YYYY-MM-DD)", line)
    if not isinstance(value, str):
        raise InputError(path, f"publication date must be a string like 2017-10-12, not {value!r}", line)
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text):
            day, precision = date.fromisoformat(text + "-01"), "month"
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day, precision = date.fromisoformat(text), "day"
        else:
            day, precision = datetime.fromisoformat(text.replace("Z", "+00:00")).date(), "day"
    except ValueError:
        raise InputError(path, f"unreadable publication date {value!r} (use YYYY-MM-DD)", line) from None
    if day > (today or datetime.now(timezone.utc).date()):
        raise InputError(path, f"publication date {text} is in the future", line)
    return day, precision


def _check_text(text: object, path: Path, line: int | None) -> str:
    if not isinstance(text, str):
        raise InputError(path, f"field 'text' must be a string, not {type(text).__name__}", line)
    if not text.strip():
        raise InputError(path, "empty text", line)
    if not has_letters(text):
        raise InputError(path, "text has no letters (only digits, punctuation or symbols)", line)
    if len(text) > MAX_REPORT_CHARS:
        raise InputError(path, f"text of {len(text):,} characters is longer than one report can be "
                               f"({MAX_REPORT_CHARS:,}); split it into reports", line)
    return text


def _opt_str(record: dict, key: str, path: Path, line: int | None) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int)):
        raise InputError(path, f"field {key!r} must be a string, not {type(value).__name__}", line)
    return str(value)


def _lang(declared: str | None, text: str, path: Path, line: int | None) -> str:
    lang = (declared or detect_language(text) or "").lower()
    if not lang:
        raise InputError(path, "unknown language (not Arabic, Persian or English); set field 'lang'", line)
    if lang not in LANGS:
        raise InputError(path, f"unsupported language {lang!r} (tracker reads ar, fa, en)", line)
    return lang


def _record_to_report(record: object, path: Path, line: int | None, dated: bool = True, **extra) -> Report:
    if not isinstance(record, dict):
        raise InputError(path, f"expected a JSON object, got {type(record).__name__}", line)
    rid = record.get("id")
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        raise InputError(path, "missing field 'id'", line)
    if not isinstance(rid, (str, int)):
        raise InputError(path, f"field 'id' must be a string, not {type(rid).__name__}", line)
    text = _check_text(record.get("text"), path, line)
    if dated or record.get("published"):
        published, precision = parse_published(record.get("published"), path, line)
    else:
        published, precision = None, "missing"
    return Report(
        report_id=str(rid).strip(),
        text=text,
        published=published,
        published_precision=precision,
        source=_opt_str(record, "source", path, line),
        lang=_lang(_opt_str(record, "lang", path, line), text, path, line),
        title=_opt_str(record, "title", path, line),
        url=_opt_str(record, "url", path, line),
        path=str(path),
        line=line,
        sha256=sha256(text),
        **extra,
    )


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(path, "no such file or folder")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(path, f"file of {size / 1e6:.0f} MB is larger than the {MAX_FILE_BYTES // 2**20} MiB limit")
    return path.read_bytes()


def _decode(path: Path) -> str:
    try:
        return decode(_read_bytes(path))[0]
    except DecodeError as exc:
        raise InputError(path, str(exc)) from None


def _jsonl_records(path: Path) -> Iterator[tuple[int, object]]:
    """``(line number, parsed value)`` of each non-blank line; an error naming the first bad line."""
    for number, raw in enumerate(_decode(path).splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            yield number, json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"malformed JSON ({exc.msg} at column {exc.colno})", number) from None


def read_jsonl(path: Path) -> list[Report]:
    """Reports of a JSONL file; all of them, or an error for the first bad line."""
    reports = [_record_to_report(record, path, number) for number, record in _jsonl_records(path)]
    if not reports:
        raise InputError(path, "no reports in file")
    return reports


def read_csv(path: Path) -> list[Report]:
    """Reports of a CSV file with a header naming at least ``id, published, text``."""
    reader = csv.DictReader(io.StringIO(_decode(path), newline=""))
    header = reader.fieldnames or []
    missing = [c for c in ("id", "published", "text") if c not in header]
    if missing:
        raise InputError(path, f"CSV header lacks {', '.join(missing)} (has: {', '.join(header) or 'nothing'})", 1)
    reports = []
    for record in reader:
        if None in record:
            raise InputError(path, "more fields than the header names", reader.line_num)
        reports.append(_record_to_report(record, path, reader.line_num))
    if not reports:
        raise InputError(path, "no reports in file")
    return reports


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a Markdown front matter (``key: value`` lines) from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    key = None
    for line in match.group(1).splitlines():
        top = re.match(r"^([A-Za-z_]\w*):\s*(.*)$", line)
        if top:
            key = top.group(1)
            meta[key] = top.group(2).strip()
        elif key is not None:
            item = line.strip().lstrip("-").strip()
            if item and item != "|-":
                meta[key] = (meta[key] + " " + item).strip()
    return meta, text[match.end():]


def _meta_index(folder: Path) -> dict[str, tuple[dict, int]]:
    meta_path = folder / "meta.jsonl"
    index: dict[str, tuple[dict, int]] = {}
    if not meta_path.exists():
        return index
    for number, record in _jsonl_records(meta_path):
        if not isinstance(record, dict) or not record.get("file"):
            raise InputError(meta_path, "each line needs a 'file' field naming a report beside it", number)
        index[str(record["file"])] = (record, number)
    return index


def read_text_file(path: Path, meta_cache: dict[Path, dict] | None = None) -> Report:
    """One ``.txt``/``.md`` report, its metadata from ``meta.jsonl`` or its front matter."""
    meta_cache = {} if meta_cache is None else meta_cache
    if path.parent not in meta_cache:
        meta_cache[path.parent] = _meta_index(path.parent)
    text = _decode(path)
    entry = meta_cache[path.parent].get(path.name)
    if entry is not None:
        record, number = entry
        record = {**record, "text": text}
        record.setdefault("id", path.stem)
        report = _record_to_report(record, path.parent / "meta.jsonl", number)
        return replace(report, path=str(path), line=None)
    front, body = _front_matter(text)
    if front:
        # a chronicle: its sentences carry their own dates; 'date' gives the period it covers
        published = front.get("pubDate", "").split(" ")[0] or None
        record = {"id": path.stem, "text": body, "published": published, "source": front.get("author") or None,
                  "title": front.get("subject") or front.get("title") or None, "lang": None}
        # a chronicle needs no publication date: each sentence carries its own
        report = _record_to_report(record, path, None, dated=False)
        return replace(report, kind="chronicle", meta=json.dumps({"period": front.get("date"),
                                                                  "place": front.get("place")}))
    raise InputError(path, f"no metadata: add a line for {path.name!r} to {path.parent / 'meta.jsonl'} "
                           "(fields id, file, published, source, lang)")


def read_reports(paths: Iterable[str | os.PathLike], strict: bool = False, progress: bool = False) -> ReadResult:
    """Read every report under ``paths``.

    Parameters
    ----------
    paths
        Files or folders.
    strict
        Raise the first :class:`InputError` instead of collecting it.
    progress
        Show a progress bar on a terminal when reading takes more than a second.
    """
    result = ReadResult()
    meta_cache: dict[Path, dict] = {}
    files = list(iter_files(paths))
    bar = tqdm(files, desc="reading", unit="file", disable=not progress or None, delay=1.0, leave=False)
    for path in bar:
        try:
            suffix = path.suffix.lower()
            if suffix == ".jsonl":
                result.reports.extend(read_jsonl(path))
            elif suffix == ".csv":
                result.reports.extend(read_csv(path))
            elif suffix in {".txt", ".md"} or not path.exists():
                result.reports.append(read_text_file(path, meta_cache))
            else:
                raise InputError(path, f"unsupported file type {suffix or '(none)'} (use .txt, .md, .jsonl, .csv)")
        except InputError as exc:
            if strict:
                raise
            result.errors.append(exc)
        except OSError as exc:
            err = InputError(path, f"cannot read: {exc.strerror or exc}")
            if strict:
                raise err from None
            result.errors.append(err)
    return result


@dataclass
class IngestSummary:
    """What an ingest did: counts, and the reasons for every rejection."""

    new: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    new_version: list[str] = field(default_factory=list)
    rejected: list[InputError] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Counts and details, for ``--json``."""
        return {
            "new": len(self.new),
            "duplicate": len(self.duplicate),
            "new_version": len(self.new_version),
            "rejected": len(self.rejected),
            "new_ids": self.new,
            "new_version_ids": self.new_version,
            "rejections": [{"path": e.path, "line": e.line, "reason": e.reason} for e in self.rejected],
        }


def store_reports(con: duckdb.DuckDBPyConnection, reports: Iterable[Report]) -> IngestSummary:
    """Store reports in one transaction, idempotently.

    A text already stored (same SHA-256, under any id) is a duplicate; a changed text under
    a known id becomes that id's next version; nothing is overwritten.
    """
    summary = IngestSummary()
    known_hashes = {row[0]: row[1] for row in con.execute("SELECT sha256, report_id FROM reports").fetchall()}
    versions = dict(con.execute("SELECT report_id, max(version) FROM reports GROUP BY report_id").fetchall())
    rows = []
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for report in reports:
        if report.sha256 in known_hashes:
            summary.duplicate.append(report.report_id)
            continue
        version = versions.get(report.report_id, 0) + 1
        versions[report.report_id] = version
        known_hashes[report.sha256] = report.report_id
        (summary.new if version == 1 else summary.new_version).append(report.report_id)
        rows.append((report.report_id, version, report.published, report.published_precision, report.source,
                     report.lang, report.title, report.url, report.text, report.sha256, report.path, now,
                     report.kind, report.meta))
    if rows:
        # one columnar insert: executemany goes row by row and is ~100x slower
        columns = ["report_id", "version", "published", "published_precision", "source", "lang", "title", "url",
                   "text", "sha256", "path", "ingested_at", "kind", "meta"]
        batch = pa.Table.from_pylist([dict(zip(columns, row)) for row in rows])  # noqa: F841 (read by DuckDB)
        with transaction(con):
            con.execute(f"INSERT INTO reports ({', '.join(columns)}) SELECT {', '.join(columns)} FROM batch")
    return summary


def ingest(con: duckdb.DuckDBPyConnection, paths: Iterable[str | os.PathLike], strict: bool = False,
           progress: bool = False) -> IngestSummary:
    """Read and store reports; rejected inputs are listed in the summary (or raised with ``strict``)."""
    read = read_reports(paths, strict=strict, progress=progress)
    summary = store_reports(con, read.reports)
    summary.rejected = read.errors
    return summary


def latest_reports(con: duckdb.DuckDBPyConnection, report_ids: Iterable[str] | None = None) -> list[Report]:
    """The newest version of each stored report (or of the given ids)."""
    sql = """SELECT report_id, text, published, source, lang, title, url, published_precision, path,
                    sha256, version, kind, meta
             FROM reports r WHERE version = (SELECT max(version) FROM reports q WHERE q.report_id = r.report_id)"""
    params: list = []
    if report_ids is not None:
        ids = list(report_ids)
        if not ids:
            return []
        sql += " AND report_id IN (SELECT unnest(?))"
        params.append(ids)
    rows = con.execute(sql + " ORDER BY published, report_id", params).fetchall()
    return [Report(report_id=r[0], text=r[1], published=r[2], source=r[3], lang=r[4], title=r[5], url=r[6],
                   published_precision=r[7], path=r[8], sha256=r[9], version=r[10], kind=r[11], meta=r[12])
            for r in rows]
