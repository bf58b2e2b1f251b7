"""The grammar of control: which side took, entered, besieged or left which place, clause by clause.

Each predicate the lexicon finds has a *construction* that says where its roles stand
(``data/lexicon_*.toml``, docs/extraction.md):

========== ===================================================== =========================================
verb       AGENT verb PLACE (from LOSER); passive when "be" comes  "the army recaptured Palmyra from IS",
           before it, "by" after it, or a place and no side        "Palmyra was retaken by the army",
           before it                                               "Manbij liberated from IS"
nominal    noun (of) PLACE (by AGENT) (from LOSER)                 "the recapture of Palmyra", "the army's
                                                                   capture of X", "IS's loss of X"
fall       PLACE verb (to AGENT)                                   "Palmyra fell to IS"
expel      AGENT verb LOSER out of/from PLACE; verb PLACE of LOSER "drove IS out of Palmyra", "cleared X of IS"
loss       LOSER verb PLACE (to GAINER)                            "IS lost Palmyra", "IS was driven out of X"
held       AGENT (is) in control of PLACE                          "the SDF were in full control of Manbij"
under      PLACE (is) under the control of AGENT; under AGENT      "Manbij is now under SDF control"
           control
transfer   LOSER handed PLACE over to GAINER                       "handed over the town to the army"
distance   AGENT ... N km from PLACE                               "3 km from Deir ez-Zor"
========== ===================================================== =========================================

A :class:`Frame` holds what the sentence itself says; the roles it leaves open (a passive without
"by", a nominal) are filled from the report's context later (:mod:`tracker.extract.report`). Where
the roles stand differs by language: :class:`Grammar` reads English phrase by phrase (the place
phrase after a verb, the subject before it); :class:`ArabicGrammar` and :class:`PersianGrammar`
override the hooks that find the agent and the places (verb-subject order; verb-final order with the
object before the verb).
"""

from __future__ import annotations

import functools

from dataclasses import dataclass, field
from functools import lru_cache

from tracker.extract.actors import Actor
from tracker.extract.chunks import Chunk
from tracker.extract.lexicon import Lexicon
from tracker.extract.places import BARE_NAME, COUNTED_ANAPHORA, LONGER_NAME, SETTLEMENT_WORDS, UNNAMED_SITE, Place
from tracker.extract.segment import Sentence
from tracker.textfold import fold_key
from tracker.vocab import TERRITORIAL

#: words that end a clause: the roles of a predicate are not looked for beyond them
_OPEN_QUOTES = frozenset({"«", "\"", "“"})
_CLOSE_QUOTES = frozenset({"»", "\"", "”"})
_BOUNDARY_PUNCT = frozenset({";", "؛", ":", "(", ")", "[", "]", "–", "—", "|", "?", "!", "."})
_LIST_PUNCT = frozenset({",", "،", "&"})
_PRONOUNS = frozenset({"it", "they", "he", "she", "we"})
_FARMS = frozenset({"farms", "farmland", "farmlands", "orchards"})
#: locators that name the area around a place after a plural object ("villages near X"); with a compass word
#: before "of" too ("west of X")
_AROUND = frozenset({"near", "around", "along", "close to", "outside"})
_COMPASS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
                      "north-east", "north-west", "south-east", "south-west"})
#: plural objects that are land, whose area a locator names ("villages west of X"; not "hills west of X")
_LAND = frozenset({"villages", "towns", "hamlets", "farms", "settlements", "territory", "territories",
                   "communities", "localities", "several villages", "dozens of villages", "many villages",
                   "a number of villages", "several towns", "dozens of towns", "a number of towns",
                   "a string of villages", "several hamlets", "swathes of territory"})
#: areas a side holds, named by where they lie ("the ISIL pocket north of X")
_POCKETS = frozenset({"pocket", "enclave", "salient", "bulge"})
#: the edge of a lake or river a region lies along ("the southern shore of Lake X")
_SHORES = frozenset({"shore", "shores", "bank", "banks", "coast"})
_SETTLEMENT_KINDS = frozenset({"town", "city", "village", "hamlet", "border town", "border city"})
#: degree words between "under" and the side of its control ("under full HTS control")
_FULL = frozenset({"full", "complete", "total", "firm", "effective", "exclusive"})
#: quotation marks that open a name
_QUOTES = frozenset({"'", '"', "\u2018", "\u201c", "\u00ab"})
#: possessive pronouns: "under their control" names its side only through the context
_POSSESSIVES = frozenset({"their", "its", "our"})
#: words after a predicate that name no object of it (a terse note's line then tells of its topic place)
_BARE_AFTER = frozenset({"after", "following", "without", "with", "as", "and", "overnight", "today", "at dawn",
                         "to", "by", "from"})


@dataclass
class Frame:
    """What one predicate of a sentence says: who did what to which places."""

    pred: Chunk
    index: int
    action: str
    construction: str
    sentence: Sentence
    places: list[tuple[Place, str]] = field(default_factory=list)  # (place, whole|partial|directional|region)
    agent: Actor | None = None
    agent_how: str | None = None  # subject, after, by, to, possessor, announcer; None: from the context
    loser: Actor | None = None
    loss: bool = False  # the subject lost the place: the claim's side is the gainer
    passive: bool = False
    distance: float | None = None
    distance_to: bool = False  # a distance *to* the place (proximity), not one advanced
    siege_broken: bool = False
    span: tuple[int, int] = (0, 0)  # folded offsets of the words that say it
    complete: bool = True  # False: the sentence names no place for it (its side still tells the topic)
    entered: bool = False  # a capture read from an entry ("entered X"): fighting going on undoes it


