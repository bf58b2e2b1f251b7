"""Context phrases that place a mention: relative positions, borders and banks of the Euphrates.

``relative_phrases`` finds "45 km south-east of", "30 كم جنوب", "۴۵ کیلومتری شمال", "north of", "شمال شرق" in a
normalised text; the resolver ties each to the mention before it (the place described) and the
mention after it (the anchor) and favours candidates near the point the phrase gives.
``geo_cues`` reads border phrases ("on the Jordanian border", "الحدود مع تركيا") and bank phrases
("east of the Euphrates", "الضفة الشرقية لنهر الفرات") from the words of a text.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .normalize import DATA, norm, qualifier

#: bearings (degrees from north) of the direction words, after normalisation (ة->ه, ی->ي)
_BEARING = {"north": 0.0, "east": 90.0, "south": 180.0, "west": 270.0,
            "شمال": 0.0, "شرق": 90.0, "جنوب": 180.0, "غرب": 270.0}
_EN_DIR = r"(north|south|east|west)(?:ern)?(?: ?-? ?(east|west)(?:ern)?)?"
_AR_DIR = r"(?:ال)?(شمال|جنوب|شرق|غرب)(?:ي|يه)?(?: (?:ال)?(شرق|غرب)(?:ي|يه)?)?"
_NUMBER = r"(\d+)(?: (\d))?"   # "2.5" is "2 5" after normalisation
#: (words one of which the phrase holds, pattern): a text without any of the words is not scanned
_RELATIVE = [
    # 45 km south-east of | 45 kilometres (28 miles) north of | 45km from
    (("km", "kilomet", "mile"),
     re.compile(rf"\b{_NUMBER} ?(km|kms|kilometers?|kilometres?|miles?)(?: \d+ (?:miles?|km))? "
                rf"(?:to the )?(?:{_EN_DIR} )?(?:of|from) (?:the (?:city|town|village) of )?")),
    # north of | to the south-east of
    (("north", "south", "east", "west"),
     re.compile(rf"\b(?:to the )?{_EN_DIR} of (?:the (?:city|town|village) of )?")),
    # على بعد 45 كم جنوب شرق | 45 كيلومترا شمال | 30 كم من
    (("كم", "كيلو"),
     re.compile(rf"(?:علي بعد )?{_NUMBER} ?(كم|كيلو ?مترا?ت?|كيلو)(?: (?:الي|في) )?(?: {_AR_DIR})? ?"
                rf"(?:من |عن |ل)?(?:مدينه |بلده |قريه )?")),
    # ۴۵ کیلومتری جنوب شرقی
    (("كيلومتر",), re.compile(rf"{_NUMBER} ?(كيلومتري|كيلومتر)(?: {_AR_DIR})? ?(?:شهر |استان )?")),
    # (في|در) شمال شرق | جنوب غربي: a direction word before the anchor's name
    (("شمال", "جنوب", "شرق", "غرب"),
     re.compile(rf"(?<!\S)(?:في |الي |در |به )?{_AR_DIR} (?:مدينه |بلده |شهر |استان )?")),
]
_DIRECTION_ONLY = (1, 4)   # the patterns above with no distance
_MILE_KM = 1.609


@dataclass(frozen=True)
class Relative:
    """A relative phrase at ``start:end`` of the original text: ``km`` (None: direction only) in
    direction ``bearing`` (degrees from north; None: distance only) of the place named next."""

    start: int
    end: int
    km: float | None
    bearing: float | None
    words: str


def _bearing(first: str | None, second: str | None) -> float | None:
    if not first:
        return None
    a = _BEARING[first]
    if not second:
        return a
    b = _BEARING[second]
    # north-east: between 0 and 90; south-west: between 180 and 270
    if abs(a - b) > 180:
        a, b = (a + 360, b) if a < b else (a, b + 360)
    return ((a + b) / 2) % 360


def relative_phrases(ntext: str, pos) -> list[Relative]:
    """Relative phrases of a normalised text (``pos`` maps its characters back to the original)."""
    out: list[Relative] = []
    taken: list[tuple[int, int]] = []
    for k, (needles, rx) in enumerate(_RELATIVE):
        if not any(w in ntext for w in needles):
            continue
        for m in rx.finditer(ntext):
            s, e = m.span()
            if e - s < 4 or any(s < b and a < e for a, b in taken):
                continue
            groups = m.groups()
            if k in _DIRECTION_ONLY:
                km_, bearing = None, _bearing(groups[0], groups[1])
            else:
                whole, tenth, unit, d1, d2 = groups[:5]
                km_ = float(whole) + (float(tenth) / 10 if tenth else 0.0)
                if unit.startswith("mile"):
                    km_ *= _MILE_KM
                bearing = _bearing(d1, d2)
            if km_ is not None and not 0 < km_ <= 300:
                continue
            taken.append((s, e))
            out.append(Relative(int(pos[s]), int(pos[e - 1]) + 1, km_, bearing, ntext[s:e].strip()))
    out.sort(key=lambda r: r.start)
    return out


def offset_point(anchor: tuple[float, float], km_: float, bearing: float) -> tuple[float, float]:
    """The point ``km_`` from ``anchor`` (lat, lon) towards ``bearing`` (degrees from north)."""
    lat, lon = anchor
    dy = km_ * math.cos(math.radians(bearing)) / 111.2
    dx = km_ * math.sin(math.radians(bearing)) / (111.2 * math.cos(math.radians(lat)))
    return lat + dy, lon + dx


def bearing_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Degrees from north of the direction from ``a`` to ``b`` (lat, lon)."""
    dy = b[0] - a[0]
    dx = (b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.degrees(math.atan2(dx, dy)) % 360


def angle_apart(a: float, b: float) -> float:
    """The smaller angle between two bearings, in degrees."""
    d = abs(a - b) % 360
    return min(d, 360 - d)


def geo_cues(words: list[str], offsets: list[int], cue_at: list[int], kinds: list[tuple[str, str]]) \
        -> list[tuple[int, str, str]]:
    """Border and bank phrases among a text's words: ``(offset, "border", country)`` where a border
    word ("border", "الحدود", "مرز") has a country word within three words, and ``(offset, "bank",
    E|W)`` where "Euphrates" ("الفرات") has a bank word (east, شرق, الشرقيه, left... / west...)
    within three words before it or two after.

    ``cue_at`` are the indices of the context words among ``words`` and ``kinds`` their (kind, value).
    """
    by_index = dict(zip(cue_at, kinds))
    out = []
    for k, (kind, _) in zip(cue_at, kinds):
        if kind == "border":
            near = [by_index[j] for j in range(k - 3, k + 4) if j in by_index and by_index[j][0] == "country"]
            if near:
                out.append((offsets[k], "border", near[0][1]))
        elif kind == "river":
            near = [by_index[j] for j in (*range(k - 3, k), k + 1, k + 2) if j in by_index
                    and by_index[j][0] == "bank"]
            if near:
                out.append((offsets[k], "bank", near[-1][1]))
    return out


#: a direction word right before an admin unit's name ("southern Idlib", "جنوب إدلب", "شمال غربي حماة",
#: "جنوب استان ادلب"): the part of the unit the passage speaks of ("south of Idlib" is a relative phrase)
_REGION_BEFORE = re.compile(rf"(?:(?<![a-z]){_EN_DIR}|(?<!\S){_AR_DIR}) (?:(?:استان|محافظه|ريف|شهرستان) )?$")
REGION_NOUNS = ("countryside", "rural", "ريف", "الريف", "حومه")


def region_direction(before: str, name: str) -> str | None:
    """The direction letters ("S", "NW") a passage gives an admin unit it names: a direction word just
    before the name ("southern Idlib", "جنوب إدلب"; ``before`` is the normalised text before it), or in a
    region phrase that is the mention itself ("ريف حماة الشمالي", "the northern Hama countryside")."""
    m = _REGION_BEFORE.search(before[-40:])
    if m:
        g = [x for x in m.groups() if x]
        letters = {"north": "N", "south": "S", "east": "E", "west": "W",
                   "شمال": "N", "جنوب": "S", "شرق": "E", "غرب": "W"}
        return "".join(sorted({letters[x] for x in g}, key="NSEW".index)) or None
    words = norm(name).split()
    if any(w in REGION_NOUNS for w in words):
        return region_core(name)[1]
    return None


@lru_cache(maxsize=1)
def region_words() -> dict[str, str]:
    """Normalised words of region phrases -> the admin level they name ("" for none: countryside, the)."""
    with open(DATA / "region_words.csv", encoding="utf-8") as fh:
        return {norm(r["word"]): r["level"] for r in csv.DictReader(fh)}


_DIR_LETTERS = {"north": "N", "south": "S", "east": "E", "west": "W", "northern": "N", "southern": "S",
                "eastern": "E", "western": "W"}


def region_core(name: str) -> tuple[str, str | None, str | None]:
    """Split a region phrase into (the admin unit's name, direction letters, level named):
    "the southern Idleb countryside" -> ("idleb", "S", None); "ريف حلب الشرقي" -> ("حلب", "E", None);
    "Deir ez-Zor province" -> ("deir ez zor", None, "governorate")."""
    words, letters, level = [], [], None
    for w in norm(name).replace("-", " ").split():
        bare = w[2:] if w.startswith("ال") and len(w) > 3 else w
        if w in region_words():
            level = region_words()[w] or level
            continue
        d = _DIR_LETTERS.get(w) or (qualifier(bare) if qualifier(bare) in ("N", "S", "E", "W") else None)
        if d:
            letters.append(d)
            continue
        words.append(w)
    direction = "".join(sorted(set(letters), key="NSEW".index)) or None
    return " ".join(words), direction, level
