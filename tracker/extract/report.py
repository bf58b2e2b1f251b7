"""Claims of one report: the frames of its sentences, their open roles filled from the report, dated,
given a status, and written as :class:`tracker.records.Claim` rows with the exact quote.

Reading a report:

1. fold it (:mod:`tracker.textfold`), find every lexicon word (:mod:`.lexicon`), date phrase
   (:mod:`tracker.dates`), actor phrase (:mod:`.actors`) and place (:mod:`.places`);
2. cut it into sentences, the headline and captions included (:mod:`.segment`);
3. read each sentence holding a predicate as chunks (:mod:`.chunks`) with the grammar of its language
   (:mod:`.grammar`): one frame per predicate;
4. resolve places in text order, each with the points of the places before it as context;
5. fill what a frame leaves open from the report: "the city" is the last place taken in the paragraph;
   a passive or nominal without its side takes the side of the frame before it in the paragraph, else
   a side named in the sentence, else the side the report is about (the one its frames name most,
   the headline's counting twice); a loss gives the place to the side named with it ("lost X to the
   army"), else to that context side; a side never takes a place from itself;
6. date each claim (:mod:`.dating`), give it a status (:mod:`.status`), an attribution and a confidence.
"""

from __future__ import annotations

import bisect
import functools
import gc
import re
from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any

from tracker import dates as dates_mod
from tracker.extract import actors as actors_mod
from tracker.extract.chunks import Chunk, chunk
from tracker.extract.dating import Dating
from tracker.extract.grammar import Frame, grammar, settlement_kinds
from tracker.extract.lexicon import Hit, lexicon
from tracker.extract.places import (
    ADMIN,
    BARE_NAME,
    COUNTED_ANAPHORA,
    LONGER_NAME,
    QUARTER_KM,
    UNNAMED_SITE,
    Place,
    distance_km,
    find_places,
    in_syria,
    locate_by_head,
    locate_site,
    locate_within,
    lookup,
    resolve,
    take_alias,
    unresolve,
)
from tracker.extract.segment import Sentence, sentences
from tracker.extract.status import BACKGROUND_DAYS, forecast, reaction, status
from tracker.records import Claim, Report
from tracker.textfold import Offsets, fold, fold_key
from tracker import vocab
from tracker.vocab import TERRITORIAL

LANGS = ("ar", "fa", "en")
#: what may open a sentence before the place it is about ("The town of", "The strategic city of")
_OPENING = re.compile(r"^\W*(?:the\s+)?(?:[a-z-]+\s+){0,3}?(?:town|city|village|stronghold)?\s*(?:of\s+)?$|^\W*$")
#: kinds of settlement by which a place taken but not named is named later ("the town of X")
_KINDS = frozenset({"town", "city", "village"})
#: kinds of sites an unnamed object may be, named by the next sentence ("captured a strategic hilltop ... Tallet
#: X, which rises ...")
_SITE_KINDS = frozenset({"hill", "hilltop", "summit", "peak", "mountain", "airbase", "airport"})
#: characters between "under"/"in" and the "control"/"hands" of a state phrase ("under the full control of the SDF")
_UNDER_REACH = 40
#: how far from the place a side denies losing the other sides' captures are refuted
DENIAL_KM = 25.0
_PROCLITIC_AL = re.compile(r"^(?:وب|فب|ب|و|ف|ل)(?=ال)")
#: characters back into the paragraph before for what "the city" refers to
_ANAPHORA_REACH = 600


#: the word after a cue
_NEXT_WORD = re.compile(r"\W*(\w+)")
#: "the town fell to them": the side a place fell to, as a pronoun
_TO_THEM = re.compile(r"\s+(?:to\s+)?them\b")
_BE = frozenset({"was", "were", "is", "are", "be", "been", "being", "has been", "have been", "had been"})


