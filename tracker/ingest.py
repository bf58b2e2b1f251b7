"""Reading reports from files and storing them, idempotently.

Inputs
------
- ``.txt`` (and ``.md``) files, with metadata from a ``meta.jsonl`` beside them (fields ``id``,
  ``file``, ``published``, ``source``, ``lang``; optional ``title``, ``url``). A Markdown file
  with a YAML-like front matter (the Wikipedia chronicles of the corpus) carries its own
  metadata there and is stored as a ``chronicle``.
- ``.jsonl``: one report per line with ``id``, ``published``, ``source``, ``text`` and
  optional ``lang``, ``title``, ``url``.
- ``.csv``: the same fields as columns (comma, semicolon, tab or ``|`` separated, told from the header).

Folders are walked. Reading goes record by record and keeps going: a bad line (or CSV row) is
rejected with its file, line and reason and the good ones are stored; a bad file (missing, not a
regular file, too large, binary, in no encoding tracker reads) is rejected whole. No input makes
reading raise: with ``strict`` the first rejection is raised instead, and nothing is stored. Text
decoded as anything but UTF-8 is stored with the encoding in ``meta`` and a warning.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
from tqdm import tqdm

from tracker._errors import InputError
from tracker.dates import publication_date_problem
from tracker.records import Report
from tracker.store import transaction
from tracker.textio import DecodeError, decode_report, detect_language, has_letters, plain_utf8, text_problem

SUFFIXES = {".txt", ".md", ".jsonl", ".csv"}
LANGS = {"ar", "fa", "en"}
# an input file larger than this is rejected rather than read into memory
MAX_FILE_BYTES = 512 * 1024 * 1024
# one report's text: anything longer is a scraping accident (a whole site, a dump), not a report
MAX_REPORT_CHARS = 5_000_000
# reports stored together by an ingest (memory holds one batch, whatever the input's size)
INGEST_BATCH = 5000
# bytes read at a time from a JSONL file that is plain UTF-8 (read line by line, never whole)
READ_CHUNK = 16 * 2**20
# the CSV separators told from a header line, in order of preference
CSV_DELIMITERS = (",", ";", "\t", "|")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_REQUIRED_COLUMNS = ("id", "published", "text")
_JSON_SPACE = " \t\r\n"


@dataclass
class ReadResult:
    """Reports read from inputs, the inputs rejected with their reasons, and warnings (text read in an
    encoding other than UTF-8, a file cut inside its last character)."""

    reports: list[Report] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)


def sha256(text: str) -> str:
    """Content hash of a report's text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Every input file under ``paths`` (folders walked, sorted; symbolic links to folders not
    followed), with a ``meta.jsonl`` left out: it describes the other files."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for sub in sorted(p for p in path.rglob("*") if not p.is_dir()):
                if sub.suffix.lower() in SUFFIXES and sub.name != "meta.jsonl":
                    yield sub
        else:
            yield path


