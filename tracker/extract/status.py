"""Whether a report asserts a claim: refuted, intended, failed, recalled as background, or asserted.

* ``refuted``: the report denies it ("denied reports that X had fallen", "وهو الخبر الذي ثبت عدم صحته");
* ``intent``: announced, aimed at or attempted, not done ("to retake", "preparing to storm", a question);
* ``failed``: said not to have happened ("failed to capture", "did not enter", "repelled", "an assault on X
  was repelled");
* ``background``: an earlier change the report recalls ("IS had seized the town in 2015", "held by IS
  since 2014", "still under IS control", a vague date three weeks or more before publication, "retained
  control of X"), kept with its own date;
* ``asserted``: everything else.

Only asserted claims change control (:mod:`tracker.control`). Cues count within the predicate's
clause: the words between the last clause break and the predicate, and for denials the clause after.
"""

from __future__ import annotations

from datetime import date

from tracker.extract.chunks import Chunk
from tracker.extract.grammar import Frame

#: how many chunks before a predicate a cue of intent or failure may stand
_REACH = 7
#: a claim dated this many days or more before its report's publication is recalled, not reported
BACKGROUND_DAYS = 21
_CLAUSE_PUNCT = frozenset({",", "،", ";", "؛", ":", "(", ")", "–", "—", "."})


def status(ch: list[Chunk], f: Frame, claim_date: str | None, published: date | None, chronicle: bool,
           lang: str, date_precision: str | None = None) -> str:
    """The status of the claim a frame makes (see the module's description)."""
    i = f.index
    for c in ch[:i]:
        if c.has("refuted_before"):
            return "refuted"
    for j in range(i + 1, len(ch) - 2):
        # "regained X, a claim rebels denied": the side named between the claim and its denial
        if ch[j].text in ("claim", "claims") and ch[j + 1].kind == "actor" and \
                ch[j + 2].text in ("denied", "deny", "denies", "rejected", "reject", "rejects", "dispute", "disputed"):
            return "refuted"
    for j in range(i + 1, len(ch)):
        c = ch[j]
        if c.has("refuted_after") and _breaks(ch, i + 1, j) <= 1 or \
                c.has("refuted_back") and _breaks(ch, i + 1, j) <= 2:
            return "refuted"  # "...; however, this was denied by opposition sources"
    if ch and ch[-1].kind == "punct" and ch[-1].text in ("?", "؟") or \
            any(c.kind == "punct" and c.text in ("?", "؟") for c in ch[i:]) and not chronicle:
        return "intent"
    clause = _clause_before(ch, i, lang)
    if any(c.has("accomplished") for c in clause):
        pass
    elif any(c.has("failed") for c in clause):
        return "failed"
    elif any(c.has("intent") for c in clause) or _infinitive(ch, i) and f.agent_how != "made" or \
            _purpose(ch, i, lang):
        return "intent"
    elif lang == "ar" and _cue_after(ch, i, "intent"):
        return "intent"
    elif f.action in ("capture", "withdraw") and _begun(ch, i, lang):
        return "intent"  # "started withdrawing from X", "بدأ بالانسحاب": under way, not done
    elif f.construction == "nominal" and f.action == "capture" and \
            any(c.kind == "pred" and c.value[0] == "proximity" for c in clause):
        return "intent"  # "الجيش يقترب من السيطرة على X", "3 km from capturing X": near it, not done
    elif f.construction == "nominal" and _modal_after(ch, f):
        return "intent"  # "the capture of Baghouz will mark the end of ...": a change still to come
    if lang == "en" and f.action in ("attack", "advance", "capture") and _repelled_after(ch, i):
        return "failed"  # "attacked X on Monday but were repelled"
    if f.action in ("attack", "advance", "capture") and _repelled_later(ch, i):
        return "failed"  # "an IS assault on X was repelled"
    if any(c.has("retained") for c in clause):
        return "background"  # "retained control of the base": a holder keeping what it held, no change
    if lang == "fa":
        after = _clause_after(ch, i)
        if any(c.has("intent") for c in after) or _sought(ch, i, after):
            return "intent"
        if any(c.has("failed") for c in after) or _ends_negated(after):
            return "failed"
        if any(c.has("retained") for c in after):
            return "background"  # "کنترل X را حفظ کرد" (kept control of X)
    if not chronicle:
        if any(c.has("background") for c in clause) or _cue_after(ch, i, "background", 12):
            return "background"
        # "held by IS since 2014", "still under IS control": a state going on; "since the YPG expelled IS"
        if any(c.has("stative") for c in clause) or f.construction in ("held", "under") and \
                (_cue_after(ch, i, "stative", 12) or any(c.has("perfect") for c in clause) or _since(clause)):
            return "background"  # "which had been in the hands of IS for a year"
        if lang == "ar" and i > 0 and ch[i - 1].has("perfect_particle") and any(c.has("perfect") for c in clause):
            return "background"  # "كان تنظيم داعش قد سيطر على X": what had happened before
        # a vague date well before publication ("in May 2015", "last month", "a year ago") recalls an earlier
        # change; a day written out ("On 12 March 2018, ...") dates the event the report is about
        if claim_date and published is not None and date_precision != "day" and \
                (published - date.fromisoformat(claim_date)).days >= BACKGROUND_DAYS:
            return "background"
    return "asserted"


