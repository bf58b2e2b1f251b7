"""Places named in a report: gazetteer mentions, names the gazetteer lacks, and their resolution.

Mentions come from the gazetteer (``find_mentions``, ``resolve_at``). A mention inside a side's name,
a source or a predicate is not a place ("هيئة تحرير الشام", "مراسلة الميادين"). In English a mention
in lower case is a common noun ("gas field"), and a mention that runs on into more capitalised words
is part of a longer name the gazetteer does not know ("Tell Shughayb" is not "Tell"): that longer
name is kept, unresolved. Resolution keeps the gazetteer's decision and, for an unresolved place,
its best candidates with their reasons.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from gazetteer.normalize import split_feature
from tracker.extract.lexicon import Hit
from tracker.textfold import fold_key

#: feature types whose point is only an administrative centre
ADMIN = frozenset({"governorate", "district", "subdistrict"})
#: what "the city" / "the town" may refer back to (feature types of the gazetteer)
SETTLEMENT_WORDS = {"city": frozenset({"city"}), "town": frozenset({"city", "town"}),
                    "village": frozenset({"village", "town"}),
                    # Arabic calls towns and villages "مدينة" or "بلدة" freely, and admin seats are settlements too:
                    # these words name no site ("الملعب البلدي") nor quarter
                    **dict.fromkeys(("المدينه", "البلده", "القريه"),
                                    frozenset({"city", "town", "village", "subdistrict", "district"}))}
#: the reason of a site named only by its kind and where it lies ("a prison in Hasaka city")
UNNAMED_SITE = "a site named by its kind and where it lies"
#: the reason of "these two garrisons" ("این دو پادگان"): the places named just before it
COUNTED_ANAPHORA = "anaphora to the places counted"
#: lexicon groups whose words are never part of a place name
MASKING = frozenset({"actor", "attribution", "pred", "reporting", "modifier", "head", "weak", "backing",
                     "adjective", "date", "time_of_day"})
#: lower-case particles inside English transliterated names ("Deir ez-Zor", "Tal Abu Rweil al-Sharqi")
PARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "ez", "ed", "es", "an", "adh", "al-",
                       "bin", "ibn", "abu", "um", "umm", "bani", "wa", "de", "des", "e"})
_NAME_TOKEN = re.compile(r"[\w'’]+(?:-[\w'’]+)*")


@dataclass
class Place:
    """A place named in a report (folded offsets) and what the gazetteer made of it."""

    start: int
    end: int
    text: str
    mention: Any = None
    resolved: bool = False
    place_id: str | None = None
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: str | None = None  # point, subdistrict, district, governorate or region
    country: str | None = None
    feature: str | None = None  # the gazetteer's feature type (city, town, neighbourhood...)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None
    done: bool = False  # resolution tried
    site: bool = False  # a site named by a feature word ("the Shaer gas field", "مطار الطبقة")
    namesake: "Place | None" = None  # the place a site is named after ("the Tabqa military airport": Tabqa)
    alias: "Place | None" = None  # another name in brackets after it ("Girê Spî (Tal Abyad)")
    within: "Place | None" = None  # the city a quarter is said to lie in ("the Ghweiran district in Hasakah")
    count: int = 0  # how many places named before a counted anaphora refers to ("این دو پادگان": 2)

    def referring(self, start: int, end: int, why: str) -> Place:
        """This place as named again at ``[start, end)`` ("the city", "it")."""
        return replace(self, start=start, end=end, reason=why)

    def as_region(self, start: int, end: int, text: str) -> Place:
        """The region this place names ("eastern Hama", "the Hama countryside"): no point."""
        return Place(start, end, text, precision="region", reason="region-level", done=True)


def find_places(gz: Any, text: str, folded: str, to_folded: Any, to_orig: Any, hits: list[Hit],
                lang: str) -> list[Place]:
    """Places named in a report, in order (folded offsets); no resolution yet."""
    if gz is None:
        return []
    masked = sorted((h.start, h.end) for h in hits if h.group in MASKING)
    masked_starts = [m[0] for m in masked]
    reach = max((e - s for s, e in masked), default=0)
    hit_spans = _covered(hits, len(folded)) if lang == "en" else None
    ar_spans = _covered(hits, len(folded)) if lang == "ar" else None
    out: list[Place] = []
    # a Persian report is read as Persian whatever its letters or length
    mentions = gz.find_mentions(text, persian=True) if lang == "fa" else gz.find_mentions(text)
    if hit_spans is not None:
        for m in mentions:  # a name runs on into another the gazetteer knows only up to it
            hit_spans[to_folded(m.start)] = 1
    for m in mentions:
        s, e = to_folded(m.start), to_folded(m.end)
        k0, k1 = bisect.bisect_left(masked_starts, s - reach), bisect.bisect_right(masked_starts, s)
        if any(ms <= s and e <= me for ms, me in masked[k0:k1]):
            continue
        if lang == "en":
            place = _english(m, s, e, text, folded, to_folded, to_orig, hit_spans)
            if place is None or (out and out[-1].end > place.start):
                continue
            out.append(place)
        else:
            m = _direction_split(gz, text, m)
            # a name found without the article it is written with ("الحرير" as "حرير"): the place's words
            # take the article, else it stands alone as a word and cuts a longer name in two
            s0 = m.start - 2 if text[max(0, m.start - 2):m.start] == "ال" and not m.text.startswith("ال") else m.start
            e0 = m.end  # and the hamza and marks its word ends with ("الزهراء" found as "الزهرا")
            while e0 < len(text) and (text[e0] == "\u0621" or "\u064b" <= text[e0] <= "\u065f"):
                e0 += 1
            if out and out[-1].reason == LONGER_NAME and out[-1].end > to_folded(s0):
                continue  # the second word of a name begun by a prefix word (below)
            longer = _prefixed_name(text, m, e0, to_folded, ar_spans) if lang == "ar" else None
            if longer is not None:
                out.append(Place(to_folded(s0), to_folded(longer), text[s0:longer], reason=LONGER_NAME, done=True))
                continue
            out.append(Place(to_folded(s0), to_folded(e0), text[s0:e0], mention=m))
    return out


#: Arabic words that begin village names ("عين دقنة", "تل شعير", "كفر كرمين"): found alone, before a word the
#: gazetteer does not join to them, they are the start of a name it lacks, not a village called "عين" or "تل"
#: (nor is "تل" a village in "سيطروا على تل استراتيجي", a hill)
_NAME_PREFIXES = frozenset({"عين", "تل", "كفر", "دير", "ام", "ابو", "بير", "بئر", "خربه", "خربة", "جب", "راس", "بيت",
                            "مزرعه", "مزرعة", "قصر", "حوش"})


def _prefixed_name(text: str, m: Any, e0: int, to_folded: Any, covered: bytearray | None) -> int | None:
    """The end of a name a prefix word begins ("عين" + "دقنة"), or None when the mention is no bare prefix
    word or a grammar word, a number or punctuation follows it."""
    if fold_key(m.text) not in _NAME_PREFIXES or covered is None:
        return None
    nxt = re.match(r"[ \u00a0]+([\u0621-\u064a\u064b-\u065f]{2,})", text[e0:e0 + 40])
    if not nxt or covered[to_folded(e0 + nxt.start(1))]:
        return None
    return e0 + nxt.end(1)


#: Arabic direction words that, bare after a name and before another, say where the first lies
#: ("مدينة الباب شرقي حلب": al-Bab, east of Aleppo)
_AR_DIRECTIONS = ("شرقي", "غربي", "شمالي", "جنوبي", "شرق", "غرب", "شمال", "جنوب")


def _direction_split(gz: Any, text: str, m: Any) -> Any:
    """"الباب شرقي حلب" is al-Bab east of Aleppo, not the name "باب شرقي" after an article: a mention
    ending on a bare direction word that another name follows is read again without that word."""
    words = m.text.split()
    if len(words) < 2 or words[-1] not in _AR_DIRECTIONS or not re.match(r"\s+\w", text[m.end:m.end + 3]):
        return m
    w0 = m.start
    while w0 > 0 and not text[w0 - 1].isspace():
        w0 -= 1  # the word's proclitics and article
    head = text[w0:m.start + len(m.text) - len(words[-1])].rstrip()
    again = [x for x in gz.find_mentions(head) if x.start == 0 or x.start == m.start - w0]
    if not again:
        return m
    return replace(again[0], start=again[0].start + w0, end=again[0].end + w0)


#: lexicon words that a name does not run on into (with those of :data:`MASKING`)
_COVERING = MASKING | frozenset({"status", "stop", "locator", "region", "from", "by", "to", "feature", "aux", "adverb",
                                 "filler", "country", "directional", "opponent", "date", "not_name_continuation"})


def _covered(hits: list[Hit], n: int) -> bytearray:
    """One byte per folded character: 1 where a lexicon word (not a plain place word) covers it."""
    marks = bytearray(n + 1)
    for h in hits:
        if h.group in _COVERING:
            marks[h.start:h.end] = b"\x01" * (h.end - h.start)
    return marks


def _english(m: Any, s: int, e: int, text: str, folded: str, to_folded: Any, to_orig: Any,
             covered: bytearray) -> Place | None:
    """An English mention as a place, or None when it is not a proper name here; a name running on into
    more capitalised words (before or after) is kept whole and unresolved."""
    raw = text[m.start:m.end]
    if not any(ch.isupper() for ch in raw):
        return None
    o0, o1 = m.start, m.end
    # forward: "Tell" + "Shughayb"
    while True:
        nxt = re.match(r"[ \u00a0-]+([\w'’]+)", text[o1:o1 + 40])
        if not nxt:
            break
        word = nxt.group(1)
        w0 = o1 + nxt.start(1)
        f0 = to_folded(w0)
        if covered[f0] or not (word[0].isupper() or word.lower() in PARTICLES and _capital_after(text, o1 + nxt.end(1))):
            break
        o1 = o1 + nxt.end(1)
    # backward: "Deir el-" + "Zour"
    while True:
        before = re.search(r"([\w'’]+)[ \u00a0-]+$", text[max(0, o0 - 40):o0])
        if not before:
            break
        word = before.group(1)
        w0 = o0 - len(before.group(0))
        f0 = to_folded(w0)
        if covered[f0] or not (word[0].isupper() or word.lower() in PARTICLES):
            break
        if word.lower() in PARTICLES and not word[0].isupper():
            # a particle alone before the name: "al-Bab" is the name with its article
            o0 = w0
            continue
        if _sentence_initial(text, w0) and word.lower() in ("the", "a", "in", "on", "at", "by"):
            break
        o0 = w0
    if (o0, o1) == (m.start, m.end):
        return Place(s, e, raw, mention=m)
    if text[o0:m.start].strip(" -\u00a0").lower() in PARTICLES and o1 == m.end:
        return Place(to_folded(o0), e, text[o0:o1], mention=m)  # the article before a known name
    return Place(to_folded(o0), to_folded(o1), text[o0:o1],
                 reason=LONGER_NAME, done=True)


def _capital_after(text: str, pos: int) -> bool:
    nxt = re.match(r"[ \u00a0-]+(\w)", text[pos:pos + 10])
    return bool(nxt and nxt.group(1).isupper())


def _sentence_initial(text: str, pos: int) -> bool:
    head = text[max(0, pos - 3):pos].strip()
    return not head or head[-1] in ".!?\n\"'"


#: why a name running on past a gazetteer mention is kept unresolved (until looked up as a whole)
LONGER_NAME = "part of a longer name the gazetteer does not know"
#: an Arabic object with the article and no head word ("سيطروا على الشدادي"): a place only if the gazetteer's
#: name matching finds one
BARE_NAME = "a bare name after the predicate, kept only if the gazetteer finds it"
#: candidates this close are one place recorded twice
SAME_SPOT_KM = 3.0


def distance_km(la: float, oa: float, lb: float, ob: float) -> float:
    """Great-circle distance in km."""
    p = math.pi / 180
    h = math.sin((lb - la) * p / 2) ** 2 + math.cos(la * p) * math.cos(lb * p) * math.sin((ob - oa) * p / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def _same_spot(a: Any, b: Any) -> bool:
    la, oa, lb, ob = (getattr(a, "lat", None), getattr(a, "lon", None), getattr(b, "lat", None),
                      getattr(b, "lon", None))
    if None in (la, oa, lb, ob) or la != la or lb != lb:
        return False
    return distance_km(la, oa, lb, ob) <= SAME_SPOT_KM


def unresolve(place: Place, why: str) -> None:
    """Take back a resolution the text contradicts; the place keeps its words and no point."""
    place.resolved, place.place_id, place.name, place.lat, place.lon = False, None, None, None, None
    place.precision = place.feature = None
    place.reason = why


#: the gazetteer's feature types of sites, as opposed to settlements and admin units
SITE_TYPES = frozenset({"hill", "mountain", "military_base", "airport", "industry", "oil_field", "dam",
                        "border_crossing", "bridge", "roundabout"})
#: candidate reasons that only say a name sounds alike; too weak to name a site
_WEAK_REASONS = frozenset({"same consonants", "final vowel agrees"})


def locate_site(gz: Any, site: Place, words: str, text: str) -> None:
    """A site ("the al-Omar oil field", "سد تشرين", "the Tabqa military airport"): the gazetteer's own
    record of it when one site record leads; else, named after a place the gazetteer knows, the point of
    that namesake, marked approximate and with no place id (the site is not the town)."""
    if gz is not None and hasattr(gz, "lookup") and words.strip():
        res = gz.lookup(words.strip(), context=text)
        sites = [c for c in getattr(res, "candidates", None) or []
                 if getattr(c, "feature_type", None) in SITE_TYPES
                 and not set(getattr(c, "reasons", None) or []) <= _WEAK_REASONS]
        fitting = [c for c in sites if any(r.startswith("feature word fits") for r in c.reasons)]
        # "the Tabqa military airport" is the air base, not the Tabqa dam; "the Tal Abyad border crossing"
        # is no hill named Tell Abyad: a site of another kind than the words say is no record of it
        sites = fitting or ([] if split_feature(words.strip())[1] else sites)
        if sites and (len(sites) == 1 or sites[0].score > sites[1].score or _same_spot(sites[0], sites[1])):
            _take(sites[0], site)
            site.reason = f"the gazetteer's {sites[0].feature_type} record of the site"
            return
    near = site.namesake
    if near is None:
        lookup(gz, site, text, words)  # "حي الوعر": a name with its head, any kind of place
        return
    if not near.resolved or near.lat is None or near.feature in ADMIN:
        return
    site.lat, site.lon, site.precision = near.lat, near.lon, "point"
    site.reason = f"approximate: the point of {near.name or near.text}, which the site is named after"


#: a quarter lies this close to the point of the city it is said to be in
QUARTER_KM = 15.0
#: a site said to lie near a place ("اللواء 93 قرب بلدة عين عيسى") is this close to it
SITE_NEAR_KM = 30.0


def locate_within(place: Place) -> None:
    """A quarter the gazetteer cannot place ("the Ghweiran neighbourhood in Hasakah city", "حي غويران
    بمدينة الحسكة"): the point of the city it is said to lie in, marked approximate and with no place id
    (taking a quarter is not taking the city). A quarter of that name in another city ("the Sinaa
    neighbourhood in Hasakah city" is not Deir ez-Zor's Sinaa), or a site of that name far from the place
    it is said to be near (another brigade of that number), is taken back first; so is a village of that
    name far from the city ("the Dahiyat al-Assad district of Aleppo" is not the village near Damascus),
    and any place a longer name fell back on; not a town or city named as such ("the Afrin district of
    Aleppo" is the district of the town)."""
    city = place.within
    reach = SITE_NEAR_KM if place.feature in SITE_TYPES or place.site and not place.resolved else \
        QUARTER_KM if place.feature in ("neighbourhood", "village", None) or place.mention is None else None
    if reach is not None and city is not None and city.resolved and city.feature not in ADMIN and \
            None not in (place.lat, city.lat) and distance_km(place.lat, place.lon, city.lat, city.lon) > reach:
        # (a site placed by its namesake too: "سجن الصناعة في الحسكة" is not at Hama's Sinaa quarter)
        unresolve(place, f"a place of that name lies far from {city.name or city.text}, where the text puts it")
    if place.resolved or place.lat is not None or city is None or not city.resolved or city.lat is None or \
            city.feature in ADMIN:
        return
    place.lat, place.lon, place.precision = city.lat, city.lon, "point"
    place.reason = f"approximate: the point of {city.name or city.text}, the city the quarter lies in"


def in_syria(gz: Any, place: Place, text: str) -> None:
    """A place a side takes or enters is the Syrian one when its name allows: "Ras al-Ain" beside
    "Turkish troops" is the Syrian town, not Ceylanpınar across the border that once bore the name."""
    if gz is None or not hasattr(gz, "lookup") or place.country in (None, "SY") or not place.text.strip():
        return
    res = gz.lookup(place.text.strip(), context=text)
    syrian = [c for c in getattr(res, "candidates", None) or [] if getattr(c, "country", None) in (None, "SY")
              and c.feature_type not in ADMIN and "exact name" in (c.reasons or [])]
    if syrian and (len(syrian) == 1 or syrian[0].score > syrian[1].score):
        _take(syrian[0], place)
        place.reason = "the Syrian place of that name (a place taken lies in Syria when its name allows)"


def take_alias(gz: Any, place: Place) -> None:
    """A name that found no place takes the one its bracket names ("Girê Spî (Tal Abyad)"), unless that
    bracket names a governorate: "al-Jabin (Hama)" locates, the village is not the city of Hama."""
    alias = place.alias
    if place.resolved or alias is None or not alias.resolved or alias.mention is None:
        return
    for pid in alias.mention.place_ids:
        try:
            if gz.place(pid).get("feature_type") == "governorate":
                return
        except KeyError:
            continue
    place.resolved, place.place_id, place.name = True, alias.place_id, alias.name
    place.lat, place.lon, place.precision, place.country, place.feature = (
        alias.lat, alias.lon, alias.precision, alias.country, alias.feature)
    place.reason = f"its other name in brackets: {alias.text}"


def lookup(gz: Any, place: Place, text: str, words: str | None = None, in_named_unit: bool = False) -> None:
    """A name no mention covered ("al-Qaryatain", "Kfar Nabouda", "Kobanê"), looked up by the gazetteer's
    bare-name matching (transliteration, skeleton) in the report's context; kept only when one place
    leads, else its candidates. ``words`` is the name when it is not the place's text. With
    ``in_named_unit``, kept only when the place lies in an admin unit the passage names (a close spelling
    there, where the exact namesakes lie elsewhere)."""
    words = (words if words is not None else place.text).strip()
    if gz is None or not hasattr(gz, "lookup") or not words:
        return
    res = gz.lookup(words, context=text)
    best = getattr(res, "best", None)
    if in_named_unit and (best is None or not any(r.endswith("named nearby") and r.startswith("in ")
                                                  for r in getattr(best, "reasons", None) or [])):
        return
    _apply(res, place)
    if place.resolved:
        place.reason = f"looked up by name: {place.reason}"


def locate_by_head(gz: Any, place: Place, text: str) -> None:
    """A name the gazetteer lacks that begins with a town or city it knows ("Daraa al Balad", "Homs Old
    Souq"): a part of that town, at its point, marked approximate, with no place id."""
    words = place.text.split()
    if place.resolved or place.lat is not None or gz is None or not hasattr(gz, "lookup") or len(words) < 2:
        return
    for n in (2, 1):
        if len(words) <= n:
            continue
        best = getattr(gz.lookup(" ".join(words[:n]), context=text), "best", None)
        if best is not None and best.feature_type in ("city", "town") and best.country in (None, "SY") and \
                best.coord_precision == "point" and \
                {"exact name", "same name in another spelling"} & set(best.reasons or []):
            place.lat, place.lon, place.precision = best.lat, best.lon, "point"
            place.reason = f"approximate: the point of {best.name_en}, whose name it begins with"
            return


def resolve(gz: Any, place: Place, text: str, nearby: list[tuple[float, float]]) -> None:
    """Resolve a mention with the gazetteer, in place; a foreign place keeps its own coordinates, a place
    known only by its district's or governorate's centre is not pinned there."""
    place.done = True
    if gz is None or place.mention is None:
        return
    _apply(gz.resolve_at(place.mention, text, nearby, scored=False), place)


def _apply(res: Any, place: Place) -> None:
    """What a gazetteer resolution decided, on the place."""
    place.reason = str(getattr(res, "reason", "") or "") or place.reason
    best = getattr(res, "best", None)
    ambiguous = best is None or bool(getattr(res, "ambiguous", False))
    cands = list(getattr(res, "candidates", None) or [])
    if ambiguous and len(cands) >= 2 and _same_spot(cands[0], cands[1]):
        best, ambiguous = cands[0], False  # two records of one spot ("Kasab"): no need to choose
        place.reason = f"{place.reason}; the two leading records lie within {SAME_SPOT_KM:g} km"
    if ambiguous:
        place.candidates = [
            {"place_id": c.place_id, "name_en": getattr(c, "name_en", None), "lat": getattr(c, "lat", None),
             "lon": getattr(c, "lon", None), "score": getattr(c, "score", None),
             "reasons": list(getattr(c, "reasons", []) or [])}
            for c in list(getattr(res, "candidates", None) or [])[:5]
        ]
        return
    _take(best, place)


def _take(best: Any, place: Place) -> None:
    """A gazetteer candidate as the place's resolution."""
    place.resolved = True
    place.place_id = best.place_id
    place.name = getattr(best, "name_en", None) or getattr(best, "name_ar", None)
    place.lat, place.lon = getattr(best, "lat", None), getattr(best, "lon", None)
    place.country = getattr(best, "country", None)
    ftype = getattr(best, "feature_type", None)
    place.feature = ftype
    coord = getattr(best, "coord_precision", None) or "point"
    place.precision = ftype if ftype in ADMIN else (coord if coord in ADMIN else "point")
    if coord in ("district", "governorate") and ftype not in ADMIN:
        place.lat = place.lon = None
    if place.lat is not None and place.lat != place.lat:  # NaN: no coordinates
        place.lat = place.lon = None
