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
import gc
import re
from collections import Counter
from typing import Any

from tracker import dates as dates_mod
from tracker.extract import actors as actors_mod
from tracker.extract.chunks import Chunk, chunk
from tracker.extract.dating import Dating
from tracker.extract.grammar import Frame, grammar, settlement_kinds
from tracker.extract.lexicon import Hit, lexicon
from tracker.extract.places import (
    LONGER_NAME,
    QUARTER_KM,
    Place,
    distance_km,
    find_places,
    in_syria,
    locate_site,
    lookup,
    resolve,
    take_alias,
    unresolve,
)
from tracker.extract.segment import Sentence, sentences
from tracker.extract.status import forecast, reaction, status
from tracker.records import Claim, Report
from tracker.textfold import Offsets, fold, fold_key
from tracker.vocab import TERRITORIAL

LANGS = ("ar", "fa", "en")
#: what may open a sentence before the place it is about ("The town of", "The strategic city of")
_OPENING = re.compile(r"^\W*(?:the\s+)?(?:[a-z-]+\s+){0,3}?(?:town|city|village|stronghold)?\s*(?:of\s+)?$|^\W*$")
#: kinds of settlement by which a place taken but not named is named later ("the town of X")
_KINDS = frozenset({"town", "city", "village"})
_PROCLITIC_AL = re.compile(r"^(?:وب|فب|ب|و|ف|ل)(?=ال)")
#: characters back into the paragraph before for what "the city" refers to
_ANAPHORA_REACH = 600


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
        reporting = sorted((h.start, h.end) for h in self.hits if h.group == "reporting")
        self.dating = Dating(report, self.folded, self.off.orig, self.lang, reporting)
        self.actors = actors_mod.phrases(self.hits, self.folded, self.lex, report.published)
        date_hits = [Hit(d.start, d.end, "date", None) for d in self.dating.mentions]
        self.places = find_places(gz, self.text, self.folded, self.off.folded, self.off.orig, self.hits + date_hits,
                                  self.lang)
        self.sentences = sentences(self.folded, self.lang, report.kind)
        self.pred_starts = [h.start for h in self.hits if h.group == "pred"]
        self.attributions = [h for h in self.hits if h.group == "attribution"]
        self.locator_ends = sorted(h.end for h in self.hits if h.group == "locator")
        self.nearby: list[tuple[float, float]] = []
        self._plural_words = frozenset(fold_key(w) for w in self.lex.data["words"].get("anaphora_plural", []))

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
        self._fighting_goes_on(read)
        # a chronicle (an encyclopedia article) tells of many sides in turn: no one side is its topic
        topic = self._topic(read) if self.report.kind != "chronicle" else None
        out: list[Claim] = []
        previous: dict[int, Frame] = {}  # paragraph -> its last frame with a side of its own
        by_sentence = {id(s): (ch, frames) for s, ch, frames in read}
        for sent in self.sentences:
            self.dating.enter(sent)
            got = by_sentence.get(id(sent))
            if got is not None:
                ch, frames = got
                for f in frames:
                    if f.complete and not forecast(ch, f) and not reaction(ch, f):
                        out.extend(self._claims(f, ch, sent, previous.get(sent.paragraph), topic))
                    if f.agent is not None and f.agent_how not in (None, "context"):
                        previous[sent.paragraph] = f
            self.dating.leave(sent)
        return _dedupe(out)

    def _fighting_goes_on(self, read: list[tuple[Sentence, list[Chunk], list[Frame]]]) -> None:
        """An entry read as a capture stays an advance when its paragraph goes on to say the fighting goes
        on ("... entered al-Bab. Clashes are still going on inside the city")."""
        ongoing = sorted(h.start for h in self.hits if h.group == "ongoing")
        if not ongoing:
            return
        for sent, _ch, frames in read:
            end = max(s.end for s in self.sentences if s.paragraph == sent.paragraph)
            i = bisect.bisect_left(ongoing, sent.start)
            if i < len(ongoing) and ongoing[i] < end:
                for f in frames:
                    if f.entered:
                        f.action, f.entered = "advance", False

    # ------------------------------------------------------------------ places
    def _resolve_places(self, read: list[tuple[Sentence, list[Chunk], list[Frame]]]) -> None:
        """Resolve every place mention in text order, then what the frames' anaphora refer to."""
        for p in self.places:
            if not p.done:
                resolve(self.gz, p, self.text, self.nearby)
                if p.resolved and p.lat is not None and p.country in (None, "SY") and (p.lat, p.lon) not in self.nearby:
                    self.nearby.append((p.lat, p.lon))
        quarters = [(h.start, h.end) for h in self.hits if h.group == "quarter"]
        for p in self.places:
            if quarters and p.resolved and p.feature != "neighbourhood" and p.lat is not None and \
                    any(0 <= s - p.end <= 2 or 0 <= p.start - e <= 2 for s, e in quarters) and \
                    not self._near_other(p, QUARTER_KM):
                unresolve(p, f"a quarter named like {p.name}, which lies far from the places its paragraph names")
        targets: list[tuple[int, int, Place]] = []  # (paragraph, start, place) of the places frames took
        for sent, _ch, frames in read:
            for f in frames:
                if not f.complete:
                    continue
                resolved = []
                for place, role in f.places:
                    if place.reason == "anaphora" and place.text in self._plural_words:
                        for p in self._previous_sentence_places(place, sent):
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
                        found = self._next_named(place, sent)
                        if found is None:
                            continue
                        place = found
                    if place.resolved and f.action in TERRITORIAL:
                        in_syria(self.gz, place, self.text)
                    if place.site:
                        locate_site(self.gz, place, self._words(place), self.text)
                    elif place.mention is None and not place.resolved and role != "region" and \
                            place.reason in ("not in the gazetteer", LONGER_NAME):
                        lookup(self.gz, place, self.text)
                        take_alias(self.gz, place)
                    resolved.append((place, role))
                    if role != "region":
                        targets.append((sent.paragraph, place.start, place))
                f.places = resolved

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
                and not self._located(p)]

    def _located(self, p: Place) -> bool:
        """Whether a locator word ("north of", "ريف", "در حومه") stands right before a place."""
        k = bisect.bisect_right(self.locator_ends, p.start) - 1
        return k >= 0 and p.start - self.locator_ends[k] <= 12 and \
            not any(ch in self.folded[self.locator_ends[k]:p.start] for ch in ",،.:;")

    def _antecedent(self, word: Place, sent: Sentence, targets: list[tuple[int, int, Place]]) -> Place | None:
        """What "the city" / "it" refers back to: the last place a frame took in the paragraph, else the
        last place named in it (for "the city", the last one the gazetteer knows as a city)."""
        kinds = settlement_kinds(word.text)
        for para, start, place in reversed(targets):
            if para == sent.paragraph and start < word.start and (kinds is None or place.feature in kinds or
                                                                   place.feature is None):
                return place.referring(word.start, word.end, "refers back to " + place.text)
        # a paragraph of its own ("وكان المرصد قال ... عن القاعدة العسكرية"): the place taken just before
        for para, start, place in reversed(targets):
            if para == sent.paragraph - 1 and start < word.start and word.start - start < _ANAPHORA_REACH and \
                    (kinds is None or place.feature in kinds or place.feature is None):
                return place.referring(word.start, word.end, "refers back to " + place.text)
        best = fitting = None
        for p in self.places:
            if p.end > word.start:
                break
            if self._paragraph(p.start) == sent.paragraph and (p.resolved or p.mention is not None):
                best = p
                if kinds and p.feature in kinds:
                    fitting = p
        found = fitting or best
        return found.referring(word.start, word.end, "refers back to " + found.text) if found else None

    def _paragraph(self, pos: int) -> int | None:
        for s in self.sentences:
            if s.start <= pos < s.end:
                return s.paragraph
        return None

    # ------------------------------------------------------------------ sides from the context
    def _topic(self, read: list[tuple[Sentence, list[Chunk], list[Frame]]]) -> str | None:
        """The side the report is about: the one its capture frames name most (the headline's twice)."""
        count: Counter[str] = Counter()
        for sent, _ch, frames in read:
            for f in frames:
                if f.agent is not None and f.action in ("capture", "advance", "siege") and not f.loss:
                    count[f.agent.side] += 2 if sent.headline else 1
        return count.most_common(1)[0][0] if count else None

    def _context_side(self, f: Frame, ch: list[Chunk], previous: Frame | None, topic: str | None) -> str | None:
        loser = f.loser.side if f.loser is not None and not f.loser.generic else None
        if previous is not None and previous.agent is not None and previous.agent.side != loser and \
                not previous.loss:
            return previous.agent.side
        if topic is not None and topic != loser:
            return topic
        return self._sentence_side(f, ch)

    def _sentence_side(self, f: Frame, ch: list[Chunk]) -> str | None:
        """A side the sentence names that is not the loser: before the frame, or after a loss."""
        loser = f.loser.side if f.loser is not None and not f.loser.generic else None
        for j in range(len(ch) - 1, -1, -1):
            c = ch[j]
            if c.kind == "actor" and c.value.side and c.value.side != loser and c.value is not f.loser and \
                    (j < f.index or f.loss) and not self.grammar.dependent(ch, j) or \
                    c.kind == "actor" and f.loss and c.value.side and c.value.side != loser and j > f.index:
                return c.value.side
        return None

    # ------------------------------------------------------------------ claims
    def _claims(self, f: Frame, ch: list[Chunk], sent: Sentence, previous: Frame | None,
                topic: str | None) -> list[Claim]:
        if f.action not in TERRITORIAL:
            if f.agent is None or not f.places:
                return []
            return [self._claim(f, ch, sent, f.action, f.agent.side, f.places[0][0], True)]
        side = f.agent.side if f.agent is not None else None
        named = side is not None
        loser = f.loser.side if f.loser is not None else None
        if side is not None and side == loser:
            if f.loser is not None and f.loser.generic:
                loser = None  # "cleared of terrorists": the generic word took the side it is fought by
            else:
                side, named = None, False  # nobody takes a place from itself: the side is elsewhere
        if side is None:
            side = self._context_side(f, ch, previous, topic)
        out: list[Claim] = []
        if f.loss and loser is not None:
            for place, role in f.places:
                if role != "directional":
                    out.append(self._claim(f, ch, sent, "withdraw", loser, place, True, role))
        if f.action == "withdraw" and not named and f.construction == "loss" and self.report.kind == "chronicle":
            side = self._sentence_side(f, ch)  # a chronicle is about no one side: only its sentence tells
        if side is None or f.action == "withdraw" and f.construction != "loss" and not named:
            # a withdrawal gives the place to nobody unless the sentence names who took it ("IS lost X", "IS
            # was driven out of X" give it to the side the report is about)
            return out
        places: list[tuple[Place | None, str]] = list(f.places)
        if not places and f.action == "advance" and f.distance is not None and not f.distance_to:
            places = [(None, "whole")]  # "advanced 8 km": a distance advanced, no place
        side = self._ground(side)
        for place, role in places:
            action = f.action if f.action != "withdraw" else "capture"
            if role == "edge" and action in ("capture", "advance"):
                # "reached the outskirts of X" is nearness; "captured the outskirts of X" a part taken
                action = "proximity" if f.pred.text.startswith(("reach", "arriv")) else "advance"
            if role in ("directional", "partial") and action == "capture":
                action = "advance"
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
        date_s, date_p, date_t = self.dating.date_for(f.pred.start, sent)
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
