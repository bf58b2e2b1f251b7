"""When a claim happened: the date phrases of its clause and sentence, read against the report.

A claim takes the date phrase of its clause, else the nearest one before it in the sentence (a
relative one only when no new speaker comes between: "... أمس ... وقال ناشطون"), else the date
carried from the sentence before in its paragraph, else the publication date (the headline's date
is always the publication's). Phrases are resolved by :mod:`tracker.dates`.

In a chronicle (``kind == 'chronicle'``, a dated history) each sentence's own date wins, its year
carried from the previous dated sentence or the article's period, "the next day" counted from the
sentence before. Only these set the running year: a full date, a day read in the running year, a
month or year opening the sentence ("In October 2017,", at most three words before it) and a section
heading naming a year. A month or year inside a sentence is a reference, and an opener looking back
before the running year ("In 2014, ...") is background: neither is carried.
"""

from __future__ import annotations

import bisect
import json
import re
from datetime import date
from typing import Any

from tracker import dates as dates_mod
from tracker.extract.segment import Sentence
from tracker.records import Report

#: date kinds that count from the moment of speaking, so a new reporting verb ends their reach
_SPEAKER_BOUND = frozenset({"relative", "weekday", "ago"})
#: how many words may come before a month or year that sets a chronicle's year ("In late October 2017")
_OPENER_WORDS = 3
#: how many days after the running date a pluperfect's day may be and still be that year's (a deadline, "by 3 October")
_PLUPERFECT_AHEAD = 31
_BREAK = re.compile("[،,;؛:]")
_WORDS = re.compile(r"\w+")