class Grammar:
    """English: subject-verb-object, read phrase by phrase."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self._region_words = tuple(fold_key(w) for w in lex.data["words"].get("region", []))
        filters = lex.data.get("filters", {})
        self._not_place = frozenset(fold_key(w) for w in filters.get("not_place", []))
        self._person_first = frozenset(fold_key(w) for w in filters.get("person_first", []))
        self._past_only = frozenset(fold_key(w) for w in filters.get("past_only", []))
        self._made_to = frozenset(fold_key(w) for w in filters.get("made_to", []))
        self._overrun = frozenset(fold_key(w) for w in filters.get("overrun", []))
        self._person_nouns = frozenset(fold_key(w) for w in lex.data["words"].get("person_noun", []))
        self._plural_kinds = frozenset(fold_key(w) for w in lex.data["words"].get("plural_object", []))
        self._operations = frozenset(fold_key(w) for w in lex.data["words"].get("operation", []))
        self._before_entry = frozenset(fold_key(w) for w in lex.data["words"].get("before_entry", []))
        # units that are themselves a distance *to* a place (Persian "کیلومتری", "at ... km of")
        self._units_to = frozenset(fold_key(w) for w in lex.data["predicates"].get("proximity", {}).get("distance", [])
                                   ) & frozenset(fold_key(w) for w in lex.data["distance"]["units"])
        self._pred_sides = [(fold_key(w), side) for side, words in lex.data.get("predicate_sides", {}).items()
                            for w in words]
        # the words that call a named place a quarter of a city ("neighbourhood", "district")
        self._quarter_words = frozenset(fold_key(w) for w in lex.data["words"].get("quarter", [])) | {"district"}
        # a route's head word ("road", "highway"): "the road between A and B" names a region
        self._routes = frozenset(fold_key(w) for w in lex.data["words"].get("route_after", []) if " " not in w)

    # ------------------------------------------------------------------ frames
    def frames(self, ch: list[Chunk], sent: Sentence, folded: str) -> list[Frame]:
        """The frames of a sentence's chunks (``folded``: the report's folded text), in order of their
        predicates."""
        self._folded = folded
        out: list[Frame] = []
        for i, c in enumerate(ch):
            if c.kind != "pred":
                continue
            if self._inside_other(ch, i) or self._operation_name(ch, i):
                continue
            action, construction = c.value
            handler = getattr(self, "_" + construction, None)
            if handler is None:
                continue
            if action == "siege" and construction == "verb" and self._attributive(ch, i):
                continue
            if construction == "nominal" and self._force_name(ch, i):
                continue
            frame = Frame(c, i, action, construction, sent)
            if action in ("advance", "proximity"):
                self._measure(ch, i, frame)
            if self.lex.lang == "ar" and construction == "verb" and i > 0 and ch[i - 1].has("relative") and \
                    ch[i].text.startswith(("ي", "ت")):
                # "مدينة الباب التي يسيطر عليها داعش": a present tense after a relative pronoun is a state
                frame.construction = construction = "held"
                handler = self._verb
            frame.complete = handler(ch, i, frame) is not False
            self._into(ch, frame)
            self._linked_up(ch, frame)
            if out:
                self._shared_subject(ch, frame, out[-1])
            if frame.agent is None and frame.action == "capture" and not frame.loss and self._raised(ch, i):
                # "رُفع العلم العربي السوري في مدينة X": no subject raised it, the flag tells whose it is
                side = next((s for w, s in self._pred_sides if w in c.text), None)
                if side is not None:
                    frame.agent, frame.agent_how = Actor(c.start, c.end, side, named=True, core=side), "flag"
            if frame.action == "capture" and self._partly(ch, i):
                frame.places = [(p, "partial" if r == "whole" else r) for p, r in frame.places]
            if frame.action == "siege" and construction == "verb" and self._hedged(ch, i):
                frame.action = "proximity"  # "nearly besieged the base": close to it, no siege
            if frame.action == "advance" and frame.distance is not None and not frame.distance_to:
                frame.complete = frame.complete or frame.agent is not None  # "advanced 8 km": no place
            if not frame.complete and out:
                self._elided_place(ch, frame, out[-1])
            if out:
                self._advanced_there(ch, frame, out[-1])
            self._finish(ch, frame)
            out.append(frame)
        topic = self._line_topic(ch) or (self._fronted_place(ch) if self.lex.lang == "en" else None)
        for frame in out:
            if topic is not None and not frame.complete and not frame.places and frame.action in TERRITORIAL and \
                    frame.construction in ("verb", "entry", "fall", "held") and not frame.passive and \
                    frame.index > topic[1] and self._bare_predicate(ch, frame.index):
                frame.places, frame.complete = [(topic[0], "whole")], True
                if frame.construction == "fall":
                    frame.passive = True
            elif topic is not None and frame.index > topic[1] and frame.places and \
                    all(p.reason == "anaphora" for p, _ in frame.places) and \
                    not any(c.kind == "place" for c in ch[topic[1]:frame.index]):
                # "Daraa - Izraa: local factions took over the city": the place the line tells of
                frame.places = [(topic[0], role) for _, role in frame.places[:1]]
        for frame in out:
            if not frame.complete and frame.agent is not None and frame.action in ("capture", "advance") and any(
                    g.action == "withdraw" and g.places and g.index < frame.index for g in out):
                # "انسحب الجيش من X ودخلها المقاتلون": the place the other side has just left; "من بلدة X وتل
                # Y، لتدخلها ...": every place that withdrawal left
                frame.places = self._pronoun_object(ch, frame.index)
                left = [g for g in out if g.action == "withdraw" and g.places and g.index < frame.index][-1]
                whole = [(p, "whole") for p, role in left.places if role in ("whole", "partial")]
                if frame.places and len(whole) > 1:
                    frame.places = whole
                frame.complete = bool(frame.places)
            if not frame.complete and frame.action == "capture" and not frame.places:
                # "اقتحمت الفصائل مدينة X وسيطرت عليها": a verb joined to an advance before it, its object a
                # pronoun, takes that advance's places and side
                before = [g for g in out if g.index < frame.index and g.places and g.agent is not None and
                          g.action in ("advance", "siege", "capture")]
                joined = ch[frame.index].text.startswith("و") or ch[frame.index - 1].text == "ثم" or \
                    ch[frame.index - 1].has("joined")  # "وباتت تسيطر عليها", "قبل أن تسيطر عليها"
                if before and self._pronoun_object(ch, frame.index) and joined and not any(
                        c.kind == "punct" and not (c.text in _LIST_PUNCT and ch[frame.index].text.startswith("و"))
                        for c in ch[before[-1].index:frame.index]):  # (", وتسيطر عليها" joins too)
                    g = before[-1]
                    frame.places = [(p, "whole") for p, role in g.places if role in ("whole", "partial")]
                    frame.agent, frame.agent_how = frame.agent or g.agent, frame.agent_how or g.agent_how
                    frame.complete = bool(frame.places)
                elif not before and frame.agent is not None and self.lex.lang == "ar" and \
                        any(c.kind == "place" for c in ch[:frame.index]) and self._pronoun_object(ch, frame.index):
                    # "انهيار دفاعات قوات النظام في بلدة X وسيطرة الثوار عليها": the place the sentence named
                    frame.places = self._pronoun_object(ch, frame.index)
                    frame.complete = True
            if not frame.complete and not frame.places and frame.agent is not None and self.lex.lang == "en" and \
                    frame.action in ("capture", "advance") and not frame.passive and \
                    self._bare_predicate(ch, frame.index):
                # "HTS withdrew from X; SAA took over", "regime forces pulled out of X; rebels now in control": a
                # bare takeover after the other side's withdrawal in the sentence takes what it left
                left = [g for g in out if g.action == "withdraw" and g.index < frame.index and g.places and
                        g.loser is not None and g.loser.side != frame.agent.side]
                if left:
                    frame.places = [(p, "whole") for p, role in left[-1].places if role == "whole"]
                    frame.complete = bool(frame.places)
            if self._handover(ch, frame, out):
                frame.action = "capture"
                for g in out:
                    if g.action == "withdraw" and g.index > frame.index and g.loser is not None and \
                            g.loser.side == frame.agent.side and self._left_unnamed(ch, frame, g):
                        g.places, g.complete = [], False  # "the convoy left": not the entering side's withdrawal
                # "وصلت الفصائل إلى مدينة X بعد انسحاب ... منها": reaching a place the other side has left takes it
                frame.places = [(p, "whole" if role == "directional" else role) for p, role in frame.places]
            elif self._entry_takes(ch, frame, out):
                frame.action, frame.entered = "capture", True
            if frame.action == "capture" and frame.agent is not None and any(
                    g.loss and g.loser is not None and g.loser.side == frame.agent.side and
                    0 < g.index - frame.index <= 6 and not any(c.kind == "punct" for c in ch[frame.index:g.index]) and
                    {_key(p) for p, _ in g.places} & {_key(p) for p, _ in frame.places} for g in out):
                frame.complete = False  # "ارتش سوریه کنترل شهر تدمر را از دست داد": the control it lost
        out.extend(self._under_phrases(ch, sent, out))
        return out

    def _operation_name(self, ch: list[Chunk], i: int) -> bool:
        """Whether the predicate opens a quoted name after an operation word ("launched the battle of
        'Liberation of the Coast'", "an operation dubbed "Liberating Idlib""): a name, no claim."""
        j = self._back(ch, i - 1, ("det",))
        if j < 1 or not (ch[j].kind == "punct" and ch[j].text in _QUOTES):
            return False
        k = j - 1
        if ch[k].text in ("of", "called", "dubbed", "named", "codenamed"):
            k = self._back(ch, k - 1, ("det",))
        return k >= 0 and (ch[k].has("operation") or fold_key(ch[k].text) in self._operations)

    def _entry(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        return self._verb(ch, i, f)

    def _linked_up(self, ch: list[Chunk], f: Frame) -> None:
        """Whether a link-up is told by forces (none in English, which has no link-up predicate)."""

    def _shared_subject(self, ch: list[Chunk], f: Frame, before: Frame) -> None:
        """A verb joined by "and" to the one before shares its subject (none in English, whose subject is
        read phrase by phrase)."""

    def _into(self, ch: list[Chunk], f: Frame) -> None:
        """A language's way of writing an entry *into* a place with a word that elsewhere says "towards" (none
        in English)."""

    @staticmethod
    def _raised(ch: list[Chunk], i: int) -> bool:
        """Whether a flag predicate is raised by no people ("رُفع العلم السوري في X", not "رفع المتظاهرون علم
        الثورة"); a predicate of no flag ("انتهى الوجود المسلح في X") needs no verb."""
        k = next((k for k in range(i - 1, max(-1, i - 4), -1) if ch[k].has("raise")), None)
        if "علم" not in ch[i].text:
            return True
        return k is not None and not any(c.has("people") for c in ch[k:i])

    @staticmethod
    def _line_topic(ch: list[Chunk]) -> tuple[Place, int] | None:
        """The place a terse note's line opens with before a colon, and the colon's index: "Ratyan (N. Aleppo):
        fell to regime forces", "- Kafr Dael: SAA in full control", "Daraa - Izraa: ..." (the last place)."""
        k, place = 0, None
        while k < len(ch) and ch[k].kind == "punct" and ch[k].text not in (":", "("):
            k += 1  # a bullet
        while k < len(ch) and (ch[k].kind == "place" or ch[k].kind == "punct" and ch[k].text in ("-", "–", "/")):
            if ch[k].kind == "place":
                place = ch[k].value
            k += 1
        if place is None:
            return None
        if k < len(ch) and ch[k].kind == "punct" and ch[k].text == "(":
            k = next((m + 1 for m in range(k, len(ch)) if ch[m].kind == "punct" and ch[m].text == ")"), len(ch))
        if k < len(ch) and ch[k].kind == "punct" and ch[k].text == ":":
            return place, k
        return None

    def _fronted_place(self, ch: list[Chunk]) -> tuple[Place, int] | None:
        """The place a sentence opens with before a comma, "In X," ("In the southern district of X, where
        rebels had fought for a week, troops regained control"): what a bare predicate after it tells of,
        as a note's topic is; and the comma's index."""
        if not ch or ch[0].text not in ("in", "in the", "inside"):
            return None
        k = 1
        while k < len(ch) and (ch[k].has("det", "place_mod", "feature", "anaphora_singular", "of", "region_direction")
                               or ch[k].has("locator") and ch[k].text.endswith(" of") and
                               ch[k].text.split()[0] not in _COMPASS):
            k += 1  # "In the southern district of X,"
        if k >= len(ch) or ch[k].kind != "place" or k + 1 >= len(ch):
            return None
        place, k = ch[k].value, k + 1
        if ch[k].kind == "punct" and ch[k].text == "(":
            k = next((m + 1 for m in range(k, len(ch)) if ch[m].kind == "punct" and ch[m].text == ")"), len(ch))
        if k < len(ch) and ch[k].kind == "punct" and ch[k].text == ",":
            return place, k
        return None

    def _bare_predicate(self, ch: list[Chunk], i: int) -> bool:
        """Whether nothing that could be the predicate's object follows it ("SAA entered, ...", "fell to
        regime forces", "in full control after ..."): only then is the line's topic its place."""
        k = self._skip(ch, i + 1, ("adverb",))
        if k < len(ch) and self.lex.lang == "en" and (ch[k].has("control") or ch[k].kind == "pred" and
                                                      ch[k].text == "control"):
            k = self._skip(ch, k + 1, ("adverb",))  # "regained control on Friday", "took full control after"
        while k < len(ch) and ch[k].kind == "date":
            k += 1
        return k >= len(ch) or ch[k].kind in ("punct", "actor") or ch[k].text in _BARE_AFTER

    def _entry_takes(self, ch: list[Chunk], f: Frame, frames: list[Frame]) -> bool:
        """"Turkish troops entered Tal Abyad": an entry into a whole place takes it, unless the sentence
        tells of fighting ("entered X and clashed with IS"), of a part ("entered parts of X") or of the
        other side still there."""
        if f.construction != "entry" or f.action != "advance" or f.agent is None or not f.places or \
                any(role != "whole" for _, role in f.places) or f.loser is not None:
            return False  # "entered YPG-held Afrin": a place another side still holds
        taken = {_key(p) for p, _ in f.places}
        if any(g is not f and g.action in ("clash", "attack", "siege", "withdraw", "advance") and
               not (g.action in ("clash", "attack") and
                    any(c.has("before_entry") for c in ch[max(0, g.index - 3):g.index])) and
               not (g.action == "advance" and g.index > f.index and g.places and
                    all(p.reason == "anaphora" or _key(p) in taken for p, _ in g.places)) and
               not (g.action == "clash" and g.index > f.index and not g.places and
                    self._edge_fight(ch, g.index))
               for g in frames):
            return False  # "entered X and clashed with IS"; not "entered X after fierce clashes with IS", nor
            # fighting on its edges ("يدخلون مدينة X ... وقواتنا تخوض اشتباكات في أطرافها", `[words] edge_of`)
        if any(c.has("support") and (a := self._actor_at(ch, k + 1)) is not None and a.side != f.agent.side
               for k, c in enumerate(ch)):
            return False  # "برای کمک به یگان‌های مدافع خلق وارد منطقه عفرین شدند": come to help the side holding it
        return not any(c.has("partial", "partial_adverb", "edge", "ongoing") for c in ch[f.index:])

    @staticmethod
    def _edge_fight(ch: list[Chunk], i: int) -> bool:
        """Whether the fighting told at ``i`` is on the edges of the place just entered, before any punctuation
        ("وتخوض اشتباكات مع قسد في أطرافها")."""
        for c in ch[i + 1:i + 9]:
            if c.kind == "punct":
                return False
            if c.has("edge_of"):
                return True
        return False

    def _handover(self, ch: list[Chunk], f: Frame, frames: list[Frame]) -> bool:
        """An entry that takes a place over: by agreement ("entered Manbij following an agreement with the
        SDF") or after the other side's withdrawal ("دخلت وحدات من الجيش مدينة منبج بعد انسحاب الوحدات
        الكردية")."""
        if f.action != "advance" or f.construction not in ("verb", "entry", "nominal") or not f.places or \
                f.agent is None:
            return False  # (a noun too: "دخول وحدات الجيش إلى مدينة X بعد تسوية أوضاع المسلحين")
        if any(x.has("agreement") or x.kind == "pred" and x.value[0] == "ceasefire" for x in ch):
            return True  # "... after the implementation of the settlement agreement"
        if any(x.has("before_entry") and ch[k + 1].has("departure") for k, x in enumerate(ch[f.index:-1], f.index)):
            return True  # "دخلت وحدات الجيش X بعد خروج آخر دفعة من المسلحين": the other side left under a deal
        taken = {_key(p) for p, _ in f.places}
        for g in frames:
            if g.action == "withdraw" and g.loser is None and g.index > f.index and \
                    (ch[g.index - 1].has("before_entry") or g.pred.text.split()[0] in self._before_entry):
                return True  # "دخلت الفصائل مدينة X، بعد انسحاب حراس السجن": those who left are named by no side
            if g.action == "withdraw" and g.loser is None and g.index < f.index and \
                    any(c.has("terrorists") for c in ch[max(0, g.index - 6):g.index]) and \
                    (taken & {_key(p) for p, _ in g.places} or "anaphora" in taken):
                return True  # "تروریست‌ها شهر X را ترک کردند و ارتش وارد آن شد": "the terrorists" left it
            if g.action == "withdraw" and g.index > f.index and self._left_unnamed(ch, f, g) and \
                    all(_key(p) in taken for p, _ in g.places) and \
                    not any(h.action in ("clash", "attack") and f.index < h.index < g.index for h in frames):
                return True  # "entered X hours after the convoy left": what left is no side of the entering one
            if g.action != "withdraw" or g.loser is None or g.loser.side == f.agent.side:
                continue
            left = {_key(p) for p, role in g.places if role != "directional"}
            went = {_key(p) for p, role in g.places if role == "directional" and p.mention is not None}
            nxt = ch[g.index + 1] if g.index + 1 < len(ch) else None
            towards = nxt is not None and (nxt.has("to", "directional") or nxt.text.split()[0] in ("to", "towards"))
            # "withdrew to the village centre" is no handover of the village, "withdrew towards Zamalka" (another
            # place named) is; "the town" is the place named in the other clause
            if not g.places and not towards or taken & left or left and ("anaphora" in taken | left) or \
                    went and not left and "anaphora" not in went and not taken & went:
                return True
        return False

    def _left_unnamed(self, ch: list[Chunk], f: Frame, g: Frame) -> bool:
        """Whether a withdrawal after an entry is told in a clause of time whose subject names no side
        ("entered X hours after the convoy left", "after the last buses carrying militiamen left"): the other
        side's departure. English: the subject stands between "after" and the verb."""
        if self.lex.lang != "en":
            return False
        k = next((k for k in range(g.index - 1, f.index, -1) if ch[k].text.split()[-1] in ("after", "following")),
                 None)
        if k is None or g.index - k < 2 or any(self._boundary(c) for c in ch[k + 1:g.index]):
            return False
        return not any(c.kind == "actor" and c.value.side for c in ch[k:g.index])

    def _elided_place(self, ch: list[Chunk], f: Frame, before: Frame) -> None:
        """"rebels captured al-Rai, but withdrew after ...": a withdrawal naming no place leaves the one
        its side has just taken, when no other place comes between."""
        if f.action != "withdraw" or f.passive or f.places or f.loser is None or before.agent is None or \
                before.action not in ("capture", "advance") or not before.places or \
                before.agent.side != f.loser.side:
            return
        last = max(p.end for p, _ in before.places)
        if any(c.kind == "place" for c in ch[before.index + 1:f.index] if c.start >= last):
            return
        f.places = [(p, "whole") for p, role in before.places if role in ("whole", "partial")]
        f.complete = bool(f.places)

    @staticmethod
    def _advanced_there(ch: list[Chunk], f: Frame, before: Frame) -> None:
        """"attacked Qaboun from the west and advanced 700 meters", "launched an assault on X, managing to
        advance slightly": an advance with no place of its own is in the place the side has just attacked, in
        the same clause."""
        after = ch[f.index + 1] if f.index + 1 < len(ch) else None
        bare = after is None or after.kind == "punct" or after.plain and after.text.endswith("ly") or \
            after.has("adverb")  # "managing to advance slightly"
        if f.action != "advance" or f.places or (f.distance is None and not bare) or f.distance_to or \
                before.action not in ("attack", "clash") or not before.places or before.agent is None or \
                f.agent is not None and f.agent.side != before.agent.side or \
                any(c.kind == "punct" and c.text in _BOUNDARY_PUNCT for c in ch[before.index:f.index]):
            return
        f.places, f.complete = [(before.places[0][0], "whole")], True
        f.agent = f.agent or before.agent
        f.agent_how = f.agent_how or before.agent_how

    @staticmethod
    def _force_name(ch: list[Chunk], i: int) -> bool:
        """A noun inside the name of a force: "the Afrin Liberation Forces", "جبهة تحرير سوريا"."""
        return 0 < i < len(ch) - 1 and ch[i - 1].kind in ("place", "name") and ch[i + 1].kind == "actor" and \
            ch[i - 1].end + 1 >= ch[i].start and ch[i].end + 1 >= ch[i + 1].start and not ch[i + 1].value.side

    def _attributive(self, ch: list[Chunk], i: int) -> bool:
        """A siege participle describing a noun, not a side besieging: "the besieged town of X", "the rebels
        surrounded in Mare'"."""
        before = ch[i - 1] if i > 0 else None
        after = ch[i + 1] if i + 1 < len(ch) else None
        if before is None or any(c.has("siege_break") for c in ch[max(0, i - 3):i]):
            return False  # "linked up with the besieged garrison of X": a siege broken
        if before.has("det"):
            return True
        if before.has("plural_object", "feature") and ch[i].text.endswith("ing"):
            return True  # "the farms surrounding the town": where the farms are
        return before.kind == "actor" and ch[i].text.endswith("ed") and after is not None and \
            after.text in ("in", "inside", "at")

    def _inside_other(self, ch: list[Chunk], i: int) -> bool:
        """A nominal right after a verb of the same action ("took control of", "seized full control of") is
        the verb's filler, not a predicate of its own."""
        c = ch[i]
        if c.value[1] != "nominal":
            return False
        j = self._back(ch, i - 1, ("det", "adverb", "filler"))
        return j >= 0 and ch[j].kind == "pred" and ch[j].value[0] == c.value[0] and \
            ch[j].value[1] not in ("nominal", "light")  # "announced the liberation of X": the noun's frame

    def _partly(self, ch: list[Chunk], i: int) -> bool:
        """"the town had largely been taken", "partially captured", "almost captured": only part of the
        place (a hedge counts only right before the verb: "seized nearly total control of X" took it)."""
        if any(c.has("partial_adverb") for c in ch[max(0, i - 4):i]):
            return True
        return self._hedged(ch, i) and ch[i].value[1] == "verb"

    def _hedged(self, ch: list[Chunk], i: int) -> bool:
        """A hedge right before the verb ("almost surrounded", "IS nearly besieged")."""
        k = self._back(ch, i - 1, ("aux", "perfect"))
        return k >= 0 and ch[k].has("hedge")

    @staticmethod
    def _most(ch: list[Chunk], j: int) -> bool:
        """Whether the share before ``j`` ("90 percent of", "80%") is three quarters of a place or more."""
        k = j - 1
        return k >= 0 and ch[k].text.isdigit() and int(ch[k].text) >= 75

    def _measure(self, ch: list[Chunk], i: int, f: Frame) -> None:
        """A distance in the predicate's clause: "N km from X" is a distance to a place (a proximity),
        "advanced 8 km" a distance advanced; "reached the outskirts of X" is a proximity of 0."""
        lo, hi = self._clause_span(ch, i)
        pred = ch[i]
        rx = self.lex.distance_rx
        m = rx.search(self._folded, pred.start, hi)
        if m is None:
            # the predicate may be the unit itself ("در ۵ کیلومتری"), else the last distance before it
            # ("3 km separate the army from ...")
            around = [x for x in rx.finditer(self._folded, max(lo, pred.start - 40), hi)
                      if x.start("unit") <= pred.start < x.end("unit")]
            before = list(rx.finditer(self._folded, max(lo, pred.start - 40), pred.start))
            m = around[0] if around else before[-1] if before else None
        if m is None:
            if f.action == "proximity" and f.construction != "distance":
                f.distance, f.distance_to = 0.0, True
            return
        num = m.group("num").replace(",", ".")
        value = float(num) if num[0].isdigit() else self.lex.numbers.get(num)
        if value is None:
            return
        if m.group("unit").startswith("mi"):
            value *= 1.609
        elif m.group("unit") in self.lex.metres:
            value /= 1000
        f.distance = value
        f.distance_to = bool(m.group("from")) or f.construction == "distance" or f.action == "proximity" or \
            m.group("unit") in self._units_to  # "به 2کیلومتری X رسید": reached 2 km from X, not X

    def _clause_span(self, ch: list[Chunk], i: int) -> tuple[int, int]:
        """Folded offsets of the comma-delimited part of the sentence around chunk ``i``."""
        lo, hi = ch[0].start, ch[-1].end
        for k in range(i - 1, -1, -1):
            if ch[k].kind == "punct" and (ch[k].text in _LIST_PUNCT or ch[k].text in _BOUNDARY_PUNCT):
                lo = ch[k].end
                break
        for k in range(i + 1, len(ch)):
            if ch[k].kind == "punct" and (ch[k].text in _LIST_PUNCT or ch[k].text in _BOUNDARY_PUNCT):
                hi = ch[k].start
                break
        return lo, hi

    def _finish(self, ch: list[Chunk], f: Frame) -> None:
        lo = min([f.pred.start] + [p.start for p, _ in f.places] + ([f.agent.start] if f.agent and
                                                                      f.agent_how in ("subject", "possessor") and
                                                                      f.pred.start - f.agent.end < 120 else []))
        hi = max([f.pred.end] + [p.end for p, _ in f.places] + ([f.agent.end] if f.agent and f.agent_how in
                                                                  ("by", "to", "after") else []))
        if f.loser is not None and f.loser.start >= f.pred.end and f.loser.end - hi < 40:
            hi = max(hi, f.loser.end)
        f.span = (lo, hi)

    # ------------------------------------------------------------------ constructions
    def _common(self, ch: list[Chunk], i: int, f: Frame) -> bool | None:
        """What every verb shares: a context action reads its place loosely, a siege may be one broken, a
        withdrawal names the loser; a result ends the reading, None goes on."""
        if f.action not in TERRITORIAL:
            return self._context(ch, i, f)
        if f.action == "siege" and self._siege_broken(ch, i, f):
            return True
        if f.action == "withdraw":
            f.loss = True
        return None

    def _verb(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        done = self._common(ch, i, f)
        if done is not None:
            return done
        if self._passive(ch, i):
            f.passive = True
            f.places = self._places_before(ch, i)
            if not f.places:
                # "HTS withdrew from X, which was subsequently occupied by regime forces": the antecedent of "which"
                f.places = self._relative_object(ch, i)
            f.agent, f.agent_how = self._by_agent(ch, i + 1)
            if f.loss and f.places and f.agent is not None and f.action == "withdraw":
                # "X was abandoned by government troops": the place is the subject, the side after "by" left it
                f.loser, f.agent, f.agent_how = f.agent, None, None
                return True
            if f.loss:
                # "IS was driven out": the subject is the loser
                f.loser = self._subject(ch, i)
                j = i + 1
                if j < len(ch) and ch[j].text in ("from", "out of"):
                    j += 1  # "fighters were evacuated from X": the verb's preposition written apart
                f.places = self._places_after(ch, j, f)
            return bool(f.places)
        f.places = self._places_after(ch, i + 1, f)
        subject = self._subject(ch, i) or self._launcher(ch, i)
        if f.loss and self._made(ch, i):
            # "the army forced IS to withdraw from X": the object leaves, the side that made it takes
            f.loser, f.agent, f.agent_how = ch[i - 2].value, self._subject(ch, i - 3), "made"
            return bool(f.places)
        if f.loss:
            f.loser = subject
        else:
            f.agent, f.agent_how = (subject, "subject") if subject is not None else self._agent_after(ch, i)
        if not f.places and f.action == "siege":
            # "encircled government forces in the centre of the city": the besieged side, then where
            j = self._skip(ch, i + 1, ("det",))
            if j + 1 < len(ch) and ch[j].kind == "actor" and ch[j + 1].text in ("in", "inside", "at"):
                f.loser, f.places = ch[j].value, self._places_after(ch, j + 2, f)
        if not f.places and f.action == "withdraw":
            # "the rebels in X were evacuating": a side placed by "in" before a withdrawal naming no place leaves it
            k = self._back(ch, i - 1, ("aux", "perfect", "adverb"))
            if k >= 2 and ch[k].kind == "place" and ch[k - 1].text in ("in", "inside") and ch[k - 2].kind == "actor" \
                    and f.loser is ch[k - 2].value:
                f.places = [(ch[k].value, "whole")]
        if not f.places:
            f.places = self._relative_object(ch, i)
        if not f.places and f.pred.text in ("capture", "recapture", "fall", "liberation") and \
                self._possessive_place(ch, i):
            # "after the city's capture": a noun owned by its place; the side comes from the context
            f.places, f.agent, f.agent_how = self._possessive_place(ch, i), None, None
        return bool(f.places) or f.action == "advance" and f.distance is not None

    def _made(self, ch: list[Chunk], i: int) -> bool:
        """Whether a verb follows "VERB SIDE to" where VERB makes its object do it (``[filters] made_to``)."""
        if i < 3 or ch[i - 1].text != "to" or ch[i - 2].kind != "actor" or not ch[i - 2].value.side:
            return False
        k = self._back(ch, i - 3, ("det",))
        return k >= 0 and fold_key(ch[k].text) in self._made_to

    def _nominal(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        if f.action not in TERRITORIAL:
            return self._context(ch, i, f)
        j = self._back(ch, i - 1, ("det",))
        if j >= 0 and ch[j].has("operation"):
            return False  # "the operation to liberate X", "عملیات آزادسازی X": an operation's name
        if f.action == "siege" and self._siege_broken(ch, i, f):
            return True
        if f.action == "withdraw":
            f.loss = True
        start = self._besieger(ch, i + 1, f) if f.action == "siege" else i + 1
        owner = self._possessor(ch, i)
        s = start + 1 if start < len(ch) and ch[start].text in self._full_words else start
        if owner is None and s + 1 < len(ch) and self._actor_at(ch, s) is not None and \
                ch[s + 1].text in self._over_words:
            owner, start = ch[s].value, s + 2  # "the control of regime forces over X", "تسلط کامل ارتش بر X"
        f.places = self._places_after(ch, start, f)
        if not f.places:
            f.places = self._possessive_place(ch, i)
        if not f.places and owner is None and i > 0 and ch[i - 1].kind in ("place", "name"):
            f.places = self._places_before(ch, i)  # "Alshaddadi liberation", "Palmyra recapture"
        k = self._after_places(ch, i + 1) if f.places and f.pred.text.startswith("control") else len(ch)
        if k + 1 < len(ch) and ch[k].text in ("changed", "passed", "shifted", "switched"):
            # "control of X changed from HTS to regime forces": the side after "to" takes it from the one after "from"
            m = k + 1
            if ch[m].has("from") or ch[m].text == "from":
                f.loser = self._actor_at(ch, self._skip(ch, m + 1, ("det",)))
                m = self._skip(ch, m + 1, ("det",)) + 1
            gainer, how = self._to_agent(ch, m)
            if gainer is not None:
                f.agent, f.agent_how = gainer, how
                return True
        if f.loss:
            f.loser = owner or self._of_actor(ch, i + 1)
            if f.loser is None and f.pred.text.endswith(" of"):
                f.loser = self._actor_at(ch, i + 1)  # "following the withdrawal of NSAGs"
            if f.loser is None and i > 1 and ch[i - 1].kind == "actor" and ch[i - 2].has("lam_deed"):
                f.loser = ch[i - 1].value  # "اضطرت قوات النظام للانسحاب من X": the verb's subject left
            gainer, how = self._by_agent(ch, i + 1)
            f.agent, f.agent_how = gainer, how
            return bool(f.places)
        if owner is not None:
            f.agent, f.agent_how = owner, "possessor"
        else:
            f.agent, f.agent_how = self._by_agent(ch, i + 1)
        # the verb may stand before its subject ("فقدت قوات النظام السيطرة على X")
        v = i - 2 if i > 1 and ch[i - 1].kind == "actor" else i - 1
        if f.agent is None and f.places and v >= 0 and ch[v].kind == "pred" and \
                ch[v].value[1] in ("loss", "transfer"):
            # "handed over control of the town to the army": the control given, to the side after it
            f.agent, f.agent_how = self._to_agent(ch, self._after_places(ch, i + 1))
            f.loser = f.loser or self._subject(ch, v)
            f.complete = f.agent is not None
            return f.complete
        if f.agent is None and f.places and i > 0 and ch[i - 1].has("passes_to"):
            # "آلت السيطرة على X إلى قوات النظام": the side the control passed to ("من Y" before it: the loser)
            k = self._after_places(ch, i + 1)
            if 0 < k < len(ch) and ch[k - 1].has("from") and self._actor_at(ch, k) is not None:
                f.loser, k = ch[k].value, k + 1
            f.agent, f.agent_how = self._to_agent(ch, k)
        if f.agent is None and v == i - 2 and ch[v].has("light_verb"):
            # "فرضت قوات النظام حصاراً على X", "أحكم الجيش قبضته على X": a verb, its subject, then the noun
            f.agent, f.agent_how = ch[i - 1].value, "subject"
        if f.agent is None and not f.places and f.action == "advance" and f.pred.text.endswith(" of") and \
                i + 1 < len(ch):
            # "withdrew from X amid the advance of regime forces": the side the noun's "of" names, who takes
            # what the other side left (an advance naming where it goes keeps reading as before)
            actor = self._actor_at(ch, i + 1)
            if actor is not None and (i + 2 >= len(ch) or ch[i + 2].kind == "punct" or self._boundary(ch[i + 2])):
                f.agent, f.agent_how = actor, "of"
        if f.agent is None:
            announcer = self._announcer(ch, i)
            if announcer is not None:
                f.agent, f.agent_how = announcer, "announcer"
        return bool(f.places)

    @functools.cached_property
    def _over_words(self) -> frozenset[str]:
        """"over" between a noun of control's side and its place (`[plain_words] over`)."""
        return frozenset({"over", "on"} | {fold_key(w) for w in self.lex.data.get("plain_words", {}).get("over", [])})

    @functools.cached_property
    def _full_words(self) -> frozenset[str]:
        """"full" between a noun of control and its side (`[plain_words] full`)."""
        return _FULL | {fold_key(w) for w in self.lex.data.get("plain_words", {}).get("full", [])}

    def _fall(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        f.places = self._places_before(ch, i)
        k = i + 1
        if not f.places:
            f.places = self._places_after(ch, i + 1, f) if f.pred.text.endswith(" of") else []
            if not f.places:
                # "Ratyan (N. Aleppo): fell to regime forces": the side, for the place the line opens with
                f.agent, f.agent_how = self._to_agent(ch, i + 1)
                return False
            last = max(p.end for p, _ in f.places)
            k = next((m for m in range(i + 1, len(ch)) if ch[m].start >= last), len(ch))  # "the fall of X to Y"
        f.passive = True
        f.agent, f.agent_how = self._to_agent(ch, k)
        if f.agent is None:
            f.agent, f.agent_how = self._by_agent(ch, i + 1)
        return True

    def _expel(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        if self._expel_roles(ch, i, f):
            return True
        # "cleared the town", "swept Raqqa": the place right after the verb, taken
        j = self._skip(ch, i + 1, ("adverb",))
        if not self._passive(ch, i) and j < len(ch) and (ch[j].kind in ("place", "name") or ch[j].has("det")):
            f.places, f.loser = self._places_after(ch, j, f), None
            subject = self._subject(ch, i)
            f.agent, f.agent_how = (subject, "subject") if subject is not None else (None, None)
            return bool(f.places) and not (j < len(ch) and ch[j].kind == "actor")
        return False

    def _expel_roles(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        if self._passive(ch, i):
            # "X was cleared of IS", "the city is now free of weapons and gunmen": the place is the subject
            f.places = self._places_before(ch, i)
            f.loser = self._of_actor(ch, i + 1)
            f.agent, f.agent_how = self._by_agent(ch, i + 1)
            return bool(f.places) and (f.loser is not None or f.pred.text.startswith("free"))
        j = self._skip(ch, i + 1, ("adverb", "out", "det", "filler"))
        if j < len(ch) and ch[j].kind == "actor":
            # "drove IS fighters out of X", "ousted the last IS militants from X"; "declared victory over IS in X", "defeated IS in X"
            f.loser = ch[j].value
            k = self._skip(ch, j + 1, ("adverb", "det", "filler"))
            k = self._plain_skip(ch, k, 3)
            victory = "victory" in f.pred.text or "defeat" in f.pred.text
            if k < len(ch) and (ch[k].has("from", "out") or victory and ch[k].text in ("in", "at")):
                f.places = self._places_after(ch, k + 1, f)
        else:
            # "cleared X of IS", "freed X from IS"
            places = self._places_after(ch, i + 1, f)
            k = self._after_places(ch, i + 1)
            if places and k < len(ch) and ch[k].has("of", "from") and k + 1 < len(ch) and \
                    self._actor_at(ch, k + 1) is not None:
                f.places, f.loser = places, self._actor_at(ch, k + 1)
            elif places and not self._passive(ch, i) and places[0][0].reason != "anaphora":
                f.places = places  # "cleansed the village of Tal Tamr"
        if not f.places:
            return False
        subject = self._subject(ch, i)
        f.agent, f.agent_how = (subject, "subject") if subject is not None else (None, None)
        return True

    def _loss(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        f.loss = True
        f.loser = self._subject(ch, i)
        if f.loser is None and f.pred.text.startswith("loss of"):
            f.loser = self._possessor(ch, i)
        f.places = self._places_after(ch, i + 1, f)
        if not f.places:
            f.places = self._relative_object(ch, i)
        if not f.places and (self.lex.agent_order != "before" or f.loser is None and self._passive(ch, i)):
            # "منبج رابع مدينة يخسرها تنظيم الدولة"; "X was handed over to the army": the passive's subject
            f.places = self._places_before(ch, i)
        k = self._after_places(ch, i + 1)
        f.agent, f.agent_how = self._to_agent(ch, k)
        if f.agent is None:
            f.agent, f.agent_how = self._by_agent(ch, k)
        return bool(f.places)

    def _light(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """"established their full control on the city", "announced full control of X": a verb that takes a
        place only through "control"."""
        j = self._skip(ch, i + 1, ("det", "adverb", "filler", "control"))
        k = i + 1
        while k < min(len(ch), i + 6) and not (ch[k].kind == "word" and "control" in ch[k].text.split()):
            k += 1
        if k >= min(len(ch), i + 6) or ch[k].has("not_control"):
            return False  # "established fire control over the town": in range, not held
        j = k + 1
        if j < len(ch) and (ch[j].has("of", "filler") or ch[j].text in ("on", "over", "of")):
            j += 1
        f.places = self._places_after(ch, j, f)
        subject = self._subject(ch, i)
        f.agent, f.agent_how = (subject, "subject") if subject is not None else (None, None)
        return bool(f.places)

    def _held(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        if f.pred.text == "control":
            # the bare verb right after its side ("Regime forces control X", "who control X"); "under SDF
            # control" is a phrase of its own
            k = self._back(ch, i - 1, ("adverb",))
            if k < 0 or not (ch[k].kind == "actor" or ch[k].text in ("who", "that")):
                return False
            b = self._back(ch, k - 1, ("det", "adverb"))
            while b > 0 and ch[b].text in _FULL:
                b = self._back(ch, b - 1, ("det", "adverb"))
            if ch[k].kind == "actor" and b >= 0 and (ch[b].has("under") or ch[b].kind != "actor" and
                                                     ch[b].text.split()[-1] in ("under", "in", "into")):
                return False  # "came under GoS control": the noun of an "under" phrase, not the verb
        f.places = self._places_after(ch, i + 1, f)
        subject = self._subject(ch, i)
        f.agent, f.agent_how = (subject, "subject") if subject is not None else (None, None)
        return bool(f.places) and f.agent is not None

    def _under(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        f.places = self._places_before(ch, i)
        f.passive = True
        actor = self._actor_at(ch, self._skip(ch, i + 1, ("det", "adverb")))
        if actor is not None:
            f.agent, f.agent_how = actor, "after"
        # "مدينة الباب باتت تحت السيطرة بشكل تام": under control, whose is the report's
        return bool(f.places)

    def _transfer(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        f.loss = True
        if self._passive(ch, i):
            f.places = self._places_before(ch, i)
        else:
            f.loser = self._subject(ch, i)
            f.places = self._places_after(ch, i + 1, f)
        k = self._after_places(ch, i + 1)
        k = self._skip(ch, k, ("out", "adverb"))
        f.agent, f.agent_how = self._to_agent(ch, k)
        return bool(f.places) and f.agent is not None

    def _distance(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """"N km from X": a proximity; the number may come before the predicate ("3 km separate ..."), and
        the place is the first one named in the rest of the clause."""
        if f.distance is None:
            return False
        f.distance_to = True
        f.places = self._places_after(ch, i + 1, f)
        if not f.places:
            for k in range(i + 1, len(ch)):
                if ch[k].kind == "punct" and ch[k].text in _BOUNDARY_PUNCT or ch[k].has("stop"):
                    break
                if ch[k].kind == "place":
                    f.places = self._places_after(ch, k, f) or [(ch[k].value, "whole")]
                    break
        subject = self._subject(ch, i)
        f.agent, f.agent_how = (subject, "subject") if subject is not None else (None, None)
        return bool(f.places)

    def _context(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """Clashes, strikes, attacks, ceasefires: the first place of the clause after the predicate."""
        j = i + 1
        while j < len(ch) and not self._boundary(ch[j]) and j - i <= 8:
            if ch[j].kind in ("place", "name") and ch[j].kind == "place":
                f.places = [(ch[j].value, "whole")]
                break
            j += 1
        if i > 0 and ch[i - 1].text in ("a", "an", "the") and self._by_agent(ch, i + 1)[0] is not None:
            # "after a counter-attack by HTS on X": a noun whose side is named after "by", not the clause's subject
            f.agent, f.agent_how = self._by_agent(ch, i + 1)
            return bool(f.places)
        subject = self._subject(ch, i)
        f.agent, f.agent_how = (subject, "subject") if subject is not None else (None, None)
        return bool(f.places) and f.agent is not None

    # ------------------------------------------------------------------ phrases
    def _under_phrases(self, ch: list[Chunk], sent: Sentence, done: list[Frame]) -> list[Frame]:
        """"under SDF control", "under the full control of the SDF" spelled with the side inside: a held
        place, the place being the subject before "under"."""
        out = []
        for i, c in enumerate(ch):
            if not c.has("under") or any(f.index == i for f in done):
                continue
            j = self._skip(ch, i + 1, ("det", "adverb", "filler"))
            while j + 1 < len(ch) and ch[j].text in _FULL:
                j = self._skip(ch, j + 1, ("det", "adverb"))  # "under full HTS control"
            actor = self._actor_at(ch, j)
            if actor is None:
                # "Manbij is now fully under their control", "Morek in our hands": the side comes from the context
                # (not "the airport, which is under its control": a standing state described)
                k = self._skip(ch, i + 1, ("adverb",))
                if k >= len(ch) or ch[k].text not in _POSSESSIVES or \
                        any(x.has("relative") for x in ch[max(0, i - 3):i]) or \
                        (k := self._skip(ch, k + 1, ("adverb", "filler"))) >= len(ch) or not _control_word(ch[k]):
                    continue
            else:
                k = j + 1
                if k < len(ch) and ch[k].text == "'s":
                    k += 1
                k = self._skip(ch, k, ("adverb", "filler", "det"))
                if k >= len(ch) or not _control_word(ch[k]):
                    continue
            f = Frame(c, i, "capture", "under", sent, passive=True)
            f.places = self._places_before(ch, i)
            if not f.places:
                continue
            if actor is None and ch[self._skip(ch, i + 1, ("adverb",))].text != "our":
                # "the SDF said Manbij is under their control": the side the clause names before it
                actor = next((ch[m].value for m in range(i - 1, -1, -1) if ch[m].kind == "actor" and
                              ch[m].value.side and not self.dependent(ch, m)), None)
            f.agent, f.agent_how = (actor, "after") if actor is not None else (None, None)
            self._finish(ch, f)
            out.append(f)
        return out

    def _places_after(self, ch: list[Chunk], j: int, f: Frame | None = None) -> list[tuple[Place, str]]:
        """The place phrase starting at ``j``: one place or a list ("the villages of A, B and C"), each with
        its role (``whole``; ``partial`` after "parts of"; ``directional`` after "towards"; ``region``
        for "eastern Hama" or "the Hama countryside"). A side before "-held" or "stronghold" inside the
        phrase is the loser; "from <side>" after it too."""
        out: list[tuple[Place, str]] = []
        role = "whole"
        expecting = True
        direction = False
        definite = False  # "the", "its", a side holding it: the phrase may name a place without its name
        kind: Chunk | None = None  # the kind word of a phrase that names no place ("the last IS stronghold")
        n = len(ch)
        if f is not None and f.action == "advance" and j + 1 < n and ch[j].text == "against" and \
                self._actor_at(ch, j + 1) is not None:
            f.loser = f.loser or ch[j + 1].value  # "street battles against IS in al-Bab"
            j += 2
        if f is not None and f.action == "advance" and j < n and ch[j].text.rstrip("s").endswith("ward") and \
                ch[j].text.rstrip("s")[:-4] in _COMPASS:
            j += 1  # "advancing westwards from X to Y"
        if f is not None and f.action == "advance" and j + 1 < n and ch[j].has("from") and \
                self._actor_at(ch, j + 1) is None:
            # "advanced from A to B": A is where the move began, B where it went, a place neared
            k = j + 1
            while k < min(n, j + 9) and not ch[k].has("to", "directional") and not self._boundary(ch[k]) and \
                    (ch[k].kind != "pred" or ch[k - 1].has("det", "adverb") or ch[k - 1].text == "recently"):
                k += 1
            if k < n and ch[k].has("to", "directional") and any(x.kind in ("place", "name") for x in ch[j + 1:k]):
                role = "directional"
                j = k + 1
        start = j
        # advance and context verbs take their place after a preposition ("advanced into X", "entered X")
        if f is not None and f.action in ("advance", "siege", "proximity") and j < n and \
                ch[j].text in ("into", "in", "in the", "inside", "on", "onto", "upon", "to", "the", "toward", "towards"):
            if ch[j].has("directional"):
                role = "directional"
            j += 1
        elif f is not None and f.action == "advance" and j < n and ch[j].text in ("near", "close to"):
            role = "directional"  # "advanced near X": near it, not in it
            j += 1
        elif f is not None and f.action == "advance" and j + 2 < n and ch[j].has("locator") and \
                ch[j].text.endswith(" of") and ch[j + 1].kind == "place" and ch[j + 2].has("directional"):
            role = "directional"  # "an advance south of X towards Y": Y is the target, X only where it began
            j += 3
        while j < n:
            c = ch[j]
            if c.has("share") and expecting or c.text == "%" and expecting and j + 1 < n and ch[j + 1].has("of"):
                if not self._most(ch, j):
                    role = "partial"  # "captured 60% of X"; "90 percent of X" is the place, held
                j += 1 if c.has("share") else 2
                continue
            if c.kind == "pred" and f is not None and c.value == (f.action, "nominal") and expecting and not out \
                    and self._inside_other(ch, j):
                j += 1  # "took control of X", "regained control over X": the noun the verb governs
                continue
            if c.kind == "word":
                if c.has("edge") and expecting:
                    role = "edge"  # "the outskirts of X", "the northeastern entrance of X"
                elif c.has("partial"):
                    if not self._rest(ch, j):
                        role = "partial"
                elif c.has("anaphora_singular", "site_after") and expecting and not out and \
                        self._where(ch, j + 1)[0] is not None:
                    # "a prison in Hasaka city", "the airport in Deir ez-Zor": a site known by where it lies
                    within, after = self._where(ch, j + 1)
                    out.append((Place(c.start, c.end, c.text, reason=UNNAMED_SITE, done=True, site=True,
                                      within=within), role))
                    expecting = False
                    j = after
                    continue
                elif c.has("anaphora_singular", "anaphora_plural") and expecting and j + 1 < n and \
                        (ch[j + 1].has("of") or ch[j + 1].kind in ("place", "name")) and c.text not in ("it", "them"):
                    pass  # "the ancient city of Palmyra", "the city Akerbat": the kind of the place named next
                elif c.has("anaphora_singular", "anaphora_plural") and expecting:
                    if c.text == "it" and f is not None and f.action not in TERRITORIAL:
                        break
                    if c.has("anaphora_plural") and j >= 2 and ch[j - 1].has("of") and \
                            (ch[j - 2].text.isdigit() or ch[j - 2].text in self.lex.numbers):
                        break  # "seized four of the villages": some of them, not named
                    out.append((Place(c.start, c.end, c.text, reason="anaphora"), role))
                    expecting = False
                elif c.has("plural_object") and c.has("feature") and expecting and not out and \
                        any(x.text == "one" for x in ch[start:j]):
                    kind, definite = c, True  # "one of the largest rebel-held towns": one town, named elsewhere
                elif c.has("named_quarter") and expecting and not out and j + 2 < n and ch[j + 1].has("of") and \
                        ch[j + 2].kind == "place":
                    # "the Old City of Homs": a quarter with a name of its own, at its city's point
                    out.append((Place(c.start, ch[j + 2].end, "", reason="not in the gazetteer", done=True,
                                      site=True, namesake=ch[j + 2].value), role))
                    expecting = False
                    j += 3
                    continue
                elif c.text.split()[-1] == "between" and c.text.split()[0] in self._routes and expecting and not out \
                        and j + 3 < n and ch[j + 1].kind in ("place", "name") and ch[j + 2].text == "and" and \
                        ch[j + 3].kind in ("place", "name"):
                    # "seized the road between A and B": the road, a region named by both ends
                    ends = [x.value.text if x.kind == "place" else _title(x.text) for x in (ch[j + 1], ch[j + 3])]
                    out.append((Place(c.start, ch[j + 3].end, f"{c.text.split()[0]} between {ends[0]} and {ends[1]}",
                                      precision="region", reason="region-level", done=True), "region"))
                    expecting = False
                    j += 4
                    continue
                elif c.has("inside_object") and expecting and not out:
                    # "captured three mosques in the northeast of X": buildings inside X, a part of it
                    inside = self._inside(ch, j + 1)
                    if inside is not None:
                        out.append((inside, "partial"))
                    break
                elif c.has("plural_object") and not expecting and out:
                    pass  # "A and B areas"
                elif c.has("plural_object", "region_quantity") and expecting and not out and j + 2 < n and \
                        ch[j + 1].text == "and" and ch[j + 2].has("plural_object"):
                    j += 2  # "villages and military points, most notably X": the list both plurals count
                    continue
                elif c.has("plural_object", "region_quantity") and expecting and not out and j + 2 < n and \
                        ch[j + 1].has("member") and ch[j + 2].kind in ("place", "name"):
                    j += 2  # "communities including Anadan, Hayan and Haritan": the places named
                    continue
                elif c.has("plural_object", "region_quantity") and expecting and not out and j + 3 < n and \
                        (ch[j + 1].text in _LIST_PUNCT and ch[j + 2].has("member") or ch[j + 1].text == "(") and \
                        self._named_next(ch, j + 3 if ch[j + 1].text != "(" else j + 2) is not None:
                    # "three villages, including Dudyan", "two villages (Toqli and Mregel)", "villages, most
                    # notably the village of X": the places named
                    j = self._named_next(ch, j + 3 if ch[j + 1].text != "(" else j + 2)
                    continue
                elif c.has("plural_object") and expecting and not out and j + 4 < n and ch[j + 1].has("of") and \
                        ch[j + 2].kind in ("place", "name") and ch[j + 3].text in ("and", ",") and \
                        ch[j + 4].kind in ("place", "name") and \
                        ch[self._back(ch, j - 1, ("place_mod", "number"))].text == "the":
                    j += 2  # "the Shia villages of A and B", "the twin towns of A and B": the places named
                    continue
                elif c.text in _FARMS and expecting and not out and self._region_named(ch, j + 1) is not None:
                    # "10 kilometres of farmland around the town of X": the farms, a region named by X
                    region = self._region_named(ch, j + 1)
                    out.append((Place(c.start, region.end, f"{c.text} {region.text}", precision="region",
                                      reason="region-level", done=True), "region"))
                    expecting = False
                    break
                elif c.has("region_quantity", "plural_object") and expecting and not out:
                    # "several villages in the Hama countryside": a claim on the region named; with no
                    # region named ("captured 47 villages") there is no place to claim; hills or positions
                    # near a place are points of a front, not the land around it
                    region = self._region_named(ch, j + 1, land=c.text in _LAND)
                    if region is None:
                        nxt_item = self._item_after_unnamed(ch, j + 1, f)
                        if nxt_item is None:
                            break
                        j = nxt_item  # "captured hills near the town, the X oil field and 10 villages": X
                        continue
                    k = next((i for i in range(j + 1, n) if ch[i].start >= region.end), n)
                    if k + 2 < n and ch[k].text in _LIST_PUNCT and ch[k + 1].has("member") and \
                            self._named_next(ch, k + 2) is not None:
                        # "villages in the Hama countryside, including A and B": the places named, not the region
                        j = self._named_next(ch, k + 2)
                        continue
                    out.append((region, "region"))
                    expecting = False
                    break
                elif c.has("numbered_site") and expecting and j + 1 < n and ch[j + 1].text.isdigit() and \
                        ch[j + 1].start - c.end <= 1:
                    # "Hill 900": a site named by its number, no gazetteer's
                    out.append((Place(c.start, ch[j + 1].end, _title(f"{c.text} {ch[j + 1].text}"),
                                      reason="a site named by its number", done=True), role))
                    expecting = False
                    j += 2
                    continue
                elif c.has("directional") and not out and j == start:
                    role = "directional"
                elif c.has("region_direction") and j + 1 < n and ch[j + 1].kind == "place" and expecting:
                    direction = True
                elif c.has("filler", "adverb", "place_mod", "country", "feature", "det", "of", "held",
                           "aux", "perfect", "hedge"):
                    if c.has("feature") and not expecting and j + 1 < n and ch[j + 1].has("of"):
                        break  # "X district of Y": X was the place
                    if c.has("det") and c.text in ("the", "its", "their", "this"):
                        definite = True
                    if c.has("feature") and expecting and not c.text.endswith("s"):
                        kind = c
                elif c.text in ("and", "as", "well", "&", "or") and out and self._more_places(ch, j + 1):
                    expecting = True
                    if c.text == "as" and role == "partial":
                        role = "whole"  # "parts of A, as well as B": B is another object, whole
                elif c.text in ("and", "or") and not out and j + 1 < n and \
                        ch[j + 1].has("place_mod", "region_direction", "partial"):
                    pass  # "the largest and most strategic towns", "the western and northern parts of X"
                elif c.text == "and" and not out and expecting and j > start and \
                        self._item_after_unnamed(ch, j, f) is not None:
                    j = self._item_after_unnamed(ch, j, f)  # "took over a bakery and the X prison": the prison
                    continue
                elif c.text == "'s" and out and j + 1 < n and ch[j + 1].has("whole_part", "part_noun", "edge"):
                    # "the city's ruins", "the city's western suburbs": the place, or part of it
                    if not ch[j + 1].has("whole_part"):
                        out[-1] = (out[-1][0], "edge" if ch[j + 1].has("edge") else "partial")
                    j += 2
                    continue
                elif c.text == "'s" and out:
                    out.pop()  # "Dabiq's neighbouring village of Soran": the owner only locates
                    expecting = True
                elif c.text == "'s":
                    pass  # "Syria's", "the country's"
                elif c.has("from") and not out and j == start and j + 1 < n and ch[j + 1].kind == "actor":
                    pass  # "recaptured from IS the town of X"
                elif c.has("route_after") and expecting and j + 1 < n and ch[j + 1].has("feature"):
                    pass  # "the strategic highway town of X": the road names the kind of town
                elif not c.plain and c.has("locator", "stop", "from", "by", "to", "region", "route_after", "relative",
                                           "reporting"):
                    break
                elif c.plain and not expecting:
                    break
                elif c.plain and expecting and j - start <= 3 and c.text.isdigit():
                    pass  # "two villages"
                elif c.plain and expecting and j - start <= 4:
                    pass  # an adjective the lexicon does not know ("the symbolic town of")
                else:
                    break
            elif c.kind == "actor":
                nxt = ch[j + 1] if j + 1 < n else None
                held = self._held_after(ch, j)
                if held is not None:
                    if f is not None and f.loser is None:
                        f.loser = c.value
                    definite = True
                    if ch[held - 1].has("feature"):
                        kind = ch[held - 1]  # "IS stronghold"
                    j = held
                    continue
                if nxt is not None and nxt.has("feature", "place_mod") and expecting:
                    # "ISIS town of Shadadi": the side holding the town, the loser
                    if f is not None and f.loser is None:
                        f.loser = c.value
                    j += 1
                    continue
                if f is not None and f.action == "capture" and f.pred.text in self._overrun and not out and \
                        j == start and nxt is not None and nxt.text in ("in", "at", "in the"):
                    # "ISIL overran pro-government forces in nearby Palmyra": the side overrun held the place taken
                    f.loser = f.loser or c.value
                    j += 2
                    continue
                if j > 0 and ch[j - 1].has("from") and not out:
                    # "recaptured from IS the town of X"
                    if f is not None and f.loser is None:
                        f.loser = c.value
                    j += 1
                    continue
                break
            elif c.kind in ("place", "name"):
                if not expecting:
                    break
                if (c.kind == "name" or c.value.reason == LONGER_NAME) and not self._could_be_place(c):
                    break  # "captured Mohammed Remedan al-Talah": a person
                if c.text.split()[0] in self._person_first and j + 1 < n and ch[j + 1].kind in ("place", "name") and \
                        ch[j + 1].start - c.end <= 1:
                    break  # "captured Khaled Daham al-Bashir": a first name the gazetteer also knows as a place
                if j + 1 < n and ch[j + 1].text in _FARMS and (c.kind == "place" or self._could_be_place(c)):
                    # "the Bazinah farms", "the Tabqa farms": the farmland named by the place, a region
                    out.append((Place(c.start, ch[j + 1].end, f"{c.value.text if c.kind == 'place' else _title(c.text)}"
                                      f" {ch[j + 1].text}", precision="region", reason="region-level", done=True),
                                "partial" if role == "partial" else "region"))
                    expecting = False
                    j += 2
                    continue
                if c.kind == "name" and " " not in c.text and j > start and ch[j - 1].has("det") and j + 1 < n and \
                        ch[j + 1].has("feature") and not ch[j + 1].has("site_after", "quarter", "capitalised"):
                    j += 1  # "the Roman city", "the Christian town": an adjective, the place is named elsewhere
                    continue
                place = c.value if c.kind == "place" else Place(c.start, c.end, _title(c.text),
                                                                 reason="not in the gazetteer", done=True)
                nxt = ch[j + 1] if j + 1 < n else None
                city = self._quarter_city_en(ch, j)
                if city is not None:
                    place.within = city  # "the Ghweiran neighbourhood in Hasakah city"
                if nxt is not None and nxt.text in self._person_nouns:
                    break  # "captured Thuwar al-Raqqa fighters": people of the place, not the place
                if nxt is not None and nxt.text == "'s":
                    owned = self._owned(ch, j)
                    if owned is not None:
                        out.append((owned[0], role if owned[0].site or owned[0].within else "region"))
                        expecting = owned[2]
                        j = owned[1]
                        continue
                    k = self._skip(ch, j + 2, ("place_mod", "region_direction"))
                    while k + 1 < n and ch[k].text in ("and", "or") and ch[k + 1].has("place_mod", "region_direction"):
                        k = self._skip(ch, k + 1, ("place_mod", "region_direction"))  # "X's western and southern"
                    if k < n and ch[k].has("edge", "part_noun"):
                        # "Al-Shaddadi's northwestern outskirts", "the city's western suburbs": part of the place
                        out.append((place, "edge" if ch[k].has("edge") else "partial"))
                        expecting = False
                        j = k + 1
                        continue
                if c.kind == "name" and j > 0 and ch[j - 1].text == "'s" and nxt is not None and \
                        nxt.plain and nxt.text.isalpha():
                    break  # "the city's Internet access": a name before a common noun names no place
                close = self._bracket_end(ch, j + 1)
                if close is not None:
                    # "Girê Spî (Tal Abyad)", "Ra's al 'Ayn (Ras Al Ain, Al-Hasakeh)": a name the gazetteer
                    # lacks, then in brackets one it knows (an event note's place and its district)
                    inner = [x for x in ch[j + 2:close] if x.kind == "place"]
                    if c.kind == "name" and inner and not inner[0].text.startswith(self._region_words):
                        place.alias = inner[0].value  # tried when the name itself finds no place
                    out.append((place, role))
                    expecting = False
                    j = close + 1
                    continue
                if nxt is not None and nxt.kind == "place" and c.kind == "place" and nxt.start - c.end <= 1:
                    j += 1  # "Aleppo Central Prison": the first name only locates the second
                    continue
                if nxt is not None and nxt.has("site_after"):
                    # "the Shaer gas field": the site, named after the place, not the place
                    place = Place(c.start, nxt.end, "", reason="not in the gazetteer", done=True, site=True,
                                  namesake=c.value if c.kind == "place" else None)
                    place.within, after = self._where(ch, j + 2)  # "Ghweiran prison in Hasakah city"
                    out.append((place, role))
                    expecting = False
                    j = after or j + 2
                    continue
                if nxt is not None and nxt.has("region") and not nxt.has("feature") or direction:
                    end = nxt.end if nxt is not None and nxt.has("region") and not direction else c.end
                    s0 = ch[j - 1].start if direction else c.start
                    # "large parts of the northeastern X": still a part
                    out.append((place.as_region(s0, end, place.text), "partial" if role == "partial" else "region"))
                    direction = False
                elif nxt is not None and nxt.has("route_after") and not nxt.has("feature"):
                    pass  # "the Ar-Raqqa road": a route named by where it leads
                else:
                    out.append((place, role))
                expecting = False
            elif c.kind == "punct":
                if c.text in _LIST_PUNCT and out and j + 2 < n and ch[j + 1].has("member") and \
                        ch[j + 2].kind in ("place", "name"):
                    # "the rebel-held northern Homs pocket, including Rastan, Talbiseh, and Houla": the places named
                    expecting = True
                    j += 2
                    continue
                if c.quote:
                    pass
                elif c.text == "(" and not out and j + 2 < n and ch[j + 2].text == ")":
                    j += 3  # "from Islamic State (IS) the town of X"
                    continue
                elif c.text in _LIST_PUNCT and out and self._more_places(ch, j + 1):
                    expecting = True
                elif c.text == "-" and expecting:
                    pass
                else:
                    break
            elif c.kind == "date":
                if out:
                    break
            else:
                break
            j += 1
        if f is not None and out:
            first = next((m for m in range(start, n) if ch[m].start >= out[0][0].start), start)
            k = self._after_places(ch, first)  # "took over the security of X from the YPG": from the place on
            if k < n and ch[k].has("from") and f.loser is None:
                f.loser = self._actor_at(ch, self._skip(ch, k + 1, ("det",)))
        if not out and kind is not None and f is not None and f.action in TERRITORIAL and kind.text in _POCKETS:
            region = self._region_named(ch, j)
            if region is not None:
                # "the ISIL pocket to the north of Raqqa city": the area a side held there, a region
                return [(Place(kind.start, region.end, f"{kind.text} {region.text}", precision="region",
                               reason="region-level", done=True), "region")]
        if not out and kind is not None and f is not None and f.action in TERRITORIAL:
            settlement = self._settlement_after(ch, j)
            if settlement is not None:
                # "their last stronghold in the eastern Syrian village of Baghouz": the village is the stronghold
                return [(settlement, role)]
            # "seized the last IS stronghold in Homs province", "their stronghold": a place the report names
            # before (definite) or right after (the next sentence), found from the context
            why = "unnamed definite" if definite else "unnamed"
            out.append((Place(kind.start, kind.end, kind.text, reason=why), role))
        elif not out and f is not None and f.action == "capture" and "flag" in f.pred.text:
            # "raised their flag atop a building in IS's last bastion in the village of Baghuz"
            for k in range(j, min(n, j + 14)):
                if self._boundary(ch[k]) or ch[k].kind == "pred" or ch[k].has("stop"):
                    break
                settlement = self._settlement_after(ch, k)
                if settlement is not None:
                    return [(settlement, role)]
        return out

    def _quarter_city_en(self, ch: list[Chunk], j: int) -> Place | None:
        """The city the place named at ``j`` is said to be a quarter of: "the Ghweiran neighbourhood in
        Hasakah city", "the Dahiyat al-Assad district of Aleppo", "the neighbourhood of Masaken Hanano in
        the northeastern part of Aleppo city"; None when the phrase calls it no quarter."""
        n = len(ch)
        k = j + 1  # the "in" or "of" after the quarter
        if k >= n:
            return None
        words = ch[k].text.split()
        if (ch[k].has("quarter") or ch[k].has("feature") and words[0] in self._quarter_words) and k + 1 < n:
            k += 1  # "X neighbourhood in Y", "X district in Y"
        elif ch[k].has("locator") and len(words) > 1 and words[0] in self._quarter_words:
            words = words[1:]  # "X district of Y" (one locator phrase)
        elif not (j >= 2 and ch[j - 1].has("of") and ch[j - 2].text.split()[-1:] and
                  ch[j - 2].text.split()[-1] in self._quarter_words):
            return None  # else "the neighbourhood of X in Y"
        if k > j + 1:
            words = ch[k].text.split()
        if not ch[k].has("locator", "of") or words[0] not in ("in", "of", "inside", "within"):
            return None
        k = self._skip(ch, k + 1, ("det", "place_mod", "region_direction", "partial", "of"))
        return ch[k].value if k < n and ch[k].kind == "place" else None

    def _owned(self, ch: list[Chunk], j: int) -> tuple[Place, int, bool] | None:
        """The place at ``j`` owning, after "'s", a site ("Zabdin's mosque": the mosque, at Zabdin's point) or
        its farmland ("Jisreen's farms", "Jisreen's and Misraba's farms": a region); with the index after it
        and whether another place of the list follows. None otherwise."""
        c, n = ch[j], len(ch)
        k = j + 2
        more = False
        while k + 2 < n and ch[k].text == "and" and ch[k + 1].kind in ("place", "name") and ch[k + 2].text == "'s":
            k, more = k + 3, True  # "A's and B's farms": the noun after the last owner
        if k >= n:
            return None
        noun = ch[k]
        if noun.text in _FARMS:
            place = Place(c.start, noun.end if not more else c.end,
                          f"{c.value.text if c.kind == 'place' else _title(c.text)} {noun.text}",
                          precision="region", reason="region-level", done=True)
            return place, (j + 2 if more else k + 1), more
        if noun.kind in ("place", "name") and not more and k + 1 < n and ch[k + 1].has("quarter") and \
                not ch[k + 1].text.endswith("s") and c.kind == "place":
            # "Qamishli's Tayy neighbourhood": a quarter of the city, which only locates it
            quarter = noun.value if noun.kind == "place" else Place(noun.start, noun.end, _title(noun.text),
                                                                      reason="not in the gazetteer", done=True)
            quarter.within = c.value
            return quarter, k + 2, False
        if noun.has("site_after", "inside_object") and not noun.text.endswith("s") and not more:
            return Place(c.start, noun.end, "", reason="not in the gazetteer", done=True, site=True,
                         namesake=c.value if c.kind == "place" else None), k + 1, False
        return None

    def _inside(self, ch: list[Chunk], k: int) -> Place | None:
        """The place after "in", "inside", "in the northeast of" at ``k``, or None."""
        if k >= len(ch) or not ch[k].has("locator") or ch[k].text.split()[0] not in ("in", "inside", "within"):
            return None
        m = self._skip(ch, k + 1, ("det", "place_mod", "region_direction", "locator", "of"))
        return ch[m].value if m < len(ch) and ch[m].kind == "place" else None

    def _where(self, ch: list[Chunk], k: int) -> tuple[Place | None, int]:
        """The place a site is said to lie in or near right at ``k`` ("in Hasakah city", "near Ain Issa"),
        and the index after it; (None, 0) when none is."""
        if k >= len(ch) or not (ch[k].has("near") or ch[k].text in ("in", "inside", "at")):
            return None, 0
        m = self._skip(ch, k + 1, ("det", "feature"))
        if m < len(ch) and ch[m].kind == "place":
            after = self._skip(ch, m + 1, ("feature",))
            if m + 1 < len(ch) and ch[m + 1].has("region") or m > k + 1 and ch[m - 1].has("region_direction"):
                return None, after  # "in Aleppo countryside", "in eastern Hama": a region, no point to be near
            return ch[m].value, after
        return None, 0

    def _could_be_place(self, c: Chunk) -> bool:
        """Whether a capitalised name the gazetteer lacks may be a place: not a person ("Khaled Daham"),
        a weapon ("MiG-21B", "SA-16 MANPADS"), a river or a country ("Euphrates", "Jordan")."""
        words = c.text.split()
        return not (any(ch.isdigit() for ch in c.text) or c.text in self._not_place or words[0] in self._person_first)

    def _settlement_after(self, ch: list[Chunk], j: int) -> Place | None:
        """After a phrase that names no place: "in (the) <kind> of X" with a settlement kind, X; after one
        held by a side, "in X" ("the last pocket held by IS in Baghouz")."""
        held = j + 1 < len(ch) and ch[j].kind == "pred" and ch[j].value[1] == "under" and ch[j + 1].kind == "actor"
        if held:
            j += 2
        if j >= len(ch) or ch[j].text not in ("in", "in the", "at", "at the"):
            return None
        if held and j + 1 < len(ch) and ch[j + 1].kind == "place" and \
                not (j + 2 < len(ch) and ch[j + 2].has("region")):
            return ch[j + 1].value
        k = self._skip(ch, j + 1, ("det", "place_mod", "country", "region_direction"))
        if k + 2 < len(ch) and ch[k].text in _SETTLEMENT_KINDS and ch[k + 1].has("of") and \
                ch[k + 2].kind in ("place", "name"):
            c = ch[k + 2]
            return c.value if c.kind == "place" else Place(c.start, c.end, c.text, reason="not in the gazetteer",
                                                             done=True)
        return None

    def _region_named(self, ch: list[Chunk], j: int, land: bool = True) -> Place | None:
        """The region after a plural object: "(villages) in the Hama countryside", "in eastern Hama",
        "in Raqqa province"; the area around a place ("west of al-Hasakah", "near the southern shore of
        Lake X", "around the town of X"); None when none is named right there."""
        j = self._skip(ch, j, ("det", "place_mod", "adverb"))
        if j + 1 < len(ch) and ch[j].text == "to the" and ch[j + 1].text.split()[0] in _COMPASS:
            j += 1  # "to the north of X"
        if land and j < len(ch) and ch[j].has("locator") and (ch[j].text in _AROUND or ch[j].text.endswith(" of") and
                                                     ch[j].text.split()[0] in _COMPASS):
            # "villages west of X": the area on that side of X, a region with no point of its own
            k = self._skip(ch, j + 1, ("det", "region_direction", "place_mod"))
            if k + 1 < len(ch) and ch[k].text in _SHORES and ch[k + 1].has("of"):
                k = self._skip(ch, k + 2, ("det",))  # "near the southern bank of X"
            elif k + 1 < len(ch) and ch[k].has("anaphora_singular") and ch[k + 1].has("of"):
                k += 2  # "around the town of X"
            if k + 1 < len(ch) and ch[k + 1].text in ("river", "canal"):
                return None  # "villages along the Khabur river": a river names no area taken
            if k < len(ch) and ch[k].kind in ("place", "name") and (ch[k].kind == "place" or
                                                                   self._could_be_place(ch[k])):
                text = " ".join(c.text for c in ch[j:k + 1])
                return Place(ch[j].start, ch[k].end, text, precision="region", reason="region-level", done=True)
            return None
        if j >= len(ch) or ch[j].text not in ("in", "of", "across", "throughout", "in the", "across the"):
            return None
        k = self._skip(ch, j + 1, ("det", "country"))
        start = k
        k = self._skip(ch, k, ("region_direction", "place_mod"))
        if k < len(ch) and ch[k].kind in ("place", "name"):
            end = ch[k].end
            if k + 1 < len(ch) and ch[k + 1].has("region"):
                end = ch[k + 1].end
            text = " ".join(c.text for c in ch[start:k + 2] if c.start < end)
            return Place(ch[start].start, end, text, precision="region", reason="region-level", done=True)
        return None

    def _held_after(self, ch: list[Chunk], j: int) -> int | None:
        """After the side at ``j``, the index past "-held" / "held" / "'s stronghold" that makes the side the
        holder of the place named next ("the ISIL-held parts of X"), or None."""
        k = j + 1
        if k < len(ch) and ch[k].text == "-":
            k += 1
        if k < len(ch) and ch[k].has("held"):
            return k + 1
        if k + 1 < len(ch) and ch[k].text == "'s" and ch[k + 1].has("held", "feature", "place_mod"):
            return k + 2
        return None

    def _bracket_end(self, ch: list[Chunk], j: int) -> int | None:
        """The index of ")" when ``ch[j]`` opens a short bracket of names (at most six chunks), else None."""
        if j >= len(ch) or ch[j].text != "(":
            return None
        for k in range(j + 1, min(len(ch), j + 8)):
            if ch[k].text == ")":
                return k
            if ch[k].kind not in ("place", "name", "punct", "actor") and not ch[k].has("country", "region"):
                return None
        return None

    def _rest(self, ch: list[Chunk], j: int) -> bool:
        """"the ISIL-held parts of X", "the remaining districts of X": the rest of it, so all of it."""
        k = j - 1
        while k >= 0 and ch[k].has("det"):
            k -= 1
        return k >= 0 and (ch[k].has("partial_rest", "held") or ch[k].kind == "word" and
                           ch[k].text in ("held", "controlled", "remaining", "last", "all"))

    def _item_after_unnamed(self, ch: list[Chunk], j: int, f: Frame | None) -> int | None:
        """After a capture's or advance's first object that names no place ("hills near the town", "a bakery"),
        the index of the next item of its list when that item names one; None otherwise (or past a clause)."""
        if f is None or f.action not in ("capture", "advance"):
            return None
        for m in range(j, min(len(ch), j + 8)):
            c = ch[m]
            if c.kind in ("pred", "actor", "date") or self._boundary(c) or \
                    c.has("by", "relative", "reporting", "from", "to"):
                return None
            if c.kind in ("place", "name"):
                return None  # "areas near A and B": the list after a place is the locator's
            if c.text in _LIST_PUNCT or c.text == "and" or c.has("member"):
                k = m + 1
                while k < len(ch) and (ch[k].text == "and" or ch[k].has("member")):
                    k += 1
                # the next item: "the X gas field", "the strategic hilltop of X"
                e = k
                while e < len(ch) and (ch[e].has("det", "feature", "place_mod", "filler", "of") or ch[e].quote):
                    e += 1
                # a name the gazetteer lacks only with a kind after it or ending the list ("the Syrians started"
                # names people)
                if e < len(ch) and (ch[e].kind == "place" or ch[e].kind == "name" and self._could_be_place(ch[e]) and
                                    (e + 1 == len(ch) or ch[e + 1].has("feature", "site_after") or
                                     ch[e + 1].kind == "punct" or ch[e + 1].text == "and")):
                    return k
        return None

    def _more_places(self, ch: list[Chunk], j: int) -> bool:
        """Whether a place (or a name) comes next in a list, after determiners and kind words."""
        while j < len(ch) and (ch[j].has("det", "feature", "place_mod", "filler", "country", "region_direction") or
                               ch[j].quote or ch[j].text in ("and", "as", "well", "well as")):
            if j + 1 < len(ch) and ch[j].has("numbered_site") and ch[j + 1].text.isdigit():
                return True  # "as well as Hill 230"
            j += 1
        return j < len(ch) and ch[j].kind in ("place", "name")

    def _after_places(self, ch: list[Chunk], j: int) -> int:
        """The index after the place phrase that starts at ``j`` (its places, kinds and lists)."""
        n = len(ch)
        seen = False
        while j < n:
            c = ch[j]
            if c.kind in ("place", "name"):
                seen = True
            elif c.kind == "word" and (c.has("filler", "adverb", "place_mod", "country", "feature", "det", "of",
                                             "held", "partial", "anaphora_singular", "region", "directional",
                                             "region_direction") or c.text in ("and", "'s", "’s")) or c.quote or \
                    c.kind == "punct" and c.text in _LIST_PUNCT and self._more_places(ch, j + 1):
                pass
            elif c.kind == "date" or c.kind == "actor" and j + 1 < n and ch[j + 1].has("held"):
                pass
            else:
                break
            j += 1
        return j if seen or True else j

    def _places_before(self, ch: list[Chunk], i: int) -> list[tuple[Place, str]]:
        """The subject places of a passive ("Palmyra was retaken", "the town of X, which fell to IS")."""
        j = self._back(ch, i - 1, ("aux", "perfect", "adverb", "relative", "det", "filler"), quotes=True, dates=True)
        words = ch[j].text.split() if j >= 0 and ch[j].has("intent") else []
        if len(words) == 3 and words[1] == "it":
            # "a council to govern X after it is captured": the cue holds the pronoun, the place told before
            s = ch[j].start + len(words[0]) + 1
            return [(Place(s, s + 2, "it", reason="anaphora"), "whole")]
        if j >= 0 and ch[j].kind == "punct" and ch[j].text in _LIST_PUNCT:
            j = self._skip_relative(ch, j)
            j = self._back(ch, j - 1, ("adverb",), quotes=True)
        if j >= 2 and ch[j - 1].text == "'s" and ch[j - 2].kind == "place":
            owned = self._owned(ch, j - 2)  # "all of X's farmland had been secured"
            if owned is not None:
                return [(owned[0], "whole" if owned[0].site else "region")]
        k = self._among(ch, j)
        j = k if k != j else self._before_kinds(ch, j)  # "X town was captured", "Tabqa city and dam liberated"
        out: list[tuple[Place, str]] = []
        joined = ""  # how the place at j joins the one after it ("and", ",")
        while j >= 0:
            c = ch[j]
            if c.kind == "name" and not self._could_be_place(c):
                break  # "a village on the eastern bank of the Euphrates was captured": a river is never taken
            if c.kind == "place" or c.kind == "name":
                place = c.value if c.kind == "place" else Place(c.start, c.end, _title(c.text),
                                                                 reason="not in the gazetteer", done=True)
                b = self._back(ch, j - 1, ("det",))
                if not out and b >= 2 and ch[b].has("of") and ch[b - 1].has("plural_object") and \
                        ch[b - 2].kind in ("place", "name"):
                    j = b - 2  # "the A and B neighborhoods of Yarmouk were captured": the city only locates
                    continue
                if not out and b >= 1 and ch[b].has("partial") and ch[b].text.split()[0] in self._plural_kinds and \
                        ch[b - 1].kind in ("place", "name"):
                    j = b - 1
                    continue
                # "a change of control in Afrin city and Jandairis": a locator before a list's first item is
                # the list's; "militia west of the Homs Province, Es Sukhne is liberated" is no list
                if joined != "and" and b >= 0 and ch[b].has("locator", "from", "to", "by", "region_direction") and \
                        not ch[b].has("det"):
                    if out:
                        break
                    k = self._before_kinds(ch, b - 1)
                    if ch[b].has("locator") and k >= 0 and ch[k].kind in ("place", "name") and \
                            not any(x.text == "between" for x in ch[max(0, k - 3):k]):
                        j = k  # "Harem town in the Idlib countryside is now under rebel control": Harem
                        continue
                    break  # "a village on the eastern bank of the Euphrates was captured": not the subject
                k = j - 1
                while k >= 0 and (ch[k].has("det", "feature", "place_mod", "of", "country", "held") or ch[k].quote or
                                  ch[k].kind == "actor" and k + 1 < len(ch) and ch[k + 1].has("held")):
                    k -= 1
                partial = k >= 0 and ch[k].has("partial") and not self._rest(ch, k)
                out.insert(0, (place, "partial" if partial else "whole"))
                if partial:
                    k -= 1
                m = self._before_kinds(ch, k - 1)  # "Afrin city and Jandairis, which are now held by HTS"
                if k >= 0 and (ch[k].text in ("and", ",", "،")) and m >= 0 and ch[m].kind in ("place", "name"):
                    joined = ch[k].text
                    j = m
                    continue
                break
            if c.has("anaphora_singular", "anaphora_plural") and c.text != "them":
                if not (j > 0 and ch[j - 1].has("locator")):  # "a village southeast of the city"
                    out.insert(0, (Place(c.start, c.end, c.text, reason="anaphora"), "whole"))
                break
            break
        return out

    @staticmethod
    def _among(ch: list[Chunk], j: int) -> int:
        """"A, B and C were among the villages captured": from the plural at ``j`` back to the list the
        plural counts (the index before "were among"); else ``j``."""
        if j < 0 or not ch[j].has("plural_object", "anaphora_plural"):
            return j
        k = j - 1
        while k >= 0 and j - k <= 4 and (ch[k].has("det", "filler", "of") or ch[k].plain and ch[k].text not in
                                         ("among", "amongst")):
            k -= 1
        if k >= 1 and ch[k].text in ("among", "amongst") and ch[k - 1].has("aux"):
            return k - 2
        return j

    @staticmethod
    def _before_kinds(ch: list[Chunk], j: int) -> int:
        """From ``j`` back over kind words after a name ("X town", "X city and dam")."""
        while j >= 0 and (ch[j].has("feature", "place_mod") and not ch[j].has("anaphora_singular") or
                          ch[j].text == "and" and j + 1 < len(ch) and ch[j + 1].has("feature") and j > 0 and
                          ch[j - 1].has("feature")):
            j -= 1
        return j

    def _skip_relative(self, ch: list[Chunk], j: int) -> int:
        """At the comma closing a relative clause ("X, which had been held by IS for a year, was
        liberated"), the comma that opens it; else ``j``."""
        for k in range(j - 1, max(-1, j - 25), -1):
            if ch[k].kind == "punct" and ch[k].text in _LIST_PUNCT:
                if k + 1 < len(ch) and ch[k + 1].has("relative"):
                    return k
                # an apposition ("Deraa, birthplace of Syria's uprising, retaken by ..."): no verb inside
                if k > 0 and ch[k - 1].kind in ("place", "name") and not any(c.kind == "pred" for c in ch[k:j]):
                    return k
                return j
            if ch[k].kind == "punct" and ch[k].text in _BOUNDARY_PUNCT:
                return j
        return j

    def _pronoun_object(self, ch: list[Chunk], i: int) -> list[tuple[Place, str]]:
        """A place a pronoun object of the verb at ``i`` stands for (none in English: "it" is a place word)."""
        return []

    def _relative_object(self, ch: list[Chunk], i: int) -> list[tuple[Place, str]]:
        """"Palmyra, which government forces recaptured": the antecedent of "which" is the object."""
        j = i - 1
        while j >= 0 and ch[j].has("adverb", "aux", "perfect"):
            j -= 1
        subject = j >= 0 and (ch[j].kind == "actor" and not self.dependent(ch, j) or ch[j].text in _PRONOUNS)
        if subject:
            j -= 1
            while j >= 0 and ch[j].has("det"):
                j -= 1
        k = self._before_kinds(ch, j)
        if subject and j < i - 1 and k >= 0 and (ch[k].kind == "place" or ch[k].kind == "name" and (
                k < j or k > 0 and ch[k - 1].has("of"))) and not (k > 0 and ch[k - 1].has("locator", "from", "to", "by")):
            # "withdrew from the Qusur district it had captured": a relative clause with no "which"
            c = ch[k]
            place = c.value if c.kind == "place" else Place(c.start, c.end, _title(c.text),
                                                             reason="not in the gazetteer", done=True)
            return [(place, "whole")]
        if j >= 0 and ch[j].has("relative"):
            j -= 1
            if j >= 0 and ch[j].kind == "punct" and ch[j].text in _LIST_PUNCT:
                j -= 1
            if j >= 0 and ch[j].kind in ("place", "name"):
                c = ch[j]
                place = c.value if c.kind == "place" else Place(c.start, c.end, _title(c.text),
                                                                 reason="not in the gazetteer", done=True)
                return [(place, "whole")]
            if j >= 0 and ch[j].has("anaphora_singular"):
                return [(Place(ch[j].start, ch[j].end, ch[j].text, reason="anaphora"), "whole")]
        return []

    def _possessive_place(self, ch: list[Chunk], i: int) -> list[tuple[Place, str]]:
        """"Palmyra's recapture": the place owns the noun."""
        j = i - 1
        if j >= 1 and ch[j].text == "'s" and ch[j - 1].kind == "place":
            return [(ch[j - 1].value, "whole")]
        if j >= 1 and ch[j].text == "'s" and ch[j - 1].has("anaphora_singular"):
            # "after the city's capture": the city the paragraph tells of
            return [(Place(ch[j - 1].start, ch[j - 1].end, ch[j - 1].text, reason="anaphora"), "whole")]
        return []

    # ------------------------------------------------------------------ sides
    def _subject(self, ch: list[Chunk], i: int) -> Actor | None:
        """The nearest side before the predicate that is not governed by a preposition ("from IS",
        "against IS", "backed by Russia") nor a modifier of a place ("the IS-held town"). In a clause of
        time with a pronoun subject ("ambushed government troops as they were withdrawing"), the side
        named last before it."""
        k = self._back(ch, i - 1, ("aux", "perfect", "adverb"))
        if k >= 2 and ch[k].text in ("they", "it") and ch[k - 1].text in ("as", "while", "when") and \
                ch[k - 2].kind == "actor" and ch[k - 2].value.side:
            return ch[k - 2].value
        if k >= 1 and ch[k].text in ("who", "which", "that"):
            m = k - 1 if ch[k - 1].text != "," else k - 2
            if m >= 0 and ch[m].kind == "actor" and ch[m].value.side:
                return ch[m].value  # "clashes with the rebels, who now control the town": the relative's antecedent
        for j in range(i - 1, -1, -1):
            c = ch[j]
            if c.kind == "actor" and c.value.side and not self.dependent(ch, j):
                return c.value
        return None

    def _launcher(self, ch: list[Chunk], i: int) -> Actor | None:
        """"an offensive launched by IS against the army, to capture X": an aim whose subject is the side
        that launched what the sentence names ("by" before the infinitive)."""
        if self.lex.agent_order != "before" or i == 0 or ch[i - 1].text != "to":
            return None
        for j in range(i - 2, 0, -1):
            if ch[j].kind == "punct" and ch[j].text in (".", ";", ":"):
                break
            if ch[j].kind == "actor" and ch[j].value.side and ch[self._back(ch, j - 1, ("det",))].has("by"):
                return ch[j].value
        return None

    def _agent_after(self, ch: list[Chunk], i: int) -> tuple[Actor | None, str | None]:
        """English names its agent before the verb; languages with verb-subject order override this."""
        return None, None

    def dependent(self, ch: list[Chunk], j: int) -> bool:
        """Whether the actor at ``j`` is governed by a preposition or modifies a place."""
        k = j - 1
        while k >= 0 and (ch[k].has("det") or ch[k].quote):
            k -= 1
        if k >= 0 and ch[k].text in ("and", "و") and not (k >= 1 and ch[k - 1].kind == "actor"):
            return False  # "rebels left Douma, and government forces took over": a new clause's subject
        if k >= 1 and ch[k].has("of", "from") and (ch[k - 1].has("partitive") or ch[k - 1].kind == "actor" and
                                                   not ch[k - 1].value.side and self.lex.lang == "en"):
            # "ائتلافی از شورشیان ... X را گرفت" (a coalition of rebels), "fighters from the Islamic Front took X":
            # the subject itself
            return False
        if k >= 0 and ch[k].text == "with" and self._gerund_after(ch, j):
            return False  # "with the SDF fully capturing the city": the subject of the gerund
        if k >= 1 and ch[k].has("member"):
            m = k - 1 if ch[k - 1].text != "," else k - 2
            if m >= 0 and ch[m].kind == "actor" and not ch[m].value.side and not self.dependent(ch, m):
                # "Islamist fighters including Nusra Front took X": the member names a sideless subject (not
                # "the army fought groups including Nusra before taking X")
                return False
        if k >= 0 and ch[k].has("opponent", "from", "by", "to", "of", "locator", "member", "support") and \
                not ch[k].has("det"):
            return True
        if self.lex.agent_order == "before" and k >= 0 and ch[k].kind == "pred" and \
                not (k >= 1 and ch[k - 1].text in ("the", "a", "an") and " " not in ch[k].text):
            # "Syrian forces battle IS, re-enter X": IS is what "battle" acts on ("during the fighting the SDF
            # took X": a noun with no preposition of its own acts on nothing; "an offensive against IS" does)
            return True
        return self._held_after(ch, j) is not None

    @staticmethod
    def _gerund_after(ch: list[Chunk], j: int) -> bool:
        """Whether a predicate in -ing follows the actor at ``j`` (adverbs between), or a perfect participle
        ("with IS fighters having seized X": the participle clause has its own subject)."""
        k = j + 1
        while k < len(ch) and ch[k].has("adverb"):
            k += 1
        if k + 1 < len(ch) and ch[k].kind == "word" and ch[k].text == "having":
            k += 1
            while k < len(ch) and ch[k].has("adverb"):
                k += 1
            return k < len(ch) and ch[k].kind == "pred"
        if k < len(ch) and ch[k].has("accomplished") and ch[k].text.split()[0].endswith("ing"):
            return True  # "with IS managing to capture the town"
        return k < len(ch) and ch[k].kind == "pred" and ch[k].text.split()[0].endswith("ing")

    def _by_agent(self, ch: list[Chunk], j: int) -> tuple[Actor | None, str | None]:
        """"by <side>" shortly after ``j`` in the clause."""
        n = len(ch)
        for k in range(j, min(n, j + 12)):
            c = ch[k]
            if self._boundary(c):
                break
            if c.has("by") and k + 1 < n:
                actor = self._actor_at(ch, self._skip(ch, k + 1, ("det",)))
                if actor is not None:
                    return actor, "by"
        return None, None

    def _to_agent(self, ch: list[Chunk], j: int) -> tuple[Actor | None, str | None]:
        """"to <side>" ("fell to IS", "lost X to the army") right after ``j``, or a side right after a
        predicate that names its hands ("fell into the hands of IS")."""
        j = self._skip(ch, j, ("adverb", "det"))
        if j < len(ch) and ch[j].kind == "actor":
            return ch[j].value, "to"
        if j < len(ch) and ch[j].has("to", "by") and j + 1 < len(ch):
            actor = self._actor_at(ch, self._skip(ch, j + 1, ("det",)))
            if actor is not None:
                return actor, "to"
        if j + 2 < len(ch) and ch[j].text in ("into", "in", "under"):
            # "fell into rebel hands", "fell under regime control": the side owning the hands
            k = self._skip(ch, j + 1, ("det",))
            actor = self._actor_at(ch, k)
            if actor is not None and k + 1 < len(ch) and _control_word(ch[k + 1]):
                return actor, "to"
        return None, None

    def _of_actor(self, ch: list[Chunk], j: int) -> Actor | None:
        """"of IS" ("the withdrawal of IS from X", "cleared X of IS") in the clause after ``j``."""
        for k in range(j, min(len(ch), j + 10)):
            if self._boundary(ch[k]):
                break
            if ch[k].has("of", "from") and k + 1 < len(ch):
                actor = self._actor_at(ch, k + 1)
                if actor is not None:
                    return actor
        return None

    def _possessor(self, ch: list[Chunk], i: int) -> Actor | None:
        """"the army's capture of X": the side owning a noun."""
        j = i - 1
        while j >= 0 and ch[j].has("adverb", "place_mod"):
            j -= 1
        if j >= 1 and ch[j].text == "'s" and ch[j - 1].kind == "actor":
            return ch[j - 1].value
        if j >= 0 and ch[j].kind == "actor" and ch[j].text.endswith(("'s", "’s")):
            return ch[j].value
        if j >= 0 and ch[j].kind == "actor" and ch[j].value.side:
            return ch[j].value  # headline style: "IS capture of X", "SDF takeover of X"
        if j >= 0 and ch[j].text in ("its", "their") and \
                not any(c.kind == "punct" and c.text in _BOUNDARY_PUNCT for c in ch[:j]):
            return self._subject(ch, j)  # "IS ..., tightening its siege on the base": the clause's subject
        return None

    def _announcer(self, ch: list[Chunk], i: int) -> Actor | None:
        """"the army announced the recapture of X", "«قسد» تمكنت من تحقيق تقدم": the side announcing,
        completing or achieving a nominal, the subject of its clause."""
        for j in range(i - 1, max(-1, i - 8), -1):
            c = ch[j]
            if self._boundary(c) or c.kind == "punct" and c.text in _LIST_PUNCT:
                break
            if c.kind == "actor" and c.value.side and not self.dependent(ch, j):
                return c.value
            if c.has("announce") or c.kind == "pred" and c.value[1] == "light":
                k = j - 1
                while k >= 0 and (ch[k].has("adverb", "aux", "perfect") or ch[k].quote):
                    k -= 1
                if k >= 2 and ch[k].text == ")" and ch[k - 2].text == "(":
                    k -= 3  # "The Syrian Democratic Forces (SDF) announced"
                if k >= 0 and ch[k].kind == "actor" and ch[k].value.side:
                    return ch[k].value
        return None

    def _actor_at(self, ch: list[Chunk], j: int) -> Actor | None:
        return ch[j].value if 0 <= j < len(ch) and ch[j].kind == "actor" and ch[j].value.side else None

    # ------------------------------------------------------------------ sieges broken
    def _besieger(self, ch: list[Chunk], j: int, f: Frame) -> int:
        """After "siege": "imposed by IS on X", "by IS on X": the besieger named, then the place (the index
        of "on"'s object)."""
        k = j
        if k < len(ch) and ch[k].text in ("imposed", "laid", "maintained", "enforced"):
            k += 1
        if k < len(ch) and ch[k].has("by"):
            actor = self._actor_at(ch, self._skip(ch, k + 1, ("det",)))
            if actor is not None:
                k = self._skip(ch, k + 1, ("det",)) + 1
                k = self._skip(ch, k, ("adverb",))
                if k < len(ch) and ch[k].text in ("on", "upon", "around", "of"):
                    return k + 1
        return j

    def _siege_broken(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        if self.lex.object_order == "before" and self._siege_broken_after(ch, i, f):
            return True
        return self._siege_broken_before(ch, i, f)

    def _siege_broken_after(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """Persian puts the breaking verb last: "محاصره فرودگاه کویرس را شکست"; a relative clause after the
        object ("محاصره X را که سه سال به طول انجامیده بود، شکستند") and a clause of time ("محاصره X پس از سه
        سال شکسته شد", "پس از نبردی سنگین") may stand before it."""
        j = i + 1
        while j < min(len(ch), i + 30):
            c = ch[j]
            if c.has("relative") and ch[j - 1].kind in ("place", "word") and \
                    (ch[j - 1].kind == "place" or ch[j - 1].has("object_marker")):
                close = next((m for m in range(j + 1, min(len(ch), j + 16)) if ch[m].kind == "punct"), None)
                if close is not None and ch[close].text in _LIST_PUNCT:
                    j = close + 1
                    continue
            if c.has("before_entry") and j + 1 < len(ch) and not ch[j + 1].kind == "pred":
                j += 1
                while j < len(ch) and (ch[j].kind in ("word", "date") and not ch[j].value or
                                       ch[j].kind == "pred" and ch[j].value[0] == "clash"):
                    j += 1
                continue
            if self._boundary(c) or c.kind == "pred" and c.value[0] not in ("siege",):
                return False
            if c.has("siege_break"):
                f.action, f.siege_broken = "capture", True
                f.places = self._scope_places(ch, i + 1, j, f) if hasattr(self, "_scope_places") else []
                subject = self._subject(ch, i)
                f.agent, f.agent_how = (subject, "subject") if subject is not None else (None, None)
                by = next((k for k in range(i + 1, j - 1) if ch[k].has("by") and self._actor_at(ch, k + 1)), None)
                if subject is None and by is not None:
                    f.agent, f.agent_how = ch[by + 1].value, "by"  # "محاصره X توسط ارتش شکسته شد"
                if f.agent is not None and f.loser is not None and f.agent.side == f.loser.side:
                    f.agent, f.agent_how = None, None
                return bool(f.places)
            j += 1
        return False

    def _siege_broken_before(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """"broke the siege of X": a capture of X by the side breaking it, when it happened (not after a
        distance, "3 km from breaking the siege", or a blocking word)."""
        for j in range(i - 1, max(-1, i - 9), -1):
            c = ch[j]
            if self._boundary(c) or c.kind == "pred" and c.value[0] != "siege":
                return False
            if c.has("siege_break"):
                k = j - 1
                while k >= 0 and ch[k].has("adverb", "aux", "perfect", "det"):
                    k -= 1
                if k >= 0 and ch[k].has("siege_break_blocked", "intent", "failed"):
                    return False
                if any(x.kind == "pred" and x.value[1] == "distance" or x.kind == "word" and x.text.isdigit()
                       for x in ch[max(0, j - 6):j]):
                    return False
                f.action, f.siege_broken = "capture", True
                f.places = self._places_after(ch, self._besieger(ch, i + 1, f), f)
                if not f.places:
                    f.places = self._places_before(ch, j)
                subject = self._subject(ch, j)
                f.agent, f.agent_how = (subject, "subject") if subject is not None else (None, None)
                if f.agent is not None and f.loser is not None and f.agent.side == f.loser.side:
                    f.agent, f.agent_how = None, None
                return bool(f.places)
        return False

    # ------------------------------------------------------------------ helpers
    def _passive(self, ch: list[Chunk], i: int) -> bool:
        """Whether the verb at ``i`` is passive: "be" before it, "by" after it, or a place and no side before
        it and no place after it (a headline's "Manbij liberated from IS")."""
        j = self._back(ch, i - 1, ("adverb",), quotes=True)
        if j >= 0 and ch[j].has("aux"):
            return not ch[i].text.split()[0].endswith("ing")  # "were surrounding X", "was taking over X": progressive
        if j >= 0 and ch[j].has("intent") and ch[j].text.endswith((" is", " are")):
            return True  # "after it is captured": the cue ends in "be"
        k = self._skip(ch, i + 1, ("adverb",))
        if k < len(ch) and ch[k].has("by") and self._actor_at(ch, self._skip(ch, k + 1, ("det",))) is not None:
            return True
        j = self._before_kinds(ch, j)
        if j >= 0 and ch[j].kind in ("place", "name") and not self._places_after(ch, i + 1) and \
                ch[i].text not in self._past_only:
            return True  # "Syrian army says Aleppo freed": a place right before, none after ("X took" is active)
        return False

    def _named_next(self, ch: list[Chunk], j: int) -> int | None:
        """The index of the place or name at ``j``, past "the village of" before it; None when none is there."""
        k = self._skip(ch, j, ("det", "feature", "anaphora_singular", "of"))
        return k if k < len(ch) and ch[k].kind in ("place", "name") else None

    def _skip(self, ch: list[Chunk], j: int, groups: tuple[str, ...]) -> int:
        while j < len(ch) and (ch[j].has(*groups) or ch[j].quote):
            j += 1
        return j

    def _plain_skip(self, ch: list[Chunk], j: int, most: int) -> int:
        """Past at most ``most`` words of no list ("IS fighters": "fighters" is part of the side)."""
        k = j
        while k < len(ch) and k - j < most and ch[k].plain:
            k += 1
        return k

    def _back(self, ch: list[Chunk], j: int, groups: tuple[str, ...], quotes: bool = False,
              dates: bool = False) -> int:
        while j >= 0 and (ch[j].has(*groups) or quotes and ch[j].quote or dates and ch[j].kind == "date"):
            j -= 1
        return j

    def _boundary(self, c: Chunk) -> bool:
        return c.kind == "punct" and c.text in _BOUNDARY_PUNCT or c.has("stop")


def _title(text: str) -> str:
    return text


#: demonstratives before a noun ("این محله": this quarter, named before)
_DEMONSTRATIVES = frozenset({"این", "آن", "هذا", "هذه", "ذلك", "تلك"})


class _ScopeGrammar(Grammar):
    """Arabic and Persian: the places of a predicate are those of its clause on the object's side, up to
    a stop word, another predicate or a clause break (a comma only when a list of places goes on);
    a place right after a locator ("ريف", "شمال", "حومه") only locates another, and so does a place whose
    name begins with one ("ريف دير الزور") or a place after "في" once a target is named."""

    def __init__(self, lex: Lexicon) -> None:
        super().__init__(lex)
        self._locator_heads = tuple(fold_key(w) + " " for w in lex.data["words"].get("locator", []))
        self._features = frozenset(fold_key(w) for w in lex.data["words"].get("feature", []))
        self._region_heads = tuple(fold_key(w) + " " for w in lex.data["words"].get("region", []))
        self._quarter_heads = tuple(fold_key(w) + " " for w in lex.data["words"].get("quarter", []))
        self._site_kinds = frozenset(fold_key(w) for w in lex.data.get("place_words", {}).get("site_kind", []))
        self._province_heads = tuple(fold_key(w) + " " for w in lex.data["words"].get("province", []))
        self._numbers = frozenset(lex.numbers)
        self._in_object = tuple(fold_key(w) for w in lex.data["words"].get("in_object", []))

    def _aside(self, ch: list[Chunk], k: int) -> tuple[int, int] | None:
        """(the "(" index, the ")" index) of a short bracket of names right after a place, another name of
        it ("شهرک کارگری عدرا (عدرا العمالیه) ... را"), when ``ch[k]`` is either bracket."""
        if ch[k].text == "(":
            o = k
            c = next((m for m in range(k + 1, min(len(ch), k + 6)) if ch[m].text == ")"), None)
        elif ch[k].text == ")":
            c = k
            o = next((m for m in range(k - 1, max(-1, k - 6), -1) if ch[m].text == "("), None)
        else:
            return None
        if o is None and c is not None:
            # "تروریست‌های تحریر الشام (جبهه النصره سابق)": the bracket opens inside the actor phrase it renames
            o = next((m for m in range(c - 1, max(-1, c - 4), -1) if ch[m].kind == "actor" and "(" in ch[m].text), None)
            if o is not None and all(x.kind in ("word", "actor") and not x.value or x.kind == "actor"
                                     for x in ch[o + 1:c]):
                return o, c
            return None
        if o is None or c is None or o == 0:
            return None
        before = ch[o - 1] if ch[o - 1].text not in _CLOSE_QUOTES or o < 2 else ch[o - 2]  # "«دیریک» (المالکیه)"
        if before.kind == "actor" and all(x.kind == "actor" or x.kind == "word" and not x.value for x in ch[o + 1:c]):
            return o, c  # another name of a side: "یگان های مدافع خلق (YPG)"
        if before.kind != "place" and not (before.kind == "word" and not before.value):
            return None  # brackets after a place, or after a name the gazetteer lacks ("تل كوجر")
        inner = ch[o + 1:c]
        # a bracket that locates the place ("دیر حافر (در شرق حلب)", "(شمال حلب)") is an aside too
        if not inner or any(x.kind in ("pred", "actor", "date") or x.kind == "word" and x.value and
                            not x.value <= _ASIDE_LOCATOR for x in inner):
            return None
        return o, c

    def _possessor(self, ch: list[Chunk], i: int) -> Actor | None:
        """The side right after a verbal noun is its subject ("حصار داعش", "تحرير وحدات الجيش لبلدة",
        "ورود ارتش سوریه به شهر")."""
        j = i + 1
        while j < len(ch) and j - i <= 2 and (ch[j].kind == "date" or ch[j].has("adverb")):
            j += 1
        if j < len(ch) and ch[j].kind == "actor" and ch[j].value.side and not self.dependent(ch, j):
            return ch[j].value
        return None

    def _scope_places(self, ch: list[Chunk], a: int, b: int, f: Frame | None) -> list[tuple[Place, str]]:
        out: list[tuple[Place, str]] = []
        role = "whole"
        # a deployment's place follows "در", which may stand before an area word too ("در منطقه X مستقر شدند")
        deployed = f is not None and self._deployed(f)
        j = a
        while j < b:
            c = ch[j]
            aside = self._aside(ch, j) if c.text == "(" else None
            if aside is not None:
                if out and out[-1][0].alias is None:
                    out[-1][0].alias = next((x.value for x in ch[aside[0] + 1:aside[1]] if x.kind == "place"), None)
                j = aside[1] + 1
                continue
            if c.kind == "place" and j > a and (ch[j - 1].text.isdigit() or ch[j - 1].text in self._numbers):
                pass  # "دو ساله", "3 كلم": a measure, not a place
            elif c.kind == "place" and c.text in self._site_kinds and j + 1 < b and ch[j + 1].kind == "word" and \
                    not ch[j + 1].value:
                pass  # "مدرسه پیاده نظام" (the infantry school): a site named by kind words, not a village "مدرسه"
            elif c.kind == "place":
                if not self._located(ch, j, deployed) and \
                        not (c.text.startswith(self._locator_heads) and not self._heads_place(ch, j, deployed)) and \
                        not ((out or f is not None and f.action == "advance" and not self._deployed(f)) and
                             self._after_in(ch, j, a)) and \
                        not self._in_prefixed(c):
                    q = j - 1 if j > a and ch[j - 1].text not in _OPEN_QUOTES else j - 2
                    if q >= a and ch[q].has("quarter") or c.text.startswith(self._quarter_heads):
                        c.value.within = self._quarter_city(ch, j + 1, b)  # "حي الميدان في دمشق" too
                        city = self._city_owning(ch, j + 1, b)
                        if city is not None:  # "محله «میدان» دمشق": the city only locates its quarter
                            c.value.within = ch[city].value
                            out.append((c.value, self._role(ch, j, a, role)))
                            j = city + 1
                            continue
                    out.append((c.value, self._role(ch, j, a, role)))
            elif c.kind == "word" and c.has("quarter") and not c.has("feature") and \
                    (j == a or ch[j - 1].text not in _DEMONSTRATIVES) and \
                    (found := self._quarter_named(ch, j, b)) is not None:
                # "محله طی در شهر قامشلی": a quarter the gazetteer lacks, only when its city follows
                out.append((found[0], self._role(ch, j, a, role)))
                j = found[1]
                continue
            elif c.kind == "word" and c.has("feature") and not c.has("anaphora_singular"):
                name, k = self._headed(ch, j, b)
                if name is not None and not self._located(ch, j):
                    aside = self._aside(ch, k) if k < len(ch) else None
                    if aside is not None:
                        # "معبر تل كوجر (اليعربية)": its other name in brackets
                        name.alias = next((x.value for x in ch[aside[0] + 1:aside[1]] if x.kind == "place"), None)
                        k = aside[1] + 1
                    if c.has("quarter"):
                        name.within = self._quarter_city(ch, k, b)
                    elif name.site:
                        # "اللواء 93 قرب بلدة عين عيسى", "سجن الصناعة في الحسكة"
                        name.within = (self._near_place(ch, k, b) if name.namesake is None else None) or \
                            self._quarter_city(ch, k, b)
                    out.append((name, self._role(ch, j, a, role)))
                    j = k
                    continue
            elif c.kind == "word" and c.text in self._site_kinds and not out:
                # "زندان مرکزی حلب" (Aleppo's central prison): a site by its kind, in the city after it; "زندان
                # مرکزی این شهر": in the city named before; neither takes the city
                k = j + 1
                while k < b and k - j <= 2 and ch[k].kind == "word" and (not ch[k].value or ch[k].has("place_mod")):
                    k += 1
                if k < b and ch[k].kind == "place" and not self._located(ch, k):
                    out.append((Place(c.start, ch[k].end, c.text, reason=UNNAMED_SITE, done=True, site=True,
                                      within=ch[k].value), self._role(ch, j, a, role)))
                    j = k + 1
                    continue
                if k < b and ch[k].has("anaphora_singular"):
                    j = k + 1
                    continue
            elif c.kind == "word" and c.has("seat", "seat_anaphora") and not out:
                # "مرکز استان رقه", "مرکز این استان": the governorate's seat, the city of its name
                gov = j + 1 if c.has("seat") else next(
                    (k for k in range(j - 1, -1, -1) if ch[k].kind == "place" and
                     (k > 0 and ch[k - 1].has("province") or ch[k].text.startswith(self._province_heads))), None)
                if gov is not None and gov < len(ch) and ch[gov].kind == "place":
                    name = ch[gov].text
                    name = name.split(" ", 1)[1] if name.startswith(self._province_heads) else name
                    out.append((Place(c.start, c.end if gov < j else ch[gov].end, name,
                                      reason="not in the gazetteer", done=True), self._role(ch, j, a, role)))
                    j = max(j, gov) + 1
                    continue
            elif c.kind == "word" and c.has("anaphora_counted") and not out and j + 1 < b and ch[j + 1].kind == "word":
                # "این دو پادگان": the places named before, as many as the number says
                count = self.lex.numbers.get(c.text.split()[-1], 0)
                out.append((Place(c.start, ch[j + 1].end, c.text, reason=COUNTED_ANAPHORA, count=int(count)),
                            self._role(ch, j, a, role)))
                j += 2
                continue
            elif c.kind == "word" and c.has("anaphora_singular", "anaphora_plural") and not out:
                k = self._skip(ch, j + 1, ("place_mod",))
                if k + 1 < b and ch[k].text in _OPEN_QUOTES and ch[k + 1].kind == "place":
                    k += 1  # "شهر «دیریک»"
                if k < b and ch[k].kind == "place" and c.has("feature"):
                    j = k  # "شهر تاریخی الرصافه": the kind of the place named next
                    continue
                if k < b and c.has("feature") and not c.text.startswith("ال") and \
                        (ch[k].text in _OPEN_QUOTES or ch[k].text.startswith("ال")):
                    # "شهر «الشدادی»", "شهر الشدادی": a name the gazetteer lacks, not "the city"
                    name, k2 = self._headed(ch, k - 1, b)
                    if name is not None:
                        out.append((name, self._role(ch, j, a, role)))
                        j = k2
                        continue
                if not self._located(ch, j):
                    out.append((Place(c.start, c.end, c.text, reason="anaphora"), self._role(ch, j, a, role)))
            elif f is not None and f.action == "capture" and not out and self._bare_name(ch, j, a, b):
                out.append((Place(c.start, c.end, c.text, reason=BARE_NAME, done=True), "whole"))
            elif c.kind == "word" and c.has("region_quantity") and not out:
                region, k = self._region_after(ch, j + 1, b)
                if region is not None:
                    out.append((region, "region"))
                    j = k
                    continue
            elif c.kind == "actor" and f is not None and f.loser is None and j > a and ch[j - 1].has("from") and \
                    self._actor_at(ch, j) is not None:
                f.loser = c.value
            j += 1
        return out

    def _deployed(self, f: Frame) -> bool:
        """An advance verb whose place comes after "في" ("انتشرت القوات في مدينة X": deployed in X)."""
        word = f.pred.text.split()[0]
        return bool(self._in_object) and (word.startswith(self._in_object) or
                                          word[:1] in ("و", "ف") and word[1:].startswith(self._in_object))

    def _bare_name(self, ch: list[Chunk], j: int, a: int, b: int) -> bool:
        """Arabic "سيطروا على الشدادي": a word of no list with the article, alone between "على" and the
        clause's end or "و", may be a name the gazetteer writes otherwise (it is looked up whole)."""
        c = ch[j]
        if self.lex.lang != "ar" or c.kind != "word" or c.value or not c.text.startswith("ال") or len(c.text) < 5:
            return False
        if j == a or ch[j - 1].kind != "word" or ch[j - 1].text not in ("علي", "على"):
            return False
        return j + 1 >= b or ch[j + 1].kind in ("punct", "date") or ch[j + 1].text.startswith("و")

    def _region_after(self, ch: list[Chunk], j: int, b: int) -> tuple[Place | None, int]:
        """"قرى عديدة بالريف الشرقي", "العديد من القرى في ريف دير الزور": the region named after a quantity
        of villages (a region word, then a place or up to two words); None when none is named."""
        k = j
        while k < b and k - j <= 2 and not ch[k].has("region") and not self._region_place(ch[k]):
            k += 1
        if k < b and self._region_place(ch[k]):
            return Place(ch[k].start, ch[k].end, "", precision="region", reason="region-level", done=True), k + 1
        if k >= b or not ch[k].has("region"):
            return None, j
        start, end, m = ch[k].start, ch[k].end, k + 1
        if m < b and ch[m].kind == "place":
            end, m = ch[m].end, m + 1
        else:
            while m < b and m - k <= 2 and ch[m].kind == "word" and not ch[m].value:
                end, m = ch[m].end, m + 1
        return Place(start, end, "", precision="region", reason="region-level", done=True), m

    def _in_prefixed(self, c: Chunk) -> bool:
        """Arabic "بدير الزور", "وبحماة": "in" written onto the name; the place only locates."""
        if self.lex.lang != "ar" or c.start == 0:
            return False
        before = self._folded[max(0, c.start - 2):c.start]
        return before.endswith("ب") and (len(before) < 2 or before[0] in " \n\"«(،,و")

    def _region_place(self, c: Chunk) -> bool:
        """A place named as a countryside ("ريف دير الزور")."""
        return c.kind == "place" and c.text.startswith(self._region_heads)

    def _role(self, ch: list[Chunk], j: int, a: int, role: str) -> str:
        for k in range(j - 1, max(a - 1, j - 5), -1):
            if ch[k].has("directional") and not (k + 1 < len(ch) and ch[k + 1].text[:1].isdigit()):
                return "directional"  # "نحو" before a number is "about", not "towards"
            if ch[k].has("partial") and not self._rest(ch, k):
                return "partial"
            if ch[k].kind == "place":
                break
        return role

    def _quarter_named(self, ch: list[Chunk], j: int, b: int) -> tuple[Place, int] | None:
        """A quarter word with plain words after it and then the city it lies in ("محله طی در شهر
        قامشلی"): the quarter, located in the city, and the index after its name; None otherwise."""
        name, k = self._headed(ch, j, b)
        if name is None or self._located(ch, j):
            return None
        city = self._quarter_city(ch, k, b)
        if city is None:
            return None
        name.within = city
        return name, k

    def _quarter_city(self, ch: list[Chunk], k: int, b: int) -> Place | None:
        """The city right after a quarter's name ("حي غويران بمدينة الحسكة", "محله طی در جنوب شهر قامشلی")."""
        inside = False  # "حي الميدان في دمشق"
        for m in range(k, min(b, k + 4)):
            if ch[m].kind == "place":
                return ch[m].value if inside or self._located(ch, m) or self._in_prefixed(ch[m]) else None
            if ch[m].kind == "word" and ch[m].text in ("في", "در"):
                inside = True
                continue
            if ch[m].kind != "word" or not (ch[m].has("locator", "feature", "region_direction", "adjective") or
                                              self._in_feature(ch[m])):
                return None
        return None

    def _city_owning(self, ch: list[Chunk], k: int, b: int) -> int | None:
        """The index of the city that owns a quarter's name right after it, in Persian ("محله «میدان»
        دمشق": the quarter of Damascus); Arabic names no city that way."""
        if self.lex.lang != "fa":
            return None
        m = k + 1 if k < b and ch[k].text in _CLOSE_QUOTES else k
        return m if m < b and ch[m].kind == "place" else None

    def _near_place(self, ch: list[Chunk], k: int, b: int) -> Place | None:
        """The place a site is said to lie near, right after it ("قرب بلدة عين عيسى", "بمحيط مطار حلب")."""
        m = k
        while m < min(b, k + 3) and ch[m].kind in ("word", "actor") and not ch[m].has("near"):
            m += 1  # "للجيش السوري قرب": a few words of the site's description
        if m >= min(b, k + 3) or not ch[m].has("near"):
            return None
        m = self._skip(ch, m + 1, ("feature",))
        return ch[m].value if m < len(ch) and ch[m].kind == "place" else None

    def _in_feature(self, c: Chunk) -> bool:
        """"بمدينة", "ببلدة": "in" written onto a kind word; the place after it only locates."""
        return c.kind == "word" and c.text.startswith("ب") and fold_key(c.text[1:]) in self._features

    @staticmethod
    def _after_in(ch: list[Chunk], j: int, a: int) -> bool:
        """Whether the place at ``j`` follows "في"/"در", perhaps with its kind word between ("حي الشيخ
        مقصود في مدينة حلب"): after a place already taken it only says where that lies."""
        k = j - 1
        if k > a and ch[k].kind == "word" and ch[k].has("feature"):
            k -= 1
        return k >= a and ch[k].kind == "word" and ch[k].text in ("في", "در")

    def _located(self, ch: list[Chunk], j: int, deployed: bool = False) -> bool:
        """A place right after a locator word (at most one word between), or inside one, only locates."""
        for k in range(j - 1, max(-1, j - 3), -1):
            c = ch[k]
            if c.has("area_head") and k == j - 1 and self._heads_place(ch, k, deployed):
                return False  # "سقطت منطقة حندرات": the area is the place
            if c.has("locator") or self._in_feature(c):
                return True
            if c.kind != "word" or c.has("feature") and k < j - 1:
                break  # "محيط مدينة الميادين": a kind word between the locator and the place
        return False

    @staticmethod
    def _heads_place(ch: list[Chunk], k: int, deployed: bool = False) -> bool:
        """Whether the area word at ``k`` ("منطقة") opens a place phrase rather than locating one: it has no
        "in" written onto it and follows no place and no "في" or "در" ("قرية X في منطقة Y" locates X; "از منطقه
        بیت جن خارج شدند" left the Beit Jinn area); after "در" for a deployment (``deployed``: "در منطقه X
        مستقر شدند", deployed in the X area)."""
        if not ch[k].text.startswith(("منطقه", "ومنطقه")):
            return False
        m = k - 1
        while m >= 0 and ch[m].kind == "word" and ch[m].has("det", "adverb"):
            m -= 1
        ins = ("في", "و") if deployed else ("في", "و", "در")
        return m < 0 or not (ch[m].kind in ("place", "name") or ch[m].kind == "word" and ch[m].text in ins)

    def _headed(self, ch: list[Chunk], j: int, b: int) -> tuple[Place | None, int]:
        """A name the gazetteer lacks after a place head ("قرية الطيبة", "حقل العمر"): up to three plain
        words; the head is part of the name for heads such as "حقل" and "جبل"."""
        k = j + 1
        if ch[j].has("place_head_in_name"):
            # "پایگاه «X»", "پایگاه بالگردهای «X»" (the helicopter base X): a site named after the place, with
            # at most one word of what it is between; not the place
            m = k + 1 if k < b and ch[k].kind == "word" and ch[k].text not in _OPEN_QUOTES and \
                (ch[k].has("place_mod") or not ch[k].value and not ch[k].has("not_name")) else k
            quoted = m < b and ch[m].text in _OPEN_QUOTES
            m += quoted
            if (m > k and (quoted or ch[k].has("place_mod")) or quoted) and m < b and ch[m].kind == "place":
                # (an unquoted plain word before the place begins a longer name: "حي مساكن هنانو")
                end = m + 1 + (m + 1 < b and ch[m + 1].text in _CLOSE_QUOTES)
                return Place(ch[j].start, ch[m].end, ch[j].text + " " + ch[m].text, reason="not in the gazetteer",
                             done=True, site=True, namesake=ch[m].value), end
        if k < b and ch[k].kind == "place":
            c = ch[k]
            if self.lex.lang == "ar" and k + 1 < b and ch[k + 1].kind == "place" and \
                    ch[k + 1].start - c.end <= 1 and not ch[k + 1].text.startswith("و") and \
                    (ch[j].has("quarter") or not ch[j].has("place_head_in_name")):
                # "حي مساكن هنانو": two names in a row after a head are one name the gazetteer lacks, or
                # else the first with a word after it ("مدينة عقيربات الهامة", important); a site's head may
                # name it after a place ("مطار حلب"). (Persian puts adjectives and owners there: "صدد
                # مسیحی‌نشین", "محله القابون دمشق".)
                head = ch[j].has("place_head_in_name")
                start = ch[j].start if head else c.start
                return Place(start, ch[k + 1].end, (ch[j].text + " " if head else "") + c.text + " " + ch[k + 1].text,
                             reason="not in the gazetteer", done=True, site=head, alias=c.value), k + 2
            if ch[j].has("place_head_in_name") and not ch[j].has("quarter"):
                # "قلعة تدمر", "مطار الطبقة": a site named after the town, not the town ("حي الشيخ مقصود" is
                # the quarter the gazetteer knows: read as a place after its quarter word)
                return Place(ch[j].start, c.end, "", reason="not in the gazetteer", done=True, site=True,
                             namesake=c.value), k + 1
            return None, j + 1
        mods = []
        if self.lex.lang == "fa" and ch[j].has("place_head_in_name"):
            # "پایگاه هوایی X" (X air base) where X is no place the gazetteer knows: the kind's adjective is read
            # with the head
            while k < b and len(mods) < 2 and ch[k].has("place_mod") and not ch[k].has("not_name"):
                mods.append(ch[k])
                k += 1
        quoted = k < b and ch[k].text in _OPEN_QUOTES
        if quoted:
            k += 1  # "شهر «الشدادی»": the name in quotes
        words = []
        while k < b and len(words) < 3 and ch[k].kind == "word" and not ch[k].value and len(ch[k].text) > 1 and \
                not (ch[k].text.isdigit() and not ch[j].has("place_head_in_name")):
            if ch[k].text == "و" or words and ch[k].text.startswith("و") and len(ch[k].text) > 2:
                break
            words.append(ch[k])
            k += 1
        if not words or quoted and not (k < b and ch[k].text in _CLOSE_QUOTES):
            return None, j + 1
        known = None
        if self.lex.lang == "ar" and not quoted and k < b and ch[k].kind == "place" and \
                ch[k].start - words[-1].end <= 1 and not ch[k].text.startswith("و"):
            # "بلدة بصر الحرير": the name runs on into one the gazetteer knows ("الحرير"), which stands when
            # the whole is not found ("محطة ضخ مياه الخفسة": a site named after the town)
            known = ch[k].value
            words.append(ch[k])
            k += 1
        start = ch[j].start if ch[j].has("place_head_in_name") else words[0].start
        text = " ".join(w.text for w in words) if start == words[0].start else ch[j].text + " " + \
            " ".join(w.text for w in mods + words)
        return Place(start, words[-1].end, text, reason="not in the gazetteer", done=True,
                     site=start == ch[j].start, alias=known), k + quoted

    def _clause_end(self, ch: list[Chunk], j: int, action: str) -> int:
        """The end of a predicate's scope after ``j``: a stop word, another predicate (not the nominal a
        verb governs, "استعاد السيطرة على"), or a clause break not followed by another place."""
        n = len(ch)
        k = j
        while k < n:
            c = ch[k]
            if c.kind == "pred" and not (c.value[0] == action and c.value[1] in ("nominal", "verb") and k - j <= 3):
                break
            if c.kind == "punct" and c.text in ("-", "–", "—") and k + 1 < n and ch[k + 1].has("relative", "stop"):
                close = next((m for m in range(k + 2, min(n, k + 25)) if ch[m].text == c.text), None)
                if close is not None:  # "-التي تشكل ... فيها-": an aside, the clause goes on after it
                    k = close + 1
                    continue
            if c.has("stop") and not c.has("from") and not (c.text == "وسط" and k + 1 < n and ch[k + 1].kind == "place"):
                break
            aside = self._aside(ch, k) if c.text == "(" else None
            if aside is not None:
                k = aside[1] + 1  # another name of the place in brackets: the clause goes on after it
                continue
            if c.kind == "punct" and c.text in _BOUNDARY_PUNCT:
                break
            if c.kind == "punct" and c.text in _LIST_PUNCT and k + 1 < n and ch[k + 1].has("member"):
                close = next((m for m in range(k + 2, min(n, k + 12)) if ch[m].kind == "punct" and
                              ch[m].text in _LIST_PUNCT), None)
                if close is not None:  # "، ومن بينها جبهة النصرة،": an aside naming members
                    k = close
                    if not self._place_next(ch, k + 1):
                        break
                    k += 1
                    continue
            if c.kind == "punct" and c.text in _LIST_PUNCT and k + 1 < n and ch[k + 1].kind == "date":
                k += 1  # "سيطر الجيش، الخميس 23 فبراير، على مدينة الباب": a date between commas
                while k < n and ch[k].kind == "date":
                    k += 1
                if k + 1 < n and ch[k].text in _LIST_PUNCT and ch[k + 1].has("jointly"):
                    k += 1  # "، اليوم الاثنين، بالتنسيق مع قوات الصناديد ناحية X"
                continue
            if c.has("jointly") and k + 1 < n and ch[k + 1].kind == "actor":
                k += 2  # "بالتنسيق مع قوات الصناديد": a partner of the subject, the object follows
                continue
            if c.kind == "punct" and c.text in _LIST_PUNCT and not self._place_next(ch, k + 1):
                break
            k += 1
        return k

    def _clause_start(self, ch: list[Chunk], i: int) -> int:
        k = i - 1
        while k >= 0:
            c = ch[k]
            aside = self._aside(ch, k) if c.text == ")" else None
            if aside is not None:
                k = aside[0] - 1  # another name of the place in brackets: the clause goes on before it
                continue
            if c.kind == "pred" and c.value[0] in TERRITORIAL or c.has("stop") or \
                    c.kind == "punct" and (c.text in _BOUNDARY_PUNCT or c.text in _LIST_PUNCT and
                                           not (k + 1 < len(ch) and ch[k + 1].kind == "place")):
                return k + 1
            k -= 1
        return 0

    def _place_next(self, ch: list[Chunk], j: int) -> bool:
        """Whether a place comes next, after kind words and a preposition ("، على بلدة X")."""
        while j < len(ch) and (ch[j].has("feature", "filler") or ch[j].kind == "word" and ch[j].text in _BEFORE_PLACE):
            j += 1
        return j < len(ch) and ch[j].kind == "place"


#: a feminine object pronoun on an Arabic verb ("دخلها", "اقتحموها"; a town, a city) and after it ("سيطر عليها")
_OBJECT_SUFFIX = ("ها",)
_OBJECT_PP = frozenset({"عليها", "اليها"})
#: "وطردت قوات النظام منها": an expulsion's place written as a pronoun after "from"
_FROM_PP = frozenset({"منها", "منه"})
#: words that may stand between a comma and the place a verb takes ("سيطر الجيش اليوم، على بلدة X")
_BEFORE_PLACE = frozenset({"و", "علي", "في", "الي"})


class ArabicGrammar(_ScopeGrammar):
    """Arabic: verb-subject order first ("سيطرت قوات النظام على ..."), then subject-verb."""

    def __init__(self, lex: Lexicon) -> None:
        super().__init__(lex)
        self._entry_nouns = tuple(fold_key(w) for w in lex.data["words"].get("entry_noun", [])) or ("\0",)
        self._purge = tuple(fold_key(w) for w in lex.data["words"].get("purge", [])) or ("\0",)
        self._linkup = tuple(fold_key(w) for w in lex.data["words"].get("linkup", [])) or ("\0",)
        self._force = frozenset(fold_key(w) for w in lex.data["words"].get("force", []))

    def _subject(self, ch: list[Chunk], i: int) -> Actor | None:
        j = i + 1
        while j < len(ch) and j - i <= 3 and (ch[j].kind == "date" or ch[j].has("adverb", "aux", "pronoun_pp") or
                                              ch[j].quote):
            j += 1
        if j < len(ch) and ch[j].kind == "actor" and ch[j].value.side and not self.dependent(ch, j):
            return ch[j].value
        return super()._subject(ch, i)

    def _places_after(self, ch: list[Chunk], j: int, f: Frame | None = None) -> list[tuple[Place, str]]:
        action = f.action if f is not None else "capture"
        return self._scope_places(ch, j, self._clause_end(ch, j, action), f)

    def _linked_up(self, ch: list[Chunk], f: Frame) -> None:
        """"قوات النظام تلتقي في بلدة X": a link-up is a capture only by a force (a side's phrase holding a word of
        `[words] force`); "التقى وزير الخارجية بنظيره في دمشق" is a meeting."""
        if f.action != "capture" or not ch[f.index].text.lstrip("وف").startswith(self._linkup):
            return
        phrase = self._folded[f.agent.start:f.agent.end].split() if f.agent is not None else []
        if not phrase or not (phrase[0] in self._force or phrase[0][1:] in self._force):
            f.places, f.complete = [], False  # (an official heads the phrase: "التقى قائد قوات ...")
        else:
            f.places = f.places[:1]  # where they met; "وتقسم الغوطة" after it is no place they took

    def _shared_subject(self, ch: list[Chunk], f: Frame, before: Frame) -> None:
        """"قوات سوريا الديمقراطية تطرد داعش من قرية X وتسيطر عليها": a verb joined by "و" to the predicate
        just before it (no punctuation between) whose nearest side before it is that predicate's object, the
        side it drove out or fought, shares that predicate's subject."""
        if f.agent_how != "subject" or f.agent is None or before.agent is None or before.loser is None or \
                f.agent is not before.loser or not ch[f.index].text.startswith("و") or \
                any(c.kind == "punct" for c in ch[before.index:f.index]):
            return
        f.agent = before.agent

    def _into(self, ch: list[Chunk], f: Frame) -> None:
        """"دخلت الفصائل إلى مدينة X", "دخول الجيش إلى مدينة X": "إلى" after an entry is into the place, no
        direction; the noun of entry ("دخول", `[words] entry_noun`) is read as the verb is (an entry into a
        whole place with no fighting takes it)."""
        if f.action != "advance" or f.construction not in ("entry", "nominal"):
            return
        if f.construction == "nominal":
            if not ch[f.index].text.split()[0].startswith(self._entry_nouns):
                return
            f.construction = "entry"
        into = [k for k in range(f.index + 1, min(len(ch), f.index + 6)) if ch[k].has("into")]
        if into and not any(ch[k].has("directional") and not ch[k].has("into")
                            for k in range(f.index + 1, into[0])):
            f.places = [(p, "whole" if role == "directional" else role) for p, role in f.places]

    def _pronoun_object(self, ch: list[Chunk], i: int) -> list[tuple[Place, str]]:
        """A pronoun object written onto the verb or after it ("ودخلها المقاتلون", "ثم سيطر عليها التنظيم"):
        the place the paragraph tells of."""
        if any(x.has("relative") for x in ch[max(0, i - 2):i]):
            return []  # "تدمر التي سيطر عليها التنظيم": a relative clause recalls who holds it
        c = ch[i]
        nxt = ch[i + 1] if i + 1 < len(ch) else None
        if nxt is not None and nxt.kind == "actor" and i + 2 < len(ch):
            nxt = ch[i + 2]  # "وسيطرة الثوار عليها": the subject between the noun and its pronoun
        pps = _OBJECT_PP | _FROM_PP if c.kind == "pred" and c.value[1] == "expel" else _OBJECT_PP
        if c.text.endswith(_OBJECT_SUFFIX) or nxt is not None and nxt.kind == "word" and nxt.text in pps:
            return [(Place(c.start, c.end, c.text, reason="anaphora"), "whole")]
        return []

    def _places_before(self, ch: list[Chunk], i: int) -> list[tuple[Place, str]]:
        # "سقطت مدينة X بيد Y": the place may follow the verb; "باتت X تحت سيطرة Y": precede it
        after = self._scope_places(ch, i + 1, min(self._clause_end(ch, i + 1, "capture"), i + 4), None)
        if after:
            return after[:1]
        before = self._scope_places(ch, self._clause_start(ch, i), i, None)
        return before[-1:]

    def dependent(self, ch: list[Chunk], j: int) -> bool:
        # "درعا الخاضعة للمعارضة": a side with "ل" written on it after a place (and one word) says who holds
        # the place; it is no subject ("القيادة العامة للجيش" is)
        return ch[j].kind == "actor" and ch[j].text.startswith("لل") and \
            any(ch[k].kind == "place" and all(c.kind == "word" for c in ch[k + 1:j]) for k in range(max(0, j - 2), j)) \
            or super().dependent(ch, j)

    def _passive(self, ch: list[Chunk], i: int) -> bool:
        """"تم تحرير X" (an auxiliary), or a place right before the verb and none after it ("الباغوز
        تحررت")."""
        j = self._back(ch, i - 1, ("adverb",), quotes=True)
        if j >= 0 and ch[j].has("aux"):
            return True
        if self._subject(ch, i) is None and not any(c.kind == "actor" for c in ch[max(0, i - 3):i]) and \
                self._by_agent(ch, i + 1)[0] is not None:
            return True  # "حُررت مدينة X على يد الجيش": unwritten vowels; no subject, and "by" a side after
        return j >= 0 and ch[j].kind == "place" and not self._places_after(ch, i + 1) and \
            self._subject(ch, i) is None

    def _expel(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """"طرد الجيش داعش من X" (agent, loser, place), "طرد داعش من X" (loser after, agent before),
        "تطهير X من داعش" and "خلو X من المسلحين" (place, loser)."""
        end = self._clause_end(ch, i + 1, "capture")
        sides = [k for k in range(i + 1, end) if self._actor_at(ch, k) is not None and not ch[k - 1].has("from")]
        frm = next((k for k in range(i + 1, end) if ch[k].has("from")), None)
        by = next((k for k in sides if ch[k - 1].has("by")), None)
        if by is not None and len(sides) == 2 and frm is not None:
            # "طُرد تنظيم داعش من X على يد الجيش": the loser after the verb, the agent after "by"
            loser = next(k for k in sides if k != by)
            f.loser, f.agent, f.agent_how = ch[loser].value, ch[by].value, "by"
            f.places = self._scope_places(ch, frm + 1, min(by - 1, end), None)
            return bool(f.places) and f.loser.side != f.agent.side
        end = next((k for k in range(i + 1, end) if ch[k].has("directional")), end)
        if frm is not None and self._emptied(ch, i, frm):
            # the places between the word and "من", else those before it ("باتت X وY خالية من")
            f.loser = next((self._actor_at(ch, k) for k in range(frm + 1, min(end, frm + 4))
                            if self._actor_at(ch, k) is not None), None)
            f.places = self._scope_places(ch, i + 1, frm, None) or \
                self._scope_places(ch, self._clause_start(ch, i), i, None)
            return bool(f.places)
        if frm is None and ch[i].text.lstrip("وف").startswith(self._purge) and len(sides) <= 1 and \
                not ch[i].text.endswith("نا"):
            # "الجيش يطهر بلدة X", "طهرت وحدات الجيش بلدة X": a purge naming no one purged; a side right after
            # the verb is its subject (a leader's "كما طهرنا X", as we purged X, is rhetoric)
            after = sides[0] if sides and sides[0] == self._skip(ch, i + 1, ("adverb",)) else None
            subject = ch[after].value if after is not None else None if sides else super()._subject(ch, i)
            f.places = self._scope_places(ch, (after if after is not None else i) + 1, end, None)
            if subject is not None:
                f.agent, f.agent_how = subject, "subject"
            return bool(f.places)
        if frm is not None and frm + 1 < end and self._actor_at(ch, frm + 1) is not None:
            f.loser = ch[frm + 1].value
            f.places = self._scope_places(ch, i + 1, frm, None)
            subject = next((ch[k].value for k in sides if k < frm), None) or super()._subject(ch, i)
        elif frm is not None and frm + 1 < end and any(ch[k].has("empty_of_what") for k in range(frm + 1, min(end, frm + 3))) \
                and len(sides) <= 1 and all(k < frm for k in sides):
            # "طهّرت وحدات الجيش بلدة X من فلول الإرهابيين", "ينهي تطهير X من المسلحين": a loser the
            # report names no side for; the subject stands after the verb or before it
            start = sides[0] + 1 if sides else i + 1
            f.places = self._scope_places(ch, start, frm, None)
            subject = ch[sides[0]].value if sides else super()._subject(ch, i)
        else:
            if len(sides) >= 2:
                subject, f.loser = ch[sides[0]].value, ch[sides[1]].value
            elif sides:
                subject, f.loser = super()._subject(ch, i), ch[sides[0]].value
            else:
                return False
            f.places = self._scope_places(ch, (frm or i) + 1, end, None)
        if subject is not None and (f.loser is None or subject.side != f.loser.side):
            f.agent, f.agent_how = subject, "subject"  # with no place, the side still tells the topic
        return bool(f.places)

    def _out_of(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """"خرجت مدينة X عن سيطرة النظام": the side after the noun of control lost the place between the verb of
        going out and it."""
        stems = tuple(fold_key(w) for w in self.lex.data["words"].get("out_of_verb", []))
        start = self._clause_start(ch, i)
        went = next((k for k in range(i - 1, max(start, i - 6) - 1, -1) if ch[k].kind == "word" and
                     ch[k].text.lstrip("وف").startswith(stems)), None) if stems else None
        loser = self._actor_at(ch, self._skip(ch, i + 1, ("det",)))
        if went is None or loser is None:
            # "أسفر الهجوم عن سيطرة المهاجمين على X": the noun of control after a result
            f.construction = "nominal"
            return self._nominal(ch, i, f)
        f.loss, f.loser = True, loser
        f.places = self._scope_places(ch, went + 1, i, None)
        return bool(f.places)

    def _emptied(self, ch: list[Chunk], i: int, frm: int) -> bool:
        """"باتت مدينة X خالية من المسلحين", "تخلو مدينة X من أي وجود لميليشيات ...": a state of a place
        before the word, emptied of a side (named within three words after "من", or "الإرهاب")."""
        word = ch[i].text.split()[0]
        stems = tuple(fold_key(w) for w in self.lex.data["words"].get("empty_of", []))
        if not stems or not (word.startswith(stems) or word[:1] in ("و", "ف") and word[1:].startswith(stems)):
            return False
        return any(self._actor_at(ch, k) is not None or ch[k].has("empty_of_what")
                   for k in range(frm + 1, min(len(ch), frm + 4)))


class PersianGrammar(_ScopeGrammar):
    """Persian: subject first, object before the verb ("ارتش سوریه شهر X را از داعش پس گرفت")."""

    def frames(self, ch: list[Chunk], sent: Sentence, folded: str) -> list[Frame]:
        self._held_from(ch)
        out = super().frames(ch, sent, folded)
        for f in out:
            if f.action == "capture" and not f.complete and not f.places:
                self._took_over_there(ch, f, out)
        return out

    def _handover(self, ch: list[Chunk], f: Frame, frames: list[Frame]) -> bool:
        """Also an entry or deployment after a time clause of the other side's departure before it ("با خروج
        آخرین گروه از افراد مسلح از X، نیروهای دولتی در X مستقر شدند", "پس از خروج شورشیان ..."): those who left
        under a deal, named by no side or another side than the one coming in."""
        if super()._handover(ch, f, frames):
            return True
        if f.action != "advance" or not f.places or f.agent is None or \
                not (f.construction == "entry" or self._deployed(f)):
            return False  # (not "با خروج ...، ارتش به سمت X پیشروی کرد": an advance towards another place)
        return any(g.action == "withdraw" and g.construction == "nominal" and g.index < f.index and
                   (ch[g.index - 1].text == "با" or ch[g.index - 1].has("before_entry")) and
                   not (g.loser is not None and g.loser.side == f.agent.side) and
                   not any(c.kind == "pred" and c.value[0] in TERRITORIAL for c in ch[g.index + 1:f.index])
                   for g in frames if g.index > 0)

    def _took_over_there(self, ch: list[Chunk], f: Frame, frames: list[Frame]) -> None:
        """"در شهر X مستقر شدند و ساختمان‌های دولتی را تحویل گرفتند" (deployed in X and took over the state
        buildings): a takeover of the seats of power (``[words] institution``) naming no place, joined by "و" to
        its side's deployment in or entry into a place, takes that place."""
        g = next((g for g in reversed(frames) if g.index < f.index), None)
        if g is None or g.action not in ("advance", "capture") or not g.places or g.agent is None or \
                not (g.construction == "entry" or self._deployed(g)) or \
                any(r not in ("whole", "partial") for _, r in g.places):
            return
        between = ch[g.index + 1:f.index]
        if not any(c.text == "و" for c in between) or not any(c.has("institution") for c in between) or \
                any(c.kind in ("punct", "place") or c.kind == "actor" and c.value.side != g.agent.side for c in between):
            return
        f.places = [(p, "whole") for p, _ in g.places]
        f.agent, f.agent_how, f.complete = g.agent, g.agent_how, True
        self._finish(ch, f)

    @staticmethod
    def _held_from(ch: list[Chunk]) -> None:
        """"X را از اشغال تروریست‌های داعش آزاد کردند", "از تصرف گروه «دولت اسلامی» خارج کردند" (from the
        occupation of a side, then the verb): "از" and the noun of holding are one word "from" naming the loser,
        no capture of their own (the chunks are changed in place). "از تصرف X خبر دادند" (announced the capture
        of X) and "از تسلط ارتش بر X" keep the noun."""
        k = 1
        while k + 2 < len(ch):
            c = ch[k]
            if c.kind == "pred" and c.value == ("capture", "nominal") and ch[k - 1].kind == "word" and \
                    ch[k - 1].text == "از" and ch[k + 1].kind == "actor" and ch[k + 1].value.side and \
                    ch[k + 2].kind == "pred" and ch[k + 2].value[0] in ("capture", "withdraw") and \
                    ch[k + 2].value[1] != "nominal":
                ch[k - 1:k + 1] = [Chunk(ch[k - 1].start, c.end, "word", frozenset({"from"}), f"از {c.text}")]
            k += 1

    def _subject(self, ch: list[Chunk], i: int) -> Actor | None:
        """The first side of the clause before the verb, else of the sentence (a subject named once for
        several clauses)."""
        for a in (self._clause_start(ch, i), 0):
            speaker = None
            for j in range(a, i):
                if ch[j].has("object_marker"):
                    break  # the subject comes before the object: "... را از لوث تروریست‌های X پاکسازی کرد"
                if ch[j].kind == "actor" and ch[j].value.side and not self.dependent(ch, j) and \
                        not self._noun_owner(ch, j):  # "پس از عقب نشستن داعش": a verbal noun's
                    if speaker is None and any(c.has("reporting") for c in ch[j + 1:j + 3]):
                        # the speaker: "فعالان مخالف دولت می گویند شورشیان ... را تصرف کرده اند"
                        speaker = ch[j].value
                        continue
                    m = next((k for k in range(j + 1, min(i, j + 9)) if ch[k].has("object_marker")), None)
                    if speaker is not None and m is not None and not any(c.kind == "pred" for c in ch[j:m]):
                        break  # the object: "شورشیان می‌گویند گروه «دولت اسلامی» (داعش) را از شهر بیرون رانده‌اند"
                    if a == 0 and ch[i].kind == "pred" and ch[i].value[0] == "capture" and \
                            any(c.kind == "pred" and c.value == ("withdraw", "verb") for c in ch[j + 1:i]):
                        # "ارتش از X عقب‌نشینی کرد و گروه‌های محلی کنترل آن را در دست گرفتند": a later clause
                        # naming no side of its own does not take back what the side before it left (the verb
                        # of leaving, not its noun: "X می‌گویند پس از عقب‌نشینی ارتش کنترل Y را ..." is X's)
                        return None
                    return ch[j].value
            if speaker is not None:
                return speaker
        return None

    @staticmethod
    def _noun_owner(ch: list[Chunk], j: int) -> bool:
        """Whether the side at ``j`` owns a verbal noun before it, perhaps through a few words ("پس از عقب نشستن
        داعش", "با خروج آخرین کاروان شورشیان": the last convoy of the rebels left)."""
        k = j - 1
        while k >= 0 and j - k <= 3 and ch[k].kind == "word" and (not ch[k].value or ch[k].has("superlative", "partitive")):
            k -= 1
        return k >= 0 and ch[k].kind == "pred" and (k == j - 1 or ch[k].value[1] == "nominal")

    def dependent(self, ch: list[Chunk], j: int) -> bool:
        """Also a side owning a noun after "با" ("با پاتک ارتش مجبور به عقب‌نشینی شدند", with the army's
        counter-attack; not after "در": "در بیانیه نیروهای X آمده است", X speaks) or owning a place or a
        position ("آخرین پایگاه داعش در باغوز را تصرف کرده‌اند", "مواضع ارتش"); not a name after "موسوم به"
        (known as)."""
        k = j - 1
        if k >= 1 and ch[k].text == "به" and ch[k - 1].text in ("موسوم", "معروف"):
            return False
        if super().dependent(ch, j):
            return True
        if k >= 0 and ch[k].has("feature", "possessed") and not ch[k].has("anaphora_singular"):
            return True
        return k >= 1 and ch[k].kind == "word" and not ch[k].value and ch[k - 1].kind == "word" and \
            ch[k - 1].text == "با"

    def _verb(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        done = self._common(ch, i, f)
        if done is not None:
            return done
        if f.pred.text.startswith("كنترل") and self._fall_after(ch, i):
            return False  # "کنترل آن به دست گروه‌های محلی افتاد": the noun the fall tells of, no verb
        if f.pred.text.startswith("كنترل") and self._control_passed(ch, i, f):
            return True
        a = self._clause_start(ch, i)
        f.places = self._scope_places(ch, a, i, f)
        if not f.places:
            m = self._marker_before_time(ch, a, i)
            if m is not None:
                f.places = self._scope_places(ch, self._clause_start(ch, m), m, f)
        if not f.places and self._skip(ch, a, ("adverb",)) == i:
            # "شهر X را که از سال ۲۰۱۲ در دست مخالفان بود، پس گرفت": the object before a relative clause
            f.places = self._before_relative(ch, a)
        k = self._skip(ch, a, ("object_marker", "adverb"))
        frm = k if k + 1 < i and ch[k].has("from") and ch[k + 1].kind == "actor" else None
        if frm is not None:
            k = self._skip(ch, frm + 2, ("adverb",))  # "میدان X، بزرگترین میدان نفتی سوریه، را از داعش پس گرفتند"
        if not f.places and k == i:
            # "در شهر X، آخرین پایگاه تروریست‌ها در Y، برافراشته شد" ("شهر X، مهم‌ترین شهر تحت کنترل داعش، را
            # آزاد کردند": before its object marker too)
            f.places = self._apposed(ch, a, f)
            if f.places and frm is not None and f.loser is None:
                f.loser = ch[frm + 1].value
        if not f.places:
            f.places = self._scope_places(ch, i + 1, self._clause_end(ch, i + 1, f.action), f)
        subject = self._subject(ch, i)
        # "آزاد شد" (was freed) is a passive; "مستقر شدند" (deployed), "مسلط شد" (took control) have their
        # subject as the agent (`intransitive`)
        f.passive = (" شد" in f.pred.text or f.pred.text.endswith("شد")) and \
            not f.pred.text.startswith(self._intransitive)
        if f.construction == "verb" and f.pred.text == "وارد" and f.places and \
                self._aux_after(ch, max(p.end for p, _ in f.places)):
            f.construction = "entry"  # "وارد شهر X شدند": the light verb around its object is an entry
        if f.loss and subject is None:
            # "شهر X از کنترل ارتش خارج شد": the place went out of the side's control, the side lost it
            subject = next((self._actor_at(ch, k + 1) for k in range(a, i - 1)
                            if ch[k].has("from") and ch[k].text != "از" and self._actor_at(ch, k + 1) is not None), None)
        if f.loss:
            f.loser = subject
        elif f.passive:
            f.agent, f.agent_how = self._by_agent(ch, a)
            if f.agent is None:
                # "پرچم دولت سوریه بر فراز ... برافراشته شد": the side whose flag was raised
                flag = next((k for k in range(0, i - 1) if ch[k].has("flag") and self._actor_at(ch, k + 1)), None)
                if flag is not None:
                    f.agent, f.agent_how = ch[flag + 1].value, "possessor"
        else:
            f.agent, f.agent_how = (subject, "subject") if subject is not None else (None, None)
        if f.agent is not None and f.loser is not None and f.agent.side == f.loser.side:
            f.agent, f.agent_how = None, None
        return bool(f.places)

    def _apposed(self, ch: list[Chunk], a: int, f: Frame | None) -> list[tuple[Place, str]]:
        """The place before an apposition between commas that ends right before ``a``, the start of the
        predicate's clause ("شهر X، آخرین دژ داعش در سوریه، به تصرف ارتش درآمد")."""
        if a < 2 or ch[a - 1].text not in _LIST_PUNCT:
            return []
        p = next((k for k in range(a - 2, max(-1, a - 14), -1) if ch[k].text in _LIST_PUNCT
                  or ch[k].kind == "pred" and ch[k].value[1] != "under" or ch[k].text in _BOUNDARY_PUNCT), None)
        if p is None or ch[p].text not in _LIST_PUNCT or p == 0 or ch[p - 1].kind != "place":
            return []
        return self._scope_places(ch, self._clause_start(ch, p), p, f)[-1:]

    def _fall_after(self, ch: list[Chunk], i: int) -> bool:
        """Whether the predicate after ``i`` in its clause is a fall ("به دست Y افتاد", "به کنترل Y درآمد")."""
        for c in ch[i + 1:i + 12]:
            if self._boundary(c):
                return False
            if c.kind == "pred":
                return c.value[1] == "fall"
        return False

    def _control_passed(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """"کنترل شهر X به ارتش رسید" (control of X passed to the army): the side after "به" right before a verb
        of passing (`control_passed`) that ends the clause takes the places between."""
        def passing(k: int) -> bool:  # "منتقل" "شد" may be two chunks
            return ch[k].text in self._passed or k + 1 < len(ch) and f"{ch[k].text} {ch[k + 1].text}" in self._passed

        k = next((k for k in range(i + 1, min(len(ch), i + 12)) if ch[k].kind == "pred" or self._boundary(ch[k])
                  or passing(k)), None)
        if k is None or not passing(k) or k < i + 3 or not ch[k - 2].has("to") or \
                ch[k - 1].kind != "actor" or not ch[k - 1].value.side:
            return False
        f.places = self._scope_places(ch, i + 1, k - 2, f)
        f.agent, f.agent_how = ch[k - 1].value, "after"
        return bool(f.places)

    @functools.cached_property
    def _passed(self) -> frozenset[str]:
        return frozenset(fold_key(w) for w in self.lex.data.get("plain_words", {}).get("control_passed", []))

    def _before_relative(self, ch: list[Chunk], a: int) -> list[tuple[Place, str]]:
        """The place before a relative clause that ends with the comma before ``a`` ("این منطقه که در دامنه
        کوه الشیخ قرار دارد، ...", "شهر X را که از سال ۲۰۱۲ در دست مخالفان بود، پس گرفت"); a holder the
        clause describes ("در دست مخالفان") does not end it."""
        if a < 2 or ch[a - 1].text not in _LIST_PUNCT:
            return []
        k = next((k for k in range(a - 2, max(-1, a - 18), -1) if ch[k].has("relative") or
                  ch[k].kind == "pred" and ch[k].value[1] != "under" or self._boundary(ch[k]) or
                  ch[k].text in _LIST_PUNCT), None)
        if k is None or not ch[k].has("relative"):
            return []
        return self._scope_places(ch, self._clause_start(ch, k), k, None)[-1:]

    def _marker_before_time(self, ch: list[Chunk], a: int, i: int) -> int | None:
        """"X را پس از نبردی سنگین به کنترل خود درآوردند": the object marker before the clause of time that
        opens the verb's clause at ``a``; the fighting that clause tells of ("پس از چند روز درگیری") is no
        predicate of its own."""
        m = next((k for k in range(a - 1, max(-1, a - 12), -1) if ch[k].has("object_marker")), None)
        if m is None or any(c.kind == "pred" and c.value[0] != "clash" or
                            c.kind == "punct" and c.text in _BOUNDARY_PUNCT and self._aside(ch, m + k) is None
                            for k, c in enumerate(ch[m:i])):
            return None
        return m

    @staticmethod
    def _aux_after(ch: list[Chunk], end: int) -> bool:
        """Whether "شد" ends the clause after the folded offset ``end`` (a place and its locators between)."""
        for c in ch:
            if c.start < end or c.text in _CLOSE_QUOTES:
                continue  # "وارد «الشحیل» شدند"
            if c.has("aux"):
                return True
            if c.kind in ("pred", "actor") or c.kind == "punct":
                return False
        return False

    def _nominal(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """A withdrawal named as a noun takes the side leaving after it, a few words on ("با خروج آخرین
        کاروان شورشیان", "پس از عقب‌نشینی نیروهای دولتی"), for the entry it tells the time of."""
        if f.action != "withdraw":
            return super()._nominal(ch, i, f)
        f.loss = True
        # "آخرین گروه از عناصر مسلح": plain words and a partitive "از" before the side
        k = next((k for k in range(i + 1, min(len(ch), i + 6)) if ch[k].kind != "word" or
                  ch[k].value and not ch[k].has("partitive", "superlative") and
                  not (ch[k].has("of") and ch[k - 1].kind == "word" and (not ch[k - 1].value or ch[k - 1].has("partitive")))),
                 None)
        if k is None or ch[k].kind != "actor" or not ch[k].value.side:
            # no side after it: "عقب‌نشینی" with its light verb ("شروع به عقب‌نشینی از شهر X کردند") is read as a
            # verb, its side the subject; a bare "خروج" (exit) is no claim
            f.loss = False
            return False if f.pred.text.startswith("خروج") else self._verb(ch, i, f)
        f.loser = ch[k].value
        frm = k + 1
        while frm < len(ch) and ch[frm].kind in ("word", "actor") and not ch[frm].has("from") and \
                not ch[frm].has("stop") and frm - k <= 4:
            frm += 1
        f.places = self._scope_places(ch, frm + 1, self._clause_end(ch, frm + 1, "withdraw"), f) \
            if frm < len(ch) and ch[frm].has("from") else []
        # such a noun tells the time or aim of the clause's verb ("پس از خروج ...", "مذاکرات ... به منظور خروج
        # تروریست‌ها از X"): it hands the place over to that verb's side, it is no claim of its own
        return False

    def _took(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """"روستای X را پس از نبردی سنگین از نیروهای دولتی گرفت": "گرفت" (took) is a capture only with its
        object marked by "را" and the side it was taken from right before it."""
        k = i - 1
        if k >= 0 and ch[k].kind == "word" and not ch[k].value:
            k -= 1  # "از نیروهای دولتی و شبه‌نظامیان متحد آنها گرفت": a pronoun of the phrase
        if k < 1 or ch[k].kind != "actor" or not ch[k - 1].has("from"):
            return False
        a = self._clause_start(ch, k - 1)
        m = next((j for j in range(k - 2, max(-1, a - 12), -1) if ch[j].has("object_marker")), None)
        if m is None or any(c.kind == "pred" and c.value[0] in TERRITORIAL for c in ch[m:i]):
            return False
        f.loser = ch[k].value
        f.places = self._scope_places(ch, self._clause_start(ch, m), m, f)
        subject = self._subject(ch, i)
        if subject is not None and subject.side != f.loser.side:
            f.agent, f.agent_how = subject, "subject"
        return bool(f.places)

    def _places_after(self, ch: list[Chunk], j: int, f: Frame | None = None) -> list[tuple[Place, str]]:
        action = f.action if f is not None else "capture"
        end = self._clause_end(ch, j, action)
        if f is not None and f.construction == "nominal":
            # "پس از تصرف شهر X به پایگاه Y حمله کرد": the noun's object is the phrase after it; "به" after a
            # place opens the verb's own phrase, which comes last
            named = next((k for k in range(j, end) if ch[k].kind == "place"), None)
            if named is not None:
                end = next((k for k in range(named + 1, end) if ch[k].text == "به"), end)
        return self._scope_places(ch, j, end, f)

    def _scope_places(self, ch: list[Chunk], a: int, b: int, f: Frame | None) -> list[tuple[Place, str]]:
        """Also "محله‌های شرقی شهر رقه" (the eastern quarters of Raqqa): quarters named by no name of their own,
        a direction word and the city's kind between, are a part of the city; "منطقه صنعتی شمال شرق X" (the
        industrial zone north-east of X, `[words] unnamed_site`): a site of no name of its own by the place it
        lies off, at that place's point, approximate (taking it is not taking X)."""
        for j in range(a, b - 2):
            if not (ch[j].has("area_head", "feature") and ch[j + 1].has("unnamed_site")):
                continue
            k = j + 2
            while k < b and k - j <= 6 and ch[k].kind == "word" and (ch[k].text == "در" or ch[k].has("locator")
                                                                     and not ch[k].has("area_head")):
                k += 1
            if k > j + 2 and k + 1 < b and ch[k].has("feature") and ch[k + 1].kind == "place":
                k += 1  # "... در شمال شرق شهر X"
            if k > j + 2 and k < b and ch[k].kind == "place":
                site = Place(ch[j].start, ch[k].end, f"{ch[j].text} {ch[j + 1].text}", reason=UNNAMED_SITE,
                             done=True, site=True, within=ch[k].value)
                return self._scope_places(ch, a, j, f) + [(site, "whole")] + self._scope_places(ch, k + 1, b, f)
        for j in range(a, b):
            if not (ch[j].has("quarter") and ch[j].text.startswith(("محله ها", "محلات", "محلههاي"))):
                continue
            k = self._skip(ch, j + 1, ("locator", "place_mod"))
            k = self._skip(ch, k, ("anaphora_singular",))
            # not "محله‌های القابون و برزه": the quarters' own names
            if j + 1 < k < b and ch[k].kind == "place" and all(ch[m].text not in ("در", "از") for m in range(j + 1, k)):
                return super()._scope_places(ch, a, j, f) + [(ch[k].value, "partial")] + \
                    super()._scope_places(ch, k + 1, b, f)
        return super()._scope_places(ch, a, b, f)

    def _places_before(self, ch: list[Chunk], i: int) -> list[tuple[Place, str]]:
        a = self._clause_start(ch, i)
        found = self._scope_places(ch, a, i, None)[-1:]
        if not found and 0 < a < i and ch[a - 1].has("before_entry") and \
                not any(c.kind == "pred" and c.value[0] != "clash" for c in ch[a:i]):
            # "شهر X پس از چهار سال به کنترل دولت درآمد": a clause of time between the place and the verb
            found = self._scope_places(ch, self._clause_start(ch, a - 1), a - 1, None)[-1:]
        if not found and self._skip(ch, a, ("adverb",)) == i:
            # "این منطقه که در دامنه کوه الشیخ قرار دارد، به طور کامل تحت کنترل ارتش قرار گرفت"
            found = self._before_relative(ch, a)
        if not found and self._skip(ch, a, ("adverb",)) == i:
            # "شهر X، سومین شهر بزرگ سوریه، به دست شورشیان افتاد": an apposition between commas before the verb
            found = self._apposed(ch, a, None)
        if not found and self._skip(ch, a, ("adverb",)) == i:
            # "شهر X پس از مذاکره میان بزرگان محلی و Y، به کنترل این گروه درآمد", "شهرهای X و Y پس از سه سال
            # محاصره به دست ارتش افتاد": a clause of time between the place and the verb, perhaps ending in a
            # comma; the fighting or siege it tells of is no predicate
            e = a - 2 if a >= 2 and ch[a - 1].text in _LIST_PUNCT else i - 1
            t = next((k for k in range(e, max(-1, e - 15), -1) if ch[k].has("before_entry") or
                      ch[k].kind == "pred" and not (ch[k].value[0] == "clash" or ch[k].value == ("siege", "nominal"))
                      or self._boundary(ch[k]) or ch[k].text in _LIST_PUNCT), None)
            if t is not None and t > 0 and ch[t].has("before_entry"):
                found = self._scope_places(ch, self._clause_start(ch, t), t, None)
        if not found and not any(c.kind in ("pred", "actor") for c in ch[:i]):
            # "اردوگاه یرموک، بزرگترین اردوگاه ... در سوریه، ... به دست شورشیان افتاده است": the sentence
            # opens with the place, an apposition between commas follows
            k = self._skip(ch, 0, ("feature", "anaphora_singular"))
            if k < i and ch[k].kind == "place" and k + 1 < i and ch[k + 1].text in _LIST_PUNCT:
                found = [(ch[k].value, "whole")]
        return found

    def _announcer(self, ch: list[Chunk], i: int) -> Actor | None:
        """"ارتش سوریه ... از آزادسازی کامل شهر حلب ... خبر داد": the subject of a sentence that ends
        announcing the change."""
        if any(c.has("announce") for c in ch[i + 1:]):
            subject = self._subject(ch, i)
            if subject is not None:
                return subject
        return super()._announcer(ch, i)

    def _expel(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """"ارتش سوریه تروریست‌ها را از شهر تدمر بیرون راند": the subject, the loser marked by را, the
        place after از."""
        a = self._clause_start(ch, i)
        marker = next((k for k in range(a, i) if ch[k].has("object_marker")), None)
        if marker is None and 0 < a < i and ch[a - 1].has("before_entry"):
            # "X را پس از یک ماه نبرد از تصرف داعش خارج کردند": the object before a clause of time
            marker = self._marker_before_time(ch, a, i)
        if marker is None and (i + 1 < len(ch) and ch[i + 1].has("aux") or " شد" in f.pred.text):
            # "داعش به طور کامل از شهر کوبانی بیرون رانده شد" (was driven out of): the subject lost the place
            frm = next((k for k in range(a, i) if ch[k].has("from")), None)
            f.loser = self._subject(ch, i)
            if frm is None and f.loser is not None:
                # "وارد X شدند اما ... عقب رانده شدند" (were driven back): the subject's withdrawal from the place
                # it has just entered (`_elided_place`)
                f.action, f.loss = "withdraw", True
                return False
            if frm is None or f.loser is None:
                return False
            f.loss, f.passive = True, True
            f.places = self._scope_places(ch, frm + 1, i, f)
            return bool(f.places)
        frm = next((k for k in range(marker + 1, i) if ch[k].has("from")), None) if marker is not None else None
        if frm is None:
            return False
        f.loser = self._actor_at(ch, marker - 1)
        # the object is the side driven out, not the subject's own forces ("نیروهای خود را از شهر X خارج کرد")
        own = ch[marker - 1].has("reflexive") or marker > 1 and ch[marker - 2].has("reflexive")
        f.places = self._scope_places(ch, frm + 1, i, f) if not own else []
        if not f.places and f.loser is None and self._actor_at(ch, frm + 1) is not None:
            # "روستای X را از دست تروریست‌ها خارج کرد": the place is the object, taken out of the side's hands
            f.loser = self._actor_at(ch, frm + 1)
            f.places = self._scope_places(ch, self._clause_start(ch, marker), marker, f)
        subject = self._subject(ch, i)
        if subject is not None and subject is not f.loser:
            f.agent, f.agent_how = subject, "subject"
        return bool(f.places)

    def _passive(self, ch: list[Chunk], i: int) -> bool:
        return False

    def _under(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        if i > 0 and ch[i - 1].kind == "word" and ch[i - 1].has("quarter", "filler", "feature") and \
                not ch[i - 1].has("anaphora_singular"):
            return False  # "محله‌های تحت کنترل ارتش" (the quarters under the army's control): it describes a noun
        if i > 1 and ch[i - 1].kind == "word" and ch[i - 1].has("feature", "anaphora_singular") and \
                ch[i - 2].kind == "word" and (ch[i - 2].has("superlative") or ch[i - 2].text.endswith("ترين")):
            return False  # "آخرین شهر در دست داعش" (the last city in IS's hands): a holder described, no change
        if f.pred.text in self._side_held and self._actor_at(ch, self._skip(ch, i + 1, ("det", "adverb"))) is None:
            return False  # "در دست" (in hand) says whose hands only with a side after it
        return super()._under(ch, i, f)

    @functools.cached_property
    def _intransitive(self) -> tuple[str, ...]:
        return tuple(fold_key(w) for w in self.lex.data["words"].get("intransitive", []))

    @functools.cached_property
    def _side_held(self) -> frozenset[str]:
        return frozenset(fold_key(w) for w in self.lex.data["words"].get("under_needs_side", []))

    def _transfer(self, ch: list[Chunk], i: int, f: Frame) -> bool:
        """"یگان‌ها شهر X را به ارتش سوریه تحویل دادند" (handed X over to the army): the subject loses the
        object marked by "را", the side after "به" right before the verb gains it."""
        a = self._clause_start(ch, i)
        marker = next((k for k in range(i - 1, a - 1, -1) if ch[k].has("object_marker")), None)
        to = next((k for k in range(i - 1, marker or a, -1) if ch[k].has("to") and self._actor_at(ch, k + 1)), None)
        if marker is None or to is None:
            return super()._transfer(ch, i, f)
        f.loss = True
        f.loser = self._subject(ch, i)
        f.places = self._scope_places(ch, self._clause_start(ch, marker), marker, f)
        f.agent, f.agent_how = self._actor_at(ch, to + 1), "after"
        if f.loser is not None and f.loser.side == f.agent.side:
            f.loser = None
        return bool(f.places)


#: the words a bracket that locates a place may hold besides places
_ASIDE_LOCATOR = frozenset({"locator", "not_name"})


def _control_word(c: Chunk) -> bool:
    """Whether a chunk is the noun "control" (read as the bare verb of a state when a side stands before it)."""
    return c.has("control") or c.kind == "pred" and c.text == "control"


def _key(place: Place) -> str:
    """What two mentions of one place share: the gazetteer's id, else the words; "anaphora" for "the
    town"."""
    if place.reason == "anaphora":
        return "anaphora"
    return place.mention.place_ids[0] if place.mention is not None and place.mention.place_ids else place.text


def settlement_kinds(word: str) -> frozenset[str] | None:
    """Feature types "the city" / "the town" / "the village" may refer back to."""
    return SETTLEMENT_WORDS.get(word.split()[-1]) if word else None


@lru_cache(maxsize=None)
def grammar(lex: Lexicon) -> Grammar:
    """The grammar of a lexicon's language, made once per lexicon (it keeps no state between sentences)."""
    return {"ar": ArabicGrammar, "fa": PersianGrammar}.get(lex.lang, Grammar)(lex)
