"""A multilingual Syrian gazetteer: normalisation, build from sources, mention index, resolution.

Public API (stable; the extractor codes against it)::

    gazetteer.build(sources_dir, folder)         # build from <sources_dir>/geo into folder
    gaz = gazetteer.load(folder)                 # cached per process; validated
    gaz, built = gazetteer.ensure_built(folder, sources_dir)   # load, (re)building when needed
    gaz.find_mentions(text) -> list[Mention]
    gaz.resolve(mention_or_name, Context(text=..., start=..., end=..., nearby=[...], front=[...]))
    gaz.lookup("الطيبة", context="...") -> Resolution
    gaz.place("C5193") -> dict

The gazetteer is a library: it takes every path as a parameter and raises its own errors
(:mod:`gazetteer.errors`). A build is written into a hidden folder beside its target and renamed into
place only when complete, with a manifest (size and SHA-256 of every file, the code hash) written
last; :func:`load` checks the manifest, so a build cut short is never trusted.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

# load the build module before defining build(): otherwise a later "import gazetteer.build" would
# replace the function attribute with the module
from . import build as _build_module  # noqa: E402
from .errors import GazetteerError, MissingDataError
from .index import Mention, MentionIndex
from .normalize import (
    features_fit,
    is_arabic,
    latin_key,
    latin_keys,
    levenshtein,
    name_key,
    norm,
    qualifier,
    skeleton,
    split_feature,
)
from .phrases import region_core, region_words
from .resolve import ADMIN_TYPES, Candidate, Context, Resolution, Resolver, qualifier_match

__all__ = ["Gazetteer", "Mention", "Context", "Candidate", "Resolution", "load", "build", "ensure_built", "code_hash",
           "check", "GazetteerError", "MissingDataError"]

_CACHE: dict[str, "Gazetteer"] = {}

#: Written last into a build: the code hash and the size and SHA-256 of every other file.
MANIFEST = "manifest.json"
#: The files a build must hold.
BUILD_FILES = ("places.parquet", "meta.json", "links.csv")


def code_hash() -> str:
    """A hash of this package's code and data: a build made by other code is stale."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".csv", ".toml", ".json"}):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _file_digest(path: Path) -> dict:
    return {"bytes": path.stat().st_size, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _damage(folder: Path) -> str | None:
    """What is wrong with the build in ``folder`` (missing, cut short, altered), or None when whole."""
    if not (folder / "places.parquet").exists():
        return "not built"
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"no valid {MANIFEST}: the build was cut short or made by an older version"
    for name in BUILD_FILES:
        path = folder / name
        if not path.exists():
            return f"{name} is missing"
        if name not in files or _file_digest(path) != files[name]:
            return f"{name} differs from the manifest (truncated or changed after the build)"
    return None


def check(folder: str | Path) -> str | None:
    """Why the build in ``folder`` cannot be used as it is (missing, incomplete, damaged, built by
    other gazetteer code), or None when it is current and whole."""
    folder = Path(folder)
    problem = _damage(folder)
    if problem is not None:
        return problem
    stamp = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("code_hash")
    return None if stamp == code_hash() else "built by other gazetteer code"


@contextlib.contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    """One build of ``folder`` at a time, across processes; the lock dies with its process."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # a second build waits for the first
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sweep(folder: Path) -> list[Path]:
    """Remove what killed builds left beside ``folder`` (call with the build lock held: no build is alive)."""
    gone = []
    for pattern in (f".{folder.name}.building-*", f".{folder.name}.old-*",
                    f"{folder.name}.building-*", f"{folder.name}.old-*"):  # the last two: older versions' names
        for stray in folder.parent.glob(pattern):
            shutil.rmtree(stray, ignore_errors=True) if stray.is_dir() else stray.unlink(missing_ok=True)
            gone.append(stray)
    return gone


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _build_locked(sources_dir: Path, folder: Path, progress: bool) -> dict:
    _sweep(folder)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.building-", dir=folder.parent))
    try:
        stats = _build_module.build(sources_dir, tmp, progress=progress)
        manifest = {"code_hash": code_hash(), "files": {name: _file_digest(tmp / name) for name in BUILD_FILES}}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        for path in tmp.iterdir():
            _fsync(path)
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's folder is private; a build is not
        old = folder.with_name(f".{folder.name}.old-{tmp.name.rsplit('-', 1)[-1]}")
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        _fsync(folder.parent)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _CACHE.clear()
    return stats


def build(sources_dir: str | Path, out_dir: str | Path, progress: bool = False) -> dict:
    """Build the gazetteer from ``<sources_dir>/geo`` into ``out_dir``; returns the statistics
    (see :mod:`gazetteer.build`).

    The build goes to a hidden folder beside ``out_dir`` that replaces it only when complete, so an
    interrupted build never leaves a half-written gazetteer; what killed builds left there is removed
    first. Builds of one folder run one at a time (a second waits).
    """
    folder = Path(out_dir)
    with _build_lock(folder):
        return _build_locked(Path(sources_dir), folder, progress)


def ensure_built(out_dir: str | Path, sources_dir: str | Path, progress: bool = False) -> tuple["Gazetteer", bool]:
    """Load the gazetteer in ``out_dir``, building it first when it is missing, incomplete, damaged or
    was built by other gazetteer code. Returns the gazetteer and whether it was built now."""
    folder = Path(out_dir)
    if check(folder) is None:
        return load(folder), False
    with _build_lock(folder):
        if check(folder) is None:  # another process built it while this one waited
            return load(folder), False
        _build_locked(Path(sources_dir), folder, progress)
    return load(folder), True


def load(path: str | Path) -> "Gazetteer":
    """Load (once per process) the built gazetteer in folder ``path`` (or its ``places.parquet``).

    Raises
    ------
    gazetteer.errors.MissingDataError
        When the gazetteer has not been built, or its build is incomplete or damaged (checked against
        its manifest): it is never half-read.
    """
    folder = Path(path)
    if folder.suffix == ".parquet":
        folder = folder.parent
    file = folder / "places.parquet"
    with contextlib.suppress(OSError):
        cached = _CACHE.get(f"{file.resolve()}:{file.stat().st_mtime_ns}")
        if cached is not None:
            return cached
    problem = _damage(folder)
    if problem == "not built":
        raise MissingDataError(f"no gazetteer at {folder}: run `tracker gazetteer build` first")
    if problem is not None:
        raise MissingDataError(f"the gazetteer at {folder} is incomplete or damaged ({problem}): "
                               "run `tracker gazetteer build` to rebuild it")
    try:
        places = pd.read_parquet(file)
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 (pyarrow's and json's errors: one message for any of them)
        raise MissingDataError(f"the gazetteer at {folder} cannot be read ({exc}): "
                               "run `tracker gazetteer build` to rebuild it") from None
    if _CACHE:
        gc.unfreeze()  # the gazetteer replaced may be collected again
    _CACHE.clear()
    key = f"{file.resolve()}:{file.stat().st_mtime_ns}"
    _CACHE[key] = Gazetteer(places, meta)
    # The gazetteer lives as long as the process: out of the cyclic collector's sight, its ~10^5
    # objects are not walked at every full collection (on 1,000 reports that walk cost 0.4 s).
    gc.freeze()
    return _CACHE[key]


class Gazetteer:
    """The built gazetteer: places table, mention index and resolver."""

    def __init__(self, places: pd.DataFrame, meta: dict | None = None) -> None:
        places = places.copy()
        places["alt_names"] = [list(a) if a is not None else [] for a in places["alt_names"]]
        self.places = places.set_index("place_id", drop=False)
        self.meta = meta or {}
        self.version = str(self.meta.get("version", "unversioned"))
        clean = self.places.astype(object).where(self.places.notna(), None)
        clean["alt_names"] = self.places["alt_names"]
        self._records = {pid: r for pid, r in zip(clean.index, clean.to_dict("records"))}
        self.index = MentionIndex(self.places)
        self._by_key: dict[str, set[str]] = defaultdict(set)
        self._by_skel: dict[str, set[str]] = defaultdict(set)
        self._by_base: dict[str, set[str]] = defaultdict(set)   # a qualified name's key without it
        self._site_core: dict[str, set[str]] = defaultdict(set)  # a site's name without its feature word
        for pid, alts in zip(self.places.index, self.places["alt_names"]):
            for n in alts:
                key = name_key(n)
                self._by_key[key].add(pid)
                words = key.split()
                if len(words) > 1 and qualifier(words[-1]):
                    self._by_base[" ".join(words[:-1])].add(pid)
                core, ftype = split_feature(n)
                sk = skeleton(core)
                if sk.split("~")[0]:
                    self._by_skel[sk].add(pid)
                if ftype and core != norm(n):
                    self._site_core[self._core_key(core)].add(pid)
        self._resolver = Resolver(self)

    def find_mentions(self, text: str, persian: bool | None = None) -> list[Mention]:
        """Every gazetteer name in ``text`` (spans are offsets into ``text``). ``persian=True`` reads the
        text as Persian whatever its letters (a one-line report, Persian typed with Arabic yeh and kaf):
        names written without their Arabic article ("بوکمال") are found; None judges by the letters."""
        return list(self._resolver._prepare(text, persian)["found"])

    def resolve(self, mention: Mention | str, context: Context | str | None = None) -> Resolution:
        """Rank the places ``mention`` may mean in ``context`` (a report text or a :class:`Context`)."""
        if isinstance(context, str):
            context = Context(text=context)
        if isinstance(mention, Mention):
            if context is not None and context.start is None and context.text:
                context = Context(context.text, mention.start, mention.end, context.nearby, context.front)
            return self._resolver.resolve(mention, context, mention.place_ids, mention.exact_ids or
                                          mention.place_ids, mention.text, mention.via, mention.qualifier)
        ids, exact, via, qual, loose = self._lookup_ids(mention)
        if context is not None and context.start is None and context.text:
            at = context.text.find(mention)
            if at >= 0:
                context = Context(context.text, at, at + len(mention), context.nearby, context.front)
        return self._resolver.resolve(None, context, ids, exact, mention, via, qual, loose)

    def resolve_at(self, mention: Mention, text: str, nearby: list[tuple[float, float]],
                   scored: bool = True) -> Resolution:
        """:meth:`resolve` of a mention found in ``text``, after places already resolved at ``nearby``
        ((lat, lon) tuples; a report's resolver extends this list as it goes): no :class:`Context` made.
        ``scored=False`` leaves a lone candidate unscored (the decision is the same; a plain village
        alone is still scored, as it may be too far from the report's places to stand)."""
        return self._resolver.resolve_at(text, mention.start, mention.end, nearby, [], mention.place_ids,
                                         mention.exact_ids or mention.place_ids, mention.text, mention.via,
                                         mention.qualifier, scored)

    def lookup(self, name: str, context: str | None = None) -> Resolution:
        """Resolve a bare name, optionally inside a context text."""
        return self.resolve(name, context)

    def find_places(self, name: str, context: str | None = None, admin: bool = False) -> Resolution:
        """The places a person means by ``name``: one name lookup for the command line, the Python
        API and SQL joins.

        A place id gives that place. A name is resolved as :meth:`lookup` does (every spelling,
        importance, ``context``); admin units are left out unless ``admin`` is set. ``best`` is the
        place when the name decides it; otherwise ``candidates`` are ranked by score (the name's
        match and the place's importance), each with its admin path (``Candidate.admin_path``).
        """
        if name in self._records:
            only = self._resolver.candidates_for((name,))[0]
            return Resolution(name, [only], only, False, "place id")
        res = self.lookup(name, context)
        if admin:
            return res
        cands = [c for c in res.candidates if c.feature_type not in ADMIN_TYPES]
        best = res.best if res.best is not None and res.best.feature_type not in ADMIN_TYPES else None
        if best is None and res.best is not None and cands:
            # the name means an admin unit first; among the places, the first leads as the unit did
            best = cands[0] if len(cands) == 1 else None
        return Resolution(res.query, cands, best, best is None and len(cands) > 1, res.reason, res.direction)

    def region(self, name: str, context: str | None = None) -> Resolution:
        """The admin unit a region phrase names: "Idlib governorate", "the Afrin countryside",
        "southern Idleb", "ريف حلب الشرقي", "eastern Ghouta" (Open-Syria's name of a subdistrict).

        :meth:`lookup` among governorates, districts and subdistricts; when the phrase as a whole
        names none, its admin and direction words are set apart (:func:`gazetteer.phrases.region_core`)
        and the rest is looked up. A level word (governorate, district...) keeps that level; otherwise
        a governorate is preferred to a district or subdistrict of the same name. ``direction`` holds
        the direction the phrase adds (E, SW...).
        """
        res = self.lookup(name, context)
        units = [c for c in res.candidates if c.feature_type in ADMIN_TYPES]
        direction = res.direction
        core, words_direction, level = region_core(name)
        if not units and core and core != norm(name):
            units = [c for c in self.lookup(core, context).candidates if c.feature_type in ADMIN_TYPES]
        if level:
            units = [c for c in units if c.feature_type == level] or units
        direction = direction or words_direction
        if not units:
            return Resolution(name, [], None, False, "no admin unit of that name", direction)
        rank = {"governorate": 0, "district": 1, "subdistrict": 2}
        top = max(c.score for c in units)
        # among the units as good as the best (the same name at several levels), the highest level
        units.sort(key=lambda c: (c.score < top - 0.05, rank[c.feature_type], -c.score))
        if direction:
            # a direction in the unit's own name ("eastern Ghouta") is no part of the unit; the region
            # phrases among its names ("ريف حلب الشرقي") do not count
            own = [n for n in self._records[units[0].place_id]["alt_names"]
                   if not set(norm(n).split()) & set(region_words())]
            if all(qualifier_match({"alt_names": own}, d) for d in direction):
                direction = None
        return Resolution(name, units, units[0], False, f"admin unit ({units[0].feature_type})", direction)

    def names_frame(self) -> pd.DataFrame:
        """Every spelling of every place: ``place_id, name, script (ar | latin), key`` (the Arabic name
        key or the Latin transliteration key under which lookups find it), for the ``place_names`` table."""
        rows = []
        for pid, alts in zip(self.places.index, self.places["alt_names"]):
            for n in alts:
                arabic = is_arabic(n)
                rows.append((pid, n, "ar" if arabic else "latin", name_key(n) if arabic else latin_key(n)))
        return pd.DataFrame(rows, columns=["place_id", "name", "script", "key"])

    def place(self, place_id: str) -> dict:
        """The full row of one place (``KeyError`` when unknown)."""
        return dict(self._records[place_id])

    def _lookup_ids(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...], str, str | None, frozenset[str]]:
        """Candidates for a free-text name, by how well they match it.

        Returns (every candidate, those named so, how: ``name`` / ``latin`` / ``skeleton`` / ``fuzzy``,
        a qualifier the name adds, the candidates that only resemble it). Named: the same normalised
        name, or (Latin) the same transliteration key (:func:`gazetteer.normalize.latin_keys`); then the
        name without a trailing qualifier; resembling: the same consonant skeleton (places abroad are
        named exactly or not at all); and when nothing else matches, a Latin spelling one letter apart
        (two for long names).
        """
        key = name_key(name)
        core, ftype = split_feature(name)
        exact = set(self._by_key.get(key, ()))
        if not exact and core != norm(name):
            exact = set(self._by_key.get(name_key(core), ()))
        if ftype:
            # "Tabqa military airport" names the record "Tabqa Airbase": the same core, a fitting feature
            exact |= {p for p in self._site_core.get(self._core_key(core), ())
                      if features_fit(ftype, self._records[p]["feature_type"])}
        via = "name"
        latin = not is_arabic(name)
        base_ids: set[str] = set()
        if latin:
            for k in latin_keys(core) or latin_keys(name):
                ids, named = self.index.latin_ids(k)
                if named and not exact:
                    via = "latin"
                exact |= set(named)
                base_ids |= set(ids) - set(named)
                if ids:
                    break
        qual = None
        words = norm(core).split()
        if len(words) > 1:
            last = words[-1][2:] if words[-1].startswith("ال") else words[-1]
            qual = qualifier(last)
            if qual and not exact:
                base_ids |= set(self._by_key.get(name_key(" ".join(words[:-1])), ()))
        if not latin:
            base_ids |= self._by_base.get(key, set()) - exact   # "الباغوز": al-Baghuz Fawqani, Tahtani
        sk = skeleton(core)
        skel_ids = {p for p in self._by_skel.get(sk, ()) if not self._abroad(p)} \
            if len(sk.split("~")[0]) >= 2 else set()
        if ftype and not latin:
            # "سد تشرين": a site the map knows by its Latin name only ("Tishrin Dam"), read by its consonants
            exact |= {p for p in skel_ids if features_fit(ftype, self._records[p]["feature_type"])}
        if exact or base_ids:
            # beside a named place, only a spelling close to the name is worth listing
            loose = {p for p in skel_ids - exact - base_ids if self._close_spelling(p, core, 1)} if latin else set()
        elif latin:
            loose = skel_ids | set(self.index.fuzzy_ids(latin_key(core)))
            via = "skeleton" if skel_ids else "fuzzy"
        else:
            via, exact, loose = "skeleton", skel_ids, set()
        ids = exact | base_ids | loose
        return tuple(sorted(ids)), tuple(sorted(exact)), via, qual, frozenset(loose)

    @staticmethod
    def _core_key(core: str) -> str:
        return name_key(core) if is_arabic(core) else latin_key(core)

    def _close_spelling(self, place_id: str, name: str, limit: int = 2) -> bool:
        """Whether one of the place's transliteration keys is at most ``limit`` edits from ``name``'s."""
        key = latin_key(name)
        return any(levenshtein(key, k, limit) <= limit for k in self.index.latin_of.get(place_id, ()))

    def _abroad(self, place_id: str) -> bool:
        country = self._records[place_id]["country"]
        return bool(country) and country != "SY"