class Dating:
    """Dates for the claims of one report, sentence by sentence in order."""

    def __init__(self, report: Report, folded: str, orig: Any, lang: str, reporting: list[tuple[int, int]],
                 asides: frozenset[str] = frozenset()) -> None:
        self.report = report
        self.lang = lang
        self.asides = asides  # words opening an aside between commas ("وهي بلدة كانت ... في 2011")
        self.folded = folded
        self.orig = orig
        self.chronicle = report.kind == "chronicle"
        self.mentions = dates_mod.find_dates(folded, lang)
        self.starts = [d.start for d in self.mentions]
        self.years = dates_mod.find_years(folded) if self.chronicle else []
        self.year_starts = [y[0] for y in self.years]
        self.reporting = reporting
        meta = json.loads(report.meta) if report.meta else {}
        period = meta.get("period") if isinstance(meta, dict) else None
        self.period = period if isinstance(period, str) else None
        self.year_hint = dates_mod.period_year(period) or (
            dates_mod.period_year(report.title) if self.chronicle else None)
        basis = meta.get("published_basis") if isinstance(meta, dict) else None
        self.base_estimated = dates_mod.publication_estimated(basis, report.published_precision)
        self.state: dict[str, Any] = {}
        self.headings = self._headings() if self.chronicle else []

    # ------------------------------------------------------------------
    def in_sentence(self, sent: Sentence) -> list[dates_mod.DateMention]:
        return self.mentions[bisect.bisect_left(self.starts, sent.start):bisect.bisect_left(self.starts, sent.end)]

    def enter(self, sent: Sentence) -> None:
        """Called before a sentence's claims are dated: section headings set the chronicle's year."""
        while self.headings and self.headings[0][0] < sent.start:
            self._set_year(self.headings.pop(0)[1])

    def date_for(self, pos: int, sent: Sentence, earlier: bool = False) -> tuple[str | None, str | None, str | None]:
        """(ISO date, precision, the date words) of a claim at folded offset ``pos``; ``earlier`` for a claim in
        the pluperfect ("ISIL had retaken Palmyra ... 11 December"), which in a chronicle tells of a day before
        the running date, not after it."""
        published = self.report.published
        if sent.headline and published is not None and not self.chronicle:
            return published.isoformat(), self.report.published_precision or "day", None
        seg_lo, seg_hi = self._segment(pos, sent)
        in_sent = self.in_sentence(sent)
        # not a date after a relative pronoun that follows the claim ("ورفعت العلم في المدينة التي شهدت ... عام
        # 2011"): the relative clause's own
        chosen = next((d for d in in_sent if seg_lo <= d.start < seg_hi and
                       not (d.start > pos and set(self.folded[pos:d.start].split()) & self.asides)), None)
        if chosen is None:
            before = [d for d in in_sent if d.end <= pos and not self._in_aside(d.start, sent, pos)]
            chosen = before[-1] if before else (in_sent[0] if in_sent and self.chronicle else None)
            if before and chosen is not None and chosen.kind in _SPEAKER_BOUND and self._speaker_between(chosen.end, pos):
                # "تمكنت أمس ... وقال ناشطون إن ...": a new speaker's clause does not inherit "yesterday"
                if published is not None and not self.chronicle:
                    return published.isoformat(), self.report.published_precision or "day", None
                chosen = None
        if chosen is not None:
            value, precision = self._resolve(chosen)
            running = self.state.get("prev_date") or self.state.get("seen")
            # (not a date opening the sentence: "On 4 January, it was reported that they had captured X" is the 4th)
            # (nor a day within a month after the running date: "the farmland had been secured by 3 October" after
            # "launched on 1 October 2016" is that October's)
            if earlier and self.chronicle and value is not None and running is not None and chosen.year is None and \
                    chosen.kind == "daymonth" and (value - running).days > _PLUPERFECT_AHEAD and \
                    not self._opens(sent, chosen.start):
                value = value.replace(year=value.year - 1) if not (value.month == 2 and value.day == 29) else value
            if value is not None:
                return value.isoformat(), precision, self.report.text[self.orig(chosen.start):self.orig(chosen.end)].strip()
        if self.state.get("carry") and self.state.get("carry_para") == sent.paragraph:
            return self.state["carry"]
        if published is not None and not self.chronicle:
            return published.isoformat(), self.report.published_precision or "day", None
        return None, None, None

    def leave(self, sent: Sentence) -> None:
        """Carry the sentence's last date (and its year) to the sentences after it."""
        if self.chronicle:
            for y0, _y1, year in self.years[bisect.bisect_left(self.year_starts, sent.start):
                                            bisect.bisect_left(self.year_starts, sent.end)]:
                if any(d.start <= y0 < d.end for d in self.in_sentence(sent)):
                    continue  # the year of a full date or a month: read with it
                if self._opens(sent, y0) and not self._backward(year):
                    self._set_year(year)
        for d in self.in_sentence(sent):
            value, precision = self._resolve(d)
            if value is None:
                continue
            if self.chronicle and d.kind in ("monthyear", "daymonth") and d.year is not None:
                self.state["seen"] = value  # the last full date the chronicle gave, opener or not
            if self.chronicle and d.kind == "year":
                continue  # a bare year sets the running year only as an opener (above)
            if self.chronicle and d.kind in ("monthyear", "month") and (not self._opens(sent, d.start) or
                                                                        self._backward(value.year)):
                continue
            self.state["prev_date"] = value
            self.state["year"] = value.year
            self.state["carry"] = (value.isoformat(), precision,
                                   self.report.text[self.orig(d.start):self.orig(d.end)].strip())
            self.state["carry_para"] = sent.paragraph

    # ------------------------------------------------------------------
    def _resolve(self, d: dates_mod.DateMention) -> tuple[date | None, str]:
        base = self.report.published if not self.chronicle else None
        year = self.state.get("year")
        if year is None and self.chronicle and d.year is None and d.kind in ("daymonth", "month"):
            year = dates_mod.period_year_for(d.english, self.period)  # the year inside a period of several
        return dates_mod.resolve(d, base, year or self.year_hint, self.state.get("prev_date"), self.base_estimated)

    def _speaker_between(self, a: int, b: int) -> bool:
        k = bisect.bisect_left(self.reporting, (a, a))
        return k < len(self.reporting) and self.reporting[k][0] < b

    def _segment(self, pos: int, sent: Sentence) -> tuple[int, int]:
        """The comma-delimited part of the sentence around ``pos``."""
        lo = sent.start
        for m in _BREAK.finditer(self.folded, sent.start, pos):
            lo = m.end()
        m = _BREAK.search(self.folded, pos, sent.end)
        return lo, (m.start() if m else sent.end)

    def _in_aside(self, pos: int, sent: Sentence, claim: int | None = None) -> bool:
        """Whether ``pos`` lies in an aside about something named before it ("X, وهي بلدة كانت من أوائل معاقل
        الثورة في 2011، ودخلها ..."): its date is the aside's, not the next clause's. In Persian the aside may open
        inside its segment, closed by a comma before the claim at ``claim`` ("شهر X را که از سال ۲۰۱۲ در دست
        مخالفان بود، پس گرفت")."""
        lo, hi = self._segment(pos, sent)
        if not self.asides:
            return False
        words = self.folded[lo:pos].split()
        if self.lang == "fa" and claim is not None and hi < claim and any(w in self.asides for w in words):
            return True
        if lo == sent.start:
            return False
        return bool(words) and words[0] in self.asides

    def _opens(self, sent: Sentence, pos: int) -> bool:
        return len(_WORDS.findall(self.folded, sent.start, pos)) <= _OPENER_WORDS

    def _backward(self, year: int) -> bool:
        running = self.state.get("year") or self.year_hint
        return running is not None and year < running

    def _set_year(self, year: int) -> None:
        """A new running year (a heading or an opener): the dates carried from another year end."""
        if self.state.get("year") != year:
            for key in ("prev_date", "carry", "carry_para"):
                self.state.pop(key, None)
        self.state["year"] = year

    def _headings(self) -> list[tuple[int, int]]:
        out = []
        pos = 0
        for line in self.folded.split("\n"):
            if line.lstrip().startswith("#"):
                found = dates_mod.find_years(line)
                if found:
                    out.append((pos, found[0][2]))
            pos += len(line) + 1
        return out