def _short(value: object, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**40 else f"a {len(str(abs(value)))}-digit number"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_published(value: object, path: Path, line: int | None, today: date | None = None) -> tuple[date, str]:
    """Parse a publication date: ``YYYY-MM-DD`` (or an ISO timestamp) is a day, ``YYYY-MM`` a month.

    Raises
    ------
    InputError
        When the date is missing, unreadable, before 1900 or in the future.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(path, "no publication date (field 'published'; YYYY-MM-DD)", line)
    if not isinstance(value, str):
        raise InputError(path, f"publication date must be a string like 2017-10-12, not {_short(value)}", line)
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text):
            day, precision = date.fromisoformat(text + "-01"), "month"
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day, precision = date.fromisoformat(text), "day"
        else:
            day, precision = datetime.fromisoformat(text.replace("Z", "+00:00")).date(), "day"
    except (ValueError, OverflowError):
        raise InputError(path, f"unreadable publication date {_short(value)} (use YYYY-MM-DD)", line) from None
    problem = publication_date_problem(day, today)
    if problem:
        raise InputError(path, problem, line)
    return day, precision


def _valid_str(value: str, key: str, path: Path, line: int | None) -> str:
    # a report's text must be text; the other fields only storable (no NUL, no lone surrogate)
    problem = text_problem(value, strict=key == "text")
    if problem is not None:
        raise InputError(path, f"field {key!r}: {problem[1]} at character {problem[0]}", line)
    return value


def _check_text(text: object, path: Path, line: int | None) -> str:
    if not isinstance(text, str):
        raise InputError(path, f"field 'text' must be a string, not {type(text).__name__}", line)
    if len(text) > MAX_REPORT_CHARS:
        raise InputError(path, f"text of {len(text):,} characters is longer than one report can be "
                               f"({MAX_REPORT_CHARS:,}); split it into reports", line)
    _valid_str(text, "text", path, line)
    if not text.strip():
        raise InputError(path, "empty text", line)
    if not has_letters(text):
        raise InputError(path, "text has no letters (only digits, punctuation or symbols)", line)
    return text


def _opt_str(record: dict, key: str, path: Path, line: int | None) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(path, f"field {key!r} must be a string, not {type(value).__name__}", line)
    return _valid_str(str(value), key, path, line)


def _lang(declared: str | None, text: str, path: Path, line: int | None) -> str:
    lang = (declared or detect_language(text) or "").lower()
    if not lang:
        raise InputError(path, "unknown language (not Arabic, Persian or English); set field 'lang'", line)
    if lang not in LANGS:
        raise InputError(path, f"unsupported language {_short(lang)} (tracker reads ar, fa, en)", line)
    return lang


def _record_to_report(record: object, path: Path, line: int | None, dated: bool = True, **extra) -> Report:
    if not isinstance(record, dict):
        raise InputError(path, f"expected a JSON object, got {type(record).__name__}", line)
    rid = _opt_str(record, "id", path, line)
    if rid is None or not rid.strip():
        raise InputError(path, "missing field 'id'", line)
    text = _check_text(record.get("text"), path, line)
    if dated or record.get("published"):
        published, precision = parse_published(record.get("published"), path, line)
    else:
        published, precision = None, "missing"
    # how the publication date was known ("estimated: ..."), kept for the reports that cite it
    basis = _opt_str(record, "published_basis", path, line)
    if basis and "meta" not in extra:
        extra["meta"] = json.dumps({"published_basis": basis}, ensure_ascii=False)
    return Report(
        report_id=rid.strip(),
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


_FILE_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
               stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def _open_regular(path: Path):
    """A binary handle on a regular file; anything else (a FIFO, a device, a socket) is refused before a read
    could block, and so is a file over :data:`MAX_FILE_BYTES`."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(path, "no such file or folder") from None
    handle = os.fdopen(fd, "rb")
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        handle.close()
        kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise InputError(path, f"{kind}, not a regular file: tracker reads regular files only")
    if info.st_size > MAX_FILE_BYTES:
        handle.close()
        raise InputError(path, f"file of {info.st_size / 1e6:.0f} MB is larger than the "
                               f"{MAX_FILE_BYTES // 2**20} MiB limit")
    return handle


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular file (see :func:`_open_regular`)."""
    with _open_regular(path) as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(path, f"file grew past the {MAX_FILE_BYTES // 2**20} MiB limit while being read")
    return data


def _chunks_of(path: Path) -> Iterator[bytes]:
    """The bytes of a regular file, :data:`READ_CHUNK` at a time (up to :data:`MAX_FILE_BYTES`)."""
    with _open_regular(path) as handle:
        read = 0
        while chunk := handle.read(READ_CHUNK):
            read += len(chunk)
            if read > MAX_FILE_BYTES:
                raise InputError(path, f"file grew past the {MAX_FILE_BYTES // 2**20} MiB limit while being read")
            yield chunk


def _utf8_lines(path: Path) -> Iterator[str]:
    """The lines of a file :func:`tracker.textio.plain_utf8` accepted, one at a time: what ``text.split("\\n")``
    of the whole decoded file gives (the last one after the last line feed, maybe empty)."""
    last = ""
    with _open_regular(path) as handle:
        for raw in handle:
            try:
                last = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(path, "the file changed while it was being read") from None
            yield last.removesuffix("\n")
    if last.endswith("\n") or not last:
        yield ""


class _Reader:
    """Reads files into reports, collecting rejections and warnings (or raising the first, with ``strict``)."""

    def __init__(self, strict: bool, sink: Callable[[Report], None] | None = None) -> None:
        self.strict = strict
        self.result = ReadResult()
        self.metas: dict[Path, dict[str, tuple[dict, int]]] = {}
        self.sink = sink

    def emit(self, report: Report) -> None:
        """A report read: to the sink (an ingest storing as it reads) or into the result."""
        if self.sink is None:
            self.result.reports.append(report)
            return
        try:
            self.sink(report)
        except Exception as exc:  # the store failed: not a rejection of the file being read
            raise _SinkError(exc) from exc

    def reject(self, error: InputError) -> None:
        if self.strict:
            raise error
        self.result.errors.append(error)

    def warn(self, path: Path, message: str) -> None:
        self.result.warnings.append(InputError(path, message))

    # --- decoding -------------------------------------------------------------------------------------
    def decode(self, path: Path, data: bytes) -> tuple[str, str]:
        """The text of a whole file (one report), and the encoding read."""
        try:
            decoded = decode_report(data)
        except DecodeError as exc:
            raise InputError(path, str(exc)) from None
        if decoded.warning:
            self.warn(path, decoded.warning)
        return decoded.text, decoded.encoding

    def lines(self, path: Path, data: bytes) -> tuple[list[str], dict[int, str], str]:
        """The lines of a line-oriented file (split on line feeds only: U+2028 is text), the reasons of
        the lines that are not text, and the encoding read. A UTF-8 file with a few bad bytes loses only
        the lines holding them; a file with more bad lines than good ones is rejected whole."""
        try:
            text, encoding = self.decode(path, data)
            return text.split("\n"), {}, encoding
        except InputError as whole:
            raws = data.split(b"\n")
            lines, bad, offset = [], {}, 0
            for number, raw in enumerate(raws, start=1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    line = raw.decode("utf-8", errors="replace")
                    bad[number] = f"invalid UTF-8 at byte {offset + exc.start} of the file"
                else:
                    problem = text_problem(line)
                    if problem is not None:
                        bad[number] = f"{problem[1]} at character {problem[0] + 1} of the line"
                lines.append(line)
                offset += len(raw) + 1
            if len(bad) > max(1, sum(1 for x in raws if x.strip()) // 2):
                raise whole
            lines[0] = lines[0].removeprefix("\ufeff")
            return lines, bad, "utf-8"

    # --- formats --------------------------------------------------------------------------------------
    def jsonl(self, path: Path, lines: Iterable[str], bad: dict[int, str]) -> Iterator[tuple[int, object]]:
        """``(line number, parsed value)`` of each non-blank line; a bad line is rejected and skipped."""
        for number, raw in enumerate(lines, start=1):
            if number in bad:
                self.reject(InputError(path, bad[number], number))
                continue
            raw = raw.rstrip("\r")
            if not raw.strip(_JSON_SPACE):  # blank by JSON's rules: any other character is a bad line
                continue
            try:
                yield number, json.loads(raw)
            except json.JSONDecodeError as exc:
                self.reject(InputError(path, f"malformed JSON ({exc.msg} at column {exc.colno})", number))
            except RecursionError:
                self.reject(InputError(path, "malformed JSON (nested too deeply)", number))
            except ValueError as exc:  # e.g. an integer of more digits than Python converts
                self.reject(InputError(path, f"malformed JSON ({str(exc)[:80]})", number))

    def csv_rows(self, path: Path, lines: list[str], bad: dict[int, str]) -> Iterator[tuple[int, dict]]:
        """``(first line, row as a dict)`` of each CSV row under a header naming at least ``id, published,
        text``. A bad row is rejected and reading goes on at the line after the one where it began (an
        unclosed quote does not swallow the rows after it)."""
        lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
        header_at = next((i for i, line in enumerate(lines) if line.strip()), None)
        if header_at is None:
            return
        header, delimiter = _csv_header(lines[header_at])
        missing = [c for c in _REQUIRED_COLUMNS if c not in header]
        if missing:
            raise InputError(path, f"CSV header lacks {', '.join(missing)} (has: {', '.join(header) or 'nothing'})",
                             header_at + 1)
        start = header_at + 1
        limit = csv.field_size_limit(MAX_REPORT_CHARS + 1)  # the default, 131,072 characters, is too short
        try:
            yield from self._csv_from(path, lines, bad, header, delimiter, start)
        finally:
            csv.field_size_limit(limit)

    def _csv_from(self, path: Path, lines: list[str], bad: dict[int, str], header: list[str], delimiter: str,
                  start: int) -> Iterator[tuple[int, dict]]:
        while start < len(lines):
            reader = csv.reader(iter(lines[start:]), delimiter=delimiter, strict=True)
            first = start  # index of the line the next row begins at
            try:
                for values in reader:
                    row_lines = range(first + 1, start + reader.line_num + 1)
                    first = start + reader.line_num
                    broken = next((n for n in row_lines if n in bad), None)
                    if broken is not None:
                        self.reject(InputError(path, bad[broken], broken))
                    elif values:
                        try:
                            row = _csv_row(header, values, path, row_lines[0])
                        except InputError as exc:
                            self.reject(exc)
                            continue
                        if row is not None:
                            yield row_lines[0], row
                start = len(lines)
            except csv.Error as exc:
                reason = str(exc)
                if "unexpected end of data" in reason:
                    reason = "a quoted field is never closed (the rest of the file would be one field)"
                elif "field larger than field limit" in reason:
                    reason = f"a field is longer than one report can be ({MAX_REPORT_CHARS:,} characters)"
                self.reject(InputError(path, f"malformed CSV row: {reason}", first + 1))
                start = first + 1

    def meta_index(self, folder: Path) -> dict[str, tuple[dict, int]]:
        """The entries of ``folder/meta.jsonl`` by file name (read once; its bad lines rejected once)."""
        if folder in self.metas:
            return self.metas[folder]
        index: dict[str, tuple[dict, int]] = {}
        self.metas[folder] = index
        meta_path = folder / "meta.jsonl"
        if not meta_path.exists():
            return index
        try:
            lines, bad, _ = self.lines(meta_path, _read_bytes(meta_path))
            for number, record in self.jsonl(meta_path, lines, bad):
                name = record.get("file") if isinstance(record, dict) else None
                if not isinstance(name, str) or not name.strip():
                    self.reject(InputError(meta_path, "each line needs a 'file' field naming a report beside it",
                                           number))
                elif name in index:
                    self.reject(InputError(meta_path, f"a second entry for {name!r} (the first is line "
                                                      f"{index[name][1]}): this one is ignored", number))
                else:
                    index[name] = (record, number)
        except InputError as exc:  # the whole file: unreadable or binary
            self.reject(exc)
        return index

    def check_meta(self, folder: Path) -> None:
        """Reject the entries of a walked folder's ``meta.jsonl`` that name no report tracker reads there."""
        for name, (_, number) in self.meta_index(folder).items():
            target = folder / name
            if not target.is_file():
                self.reject(InputError(folder / "meta.jsonl", f"names {name!r}, which is not in {folder}", number))
            elif target.suffix.lower() not in {".txt", ".md"}:
                self.reject(InputError(folder / "meta.jsonl", f"names {name!r}: meta.jsonl describes .txt and "
                                                              ".md files only", number))

    def text_file(self, path: Path) -> Report:
        """One ``.txt``/``.md`` report, its metadata from ``meta.jsonl`` or its front matter."""
        text, encoding = self.decode(path, _read_bytes(path))
        extra = {} if encoding.startswith("utf-8") else {"encoding": encoding}
        entry = self.meta_index(path.parent).get(path.name)
        if entry is not None:
            record, number = entry
            record = {**record, "text": text}
            record.setdefault("id", path.stem)
            report = _record_to_report(record, path.parent / "meta.jsonl", number)
            meta = {**json.loads(report.meta or "{}"), **extra}
            return replace(report, path=str(path), line=None, meta=json.dumps(meta, ensure_ascii=False) if meta else None)
        front, body = _front_matter(text)
        if front:
            # a chronicle: its sentences carry their own dates; 'date' gives the period it covers
            published = front.get("pubDate", "").split(" ")[0] or None
            record = {"id": path.stem, "text": body, "published": published, "source": front.get("author") or None,
                      "title": front.get("subject") or front.get("title") or None, "lang": None}
            # a chronicle needs no publication date: each sentence carries its own
            report = _record_to_report(record, path, None, dated=False)
            return replace(report, kind="chronicle", meta=json.dumps({"period": front.get("date"),
                                                                      "place": front.get("place"), **extra}))
        raise InputError(path, f"no metadata: add a line for {path.name!r} to {path.parent / 'meta.jsonl'} "
                               "(fields id, file, published, source, lang)")

    def records(self, path: Path, parse) -> None:
        """The reports of a JSONL or CSV file, parsed record by record by ``parse(path, lines, bad)``."""
        if parse == self.jsonl and plain_utf8(_chunks_of(path)):
            # the common case, read a line at a time: memory holds one line, not the whole file
            lines, bad, encoding = _utf8_lines(path), {}, "utf-8"
        else:
            lines, bad, encoding = self.lines(path, _read_bytes(path))
        encoded = {} if encoding.startswith("utf-8") else {"encoding": encoding}
        errors_before = len(self.result.errors)
        count = 0
        for number, record in parse(path, lines, bad):
            count += 1
            try:
                report = _record_to_report(record, path, number)
            except InputError as exc:
                self.reject(exc)
                continue
            if encoded:
                report = replace(report, meta=json.dumps({**json.loads(report.meta or "{}"), **encoded},
                                                         ensure_ascii=False))
            self.emit(report)
        if count == 0 and len(self.result.errors) == errors_before:
            self.reject(InputError(path, "no reports in file"))

    def file(self, path: Path) -> None:
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            self.records(path, self.jsonl)
        elif suffix == ".csv":
            self.records(path, self.csv_rows)
        elif suffix in {".txt", ".md"} or not path.exists():
            self.emit(self.text_file(path))
        else:
            raise InputError(path, f"unsupported file type {suffix or '(none)'} (use .txt, .md, .jsonl, .csv)")


def _csv_header(line: str) -> tuple[list[str], str]:
    """The column names of a header line and its separator: the first of :data:`CSV_DELIMITERS` that
    splits it into the required columns (else a comma)."""
    for delimiter in CSV_DELIMITERS:
        try:
            names = [n.strip() for n in next(csv.reader([line], delimiter=delimiter), [])]
        except csv.Error:
            continue
        if all(c in names for c in _REQUIRED_COLUMNS):
            return names, delimiter
    try:
        return [n.strip() for n in next(csv.reader([line]), [])], ","
    except csv.Error:
        return [], ","


def _csv_row(header: list[str], values: list[str], path: Path, line: int) -> dict | None:
    if len(values) > len(header):
        raise InputError(path, f"more fields ({len(values)}) than the header names ({len(header)})", line)
    if len(values) < len(header):
        if len(values) == 1 and not values[0].strip():
            return None  # a blank line
        raise InputError(path, f"fewer fields ({len(values)}) than the header names ({len(header)})", line)
    return dict(zip(header, values))


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


def read_reports(paths: Iterable[str | os.PathLike], strict: bool = False, progress: bool = False,
                 sink: Callable[[Report], None] | None = None) -> ReadResult:
    """Read every report under ``paths``; never raises for bad input (except with ``strict``).

    Parameters
    ----------
    paths
        Files or folders.
    strict
        Raise the first :class:`InputError` instead of collecting it.
    progress
        Show a progress bar on a terminal when reading takes more than a second.
    sink
        Called with each report as it is read (the result's ``reports`` then stay empty); an error it raises
        stops the reading and is raised as it is.
    """
    paths = [Path(p) for p in paths]
    reader = _Reader(strict, sink)
    files = list(iter_files(paths))
    bar = tqdm(files, desc="reading", unit="file", disable=not progress or None, delay=1.0, leave=False)
    for path in bar:
        _guarded(reader, path, reader.file)
    for folder in sorted({m.parent for p in paths if p.is_dir() for m in p.rglob("meta.jsonl")}):
        _guarded(reader, folder / "meta.jsonl", lambda _: reader.check_meta(folder))
    return reader.result


class _SinkError(Exception):
    """An error of a reader's sink (the store), carried through the reading untouched."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _guarded(reader: _Reader, path: Path, read) -> None:
    """``read(path)``, any failure turned into a rejection of ``path``."""
    try:
        read(path)
    except _SinkError as exc:
        raise exc.error from None
    except InputError as exc:
        reader.reject(exc)
    except OSError as exc:
        reader.reject(InputError(path, f"cannot read: {exc.strerror or exc}"))
    except RecursionError:
        reader.reject(InputError(path, "nested too deeply to read"))
    except Exception as exc:  # noqa: BLE001 (a bug: said plainly as a rejection, never a traceback)
        reader.reject(InputError(path, f"internal error while reading ({type(exc).__name__}: {exc}); "
                                       "please report it"))


def read_jsonl(path: Path) -> list[Report]:
    """Reports of a JSONL file; raises the first bad line (see :func:`read_reports` to keep going)."""
    return read_reports([path], strict=True).reports


def read_csv(path: Path) -> list[Report]:
    """Reports of a CSV file; raises the first bad row (see :func:`read_reports` to keep going)."""
    return read_reports([path], strict=True).reports


@dataclass
class IngestSummary:
    """What an ingest did: counts, the reasons for every rejection, and warnings (stored, but read in an
    encoding other than UTF-8 or cut inside the last character)."""

    new: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    new_version: list[str] = field(default_factory=list)
    rejected: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)

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
            "warnings": [{"path": e.path, "line": e.line, "reason": e.reason} for e in self.warnings],
        }


class _Storer:
    """Stores reports batch by batch, idempotently: each batch's texts and ids are looked up in the store (which
    holds the batches before it), so memory holds one batch, whatever the store's size."""

    COLUMNS = ["report_id", "version", "published", "published_precision", "source", "lang", "title", "url", "text",
               "sha256", "path", "ingested_at", "kind", "meta"]

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.summary = IngestSummary()
        self.now = datetime.now(timezone.utc).replace(tzinfo=None)

    def add(self, reports: Iterable[Report]) -> None:
        """Store ``reports`` (call inside a transaction)."""
        reports = list(reports)
        if not reports:
            return
        # joins, not `IN (SELECT unnest(?))`: DuckDB hashes the batch's keys (16 times as fast at 100,000 reports)
        known = {row[0] for row in self.con.execute(
            "SELECT DISTINCT r.sha256 FROM reports r JOIN (SELECT unnest(?) AS sha256) b USING (sha256)",
            [sorted({r.sha256 for r in reports})]).fetchall()}
        versions = dict(self.con.execute(
            "SELECT r.report_id, max(r.version) FROM reports r JOIN (SELECT unnest(?) AS report_id) b USING "
            "(report_id) GROUP BY r.report_id", [sorted({r.report_id for r in reports})]).fetchall())
        rows = []
        for report in reports:
            if report.sha256 in known:
                self.summary.duplicate.append(report.report_id)
                continue
            version = versions.get(report.report_id, 0) + 1
            versions[report.report_id] = version
            known.add(report.sha256)
            (self.summary.new if version == 1 else self.summary.new_version).append(report.report_id)
            rows.append((report.report_id, version, report.published, report.published_precision, report.source,
                         report.lang, report.title, report.url, report.text, report.sha256, report.path, self.now,
                         report.kind, report.meta))
        if rows:
            # one columnar insert: executemany goes row by row and is ~100x slower
            batch = pa.Table.from_pylist([dict(zip(self.COLUMNS, row)) for row in rows])  # noqa: F841 (read by DuckDB)
            cols = ", ".join(self.COLUMNS)
            self.con.execute(f"INSERT INTO reports ({cols}) SELECT {cols} FROM batch")