def forecast(ch: list[Chunk], f: Frame) -> bool:
    """Whether an observer only forecasts the change ("is expected to fall", "ويتوقع تحقيق المزيد من
    التقدم") or demands it of a side ("demanded the lifting of the siege of X"): neither a claim nor a
    side's intent, so no claim is made of it."""
    return any(c.has("forecast", "demand") for c in _clause_before(ch, f.index, ""))


def reaction(ch: list[Chunk], f: Frame) -> bool:
    """Whether the sentence reports a reaction to the change, not the change ("congratulated the SDF on
    the liberation of Raqqa"): a reaction word before the predicate."""
    return any(c.has("non_event") for c in ch[:f.index])


def _since(clause: list[Chunk]) -> bool:
    """A date after a word of `since` ("از سال ۲۰۱۷ تحت کنترل ارتش است"): a state going on since then
    (``clause`` runs backwards from the predicate)."""
    return any(c.kind == "date" and k + 1 < len(clause) and clause[k + 1].has("since") for k, c in enumerate(clause))


def _clause_before(ch: list[Chunk], i: int, lang: str) -> list[Chunk]:
    """The chunks of the predicate's clause before it (at most ``_REACH``), stopping at a break or an
    earlier predicate of another clause."""
    out: list[Chunk] = []
    for j in range(i - 1, max(-1, i - _REACH - 1), -1):
        c = ch[j]
        if c.kind == "punct" and c.text in _CLAUSE_PUNCT:
            break
        if c.has("stop"):
            if c.has("intent", "failed", "stative", "background"):
                out.append(c)  # "since the YPG expelled IS": the word opening the clause is its cue
            break
        out.append(c)
    return out


def _repelled_after(ch: list[Chunk], i: int) -> bool:
    """"attacked X but were repelled", "stormed X but were pushed back": "but" and a cue of failure right after
    it, before another predicate or the sentence's end, undo the predicate."""
    for j in range(i + 1, len(ch) - 1):
        c = ch[j]
        if c.kind == "pred" or c.kind == "punct" and c.text in (".", ";", ":"):
            return False
        if c.text == "but":
            k = j + 1
            while k < len(ch) and (ch[k].has("aux", "adverb") or ch[k].text in ("they", "it", "were", "was")):
                k += 1
            return k < len(ch) and ch[k].has("failed", "repelled_after") and \
                not ch[k].text.startswith(("not", "no", "never"))
    return False


def _repelled_later(ch: list[Chunk], i: int) -> bool:
    """"An IS assault on X was repelled", "هجوم التنظيم على X باء بالفشل": a cue of failure closes the
    predicate's own clause (no break, no other predicate, no clause word between)."""
    for c in ch[i + 1:i + 9]:
        if c.kind == "punct" and c.text in _CLAUSE_PUNCT or c.kind == "pred" or c.has("stop", "relative"):
            return False
        if c.has("repelled_after"):
            return True
    return False


def _clause_after(ch: list[Chunk], i: int) -> list[Chunk]:
    """The chunks after the predicate up to the verb that ends its sentence (Persian puts the auxiliary
    of every clause last: a list of places between does not end it)."""
    out: list[Chunk] = []
    for c in ch[i + 1:]:
        if c.kind == "punct" and c.text in (";", "؛", ":", ".", "(", ")") or c.has("relative", "stop"):
            break
        out.append(c)
    return out