def extract_report(report: Report, gazetteer: Any | None = None) -> list[Claim]:
    """Every claim in one report.

    Parameters
    ----------
    report
        The report (its ``lang`` picks the lexicon; ``kind == 'chronicle'`` dates each sentence by its
        own words, the year carried from the sentence before or the article's period).
    gazetteer
        A loaded gazetteer (``find_mentions``, ``resolve_at``); None keeps place words unresolved.

    Returns
    -------
    list[Claim]
        In text order; ``quote == report.text[start:end]``.

    Notes
    -----
    The cyclic garbage collector is paused while the report is read: reading makes many short-lived
    objects that reference counting frees, and walking them cost about a tenth of the time.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _Reader(report, gazetteer).claims()
    finally:
        if paused:
            gc.enable()


#: what separates the words of a source's name ("hawar-anha-ar", "حمص-سانا")
_NOT_WORD = re.compile(r"[\W_]+")
#: a word after a header's speaker: then the line says more than who speaks
_WORDS_LEFT = re.compile(r"\w{2,}")
#: words of a counted phrase of people before the side it includes ("some 2,000 people, among them 300 ...")
_COUNT = frozenset({"some", "about", "around", "nearly", "almost", "over", "more", "than", "at", "least", "up", "to",
                    "dozens", "hundreds", "thousands", "tens", "a", "few", "several", "many", "of", "and", "as",
                    "well", "along", "together", "with", "their", "the"})


class _Reader:
    def __init__(self, report: Report, gz: Any | None) -> None:
        self.report = report
        self.gz = gz
        self.lang = report.lang if report.lang in LANGS else "en"
        self.lex = lexicon(self.lang)
        self.grammar = grammar(self.lex)
        self.text = report.text
        self.folded, offsets = fold(report.text)
        self.off = Offsets(report.text, offsets)
        self.hits = self.lex.find(self.folded, self.text, self.off.orig)
        self._by_group: dict[str, list[Hit]] = {}  # the hits of each group, in order: one pass over them
        for h in self.hits:
            self._by_group.setdefault(h.group, []).append(h)
        reporting = sorted((h.start, h.end) for h in self.hits_of("reporting"))
        self.dating = Dating(report, self.folded, self.off.orig, self.lang, reporting,
                             frozenset(fold_key(w) for w in self.lex.data["words"].get("aside", [])))
        self.actors = actors_mod.phrases(self.hits, self.folded, self.lex, report.published)
        date_hits = [Hit(d.start, d.end, "date", None) for d in self.dating.mentions]
        self.places = find_places(gz, self.text, self.folded, self.off.folded, self.off.orig, self.hits + date_hits,
                                  self.lang)
        self.sentences = sentences(self.folded, self.lang, report.kind)
        # sentences worth reading: a predicate, or "under"/"in" a side's "control"/"hands" ("X now under SAA
        # control", read by the grammar's under-phrases)
        controls = [h.start for h in self.hits_of("control")]
        self.pred_starts = sorted([h.start for h in self.hits_of("pred")] + [
            h.start for h in self.hits_of("under") if
            (k := bisect.bisect_right(controls, h.end)) < len(controls) and controls[k] - h.end <= _UNDER_REACH])
        self.attributions = self.hits_of("attribution")
        self.locator_ends = sorted(h.end for h in self.hits_of("locator"))
        self.directional_ends = sorted(h.end for h in self.hits_of("directional"))
        # locators that say where a place lies relative to another ("west of", "ريف"), not plain "in"
        self.relative_ends = sorted(h.end for h in self.hits_of("locator") if
                                    self.folded[h.start:h.end] not in _PLAIN_IN)
        self.to_ends = sorted(h.end for h in self.hits_of("to"))
        self.nearby: list[tuple[float, float]] = []
        self._title: list[Place] | None = None  # the place the title names, found when first needed
        self._plural_words = frozenset(fold_key(w) for w in self.lex.data["words"].get("anaphora_plural", []))
        self._dual_words = frozenset(fold_key(w) for w in self.lex.data["words"].get("anaphora_dual", []))
        self._first_person = frozenset(fold_key(w) for w in self.lex.data["words"].get("first_person", []))
        self._topic_words = frozenset(fold_key(w) for w in self.lex.data["words"].get("claim_topic", []))

    def hits_of(self, group: str) -> list[Hit]:
        """The lexicon hits of ``group``, in order."""
        return self._by_group.get(group, [])

    # ------------------------------------------------------------------
    def claims(self) -> list[Claim]:
        read: list[tuple[Sentence, list[Chunk], list[Frame]]] = []
        for sent in self.sentences:
            k = bisect.bisect_left(self.pred_starts, sent.start)
            if k == len(self.pred_starts) or self.pred_starts[k] >= sent.end:
                continue
            ch = chunk(sent.start, sent.end, self.folded, self.text, self.off.orig, self.hits, self.actors,
                       self.places, self.dating.mentions, self.lang)
            frames = self.grammar.frames(ch, sent, self.folded)
            if frames:
                read.append((sent, ch, frames))
        if not read:
            return []
        self._resolve_places(read)
        self._withdrawn_after_entry(read)
        self._fighting_goes_on(read)
        # a chronicle (an encyclopedia article) tells of many sides in turn: no one side is its topic
        topic = self._topic(read) if self.report.kind != "chronicle" else None
        out: list[Claim] = []
        previous: dict[int, Frame] = {}  # paragraph -> its last frame with a side of its own
        self._left: dict[int, str] = {}  # paragraph -> the side its last withdrawal took out
        by_sentence = {id(s): (ch, frames) for s, ch, frames in read}
        for sent in self.sentences:
            self.dating.enter(sent)
            got = by_sentence.get(id(sent))
            if got is not None:
                ch, frames = got
                told = len(out)
                for f in frames:
                    if f.complete and not forecast(ch, f) and not reaction(ch, f):
                        out.extend(self._claims(f, ch, sent, previous.get(sent.paragraph), topic, frames))
                    if f.agent is not None and f.agent_how not in (None, "context"):
                        previous[sent.paragraph] = f
                    if f.complete and f.action == "withdraw" and f.loser is not None and f.loser.side and \
                            not f.loser.generic:
                        self._left[sent.paragraph] = f.loser.side
                out[told:] = _advance_taken(out[told:])
            self.dating.leave(sent)
        return _dedupe(self._history_told(self._denied_next(self._losses_denied(out))))

    def _denied_next(self, claims: list[Claim]) -> list[Claim]:
        """A sentence that opens by denying what was just said ("The army said it took X. The rebels denied the
        claim", "... ووصف الرواية الرسمية بأنها كاذبة") refutes the captures and advances of the sentence before
        it, those of the denier's own side and its allies apart (docs/annotation.md: a denial may correct the
        report of a change)."""
        cues = self.hits_of("refuted_back")
        if not cues or not claims:
            return claims
        starts = [x.start for x in self.sentences]
        for h in cues:
            k = bisect.bisect_right(starts, h.start) - 1
            if k < 1:
                continue
            sent, before = self.sentences[k], self.sentences[k - 1]
            lo, cue, hi = self.off.orig(sent.start), self.off.orig(h.start), self.off.orig(before.start)
            if any(lo <= c.start < cue and c.action in TERRITORIAL for c in claims):
                continue  # the sentence's own claim is the one denied (status.py)
            nxt = _NEXT_WORD.match(self.folded, h.end)
            if nxt and nxt.group(1) in self._topic_words:
                continue  # "denied the claims of heavy losses": a denial about something else
            denier = next((a.side for a in reversed(self.actors) if sent.start <= a.start < h.start and a.side), None)
            for n, c in enumerate(claims):
                if hi <= c.start < lo and c.status == "asserted" and c.action in ("capture", "advance") and \
                        (denier is None or not vocab.allied(c.actor, denier)):
                    claims[n] = replace(c, status="refuted")
        return claims

    def _history_told(self, claims: list[Claim]) -> list[Claim]:
        """A report that recalls a place's earlier changes in order ("In May 2015 IS took Palmyra ... in December
        2016 it fell again. On March 2, the army regained control over Palmyra") tells the rest of that history
        as recalled too: a change of that place dated :data:`~tracker.extract.status.BACKGROUND_DAYS` or more
        before publication, after a recalled change of it, is background even with its day written out."""
        published = self.report.published
        if self.report.kind == "chronicle" or published is None:
            return claims
        recalled: set[str] = set()
        for k, c in enumerate(claims):
            if c.place_id is None:
                continue
            if c.status == "background":
                recalled.add(c.place_id)
            elif c.status == "asserted" and c.place_id in recalled and c.date is not None and \
                    (published - date.fromisoformat(c.date)).days >= BACKGROUND_DAYS:
                claims[k] = replace(c, status="background")
        return claims

    def _losses_denied(self, claims: list[Claim]) -> list[Claim]:
        """Captures the report's own words deny: a side that "denied losing any areas ... in X" refutes the other
        sides' captures the report tells of within :data:`DENIAL_KM` of X (or anywhere, when it names no place)."""
        denials = self.hits_of("loss_denied")
        if not denials or not claims:
            return claims
        for h in denials:
            sent = next((x for x in self.sentences if x.start <= h.start < x.end), None)
            if sent is None:
                continue
            denier = next((a.side for a in reversed(self.actors) if sent.start <= a.start < h.start and a.side), None)
            if denier is None:
                continue
            scope = next((p for p in self.places if h.end <= p.start < sent.end and p.lat is not None), None)
            for k, c in enumerate(claims):
                if c.status == "asserted" and c.action in ("capture", "advance") and not vocab.allied(c.actor, denier) \
                        and (scope is None or c.lat is None and c.start < h.start or c.lat is not None and
                             distance_km(c.lat, c.lon, scope.lat, scope.lon) <= DENIAL_KM):
                    claims[k] = replace(c, status="refuted")
        return claims

    @staticmethod
    def _withdrawn_after_entry(read: list[tuple[Sentence, list[Chunk], list[Frame]]]) -> None:
        """An entry or advance into a place whose other side's withdrawal from it the next sentence tells
        ("HTS entered Afrin. The Third Legion withdrew from its bases in the city") takes the place over, as
        the same sentence's "entered X after the Y withdrew" does."""
        for (sent, _ch, frames), (nxt, _ch2, after) in zip(read, read[1:]):
            if nxt.paragraph != sent.paragraph or nxt.start - sent.end > 2:
                continue
            for f in frames:
                if f.construction not in ("verb", "entry") or f.action != "advance" or f.agent is None or not f.places or \
                        any(role != "whole" for _, role in f.places):
                    continue
                entered = {p.place_id for p, _ in f.places if p.place_id}
                if any(g.action == "withdraw" and g.loser is not None and g.loser.side and
                       g.loser.side != f.agent.side and entered & {p.place_id for p, role in g.places
                                                                   if role != "directional"} for g in after):
                    f.action, f.entered = "capture", True

    def _fighting_goes_on(self, read: list[tuple[Sentence, list[Chunk], list[Frame]]]) -> None:
        """An entry read as a capture stays an advance when its paragraph goes on to say the fighting goes
        on ("... entered al-Bab. Clashes are still going on inside the city"); a near-total capture ("took
        almost complete control of X", "90 percent of X was cleared", "almost completely ousted from X") takes
        only part of the place when the report says anywhere that the fighting goes on."""
        ongoing = sorted(h.start for h in self.hits_of("ongoing"))
        if not ongoing:
            return
        for sent, ch, frames in read:
            end = max(s.end for s in self.sentences if s.paragraph == sent.paragraph)
            i = bisect.bisect_left(ongoing, sent.start)
            if i < len(ongoing) and ongoing[i] < end:
                for f in frames:
                    if f.entered:
                        f.action, f.entered = "advance", False
            for f in frames:
                if f.action in ("capture", "withdraw") and self._near_total(ch, f):
                    f.places = [(p, "partial" if role == "whole" else role) for p, role in f.places]

    @staticmethod
    def _near_total(ch: list[Chunk], f: Frame) -> bool:
        """Whether the frame takes its place all but wholly: a hedge just before the predicate or inside
        its object before the place ("almost completely ousted", "nearly total control of", "90 percent of")."""
        first = min((p.start for p, _ in f.places), default=None)
        if first is None:
            return False
        lo = min(f.index, next((k for k, c in enumerate(ch) if c.start >= first), f.index))
        near = [c for c in ch[max(0, lo - 4):] if c.start < first and c is not ch[f.index]]
        for k, c in enumerate(near):
            words = c.text.replace("‘", " ").replace("“", " ").split()
            if c.kind == "word" and words and words[0] in ("almost", "nearly", "virtually"):
                return True
            if c.kind == "word" and c.text.isdigit() and 75 <= int(c.text) < 100 and k + 1 < len(near) and \
                    (near[k + 1].has("share") or near[k + 1].text in ("percent", "per", "%")):
                return True
        return False

    # ------------------------------------------------------------------ places
    def _resolve_places(self, read: list[tuple[Sentence, list[Chunk], list[Frame]]]) -> None:
        """Resolve every place mention in text order, then what the frames' anaphora refer to."""
        for p in self.places:
            if not p.done:
                resolve(self.gz, p, self.text, self.nearby)
                if p.resolved and p.lat is not None and p.country in (None, "SY") and (p.lat, p.lon) not in self.nearby:
                    self.nearby.append((p.lat, p.lon))
        quarters = [(h.start, h.end) for h in self.hits_of("quarter")]
        for p in self.places:
            if quarters and p.resolved and p.feature != "neighbourhood" and p.lat is not None and \
                    any(0 <= s - p.end <= 2 or 0 <= p.start - e <= 2 for s, e in quarters) and \
                    fold_key(p.text.split()[0]) not in _CITY_HEADS and not self._near_other(p, QUARTER_KM):
                # ("أحياء مدينة X", the quarters of the city X, names the city)
                unresolve(p, f"a quarter named like {p.name}, which lies far from the places its paragraph names")
        targets: list[tuple[int, int, Place]] = []  # (paragraph, start, place) of the places frames took
        for sent, _ch, frames in read:
            for f in frames:
                if not f.complete:
                    continue
                resolved = []
                for place, role in f.places:
                    if place.reason == "anaphora" and place.text in self._dual_words:
                        place.count = 2  # "لتدخل ... إلى البلدتين": the two places named before
                        resolved.extend((p, role) for p in self._counted_places(place, sent))
                        continue
                    if place.reason == "anaphora" and place.text in self._plural_words:
                        for p in self._previous_sentence_places(place, sent):
                            resolved.append((p, role))
                        continue
                    if place.reason == COUNTED_ANAPHORA:
                        for p in self._counted_places(place, sent):
                            resolved.append((p, role))
                        continue
                    if place.reason in ("anaphora", "unnamed definite"):
                        found = self._antecedent(place, sent, targets)
                        if found is None and place.reason == "unnamed definite":
                            found = self._next_named(place, sent)
                        if found is None:
                            continue
                        place = found
                    elif place.reason == "unnamed":
                        kind = place.text.split()[-1].rstrip("s") if place.text else ""
                        if kind not in _KINDS and kind not in _SITE_KINDS and kind.isascii() and kind:
                            continue  # "captured a textile factory": no town named next is the factory
                        found = self._next_named(place, sent)
                        if found is None:
                            continue
                        place = found
                    if place.resolved and f.action in TERRITORIAL:
                        in_syria(self.gz, place, self.text)
                    if place.reason == UNNAMED_SITE:
                        pass  # no name to look up: where it lies is all there is (below)
                    elif place.site:
                        locate_site(self.gz, place, self._words(place), self.text)
                        take_alias(self.gz, place)
                    elif place.reason == BARE_NAME:
                        lookup(self.gz, place, self.text)
                        if not place.resolved:
                            continue  # "سيطروا على المواقع": no name
                    elif place.mention is None and not place.resolved and role != "region" and \
                            place.reason in ("not in the gazetteer", LONGER_NAME):
                        lookup(self.gz, place, self.text)
                        take_alias(self.gz, place)
                        locate_by_head(self.gz, place, self.text)
                    elif place.mention is not None and not place.resolved and place.candidates and role != "region":
                        # namesakes the context cannot tell apart: a close spelling in the admin unit the
                        # passage names may be meant ("Ar-Rusafa (Mansura, Ar-Raqqa)": Resafa)
                        lookup(self.gz, place, self.text, in_named_unit=True)
                    if not place.resolved and place.alias is not None:
                        take_alias(self.gz, place)  # "عدرا (عدرا العمالية)": the bracket's name decides
                    if place.within is None and not place.resolved and place.lat is None and role != "region" \
                            and self._called_quarter(place, quarters):
                        place.within = self._one_city(place)  # "seized the Dahiyat al-Assad district" (of Aleppo)
                    if place.within is not None:
                        locate_within(place)
                    resolved.append((place, role))
                    if role != "region" and not (role == "directional" and f.action == "withdraw"):
                        # (where a withdrawal went is not what "the city" after it names)
                        targets.append((sent.paragraph, place.start, place))
                f.places = resolved

    def _called_quarter(self, p: Place, quarters: list[tuple[int, int]]) -> bool:
        """Whether a quarter word stands right before or after the place ("the X neighbourhood", "حي X";
        in English "district" too, which the lexicon leaves out as an admin word), or heads its name ("حي X")."""
        if any(0 <= s - p.end <= 2 or 0 <= p.start - e <= 2 or p.start <= s and e <= p.end for s, e in quarters):
            return True  # (the quarter word may head the name itself: "حي المشلب")
        return self.lang == "en" and re.match(r"\s+districts?\b", self.folded[p.end:p.end + 12]) is not None

    def _one_city(self, p: Place) -> Place | None:
        """The one Syrian city its paragraph names (else the report, when it names only one): where a
        quarter named with no city lies."""
        para = self._paragraph(p.start)
        cities = [q for q in self.places if q.resolved and q.feature == "city" and q.country in (None, "SY")
                  and q.lat is not None]
        for pool in ([q for q in cities if self._paragraph(q.start) == para], cities):
            if len({q.place_id for q in pool}) == 1:
                return pool[0]
            if pool:
                return None
        return None

    def _near_other(self, p: Place, km: float) -> bool:
        """Whether another place named in the paragraph of ``p`` lies within ``km`` of it."""
        para = self._paragraph(p.start)
        return any(q.place_id != p.place_id and q.lat is not None and self._paragraph(q.start) == para and
                   distance_km(p.lat, p.lon, q.lat, q.lon) <= km for q in self.places if q.resolved)

    def _next_named(self, word: Place, sent: Sentence) -> Place | None:
        """"captured the last IS stronghold in Homs province. Al-Sukhna, some 70 km ...": the place the
        next sentence opens with ("X, ...", "The town of X ..."), for a place taken but not named."""
        k = self.sentences.index(sent)
        kind = word.text.split()[-1] if word.text else ""
        kind = kind[:-1] if kind.endswith("s") and kind[:-1] in _KINDS else kind
        named = re.compile(rf"\bthe\s+{re.escape(kind)}\s+of\s+$") if kind in _KINDS else None
        for n, nxt in enumerate(self.sentences[k + 1:k + 4]):
            if nxt.caption or nxt.headline:
                continue
            opening = self.folded[nxt.start:min(nxt.end, nxt.start + 40)]
            for p in self.places:
                if not nxt.start <= p.start < nxt.end or not (p.resolved or p.mention is not None):
                    continue
                if p.start < nxt.start + len(opening) and _OPENING.match(self.folded[nxt.start:p.start]):
                    return p.referring(word.start, word.end, "the place named next: " + p.text)
                # "... the last major town in Homs province. ... at the town of al-Sukhna": named by its kind
                if named is not None and named.search(self.folded[max(nxt.start, p.start - 20):p.start]):
                    return p.referring(word.start, word.end, "the place named next: " + p.text)
            if not sent.headline and n >= 1:
                return None  # the next two sentences of the body; a headline's place may come later
        return None

    def _previous_sentence_places(self, word: Place, sent: Sentence) -> list[Place]:
        """What "the towns" / "شهرها" refer back to: the places named in the sentence before, in its
        paragraph."""
        k = self.sentences.index(sent)
        if k == 0:
            return []
        before = self.sentences[k - 1]
        return [p.referring(word.start, word.end, "refers back to " + p.text) for p in self.places
                if before.start <= p.start < before.end and (p.resolved or p.mention is not None)
                and not self._dateline(p) and not self._located(p) and not self._located(p, self.directional_ends)
                and not self._located(p, self.to_ends)]  # "evacuated from A and B to Idlib": A and B

    def _counted_places(self, word: Place, sent: Sentence) -> list[Place]:
        """What "these two garrisons" ("این دو پادگان") refers back to: the places named before it in its
        sentence (at most as many as it counts), else those of the sentence before."""
        named = [p for p in self.places if sent.start <= p.start < word.start and (p.resolved or p.mention is not None)
                 and not self._located(p) and not self._located(p, self.directional_ends)]
        if not named:
            pair = self._named_pair(word) if word.count == 2 and self.lang == "en" else []
            return pair or self._previous_sentence_places(word, sent)
        return [p.referring(word.start, word.end, "refers back to " + p.text) for p in named[-(word.count or 1):]]

    def _named_pair(self, word: Place) -> list[Place]:
        """What "both towns" refers back to: the last two places named together ("A and B") before it,
        within reach, past places named after them in passing ("through the X crossing")."""
        named = [p for p in self.places if word.start - _ANAPHORA_REACH <= p.start and p.end <= word.start and
                 (p.resolved or p.mention is not None)]
        for a, b in zip(named[-2::-1], named[::-1]):
            if self.folded[a.end:b.start].strip(" ,") == "and" and not self._located(a) and not self._located(b):
                return [p.referring(word.start, word.end, "refers back to " + p.text) for p in (a, b)]
        return []

    def _dateline(self, p: Place) -> bool:
        """Whether a place opens a line as a wire story's dateline ("BEIRUT (Reuters) -", "KILIS, Turkey (AFP) -",
        "Idleb, SANA -")."""
        if p.start > 0 and self.folded[p.start - 1] != "\n" and self.folded[:p.start].strip():
            return False
        m = _DATELINE.match(self.folded, p.end)
        if m is None:
            return False
        # a dateline is written in capitals or names its agency ("Idleb, SANA -"); "X (Rural Damascus) - 2 Dec:"
        # is a terse note's topic
        o0, o1 = self.off.orig(p.start), self.off.orig(p.end)
        return self.text[o0:o1].isupper() or any(p.end <= h.start < m.end() for h in self.hits_of("source"))

    def _located(self, p: Place, ends: list[int] | None = None) -> bool:
        """Whether a locator word ("north of", "ريف", "در حومه"; or one of ``ends``) stands right before
        a place."""
        ends = self.locator_ends if ends is None else ends
        k = bisect.bisect_right(ends, p.start) - 1
        return k >= 0 and p.start - ends[k] <= 12 and not any(ch in self.folded[ends[k]:p.start] for ch in ",،.:;")

    def _antecedent(self, word: Place, sent: Sentence, targets: list[tuple[int, int, Place]]) -> Place | None:
        """What "the city" / "it" refers back to: the last place a frame took in the paragraph, else the
        last place named in it (for "the city", the last one the gazetteer knows as a city)."""
        kinds = settlement_kinds(word.text)
        for para, start, place in reversed(targets):
            if para == sent.paragraph and start < word.start and (kinds is None or place.feature in kinds or
                                                                   place.feature is None):
                if kinds is not None and place.feature is None:
                    # "سيطرت على الملعب البلدي ... في الرقة، لتصبح المدينة ...": a settlement the gazetteer knows,
                    # named after a taken place it does not, is what "the city" names
                    later = [q for q in self.places if start < q.start < word.start and q.resolved and
                             q.feature in kinds and self._paragraph(q.start) == para and not self._dateline(q)]
                    place = later[-1] if later else place
                return place.referring(word.start, word.end, "refers back to " + place.text)
        # a paragraph of its own ("وكان المرصد قال ... عن القاعدة العسكرية"): the place taken just before
        for para, start, place in reversed(targets):
            if para == sent.paragraph - 1 and start < word.start and word.start - start < _ANAPHORA_REACH and \
                    (kinds is None or place.feature in kinds or place.feature is None):
                return place.referring(word.start, word.end, "refers back to " + place.text)
        taken = next((place for para, start, place in reversed(targets)
                      if para == sent.paragraph and start < word.start), None)
        found = self._named_in(word, sent.paragraph, kinds, taken)
        if found is None and self.lang == "en":
            # a wire story's paragraph of one sentence: the one place the paragraph before names
            found = self._named_in(word, sent.paragraph - 1, kinds, None, word.start - _ANAPHORA_REACH, True)
        if found is None and self.report.kind == "chronicle":
            # a chronicle's paragraph opening with "the city": the place its title names ("Siege of X")
            found = self._title_place()
            if found is not None and kinds is not None and found.feature not in kinds:
                found = None
        return found.referring(word.start, word.end, "refers back to " + found.text) if found else None

    def _named_in(self, word: Place, para: int, kinds: frozenset[str] | None, taken: Place | None,
                  since: int = 0, only: bool = False) -> Place | None:
        """The place named last in paragraph ``para`` before ``word`` that it may refer to (after ``since``):
        one of its kinds not placed relative to another, else one of its kinds, else ``taken``, else any;
        with ``only``, None unless the paragraph names one such place."""
        best = fitting = free = None
        seen: set[str] = set()
        region_word = word.text.endswith(_REGION_ANAPHORA)
        for p in self.places:
            if p.end > word.start:
                break
            if p.start >= since and self._paragraph(p.start) == para and (p.resolved or p.mention is not None):
                if p.feature in ADMIN and not region_word or self._admin_path(p):
                    continue  # "this city" is no governorate, nor the district of "X (District, Governorate)"
                if self._located(p, self.directional_ends) or self._dateline(p):
                    continue  # "militants left for Idlib": a destination is never what "the city" names, nor
                    # the city a wire story is filed from ("BEIRUT (Reuters) -")
                best = p
                seen.add(p.place_id or p.text)
                if kinds and p.feature in kinds:
                    fitting = p
                if (kinds is None or p.feature in kinds or p.feature is None) and \
                        not self._located(p, self.relative_ends):
                    free = p  # "X west of Damascus": X before Damascus
        if only and len(seen) != 1:
            return None
        return free or fitting or taken or best

    def _title_place(self) -> Place | None:
        """The first settlement the report's title names, resolved (None when it names none)."""
        if self._title is None:
            self._title = []
            title = self.report.title or ""
            for m in (self.gz.find_mentions(title) if self.gz is not None and title else []):
                p = Place(0, 0, title[m.start:m.end], mention=m)
                resolve(self.gz, p, title, [])
                if p.resolved and p.lat is not None and p.feature not in ADMIN and p.country in (None, "SY"):
                    self._title = [p]
                    break
        return self._title[0] if self._title else None

    def _admin_path(self, p: Place) -> bool:
        """Whether a place is a later item of a bracket after a name ("Ra's al 'Ayn (Ras Al Ain, Al-Hasakeh)"):
        the district and governorate of an event note, which locate the name, not what "the town" is."""
        opening = self.folded.rfind("(", 0, p.start)
        return opening >= 0 and ")" not in self.folded[opening:p.start] and \
            any(x in self.folded[opening:p.start] for x in ",،")

    def _paragraph(self, pos: int) -> int | None:
        for s in self.sentences:
            if s.start <= pos < s.end:
                return s.paragraph
        return None

    # ------------------------------------------------------------------ sides from the context
    def _topic(self, read: list[tuple[Sentence, list[Chunk], list[Frame]]]) -> str | None:
        """The side the report is about: the one its capture frames name most (the headline's twice); a frame
        that names no place ("took civilians as human shields") does not count."""
        count: Counter[str] = Counter()
        for sent, _ch, frames in read:
            for f in frames:
                if f.agent is not None and f.action in ("capture", "advance", "siege") and not f.loss:
                    count[f.agent.side] += 2 if sent.headline else 1
        return count.most_common(1)[0][0] if count else None

    def _context_side(self, f: Frame, ch: list[Chunk], previous: Frame | None, topic: str | None) -> str | None:
        loser = f.loser.side if f.loser is not None and not f.loser.generic else None
        if loser is None and (f.action in ("capture", "advance") and not f.loss or f.construction == "loss"):
            # "regime forces withdrew from X ... the city is now liberated": the side that has just left the
            # paragraph's place is not the one taking it
            loser = self._left.get(f.sentence.paragraph)
        if previous is not None and previous.agent is not None and previous.agent.foes:
            return None  # "the army and IS fought near X. They took the town": either side may be meant
        if previous is not None and previous.agent is not None and previous.agent.side != loser and \
                not previous.loss:
            return previous.agent.side
        if topic is not None and topic != loser:
            return topic
        return self._sentence_side(f, ch, loser) or self._pronoun_side(f, ch, loser)

    def _pronoun_side(self, f: Frame, ch: list[Chunk], loser: str | None) -> str | None:
        """"Kurdish fighters pushed south. On Monday they took X", "... the town fell to them": a pronoun subject
        (or the side a place fell to) stands for the one side the sentence before names, if it names only one."""
        k = f.index - 1
        while k >= 0 and ch[k].has("aux", "perfect", "adverb"):
            k -= 1
        passive = any(c.text in _BE for c in ch[k + 1:f.index])  # "it was taken": "it" is the place
        # a Persian subject pronoun opens its clause, the object between it and the verb ("این نیروها X را ...")
        fronted = bool(self._pronouns) and self._pronoun_opens(ch, self.grammar._clause_start(ch, f.index), f.index)
        if not (k >= 0 and ch[k].text in ("they", "it") and not passive or fronted or
                f.action == "capture" and _TO_THEM.match(self.folded, ch[f.index].end)):
            return None
        sent = f.sentence
        i = self.sentences.index(sent)
        if i == 0 or self.sentences[i - 1].paragraph != sent.paragraph:
            return None
        before = self.sentences[i - 1]
        sides = {a.side for a in self.actors if before.start <= a.start < before.end and a.side}
        if len(sides) != 1 or loser in sides or any(a.foes for a in self.actors if before.start <= a.start < before.end):
            return None
        return sides.pop()

    @functools.cached_property
    def _pronouns(self) -> frozenset[str]:
        return frozenset(fold_key(w) for w in self.lex.data.get("plain_words", {}).get("pronoun_subject", []))

    def _pronoun_opens(self, ch: list[Chunk], a: int, i: int) -> bool:
        """Whether the clause from ``a`` to the predicate at ``i`` opens with a subject pronoun (`[plain_words]
        pronoun_subject`), in one chunk or two ("این" "نیروها"), an adverb perhaps before it."""
        while a < i and ch[a].has("adverb", "sequence"):
            a += 1
        return a < i and (ch[a].text in self._pronouns or a + 1 < i and f"{ch[a].text} {ch[a + 1].text}" in self._pronouns)

    def _sentence_side(self, f: Frame, ch: list[Chunk], loser: str | None = None) -> str | None:
        """A side the sentence names that is not the loser: before the frame, or after a loss, or speaking
        after it ("Manbij has been cleared of IS militants, the SDF said")."""
        if loser is None:
            loser = f.loser.side if f.loser is not None and not f.loser.generic else None
        for j in range(len(ch) - 1, -1, -1):
            c = ch[j]
            if c.kind == "actor" and j > f.index and (c.text.endswith(("'s", "’s")) or
                                                      j + 1 < len(ch) and ch[j + 1].text in ("'s", "’s")):
                continue  # "the loss of the town severs the regime's supply line": an owner, not the gainer
            if c.kind == "actor" and c.value.side and c.value.side != loser and c.value is not f.loser and \
                    (j < f.index or f.loss) and not self.grammar.dependent(ch, j) or \
                    c.kind == "actor" and f.loss and c.value.side and c.value.side != loser and j > f.index:
                return c.value.side
        for j in range(f.index - 1, 0, -1):
            # "an offensive launched by the army ..., following the breaking of the siege": the agent of a passive
            c = ch[j]
            k = j - 1
            while k > 0 and ch[k].has("det"):
                k -= 1
            if c.kind == "actor" and c.value.side and c.value.side != loser and ch[k].has("by"):
                return c.value.side
        for j in range(f.index + 1, len(ch) - 1):
            c = ch[j]
            k = j - 1
            while k > f.index and ch[k].has("det"):
                k -= 1
            if c.kind == "actor" and c.value.side and c.value.side != loser and c.value is not f.loser and \
                    ch[j + 1].has("reporting") and ch[k].kind == "punct":
                return c.value.side
        return None

    @staticmethod
    def _speaker(ch: list[Chunk], i: int) -> str | None:
        """The side speaking before a colon or a header's slash ahead of ``i`` ("غرفة عمليات ردع العدوان:
        قواتنا تحرر", "إدارة العمليات العسكرية / قواتنا تحرر")."""
        for j in range(i - 1, 0, -1):
            if ch[j].kind == "punct" and ch[j].text in (":", "/"):
                k = j - 1
                while k >= 0 and ch[k].quote:
                    k -= 1
                return ch[k].value.side if k >= 0 and ch[k].kind == "actor" and ch[k].value.side else None
        return None

    def _outlet_side(self) -> str | None:
        """The side of the outlet that writes in the first person ("قامشلو - ANHA ... قواتنا تحرر X"): named by the
        report's source or a dateline among its first lines, as a partisan source of ``data/sources.toml``."""
        lines = self.text.splitlines()[:3]
        # and a wire dateline opening a long line ("Homs, SANA – X was ...")
        where = [self.report.source or ""] + [line for line in lines if len(line) <= 40] + \
            [m.group(1) for m in (_DATELINE_OPEN.match(lines[0]) if lines else None,) if m is not None] + \
            [m.group(1) for m in (_LEAD_SOURCE.match(line) for line in lines) if m is not None]
        words = " " + " ".join(_NOT_WORD.sub(" ", fold_key(w)) for w in where) + " "
        for profile in vocab.data_file("sources.toml").get("sources", {}).values():
            if profile.get("side") and any(f" {_NOT_WORD.sub(' ', fold_key(a)).strip()} " in words
                                           for a in profile.get("aliases", [])):
                return profile["side"]
        return None

    @staticmethod
    def _speaker_after(ch: list[Chunk], i: int) -> str | None:
        """The side of a speaker named after what it says ("سيطرنا على X، قال قيادي في الجيش الحر")."""
        k = next((k for k in range(i + 1, len(ch)) if ch[k].has("reporting")), None)
        if k is None:
            return None
        return next((c.value.side for c in ch[k + 1:k + 5] if c.kind == "actor" and c.value.side), None)

    def _header_speaker(self, sent: Sentence) -> str | None:
        """The side a header line names as its speaker when the line is nothing but that name ("عاجل |
        إدارة العمليات العسكرية", then "قواتنا تحرر ..." on the next line), perhaps with a dateline after a bar."""
        k = self.sentences.index(sent)
        if k == 0:
            return None
        before = self.sentences[k - 1]
        if "\n" not in self.folded[before.end:sent.start + 1] and not before.headline:
            return None  # a header is a line of its own
        if any(before.start <= p < before.end for p in self.pred_starts):
            return None
        named = [a for a in self.actors if before.start <= a.start < before.end]
        # "غرفة عمليات X | ريف حماة": a dateline after the header's bar is no other name
        if not named or not named[-1].side or \
                _WORDS_LEFT.search(self.folded[named[-1].end:before.end].split("|")[0]):
            return None
        return named[-1].side

    # ------------------------------------------------------------------ claims
    def _claims(self, f: Frame, ch: list[Chunk], sent: Sentence, previous: Frame | None,
                topic: str | None, frames: list[Frame] = ()) -> list[Claim]:
        if f.action not in TERRITORIAL:
            if f.agent is None or not f.places:
                return []
            return [self._claim(f, ch, sent, f.action, f.agent.side, f.places[0][0], True)]
        if f.action == "withdraw" and self._people_fled(f, ch):
            return []
        if f.agent is not None and f.agent.foes:
            return []  # "rebels and government forces traded control of X": two enemies, no one takes it
        side = f.agent.side if f.agent is not None else None
        if f.agent is not None and self.folded[f.agent.start:f.agent.end] in self._first_person:
            side = self._speaker(ch, f.index) or self._header_speaker(sent) or self._outlet_side() or side
        elif f.agent is None and self.lang == "ar" and f.construction in ("verb", "entry") and \
                f.pred.text.split()[0].endswith("نا"):
            # "سيطرنا على X، قال قيادي في Y", "Y: حررنا X": a verb in the first person, its side the speaker's
            side = self._speaker(ch, f.index) or self._speaker_after(ch, f.index) or self._header_speaker(sent) or \
                self._outlet_side()
            if side is not None:
                f.agent = actors_mod.Actor(f.pred.start, f.pred.end, side, named=True, core=side)
        named = side is not None
        loser = f.loser.side if f.loser is not None else None
        if side is not None and side == loser:
            if f.loser is not None and f.loser.generic:
                loser = None  # "cleared of terrorists": the generic word took the side it is fought by
            else:
                side, named = None, False  # nobody takes a place from itself: the side is elsewhere
        if side is None:
            side = self._context_side(f, ch, previous, topic)
        if side is None and f.action == "capture" and self.lex.terrorists_fought_by and \
                any(c.has("terrorists") and k > 0 and ch[k - 1].has("from") for k, c in enumerate(ch)):
            side = self.lex.terrorists_fought_by  # "X از لوث تروریست‌ها پاکسازی شد", no side named in the report
        if side is None and self.lang in ("en", "fa") and f.action == "capture" and not f.loss and \
                f.construction in ("verb", "nominal", "expel") and (outlet := self._outlet_side()) not in (None, loser):
            side = outlet  # "Homs, SANA – X was liberated from terrorism": a partisan outlet tells its own side's gain
        out: list[Claim] = []
        if f.loss and loser is not None:
            for place, role in f.places:
                # leaving part of a place ("pulled back from some areas of X", "the outskirts of X") leaves its
                # holder there: no withdrawal from X (the side moving in, if named, advances)
                if role not in ("directional", "partial", "edge"):
                    out.append(self._claim(f, ch, sent, "withdraw", loser, place, True, role))
        if f.action == "withdraw" and not named and f.construction == "loss" and self.report.kind == "chronicle":
            # a chronicle is about no one side: only its sentence tells, or the side the paragraph's frame before
            # names as fighting the loser ("the army attacked X. ISIL lost the town")
            side = self._sentence_side(f, ch) or (
                previous.agent.side if previous is not None and previous.agent is not None and not previous.loss
                and not previous.agent.foes and previous.agent.side and loser is not None and
                previous.agent.side != loser and not vocab.allied(previous.agent.side, loser) else None)
        if f.action == "withdraw" and f.construction != "loss" and not named and loser is not None and \
                f.places and all(p.start > f.pred.start for p, _ in f.places):  # a place of its own, not elided
            taker = self._taker(f, ch, frames, loser)
            if taker is not None:
                side, named = taker, True
                f.places = [(p, role) for p, role in f.places if role != "directional"]
        if side is None or f.action == "withdraw" and f.construction != "loss" and not named:
            # a withdrawal gives the place to nobody unless the sentence names who took it ("IS lost X", "IS
            # was driven out of X" give it to the side the report is about)
            return out
        places: list[tuple[Place | None, str]] = list(f.places)
        if not places and f.action == "advance" and f.distance is not None and not f.distance_to:
            places = [(None, "whole")]  # "advanced 8 km": a distance advanced, no place
        if f.construction == "entry" and side in self.lex.ground and f.action in ("capture", "advance") and \
                not self._agreed(sent):
            # "Russian troops entered Raqqa": a patrol or a deployment, no side takes the town (entering under
            # a reconciliation deal is its partner's takeover)
            return out
        side = self._ground(side)
        for place, role in places:
            action = f.action if f.action != "withdraw" else "capture"
            if role == "edge" and action in ("capture", "advance"):
                # "reached the outskirts of X" is nearness; "captured the outskirts of X" a part taken
                action = "proximity" if f.pred.text.startswith(("reach", "arriv")) else "advance"
            if role == "partial" and action == "capture":
                action = "advance"
            if role == "directional" and action in ("capture", "advance"):
                action = self.lex.towards  # "advanced towards X", "pushing towards X": nearer, not in
            if role == "directional" and action == "withdraw":
                continue  # "withdrew towards X" leaves another place, not X
            if f.distance is not None and f.distance_to and action in ("advance", "proximity"):
                action = "proximity"
            if action == "proximity" and f.distance is None:
                f.distance = 0.0
            out.append(self._claim(f, ch, sent, action, side, place, named, role))
        return out

    def _claim(self, f: Frame, ch: list[Chunk], sent: Sentence, action: str, side: str, place: Place | None,
               named: bool, role: str = "whole") -> Claim:
        lo, hi = f.span
        if place is not None:
            lo, hi = min(lo, place.start), max(hi, place.end)
        o0, o1 = self.off.orig(lo), self.off.orig(hi)
        while o0 < o1 and self.text[o0] in " \u00a0\u200c«\"“'‘":
            o0 += 1
        pluperfect = any(c.has("pluperfect") for c in ch[max(0, f.index - 3):f.index])
        date_s, date_p, date_t = self.dating.date_for(f.pred.start, sent, pluperfect)
        st = status(ch, f, date_s, self.report.published, self.report.kind == "chronicle", self.lang, date_p)
        attribution = self._attribution(f.pred.start, sent)
        lat = lon = pid = pname = None
        precision = None
        if place is not None:
            precision = place.precision or ("point" if place.resolved else None)
            if role == "region":
                precision = "region"
            elif precision != "region":
                lat, lon, pid, pname = place.lat, place.lon, place.place_id, place.name
        # a site placed by the town it is named after or lies in is in that town's governorate
        where = pid or next((q.place_id for q in (place.namesake, place.within) if q is not None and q.place_id),
                            None) if place is not None and lat is not None else pid
        if where is not None and date_s and f.agent is not None and side == f.agent.side:
            side = self._led_side(side, f.agent, where, date_s)
        conf = 0.55 + (0.15 if named else 0.0) + (0.15 if place is not None and place.resolved else 0.0) + \
            (0.05 if attribution else 0.0)
        if place is not None and place.reason and place.reason.startswith("refers"):
            conf -= 0.1
        if sent.caption:
            conf -= 0.1
        return Claim(
            report_id=self.report.report_id, actor=side, action=action, status=st,
            place_text=self._words(place) if place else None, place_id=pid, place_name=pname, lat=lat, lon=lon,
            place_precision=precision, date=date_s, date_precision=date_p, date_text=date_t,
            distance_km=f.distance if action in ("proximity", "advance") else None, quote=self.text[o0:o1],
            start=o0, end=o1, attribution=attribution, confidence=round(min(conf, 0.95), 2),
            report_version=self.report.version, source=self.report.source, lang=self.lang,
            opponent=f.loser.side if f.loser is not None and f.loser.side != side else None,
            place_start=self.off.orig(place.start) if place else None,
            place_end=self.off.orig(place.end) if place else None,
            candidates=[] if place is None or place.resolved else place.candidates,
            resolution=place.reason if place else None,
        )

    def _led_side(self, side: str, agent: actors_mod.Actor, place_id: str, day: str) -> str:
        """The side leading an offensive that the report names only generically ("rebels took Saraqib" in
        December 2024: the HTS-led coalition; ``[[led]]`` in actors.toml), else ``side``."""
        words = self.folded[agent.start:agent.end].strip()
        for generic, leader, start, until, adm1, adm2, names in self.lex.led:
            # the whole phrase, or one made only of generic names ("گروه های مسلح مخالف دولت سوریه")
            generic_only = words in names or all(self.folded[h.start:h.end].strip() in names
                                                 for h in agent.pieces if h.group == "actor") and \
                any(h.group == "actor" for h in agent.pieces)
            if side == generic and generic_only and start.isoformat() <= day <= until.isoformat():
                try:
                    row = self.gz.place(place_id)
                    if row.get("adm1_en") in adm1 or row.get("adm2_en") in adm2:
                        return leader
                except (KeyError, AttributeError):
                    return side
        return side

    def _taker(self, f: Frame, ch: list[Chunk], frames: list[Frame], loser: str) -> str | None:
        """The side that took what a withdrawal left, when the sentence ties the withdrawal to its advance
        ("rebels closed in on Homs after government troops abandoned Talbiseh", "the army withdrew from X
        after IS fighters advanced along the highway"): that advance's (or approach's) named side, another than the loser's;
        or the side it was left to ("pulled out of X, leaving it to IS")."""
        for j in range(f.index + 1, len(ch) - 2):
            if ch[j].kind == "punct" and ch[j].text in ".;:" or ch[j].kind == "pred":
                break
            if not ch[j].has("leave_to") or not (ch[j + 1].kind == "place" or ch[j + 1].has("anaphora_singular")):
                continue
            if j + 3 < len(ch) and ch[j + 2].has("to") and \
                    ch[j + 3].kind == "actor" and ch[j + 3].value.side not in (None, loser):
                return ch[j + 3].value.side
            if self.lang == "ar" and ch[j + 2].kind == "actor" and ch[j + 2].text.startswith("ل") and \
                    ch[j + 2].value.side not in (None, loser):
                return ch[j + 2].value.side  # "تاركين المدينة لمقاتلي X": "to" written on the side
        for j in range(f.index + 1, len(ch) - 1):
            # "withdrew from X after a counter-attack by HTS", "under the strikes of the rebels": the side whose
            # blow the withdrawal followed (after "by", "of" or "from", or right after the sequence word)
            if ch[j].kind == "punct" and ch[j].text in ".;:" or ch[j].kind == "pred" and ch[j].value[0] == "withdraw":
                break
            if not ch[j].has("sequence"):
                continue
            for k in range(j + 1, min(len(ch), j + 7)):
                c = ch[k]
                if c.kind == "punct" or c.kind == "pred" and c.value[0] not in _BLOWS:
                    break
                m = k - 1
                while m > j and ch[m].has("det"):
                    m -= 1
                if c.kind == "actor" and c.value.side not in (None, loser) and not c.value.generic and \
                        (m == j and ch[j].text.endswith((" of", " by", " from")) or
                         m > j and (ch[m].has("by", "of", "from") or ch[m].text in ("by", "of", "from"))):
                    return c.value.side
            break
        for g in frames:
            if g is f or g.agent is None or g.agent_how in (None, "context") or g.agent.side in (None, loser) or \
                    g.action not in ("capture", "advance", "proximity") or g.agent.generic and not g.agent.side:
                continue
            if any(c.has("failed", "intent") for c in ch[max(0, g.index - 3):g.index]):
                continue  # "withdrew after the rebels failed to advance": no advance to take it
            lo, hi = sorted((f.index, g.index))
            between = ch[lo + 1:hi]
            if any(c.kind == "punct" and c.text in ".;:" for c in between):
                continue
            if any(c.has("sequence") for c in between):
                return g.agent.side
            if g.construction == "entry" and not g.places and g.index > f.index:
                return g.agent.side  # "the last rebels withdrew from X, and the army moved in": an entry with no object
        return None

    @staticmethod
    def _people_fled(f: Frame, ch: list[Chunk]) -> bool:
        """Whether those who left are people, not a side: "some 2,000 people, including 300 IS gunmen, had fled
        X", "thousands of civilians and dozens of IS fighters fled X". Fighters leaving among civilians is
        flight, no change of control; the subject phrase opens with a people word (`[words] people`) and
        reaches the side only through counts, commas and "including"."""
        for k in range(f.index - 1, -1, -1):
            c = ch[k]
            if c.has("people"):
                return True
            if c.kind == "actor" or c.kind == "punct" and c.text == "," or \
                    c.has("member", "det", "aux", "perfect", "adverb") or \
                    c.kind == "word" and (c.text.isdigit() or c.text in _COUNT):
                continue
            return False
        return False

    def _agreed(self, sent: Sentence) -> bool:
        """Whether the sentence or the one before it speaks of a deal ("reconciliation", "hand over their weapons"),
        and the sentence does not say what else the troops came for ("entered X and began distributing aid",
        "to patrol": a deal spoken of beside a patrol or an aid delivery is the patrol's, not a handover)."""
        if any(sent.start <= h.start < sent.end for h in self.hits_of("mission")):
            return False
        k = self.sentences.index(sent)
        lo = self.sentences[k - 1].start if k > 0 else sent.start
        return any(lo <= h.start < sent.end for h in self.hits_of("agreement"))

    def _ground(self, side: str) -> str:
        """A side that rarely holds ground stands for its ground partner ("[ground]" of actors.toml): the
        coalition for the SDF when the report names it, Russia for the army."""
        partner = self.lex.ground.get(side)
        if partner is None:
            return side
        if side == "coalition" and not any(a.side == partner for a in self.actors):
            return side
        return partner

    def _words(self, place: Place) -> str:
        """A place's words as the report writes them (the stored text, not the folded one)."""
        if place.reason and place.reason.startswith("refers back"):
            return place.text.strip()
        if place.site and place.namesake is not None and place.text:
            # a site's kind and name, the words between left out ("پایگاه بالگردهای «X»": "پایگاه X")
            head = place.start + len(place.text) - len(place.namesake.text) - 1
            return f"{self._words(replace(place, end=head, text=''))} {self._words(place.namesake)}"
        words = self.text[self.off.orig(place.start):self.off.orig(place.end)].strip(" ،,.\"«»“”'")
        if self.lang == "ar" and place.mention is None:
            # a proclitic written onto a region's first word: "بالريف الشرقي" is "الريف الشرقي"
            words = _PROCLITIC_AL.sub("", words, count=1)
        return words or place.text.strip()

    def _attribution(self, pos: int, sent: Sentence) -> str | None:
        """The last source named before ``pos`` in its paragraph."""
        for h in reversed(self.attributions):
            if h.start >= pos:
                continue
            if h.start >= sent.start:
                return h.value
            para = self._paragraph(h.start)
            if para == sent.paragraph:
                return h.value
            if para is not None and para < sent.paragraph:
                return None
        return None