def store_reports(con: duckdb.DuckDBPyConnection, reports: Iterable[Report]) -> IngestSummary:
    """Store reports in one transaction, idempotently.

    A text already stored (same SHA-256, under any id) is a duplicate; a changed text under
    a known id becomes that id's next version; nothing is overwritten.
    """
    storer = _Storer(con)
    with transaction(con):
        storer.add(reports)
    return storer.summary


def ingest(con: duckdb.DuckDBPyConnection, paths: Iterable[str | os.PathLike], strict: bool = False,
           progress: bool = False) -> IngestSummary:
    """Read and store reports; rejected inputs are listed in the summary (or raised with ``strict``).

    Reports are stored as they are read, :data:`INGEST_BATCH` at a time, all in one transaction: memory holds
    one batch, and with ``strict`` a rejection stores nothing."""
    storer = _Storer(con)
    batch: list[Report] = []

    def keep(report: Report) -> None:
        batch.append(report)
        if len(batch) >= INGEST_BATCH:
            storer.add(batch)
            batch.clear()

    with transaction(con):
        read = read_reports(paths, strict=strict, progress=progress, sink=keep)
        storer.add(batch)
    summary = storer.summary
    summary.rejected = read.errors
    summary.warnings = read.warnings
    return summary


def latest_reports(con: duckdb.DuckDBPyConnection, report_ids: Iterable[str] | None = None) -> list[Report]:
    """The newest version of each stored report (or of the given ids)."""
    wanted, params = "", []
    if report_ids is not None:
        ids = sorted(set(report_ids))
        if not ids:
            return []
        # a join, not `IN (SELECT unnest(?))`, which DuckDB does not hash: 0.3 s against 5 s for a batch of 2,000
        # of 100,000 reports
        wanted = "JOIN (SELECT unnest(?) AS report_id) wanted USING (report_id)"
        params.append(ids)
    sql = f"""SELECT report_id, text, published, source, lang, title, url, published_precision, path,
                     sha256, version, kind, meta
              FROM reports r {wanted}
              WHERE version = (SELECT max(version) FROM reports q WHERE q.report_id = r.report_id)"""
    rows = con.execute(sql + " ORDER BY published, report_id", params).fetchall()
    return [Report(report_id=r[0], text=r[1], published=r[2], source=r[3], lang=r[4], title=r[5], url=r[6],
                   published_precision=r[7], path=r[8], sha256=r[9], version=r[10], kind=r[11], meta=r[12])
            for r in rows]
