"""Evidence: how much a claim weighs, which sources are trusted, and claims as one frame.

The source profiles are in ``data/sources.toml``; every rule is written down with its reason in
``docs/control-model.md``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from gazetteer.normalize import skeleton
from tracker import vocab
from tracker.control.days import to_date
from tracker.control.rules import side_of
from tracker.records import Claim


#: A place is major (its change needs more evidence) when it is a city, or a settlement of at least this many people.
MAJOR_POPULATION: int = 20_000


def sources() -> dict[str, Any]:
    """The source profiles (``data/sources.toml``)."""
    return vocab.data_file("sources.toml")


@lru_cache(maxsize=4096)
def source_profile(text: str | None) -> tuple[str | None, str, float]:
    """(source key, side it speaks for or '', base weight) for an attribution or report source text."""
    conf = sources()
    if text:
        for key, entry in conf["sources"].items():
            for alias in entry["aliases"]:
                if re.search(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", text, re.IGNORECASE):
                    return key, entry.get("side", ""), float(entry.get("weight", 1.0))
    return None, "", float(conf["default"]["weight"])


def claim_source(claim: Mapping[str, Any]) -> tuple[str | None, str, float]:
    """The profile that speaks for a claim: its attribution's (SANA inside a wire story), else its report's source."""
    key, side, weight = source_profile(claim.get("attribution"))
    if key is None:
        key, side, weight = source_profile(claim.get("source"))
    return key, side, weight


def source_identity(claim: Mapping[str, Any]) -> str:
    """Who a claim's evidence comes from: its profile, else its report's source as written, else its report."""
    key, _, _ = claim_source(claim)
    if key is not None:
        return key
    src = claim.get("source")
    return str(src).strip().casefold() if src else f"report:{claim.get('report_id')}"


def independent(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether claim ``b`` corroborates claim ``a``: another report, from another source."""
    return a.get("report_id") != b.get("report_id") and source_identity(a) != source_identity(b)


def trusted(claim: Mapping[str, Any], gaining: str) -> bool:
    """Whether the claim's source is trusted, on its own, for a gain of ``gaining`` (``sources.toml``: a neutral
    source for every side, a partisan source for every side but its own, an unknown source for none, unless the
    profile lists ``trusted_for``)."""
    key, side, _ = claim_source(claim)
    conf = sources()
    if key is None:
        return bool(conf["default"].get("trusted", False))
    listed = conf["sources"][key].get("trusted_for")
    if listed is not None:
        return gaining in listed
    return not side or side != gaining


def claim_weight(claim: Mapping[str, Any], loser: str | None) -> float:
    """Weight of a claim in a conflict: source weight x claim confidence, less for a partisan claiming its
    own side's gain, more for a partisan admitting its own side's loss (``loser`` lost the place)."""
    factors = sources()["factors"]
    _, side, weight = claim_source(claim)
    holder = claim.get("holder")
    if side and holder == side:
        weight *= factors["partisan_gain"]
    elif side and loser == side and holder != side:
        weight *= factors["admission"]
    conf = claim.get("confidence")
    return weight * (float(conf) if conf is not None and not pd.isna(conf) else 0.5)


def major_places(places: pd.DataFrame) -> set[str]:
    """Place ids of the major places: cities, and settlements of :data:`MAJOR_POPULATION` or more."""
    major = pd.Series(False, index=places.index)
    if "feature_type" in places:
        major |= places["feature_type"].eq("city")
    if "population" in places:
        major |= pd.to_numeric(places["population"], errors="coerce").fillna(0) >= MAJOR_POPULATION
    return set(places.index[major.to_numpy()])


def named_in_clause(claim: Mapping[str, Any]) -> bool:
    """Whether the claim's quote (its clause) names its place: False when the place came from the context
    ("took the city" after a sentence naming it)."""
    text, quote = claim.get("place_text"), claim.get("quote")
    if not text or not quote:
        return True  # nothing to check against
    return str(text).casefold() in str(quote).casefold()


