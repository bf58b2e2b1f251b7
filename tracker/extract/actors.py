"""Actor phrases: the words naming fighters, and the side they stand for.

A phrase is a run of actor words found by the lexicon (names of forces, modifiers, head nouns,
backing words) joined by connectors ("and", "of", "the", a comma before a backing phrase). Its side
is composed as ``data/actors.toml`` explains: a name outside a backing phrase, else a modifier, else
the head's own side, else a weak modifier; then a backer may turn the force it backs into its own
side ("Turkey-backed Syrian rebels" are ``turkey``). Generic heads ("the militants") take the side
of the last non-state actor named before them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date

from tracker.extract.lexicon import Hit, Lexicon
from tracker.textfold import fold_key

#: lexicon groups that make up an actor phrase
ACTOR_GROUPS = frozenset({"actor", "modifier", "weak", "head", "backing"})
#: sides that do not stand for a state's army: a generic word ("the militants") may stand for one of them
NON_STATE = frozenset({"isis", "hts", "opposition", "sdf", "turkey"})
#: characters back from a generic word to the actor it stands for
GENERIC_REACH = 1500
#: words that may stand between two pieces of one phrase ("Syrian troops and allied militias")
_CONNECTORS = frozenset({"and", "&", "the", "its", "their", "his", "of", "allied", "other", "local", "as", "well",
                         "و", "its", "arab", "assyrian", "turkmen", "tribal", "christian", "local", "syriac"})
#: an English side governed by "from" or "against" right before it (the loser or the target)
_TAKEN_FROM = re.compile(r"\b(?:from|against)(?: the| rival| other| local)* $")
#: an English side that is the object of a verb of fighting or driving back ("pushing back rival rebels",
#: "after battling the Kurds"): the target, no antecedent of a generic word after it
_TARGET = re.compile(r"\b(?:from|against|back|out|fighting|battling|expelling|ousting|routing|clashes with|"
                     r"battles with|fighting with|ambushing|attacking)(?: the| rival| other| local)* $")
_GAP_PUNCT = re.compile(r"[\s()\-:/\"“”«»'‘’]+")


def _joins(gap: str, prev: Hit, nxt: Hit, lang: str) -> bool:
    """Whether two actor pieces with ``gap`` between them belong to one phrase: connectors only, a comma
    only before a backing phrase ("rebels, backed by Turkey"), "من" only after a head ("وحدات من قواتنا").
    Arabic and Persian put the head first ("نیروهای ارتش سوریه"), so a head right after a name opens the
    next phrase (the object: "ارتش سوریه تروریست‌ها را ... بیرون راند")."""
    if "\n" in gap or len(gap) > 16 or "|" in gap or "/" in gap:  # "غرفة العمليات / قواتنا": a header, then news
        return False
    if ":" in gap and lang in ("ar", "fa"):
        return False  # "غرفة عمليات X: قواتنا": a speaker, then what it says ("QSD: Syrian Democratic Forces" is one)
    if lang in ("ar", "fa") and prev.group == "actor" and nxt.group == "head" and not gap.strip() and \
            not nxt.proclitic.startswith("و"):
        return False  # the subject, then the object ("ارتش سوریه تروریست‌ها را ...")
    if lang == "ar" and prev.group == nxt.group == "actor" and prev.value != nxt.value and \
            not gap.strip() and not nxt.proclitic.startswith("و"):
        return False  # two sides' names side by side: the subject, then the object ("طرد الجيش السوري تنظيم داعش")
    if gap.split() in (["من"], ["من", "عده"]):
        return prev.group == "head"  # "مقاتلون من عدة كتائب": a head of several units
    if "," in gap or "،" in gap:
        if nxt.group != "backing":
            return False
        gap = gap.replace(",", " ").replace("،", " ")
    return all(w in _CONNECTORS for w in _GAP_PUNCT.sub(" ", gap).split())


#: heads that name some other side's fighters ("its allies", "Syrian allies" of Turkey)
_DEPENDENT_HEADS = frozenset({"allies", "proxies", "partners"})
#: backing words whose backer comes before them ("Turkey-backed")
_BACKER_BEFORE = frozenset({"backed", "-backed", "-supported"})


@dataclass
class Actor:
    """An actor phrase: its span in the folded text, the side it stands for and its backers."""

    start: int
    end: int
    side: str  # a side of the vocabulary, "generic" (not resolved yet) or "" (names no side)
    backers: tuple[str, ...] = ()
    named: bool = False  # a name of a force, not only a head noun with modifiers
    pieces: list[Hit] = field(default_factory=list)
    core: str = ""  # the side before any backer changed it
    generic: bool = False  # a generic word ("the militants") given the side of the last group named
    foes: bool = False  # enemy sides joined by "and" ("rebels and government forces"): no one side acts


#: head sides resolved from the report: "generic" ("the militants"), "attackers" (the side of the attack told before)
_UNRESOLVED = frozenset({"generic", "attackers"})
#: characters after an attack word within which its side is named ("هجوم لجبهة النصرة", "an attack by IS")
ATTACKER_REACH = 30
#: attack words that name a side's assault (not a bombing nor an execution)
_ASSAULT = re.compile(r"(?:هجوم|هاجم|attack|assault|offensive)")
#: words before a side that make it the attack's target ("على مقرات قوات النظام", "on army positions")
_TARGET_BEFORE = re.compile(r"(?:على|علي|on|against)\s+(?:\S+\s+)?$")

#: armed groups none of which is another's ground partner
_PEER_GROUPS = frozenset({"opposition", "hts", "isis"})


def _pick(sides: list[str], lex: Lexicon) -> str:
    """The side holding the ground among several named together (``[joint].order``); of armed groups
    alone (no state among them), the one named first ("FSA groups and al-Nusra", "HTS and allied
    factions", "ISIL and the al-Qaeda-linked Jund al-Aqsa")."""
    real = [s for s in sides if s and s not in _UNRESOLVED]
    if not real:
        return ""
    if set(real) <= _PEER_GROUPS:
        return real[0]
    return min(real, key=lambda s: lex.joint_order.get(s, 99))


def _period_side(hit: Hit, text: str, lex: Lexicon, when: date | None) -> str:
    """A name's side on the day ``when``, for names whose side changed (``[[periods]]``)."""
    if when is None or not lex.periods:
        return hit.value
    lower = text.lower()
    for (alias_lower, alias, alias_folded), p in _period_keys(lex):
        if lower == alias_lower or text == alias or text == alias_folded:
            return p["after"] if when >= date.fromisoformat(p["since"]) else p["before"]
    return hit.value


@functools.lru_cache(maxsize=None)
def _period_keys(lex: Lexicon) -> tuple[tuple[tuple[str, str, str], dict], ...]:
    """Each ``[[periods]]`` alias as written, lower-cased and folded (folded once, not per phrase)."""
    return tuple(((p["alias"].lower(), p["alias"], fold_key(p["alias"])), p) for p in lex.periods)


def compose(pieces: list[Hit], folded: str, lex: Lexicon, when: date | None = None) -> Actor | None:
    """The actor a run of pieces names, or None when it names no force (modifiers alone)."""
    core: list[Hit] = []
    backers: list[Hit] = []
    after_backing = False
    opposed = _opposed(lex)
    against = None  # the end of a piece saying "opposed to": the sides after it are what it opposes
    opposed_pieces: list[Hit] = []
    for h in pieces:
        if against is not None and h.group in ("actor", "modifier", "weak") and \
                not _CONJUNCTION.search(f" {folded[against:h.start]} "):
            # "گروه‌های مسلح مخالف دولت بشار اسد" (armed groups opposed to Assad's government): not Assad's
            against = h.end
            opposed_pieces.append(h)
            continue
        against = h.end if opposed and not opposed.isdisjoint(folded[h.start:h.end].split()) else None
        if h.group == "backing":
            word = folded[h.start:h.end].strip()
            if word in _BACKER_BEFORE or word.endswith("backed") and not word.endswith("by"):
                # the piece right before names the backer ("Turkey-backed")
                if core and core[-1].group in ("actor", "modifier", "weak"):
                    last = core[-1]
                    while core and (core[-1].start, core[-1].end) == (last.start, last.end):
                        backers.append(core.pop())
            else:
                after_backing = True
            continue
        (backers if after_backing else core).append(h)
    if not any(h.group in ("actor", "head") for h in core):
        return None
    names = [_period_side(h, folded[h.start:h.end], lex, when) for h in core if h.group == "actor"]
    # names and modifiers of several sides: joint forces ("Turkish and FSA forces"), the one holding ground
    joint = names + [h.value for h in core if h.group == "modifier"]
    if joint and _coordinated(pieces, folded):
        # "Syrian and Russian troops"; not "a Syrian rebel group and allied groups" (Syrian modifies the rebels)
        joint += [h.value for h in _coordinated_weak(pieces, folded) if h in core]
    heads = [folded[h.start:h.end] for h in core if h.group == "head"]
    # "Syrian allies": allies are someone else's, so a weak modifier does not make them the army's
    weak = [] if heads and all(w in _DEPENDENT_HEADS for w in heads) else [h.value for h in core if h.group == "weak"]
    side = _pick(joint, lex) or _pick([h.value for h in core if h.group == "head"], lex)
    if not side:
        side = next((h.value for h in core if h.group == "head" and h.value in _UNRESOLVED), side)
    core_side = side  # "" when only a weak modifier names it
    # a backer's name on the day too ("نیروهای وابسته به دولت موقت سوریه" in December 2024: the caretaker's)
    backer_sides = sorted({_period_side(h, folded[h.start:h.end], lex, when) if h.group == "actor" else h.value
                           for h in backers if h.group in ("actor", "modifier", "weak") and h.value} - {""},
                          key=lambda s: lex.joint_order.get(s, 99))
    for backer in backer_sides:
        rule = lex.backing_rules.get(backer)
        if rule and side in rule["over"]:
            side = rule["makes"]
            break
    else:
        # a weak modifier yields to a backer ("Syrian forces backed by Turkish tanks" are Turkey's factions)
        side = side or _pick(weak, lex)
    return Actor(pieces[0].start, pieces[-1].end, side, backers=tuple(backer_sides), named=bool(names),
                 pieces=[h for h in pieces if h not in opposed_pieces], core=core_side,
                 foes=_foes(pieces, folded, lex, when))


#: "and" between two pieces of a phrase
_CONJUNCTION = re.compile(r"\s(?:and|و)\s")


@functools.lru_cache(maxsize=None)
def _opposed(lex: Lexicon) -> frozenset[str]:
    """Words saying "opposed to" inside a phrase (``[words] opposed``)."""
    return frozenset(fold_key(w) for w in lex.data["words"].get("opposed", []))


def _foes(pieces: list[Hit], folded: str, lex: Lexicon, when: date | None) -> bool:
    """Whether "and" joins conjuncts naming enemy sides ("rebels and government forces", "SDF and IS fighters");
    each conjunct is composed alone, so "Turkish troops and rebels" are Turkey's and the rebels (allies)."""
    if not lex.joint_foes or not _coordinated(pieces, folded) or \
            lex.lang == "en" and _TAKEN_FROM.search(folded, max(0, pieces[0].start - 40), pieces[0].start):
        return False  # "liberated from ISIL and the SDF's capture of X": the first is what a place was taken from
    conjuncts: list[list[Hit]] = [[pieces[0]]]
    for a, b in zip(pieces, pieces[1:]):
        if _joined(a, b, folded):
            conjuncts.append([])
        conjuncts[-1].append(b)
    sides = set()
    for part in conjuncts:
        if any(h.group == "backing" for h in part):
            return False  # "rebels backed by Turkey and Russia": the backers are no conjunct
        actor = compose(part, folded, lex, when) if len(conjuncts) > 1 else None
        if actor is not None and actor.side and actor.side not in _UNRESOLVED:
            sides.add(actor.side)
    return any(frozenset((a, b)) in lex.joint_foes for a in sides for b in sides if a != b)


def _coordinated_weak(pieces: list[Hit], folded: str) -> list[Hit]:
    """The weak modifiers of a phrase that "and" joins to a piece next to them."""
    return [h for k, h in enumerate(pieces) if h.group == "weak" and
            (k > 0 and _joined(pieces[k - 1], h, folded) or k + 1 < len(pieces) and _joined(h, pieces[k + 1], folded))]


def _coordinated(pieces: list[Hit], folded: str) -> bool:
    """Whether "and" joins pieces of the phrase (several forces named as one)."""
    return any(_joined(a, b, folded) for a, b in zip(pieces, pieces[1:]))


def _joined(a: Hit, b: Hit, folded: str) -> bool:
    """Whether "and" (or "و") stands between two pieces."""
    return " and " in f" {folded[a.end:b.start]} " or "و" == folded[a.end:b.start].strip()


def phrases(hits: list[Hit], folded: str, lex: Lexicon, when: date | None = None) -> list[Actor]:
    """Every actor phrase of a report, in order, generic ones resolved (or dropped)."""
    pieces = _quoted_names(_longest([h for h in hits if h.group in ACTOR_GROUPS]), folded, lex)
    runs: list[list[Hit]] = []
    for h in pieces:
        if runs and _joins(folded[runs[-1][-1].end:h.start], runs[-1][-1], h, lex.lang):
            runs[-1].append(h)
        else:
            runs.append([h])
    out: list[Actor] = []
    last: Actor | None = None
    found = [a for run in runs for a in _split_compose(run, folded, lex, when)]
    _coreference(found, folded, lex)
    attacks = [h for h in hits if h.group == "pred" and h.value[0] == "attack" and
               _ASSAULT.match(folded, h.start + len(h.proclitic))]
    for a in found:
        if a.side == "attackers":
            a.side = _attacking_side(a, attacks, found, folded, lex.lang)
    for a in found:
        if a.side == "generic":
            if last is None or a.start - last.end > GENERIC_REACH:
                continue
            a.side, a.generic = last.side, True
        elif a.side in NON_STATE and not (lex.lang == "en" and _TARGET.search(folded, max(0, a.start - 40), a.start)):
            last = a  # not "seized villages from (pushing back) rival rebels": the side a place is taken from
        out.append(a)
    return out


def _quoted_names(pieces: list[Hit], folded: str, lex: Lexicon) -> list[Hit]:
    """A kind word before a name in quotes names the group ("گروه «دولت اسلامی عراق و شام»", "گروه موسوم به
    «دولت اسلامی»"): the name's piece takes in the kind word, the quotes and the rest of the quoted name, so
    neither the kind word (a partitive "group") nor a place inside the name ("عراق") is read apart, and a
    backing word before the kind word joins it ("شبه‌نظامیان وابسته به گروه «...»")."""
    before = _quoted_kind(lex)
    if before is None:
        return pieces
    out = []
    for h in pieces:
        m = before.search(folded, max(0, h.start - 40), h.start) if h.group == "actor" else None
        close = folded.find("»", h.end, h.end + 30) if m is not None else -1
        if m is not None and close >= 0 and "«" not in folded[h.end:close] and \
                not any(x.start < close and x.end > h.end for x in pieces):
            h = h._replace(start=m.start() + (folded[m.start()] == " "), end=close + 1)
        out.append(h)
    return out


@functools.lru_cache(maxsize=None)
def _quoted_kind(lex: Lexicon) -> re.Pattern[str] | None:
    kinds = {fold_key(k) for k in lex.data["words"].get("quoted_kind", [])}
    if not kinds:
        return None
    alt = "|".join(sorted((re.escape(k) for k in kinds), key=len, reverse=True))
    return re.compile(rf"(?:^|\s)(?:{alt})(?:\s+(?:موسوم|معروف)\s+به)?\s*«\s*$")


def _attacking_side(word: Actor, attacks: list[Hit], found: list[Actor], folded: str, lang: str) -> str:
    """The side of "the attackers" ("المهاجمين"): the one that made the last assault told before it, named
    right before the attack word ("IS attacked ...", "قوات النظام هجوما") or, in English not first, right after
    it and not as its target ("هجوم لجبهة النصرة ... على مقرات قوات النظام", "an attack by IS"); "" when no
    assault names one."""
    for h in reversed([h for h in attacks if h.end <= word.start]):
        before = next((a for a in reversed(found) if 0 <= h.start - a.end <= 3 and a.side and
                       a.side not in _UNRESOLVED), None)
        after = next((a for a in found if h.end <= a.start <= h.end + ATTACKER_REACH and a.start < word.start
                      and a.side and a.side not in _UNRESOLVED), None)
        if after is not None and (_TARGET_BEFORE.search(folded[h.end:after.start]) or
                                  lang == "en" and not folded[h.end:after.start].strip().startswith("by")):
            after = None  # the target ("attacked army positions", "على مقرات قوات النظام")
        for a in (before, after):
            if a is not None:
                return a.side
    return ""


def _coreference(found: list[Actor], folded: str, lex: Lexicon) -> None:
    """Sides a report settles for its own naming: when it calls the opposition Turkish-backed anywhere
    ("Turkey-backed Syrian rebels") or names a Turkish operation ("Euphrates Shield"), its bare "rebels"
    and "FSA" are those same factions; when it calls fighters US-backed and names the SDF, its
    "US-backed rebels" are the SDF."""
    turkish_opposition = any(a.side == "turkey" and (a.core in ("opposition", "", "generic") or "opposition" in
                                                     {h.value for h in a.pieces if h.group in ("actor", "modifier")})
                             for a in found) or \
        any(lex.operations.get(name) == "turkey" for a in found for name in lex.operations
            if name in folded[a.start:a.end])
    names_sdf = any(a.side == "sdf" for a in found)
    for a in found:
        if a.side == "opposition" and turkish_opposition:
            a.side = "turkey"
        elif a.side == "opposition" and "coalition" in a.backers and names_sdf:
            a.side = "sdf"


def _split_compose(run: list[Hit], folded: str, lex: Lexicon, when: date | None) -> list[Actor]:
    """Compose a run; a trailing or leading backing word with nothing backed is dropped. Modifiers alone
    name a side only before "control" or "hands" ("under government control", "in rebel hands") or a noun
    of taking ("the rebel seizure of X", "the jihadist takeover of X"); not a state ("rebel-held")."""
    while run and run[-1].group == "backing":
        run = run[:-1]
    while run and run[0].group == "backing":
        run = run[1:]
    if not run:
        return []
    actor = compose(run, folded, lex, when)
    if actor is None and (_CONTROL_NEXT.match(folded, run[-1].end) or _TAKING_NEXT.match(folded, run[-1].end) and
                          not folded[run[-1].start:run[-1].end].endswith("held")):
        side = _pick([h.value for h in run if h.group in ("modifier", "weak")], lex) or \
            next((h.value for h in run if h.group == "modifier" and h.value in _UNRESOLVED), "")
        if side:
            actor = Actor(run[0].start, run[-1].end, side, pieces=run, core=side)
    return [actor] if actor is not None else []


_CONTROL_NEXT = re.compile(r"(?:'s|’s)?\s+(?:full\s+|complete\s+|total\s+)?(?:control|hands|rule)\b")
#: English nouns of taking a place that a bare modifier may own ("the rebel capture of X")
_TAKING_NEXT = re.compile(r"\s+(?:capture|recapture|seizure|takeover|take-over|conquest|overrunning)\s+of\b")


def _longest(hits: list[Hit]) -> list[Hit]:
    """The longest of overlapping hits (leftmost of equals), in order; same-span hits of other groups kept."""
    chosen: list[Hit] = []
    taken = bytearray(max((h.end for h in hits), default=0))  # 1 where a chosen span lies
    spans: set[tuple[int, int]] = set()  # the chosen spans (disjoint)
    kept: set[tuple[int, int, str]] = set()  # (start, end, group) of the chosen hits
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        span = (h.start, h.end)
        if span in spans:  # a chosen span again: kept in another group
            if (h.start, h.end, h.group) in kept:
                continue
        elif taken.find(1, h.start, h.end) >= 0:
            continue
        taken[h.start:h.end] = b"\x01" * (h.end - h.start)
        spans.add(span)
        kept.add((h.start, h.end, h.group))
        chosen.append(h)
    chosen.sort(key=lambda h: (h.start, h.end))
    return chosen