def _ends_negated(after: list[Chunk]) -> bool:
    """Persian "موفق به تصرف X نشد", "وارد X نشدند", "از سقوط X جلوگیری کرد": a negated or preventing verb ends
    the predicate's clause before any other predicate."""
    for c in after:
        if c.kind == "pred":
            return False
        if c.has("negated"):
            return True
    return False


def _sought(ch: list[Chunk], i: int, after: list[Chunk]) -> bool:
    """Persian "به دنبال آزادسازی X است" (is seeking to free X): an aim, not "به دنبال" (following) a deed; the
    clause ends with a copula, no verb of its own."""
    k = i - 1
    while k >= 0 and ch[k].has("adverb"):
        k -= 1
    if k < 0 or not ch[k].has("seeking") or ch[i].value[1] != "nominal":
        return False
    rest = [c for c in after if c.kind != "punct"]
    return bool(rest) and rest[-1].has("copula") and not any(c.kind == "pred" for c in rest)


def _infinitive(ch: list[Chunk], i: int) -> bool:
    """English "to retake": an aim, unless "managed to" or "able to" says it was done, or a result clause
    lets a side do it ("IS withdrew from X, allowing the army to enter the town")."""
    j = i - 1
    while j >= 0 and ch[j].has("adverb"):
        j -= 1
    return j >= 0 and ch[j].kind == "word" and ch[j].text == "to" and ch[i].value[1] != "nominal" and \
        not (j >= 1 and ch[j - 1].has("accomplished")) and not ch[j].has("accomplished") and \
        not (j >= 2 and ch[j - 1].kind == "actor" and ch[j - 2].has("result"))


#: words that may stand between "began" and its predicate ("began to pull out", "started their withdrawal")
_BEGUN_GAP = frozenset({"to", "the", "a", "an", "its", "their", "his", "process", "of", "by", "با", "به"})


def _begun(ch: list[Chunk], i: int, lang: str) -> bool:
    """Whether the predicate is said only to have begun ("ISIL started withdrawing from X", "began to pull
    out", "بدأت القوات بالانسحاب", "شروع به عقب‌نشینی کرد"): an ongoing move, which the annotation guide and
    control read as not yet done. In English and Persian the cue stands right before the predicate (a few
    function words apart); Arabic puts the subject between ("بدأت قوات النظام بالانسحاب")."""
    gap = 0
    for j in range(i - 1, -1, -1):
        c = ch[j]
        if c.has("begun"):
            return True
        if c.kind == "punct" or c.kind == "pred" or c.has("stop"):
            return False
        if c.has("adverb") or c.kind == "word" and c.text in _BEGUN_GAP or lang == "ar" and c.kind == "actor":
            gap += 1
            if gap > 4:
                return False
            continue
        return False
    return False


_MODALS = frozenset({"will", "would", "could", "might", "may", "should", "shall"})


def _modal_after(ch: list[Chunk], f: Frame) -> bool:
    """Whether a modal comes right after the phrase a nominal heads ("the capture of X will ...")."""
    end = max([f.pred.end] + [p.end for p, _ in f.places])
    after = [c for c in ch if c.start >= end][:2]
    return any(c.kind == "word" and c.text in _MODALS for c in after)


def _purpose(ch: list[Chunk], i: int, lang: str) -> bool:
    """Arabic "لتحرير", "للسيطرة على": a verbal noun with the lam of purpose, an aim; so is one after a
    purpose word (Persian "برای آزادسازی", "به منظور «پاکسازی»")."""
    if ch[i].kind != "pred" or ch[i].value[1] != "nominal":
        return False
    if lang == "ar" and ch[i].text.startswith("ل"):
        # not after a verb of returning or being forced ("عادت قوات النظام للسيطرة على X": back in control)
        return not any(c.has("lam_deed") for c in ch[max(0, i - 3):i])
    k = i - 1
    while k >= 0 and (ch[k].kind == "punct" and ch[k].text in ("«", '"', "“") or ch[k].has("det")):
        k -= 1
    return k >= 0 and ch[k].has("purpose")


def _cue_after(ch: list[Chunk], i: int, cue: str, reach: int = 4) -> bool:
    for c in ch[i + 1:i + 1 + reach]:
        if c.kind == "punct" and c.text in _CLAUSE_PUNCT or c.kind == "pred":
            break
        if c.has(cue):
            return True
    return False


def _breaks(ch: list[Chunk], a: int, b: int) -> int:
    return sum(1 for c in ch[a:b] if c.kind == "punct" and c.text in _CLAUSE_PUNCT)