def listed_claims(claims: pd.DataFrame, province_names: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """Claim ids that share their clause with claims of other places for the same action, in a list that reads as
    provinces: their quotes overlap in one report, and one of the places is named as a governorate is ("a pocket
    spanning Hama, Idlib and Aleppo"; "IS's control of Mosul, Raqqa and Deir ez-Zor"). A list of towns that are not
    province names ("ISIL lost al-Qa'im and Abu Kamal") is a list of towns.

    ``province_names``: the consonant skeletons of the governorates' names (:func:`province_names`)."""
    out: set[str] = set()
    need = {"report_id", "action", "start", "end", "place_id", "claim_id"}
    if claims.empty or not need <= set(claims.columns):
        return out
    df = claims[claims["place_id"].notna() & claims["start"].notna() & claims["end"].notna()]
    # only a report's action naming a province (few of them) ...
    texts_of = df.get("place_text", pd.Series([None] * len(df), index=df.index))
    skeletons = {t: skeleton(t) for t in texts_of.dropna().unique() if isinstance(t, str)}
    df = df.assign(skeleton_=[skeletons.get(t, "") if isinstance(t, str) else "" for t in texts_of.to_numpy(object)])
    df = df[df["skeleton_"].isin(province_names).groupby([df["report_id"], df["action"]], sort=False)
            .transform("any").to_numpy(bool)]
    # ... and two places or more can make a list
    df = df[df.groupby(["report_id", "action"], sort=False)["place_id"].transform("nunique").to_numpy() >= 2]
    for _, grp in df.groupby(["report_id", "action"], sort=False):
        g = grp.sort_values("start")
        starts, ends = g["start"].to_numpy(float), g["end"].to_numpy(float)
        pids, cids = g["place_id"].to_numpy(object), g["claim_id"].to_numpy(object)
        texts = g["skeleton_"].to_numpy(object)
        # groups of overlapping quotes (a clause), then the whole group when it names a province
        group_of = list(range(len(g)))
        for i in range(len(g)):
            j = i + 1
            while j < len(g) and starts[j] < ends[i]:
                group_of[j] = group_of[i]
                j += 1
        members: dict[int, list[int]] = {}
        for i, k in enumerate(group_of):
            members.setdefault(k, []).append(i)
        for idx in members.values():
            if len({pids[i] for i in idx}) > 1 and any(texts[i] in province_names for i in idx):
                out.update(cids[i] for i in idx)
    return out


def province_names(places: pd.DataFrame) -> frozenset[str]:
    """The consonant skeletons (``gazetteer.normalize.skeleton``: spellings compare equal) of the English and
    Arabic names of the governorates in ``places``."""
    if "feature_type" not in places:
        return frozenset()
    gov = places[places["feature_type"].eq("governorate")]
    names = {skeleton(n) for col in ("name_en", "name_ar") if col in gov for n in gov[col].dropna()}
    names.discard("")
    return frozenset(names)


def claim_id_for(claim: Mapping[str, Any]) -> str:
    """A stable id for a claim record that has none (hash of report, version, span, action and place)."""
    key = "|".join(str(claim.get(k)) for k in ("report_id", "report_version", "start", "end", "action", "place_id"))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def shared_objects(column: pd.Series) -> np.ndarray:
    """A column as python objects, None where missing (``astype(object)`` with NaN as None), equal values sharing
    one object: an actor, source or place named in thousands of claims is held once (at 400,000 claims, a
    gigabyte less than one string per cell)."""
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except TypeError:  # lists or other unhashable values: each its own object
        return column.astype(object).where(column.notna(), None).to_numpy(object)
    values = np.append(np.asarray(uniques, dtype=object), None)  # code -1 (missing) takes the None at the end
    return values[codes]


def shared_dates(column: pd.Series) -> np.ndarray:
    """A column of dates (``date``, ``Timestamp``, text) as python dates, None where missing, one object per day
    (a day named by thousands of claims is held once)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return np.array([to_date(v) for v in uniques] + [None], dtype=object)[codes]


#: The keys a claim row holds in slots (the columns of the claims the control stage reads, then what the fold
#: adds); any other key goes to the row's own dict.
ROW_KEYS: tuple[str, ...] = (
    "claim_id", "report_id", "actor", "action", "status", "place_text", "place_id", "place_precision", "date",
    "date_precision", "distance_km", "quote", "start", "end", "attribution", "source", "published", "confidence",
    "opponent", "region_id", "region_direction", "reported", "side", "rank", "holder", "holder_side", "weight",
    "_outcome", "part_of", "note",
)


class ClaimRow(Mapping):
    """One claim as the fold reads it: a mapping like ``DataFrame.to_dict("records")`` gives (``c["place_id"]``,
    ``c.get(...)``, ``{**c}``, ``c[k] = v``), its values in slots: 288 bytes for 30 slots against 832 for a dict of
    the 23 keys a stored claim has (400,000 claims are 0.2 GB less). A key never set is missing, as in a dict."""

    __slots__ = (*ROW_KEYS, "__dict__")
    # attribute access in C: the fold reads keys millions of times
    __getitem__ = object.__getattribute__
    __setitem__ = object.__setattr__

    def __iter__(self) -> Any:
        for k in ROW_KEYS:
            try:
                object.__getattribute__(self, k)
            except AttributeError:
                continue
            yield k
        yield from getattr(self, "__dict__", {})

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and hasattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)

    def keys(self) -> Any:
        return list(self)

    def __getstate__(self) -> dict:
        return dict(self.items())

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)

    def __repr__(self) -> str:
        return f"ClaimRow({dict(self.items())!r})"


def with_values(claim: Mapping[str, Any], **values: Any) -> Mapping[str, Any]:
    """A copy of a claim row with ``values`` set (``{**claim, **values}``; a :class:`ClaimRow` copy stays one, a
    third of a dict's size: the fold makes one for every part of a town a capture takes)."""
    if not isinstance(claim, ClaimRow):
        return {**claim, **values}
    row = ClaimRow.__new__(ClaimRow)
    for k, v in (*claim.items(), *values.items()):
        object.__setattr__(row, k, v)
    return row


def claim_rows(claims: pd.DataFrame) -> list[ClaimRow]:
    """The rows of a :func:`claims_frame` as :class:`ClaimRow` mappings (what ``to_dict("records")`` gives, in
    less memory)."""
    columns = [str(c) for c in claims.columns]
    rows: list[ClaimRow] = []
    new, put = ClaimRow.__new__, object.__setattr__
    for values in zip(*(claims[c].to_numpy(object) for c in claims.columns)):
        row = new(ClaimRow)
        for k, v in zip(columns, values):
            put(row, k, v)
        rows.append(row)
    return rows


def claims_frame(claims: Iterable[Claim] | pd.DataFrame | None) -> pd.DataFrame:
    """Claims as one DataFrame with ``claim_id``, python ``date``/``reported`` dates and the acting ``side``.

    Accepts :class:`~tracker.records.Claim` objects, dicts, or a DataFrame (the ``claims`` table's columns,
    ``quote_start``/``quote_end`` or ``start``/``end``).
    """
    if claims is None:
        df = pd.DataFrame()
    elif isinstance(claims, pd.DataFrame):
        df = claims  # not copied: the frame below is a new one
    else:
        df = pd.DataFrame([dict(vars(c)) if isinstance(c, Claim) else dict(c) for c in claims])
    df = df.rename(columns={"quote_start": "start", "quote_end": "end"})
    for col in ("claim_id", "report_id", "actor", "action", "status", "place_id", "place_precision", "date",
                "date_precision", "distance_km", "quote", "start", "end", "attribution", "source", "published",
                "confidence", "opponent", "place_text"):
        if col not in df.columns:
            df[col] = None
    df = pd.DataFrame({col: shared_objects(df[col]) for col in df.columns}, index=df.index, dtype=object)
    if len(df):
        missing = df["claim_id"].isna()
        df.loc[missing, "claim_id"] = [claim_id_for(r) for r in df.loc[missing].to_dict("records")]
    df["date"] = shared_dates(df["date"])
    df["published"] = shared_dates(df["published"])
    # report time: the report's publication date; chronicles have none, so their sentence's own date
    df["reported"] = [p if p is not None else d for p, d in zip(df["published"], df["date"])]
    df["side"] = [side_of(a) for a in df["actor"]]
    return df.reset_index(drop=True)