#: plain "in" (a place after it is where something is, not a place located relative to another)
_PLAIN_IN = frozenset({"in", "in the", "at", "on", "inside", "في", "در", "داخل"})
#: kind words by which a text calls a place a settlement, not a quarter ("أحياء مدينة X": the quarters of city X)
_CITY_HEADS = frozenset({"مدينه", "بلده", "قريه", "city", "town", "village"})
#: anaphora that may name a region or an admin unit, not only a settlement
_REGION_ANAPHORA = ("area", "region", "province", "governorate", "منطقه", "المنطقه", "استان", "المحافظه")


#: what follows a dateline's place: an optional country or date after a comma, an optional agency in brackets, a dash
_DATELINE_OPEN = re.compile(r"^(.{1,40}?)(?:\s+[-–—]|:)\s")
#: the Persian agency lead naming its outlet ("به گزارش خبرگزاری تسنیم، ..."), at the start of a line
_LEAD_SOURCE = re.compile(r"^\s*(?:به گزارش|بنابر گزارش|بنا بر گزارش)\s+([^،,:\n]{1,40})[،,:]")
_DATELINE = re.compile(r"(?:,[^\n.:()]{0,30})?\s*(?:\([^)\n]{1,30}\))?\s*[-\u2014\u2013]+\s")
#: actions of a blow a withdrawal may follow ("after a counter-attack by HTS")
_BLOWS = frozenset({"attack", "clash", "strike", "shelling", "advance", "capture", "siege"})


def _advance_taken(claims: list[Claim]) -> list[Claim]:
    """A sentence's claims without an advance into a place the same side is said in it to take, that day or
    later ("advanced into the X and Y neighborhoods, which were captured by 6 September": the capture is how the
    advance ended; one claim per place, side and event)."""
    taken: dict[tuple[str, str], str] = {}
    for c in claims:
        if c.action == "capture" and c.status == "asserted" and (c.place_id or c.place_text):
            key = (c.actor, c.place_id or c.place_text.lower())
            taken[key] = min(taken.get(key, c.date or ""), c.date or "")
    return [c for c in claims if not (c.action == "advance" and c.status == "asserted" and
                                      (c.actor, c.place_id or (c.place_text or "").lower()) in taken and
                                      (c.date or "") <= taken[(c.actor, c.place_id or (c.place_text or "").lower())])]


def _dedupe(claims: list[Claim]) -> list[Claim]:
    seen, out = set(), []
    for c in claims:
        key = (c.actor, c.action, c.status, c.place_start, c.place_text, c.start)
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    return out


_unused = dates_mod
