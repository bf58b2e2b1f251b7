"""Date phrases in reports and their resolution against the publication date.

Candidate phrases are found with one compiled regex per language, built from the ``[dates]`` table
of the lexicon files; each phrase is rewritten into English that dateparser reads ("أمس" ->
"yesterday", "14 تشرين الاول" -> "14 October", "منذ عشره ايام" -> "10 days ago") and read against the publication date: the commonest shapes ("14 October",
"yesterday", a weekday, "N days ago") by a small parser that reads them as dateparser does (checked
against it in ``tests/test_dates.py``), the rest by dateparser itself. Results are cached, since
dateparser is slow. Solar Hijri dates are converted arithmetically (dateparser needs an extra
package for them). Dates are always in the past of the publication date: a weekday is the most
recent such day on or before it (the nearest, up to three days after it, when the publication date is
only an estimate), a day and month without a year the most recent such day.

The text given here is *folded* (see :func:`tracker.textfold.fold`): lower-case Latin, one alef,
ta marbuta as ha, Persian yeh and kaf as Arabic, ASCII digits.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Iterable, Iterator

import dateparser

from tracker.textfold import fold
from tracker.vocab import data_file

LANGS = ("ar", "fa", "en")

#: The earliest publication date a report may carry: an older one is a typo (``0001-01-01``), and the
#: date arithmetic of every later stage counts back from it.
EARLIEST_PUBLISHED = date(1900, 1, 1)


def publication_date_problem(day: date, today: date | None = None) -> str | None:
    """Why ``day`` cannot be a report's publication date (before 1900, or after ``today``: by default
    today's date in UTC), or None."""
    if day < EARLIEST_PUBLISHED:
        return f"publication date {day.isoformat()} is before {EARLIEST_PUBLISHED.year}"
    if day > (today or datetime.now(timezone.utc).date()):
        return f"publication date {day.isoformat()} is in the future"
    return None


@dataclass(frozen=True)
class DateMention:
    """A date phrase found in folded text.

    ``kind`` is ``relative`` (yesterday), ``weekday``, ``ago`` (ten days ago), ``daymonth`` (with or
    without a year), ``monthyear``, ``solar`` (Solar Hijri day month year), ``solarmonth`` (Solar Hijri month year) or ``next`` (chronicle
    "the next day"); ``english`` is what dateparser is given; ``year`` the year written, if any.
    """

    start: int
    end: int
    kind: str
    english: str
    year: int | None = None


def _table(lang: str) -> dict[str, Any]:
    return data_file(f"lexicon_{lang}.toml")


def _fold_key(s: str) -> str:
    # the same folding as the report text
    return fold(s)[0]


def _keys(words) -> list[str]:
    """The folded, non-empty forms of ``words``, longest first: the words of one alternation."""
    return [k for k in sorted({_fold_key(w) for w in words}, key=len, reverse=True) if k]


def _alt(words) -> str:
    return "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in _keys(words))


#: The Arabic/Persian proclitics (و ب ل ف), one of which may precede a date phrase.
_PROCLITICS = "وبلف"
_PROCLITIC = f"[{_PROCLITICS}]"
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=None)
def _patterns(lang: str) -> tuple[re.Pattern, dict[str, Any]]:
    d = _table(lang)["dates"]
    nums = _table(lang)["distance"].get("numbers", {})
    maps = {
        "relative": {_fold_key(k): v for k, v in d.get("relative", {}).items()},
        "weekdays": {_fold_key(k): v for k, v in d.get("weekdays", {}).items()},
        "months": {_fold_key(k): v for k, v in d.get("months", {}).items()},
        "solar": {_fold_key(k): v for k, v in d.get("solar_months", {}).items()},
        "units": {_fold_key(k): v for k, v in d.get("day_units", {}).items()},
        "numbers": {_fold_key(k): v for k, v in nums.items()},
        "next": [_fold_key(k) for k in d.get("next_day", [])],
    }
    month = _alt(maps["months"])
    num = r"\d{1,3}" + (f"|{_alt(maps['numbers'])}" if maps["numbers"] else "")
    unit = _alt(maps["units"])
    ago = _alt(d.get("ago", []))
    parts = []
    if maps["solar"]:
        parts.append(rf"(?P<sday>\d{{1,2}})\s+(?P<smonth>{_alt(maps['solar'])})\s+(?P<syear>1[34]\d\d)")
        # "آذر ۱۳۹۲": a Solar Hijri month
        parts.append(rf"(?P<smonth2>{_alt(maps['solar'])})\s+(?P<syear2>1[34]\d\d)")
    if lang == "en":
        # "between 10 and 14 March", "on 21 and 22 April": a range of days is dated to its middle, the event lies
        # somewhere in it ("20-26 December", a week's heading, and "from 8 to 11 December", a span, are read by
        # their last day)
        parts.append(rf"(?P<rday>\d{{1,2}})(?:st|nd|rd|th)?\s+and\s+(?P<rday2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?"
                     rf"(?P<rmonth>{month})(?:,?\s+(?P<ryear>(?:19|20)\d\d))?")
    # "14 October 2017", "14 تشرين الاول", "2 تموز/يوليو 2017"
    parts.append(rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{month})(?:\s*/\s*(?:{month}))?"
                 rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?")
    if lang == "en":
        parts.append(rf"(?P<month2>{month})\.?\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year2>(?:19|20)\d\d))?")
    # "October 2017", "تموز/يوليو 2017": a month
    parts.append(rf"(?P<month3>{month})(?:\s*/\s*(?:{month}))?\s+(?P<year3>(?:19|20)\d\d)")
    if ago:
        if lang == "ar":
            parts.append(rf"(?:{ago})\s+(?P<n>{num})\s+(?P<unit>{unit})")
        else:
            parts.append(rf"(?P<n2>{num})\s+(?P<unit2>{unit})\s+(?:{ago})")
    if maps["next"]:
        parts.append(rf"(?P<next>{_alt(maps['next'])})")
    if maps["relative"]:
        parts.append(rf"(?P<rel>{_alt(maps['relative'])})")
    if maps["weekdays"]:
        parts.append(rf"(?:on\s+)?(?P<wd>{_alt(maps['weekdays'])})")
    if lang == "en":
        # "in October", "last March": a month without a year or day; "in 2015", "since 2014": a year
        parts.append(rf"(?:(?P<mpre>in|since|during|until|by|last|early|late|mid|mid-|from)\s+)(?:early\s+|late\s+|mid-?)?"
                     rf"(?P<month4>{month})(?![\s.]*\d)")
        parts.append(rf"(?:in|since|during|until|by|from|of|early|late|mid-?)\s+(?P<year5>(?:19|20)\d\d)")
    elif lang in ("ar", "fa"):
        # "مطلع 2020", "عام 2015", "اواخر 2019", "در سال 2014": a year after a word that makes it one (folded)
        # (Persian only with "سال": "از 2014" is more often a count than a year)
        parts.append(r"(?:(?:في|منذ|خلال|مطلع|اوايل|اوائل|اواخر|منتصف|نهايه|بدايه|اواسط)\s+"
                     r"(?:(?:عام|سنه|العام)\s+)?|(?:عام|سنه|العام|سال)\s+)(?P<year5>(?:19|20)\d\d)")
    # an Arabic/Persian proclitic (و ب ل ف) may precede; no letter may follow
    pre = rf"(?<![^\W\d_])(?:{_PROCLITIC}(?=[^\W\d_]))?" if lang != "en" else r"(?<![^\W_])"
    rx = re.compile(rf"{pre}(?:{'|'.join(parts)})(?![^\W_])")
    return rx, maps


def _number(token: str, maps: dict[str, Any]) -> int | None:
    token = _SPACES.sub(" ", token)
    if token.isdigit():
        return int(token)
    return maps["numbers"].get(token)


def find_dates(folded: str, lang: str) -> list[DateMention]:
    """Every date phrase in ``folded`` text, in order."""
    if lang not in LANGS:
        lang = "en"
    rx, maps = _patterns(lang)
    found = []
    for m in rx.finditer(folded):
        g = m.groupdict()
        span = m.span()
        if g.get("sday"):
            found.append(DateMention(*span, "solar", f"{g['sday']}/{maps['solar'][_norm(g['smonth'])]}",
                                     int(g["syear"])))
        elif g.get("smonth2"):
            found.append(DateMention(*span, "solarmonth", f"1/{maps['solar'][_norm(g['smonth2'])]}", int(g["syear2"])))
        elif g.get("day") or g.get("day2") or g.get("rday"):
            day, month, year = (g["day"], g["month"], g["year"]) if g.get("day") else \
                (g["day2"], g["month2"], g["year2"]) if g.get("day2") else \
                (str((int(g["rday"]) + int(g["rday2"])) // 2 if int(g["rday"]) < int(g["rday2"]) else g["rday"]),
                 g["rmonth"], g["ryear"])
            if int(day) == 0 or int(day) > 31:
                continue
            found.append(DateMention(*span, "daymonth", f"{int(day)} {maps['months'][_norm(month)]}",
                                     int(year) if year else None))
        elif g.get("month3"):
            found.append(DateMention(*span, "monthyear", f"{maps['months'][_norm(g['month3'])]} {g['year3']}",
                                     int(g["year3"])))
        elif g.get("month4"):
            found.append(DateMention(*span, "month", maps["months"][_norm(g["month4"])]))
        elif g.get("year5"):
            found.append(DateMention(*span, "year", g["year5"], int(g["year5"])))
        elif g.get("n") or g.get("n2"):
            n, unit = (g["n"], g["unit"]) if g.get("n") else (g["n2"], g["unit2"])
            value = _number(n, maps)
            english = maps["units"][_norm(unit)]
            if value is None:
                continue
            # a dual unit ("يومين") carries its own number
            english = english if english[0].isdigit() else f"{value} {english}"
            found.append(DateMention(*span, "ago", f"{english} ago"))
        elif g.get("next"):
            found.append(DateMention(*span, "next", _norm(g["next"])))
        elif g.get("rel"):
            found.append(DateMention(*span, "relative", maps["relative"][_norm(g["rel"])]))
        elif g.get("wd"):
            found.append(DateMention(*span, "weekday", maps["weekdays"][_norm(g["wd"])]))
    return found


_YEAR_RX = re.compile(r"(?<![\w-])(?:(?:early|mid|late)\s*-?\s*)?(?P<year>(?:19|20)\d\d)(?![\w-]*\d)")


def prepare(langs: Iterable[str] = LANGS) -> None:
    """Compile the date patterns of ``langs`` and load dateparser's data once per process, so that
    the first report read does not carry that cost."""
    for lang in langs:
        _patterns(lang)
    dateparser.parse("yesterday", languages=["en"], settings={"RELATIVE_BASE": datetime(2000, 1, 1)})


def find_years(folded: str) -> list[tuple[int, int, int]]:
    """Every year written in ``folded`` text as (start, end, year): "in 2016", "mid-2017", "2014–2017".

    Only a chronicle's running year reads these (see :func:`tracker.extract.extract_report`): a bare
    year is never a claim's date.
    """
    return [(m.start(), m.end(), int(m.group("year"))) for m in _YEAR_RX.finditer(folded)]


def _norm(s: str) -> str:
    return _SPACES.sub(" ", s)


@lru_cache(maxsize=65536)
def _dateparser(english: str, base: date) -> date | None:
    """``english`` read by dateparser against ``base`` (dates before it preferred); the commonest shapes
    are read by :func:`_plain_date` as dateparser reads them, without its cost (a few ms a call)."""
    found = _plain_date(english, base)
    if found is not None:
        return found
    settings = {"RELATIVE_BASE": datetime(base.year, base.month, base.day), "PREFER_DATES_FROM": "past",
                "RETURN_AS_TIMEZONE_AWARE": False}
    parsed = dateparser.parse(english, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


_MONTH_NUMBERS = {name: k for k, name in enumerate(("January", "February", "March", "April", "May", "June", "July",
                                                   "August", "September", "October", "November", "December"), 1)}
_WEEKDAY_NUMBERS = {name: k for k, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                     "Saturday", "Sunday"))}
_DAY_MONTH = re.compile(rf"(?P<day>\d{{1,2}}) (?P<month>{'|'.join(_MONTH_NUMBERS)})(?: (?P<year>\d{{4}}))?")
_DAYS_OR_WEEKS_AGO = re.compile(r"(?P<n>\d{1,3}) (?P<unit>day|week)s? ago")


def _plain_date(english: str, base: date) -> date | None:
    """What dateparser reads in the phrases :func:`find_dates` writes most ("14 October", "14 October 2017",
    "3 days ago", "2 weeks ago", "today", "yesterday", "Friday"), read here; None for any other phrase and for
    a day and month the base's year lacks or that falls after the base (dateparser reads those).
    ``tests/test_dates.py`` checks these against dateparser."""
    if english == "today":
        return base
    if english == "yesterday":
        return base - timedelta(days=1)
    weekday = _WEEKDAY_NUMBERS.get(english)
    if weekday is not None:  # the last such day before the base (a week back on the day itself)
        return base - timedelta(days=(base.weekday() - weekday) % 7 or 7)
    m = _DAYS_OR_WEEKS_AGO.fullmatch(english)
    if m:
        return base - timedelta(days=int(m["n"]) * (7 if m["unit"] == "week" else 1))
    m = _DAY_MONTH.fullmatch(english)
    if m:
        try:
            day = date(int(m["year"] or base.year), _MONTH_NUMBERS[m["month"]], int(m["day"]))
        except ValueError:
            return None
        return day if m["year"] or day <= base else None
    return None


#: A fixed base for phrases whose meaning is a shift from the base ("yesterday", "3 days ago").
_REF = date(2000, 6, 14)  # a Wednesday, mid-month


#: "3 months ago", "1 year ago": counted back from the base in months
_MONTHS_OR_YEARS_AGO = re.compile(r"(?P<n>\d{1,2}) (?P<unit>month|year)s? ago")


def _relative(english: str, base: date) -> date | None:
    """``english`` resolved against ``base`` by dateparser, read once per phrase (per weekday).

    A shift in days or weeks ("yesterday", "3 days ago") is the same from any base, and a weekday
    name depends only on the base's weekday: dateparser reads the phrase against a reference day
    of that weekday and the shift is applied to ``base``, so a stream of reports with many
    publication dates does not call dateparser once per date. "3 months ago" and "1 year ago" are
    counted back from ``base`` here as dateparser counts them; other months and years are read by it.
    """
    shift = _MONTHS_OR_YEARS_AGO.fullmatch(english)
    if shift:  # as dateparser reads it (the same day, clipped to the month's end), without its cost per base
        months = int(shift["n"]) * (12 if shift["unit"] == "year" else 1)
        year, month = divmod(base.year * 12 + base.month - 1 - months, 12)
        return base.replace(year=year, month=month + 1, day=min(base.day, monthrange(year, month + 1)[1]))
    if "month" in english or "year" in english:
        return _dateparser(english, base)
    ref = _REF + timedelta(days=(base.weekday() - _REF.weekday()) % 7)
    found = _dateparser(english, ref)
    return None if found is None else base + (found - ref)


def _day_month(english: str, base: date) -> date | None:
    """The most recent day on or before ``base`` with the day and month of ``english`` ("14 October")."""
    found = _dateparser(english, date(2000, 12, 31))  # a leap year: 29 February reads too
    if found is None:
        return None
    try:
        day = found.replace(year=base.year)
        return day if day <= base else found.replace(year=base.year - 1)
    except ValueError:  # 29 February outside a leap year: as dateparser reads it
        day = _dateparser(english, base)
        return day.replace(year=day.year - 1) if day is not None and day > base else day


def solar_to_gregorian(year: int, month: int, day: int) -> date:
    """Convert a Solar Hijri (Jalali) date to the Gregorian calendar.

    Counts days with the 33-year arithmetic leap cycle (as in the widely used jdf routine), then
    turns the day count into a Gregorian date.
    """
    jy = year + 1595
    days = (-355668 + 365 * jy + (jy // 33) * 8 + ((jy % 33) + 3) // 4 + day
            + ((month - 1) * 31 if month < 7 else (month - 7) * 30 + 186))
    return _from_jdf_days(days)


def _from_jdf_days(days: int) -> date:
    gy = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gy += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gy += (days - 1) // 365
        days = (days - 1) % 365
    leap = (gy % 4 == 0 and gy % 100 != 0) or gy % 400 == 0
    month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    gd, gm = days + 1, 1
    for length in month_days:
        if gd <= length:
            break
        gd -= length
        gm += 1
    return date(gy, gm, gd)


def publication_estimated(basis: str | None, precision: str | None) -> bool:
    """Whether a publication date is an estimate: its input says so (``published_basis`` "estimated: ...", or
    "event_date": the day of the event the report is about), or it is not a day."""
    basis = (basis or "").lower()
    return basis.startswith("estimat") or basis == "event_date" or (precision or "day") != "day"


#: how far after an estimated publication date a weekday may fall ("on Wednesday" in a report dated Tuesday)
WEEKDAY_AFTER_ESTIMATE = 3


def resolve(mention: DateMention, base: date | None, year_hint: int | None = None,
            previous: date | None = None, base_estimated: bool = False) -> tuple[date | None, str]:
    """The date a phrase means, and its precision (``day``, ``week``, ``month``).

    Parameters
    ----------
    mention
        A phrase from :func:`find_dates`.
    base
        The publication date (relative phrases count back from it); None in a chronicle.
    year_hint
        The year carried in a chronicle (from the sentence before or the article's period),
        for phrases that give none.
    previous
        The date of the sentence before, for "the next day" in a chronicle.
    base_estimated
        Whether ``base`` is an estimate: a weekday is then the nearest such day, up to
        :data:`WEEKDAY_AFTER_ESTIMATE` days after it, not always the one before.
    """
    if mention.kind in ("solar", "solarmonth"):
        month_day = mention.english.split("/")
        return solar_to_gregorian(mention.year, int(month_day[1]), int(month_day[0])), \
            ("day" if mention.kind == "solar" else "month")
    if mention.kind == "next":
        if previous is None:
            return None, "day"
        shift = 2 if mention.english.startswith("two") else (0 if "same" in mention.english or mention.english in
                                                                 ("later that day", "that day") else 1)
        if "week" in mention.english:
            return previous + timedelta(days=7), "week"
        return previous + timedelta(days=shift), "day"
    if mention.kind == "year":
        year = mention.year or 0
        if base is not None and year > base.year:
            return None, "estimated"
        return date(year, 12, 31) if base is None or year < base.year else base, "estimated"
    if mention.kind == "month":
        anchor = base or previous or (date(year_hint, 12, 31) if year_hint else None)
        if anchor is None:
            return None, "month"
        found = _dateparser(f"1 {mention.english} {anchor.year}", date(anchor.year, 12, 31))
        if found is None:
            return None, "month"
        if found > anchor:
            found = found.replace(year=found.year - 1)
        return found, "month"
    if mention.kind in ("daymonth", "monthyear"):
        year = mention.year
        if year is not None or base is None:
            year = year or year_hint or (previous.year if previous else None)
            if year is None:
                return None, "day"
            text = mention.english if mention.year else f"{mention.english} {year}"
            return _dateparser(text, date(year, 12, 31)), ("month" if mention.kind == "monthyear" else "day")
        return _day_month(mention.english, base), "day"
    anchor = base or previous
    if anchor is None:
        return None, "day"
    found = _relative(mention.english, anchor)
    if found is None:
        return None, "day"
    if mention.kind == "weekday":
        # the most recent such day on or before publication: dateparser goes a week back on the day itself
        if (anchor - found).days >= 7:
            found += timedelta(days=7 * ((anchor - found).days // 7))
        while found > anchor:
            found -= timedelta(days=7)
        if base_estimated and base is not None and (found + timedelta(days=7) - anchor).days <= WEEKDAY_AFTER_ESTIMATE:
            found += timedelta(days=7)  # "on Wednesday" in a report estimated at Tuesday: the day after
    precision = "week" if "week" in mention.english else "month" if "month" in mention.english else \
        "estimated" if "year" in mention.english else "day"
    return found, precision


def period_year(period: str | None) -> int | None:
    """The first year named in a chronicle's period ("4–17 October 2017" -> 2017)."""
    if not period:
        return None
    m = re.search(r"(?:19|20)\d\d", period)
    return int(m.group(0)) if m else None


def period_end(period: str | None) -> date | None:
    """The last day of a chronicle's period ("6 November 2016 – 20 October 2017" -> 20 October 2017), when its
    last part names a year dateparser can read; None for an open period ("– present")."""
    if not period:
        return None
    last = re.split(r"\s*[–—-]\s*", period.strip())[-1]
    m = re.search(r"(?:19|20)\d\d", last)
    if not m:
        return None
    year = int(m.group(0))
    return _dateparser(last[:m.end()], date(year, 12, 31))


def period_year_for(english: str, period: str | None) -> int | None:
    """The year that puts a day or month written without one ("3 June", "June") inside a chronicle's period, or
    nearest to it: in "6 November 2016 – 20 October 2017" "17 April" is 2017 and "20 November" 2016; in "13 January
    – 2 March 2017" a background "December" is 2016. None when the period cannot be read or two years fit as well."""
    if not period or not period_year(period):
        return None
    parts = re.split(r"\s*[–—-]\s*", period.strip())
    if not period_year(parts[-1]):
        return None  # an open period ("– present")
    years = [int(y) for y in re.findall(r"(?:19|20)\d\d", period)]
    # a part with no day ("2016–2017", "March 2016") bounds by its whole years
    start = period_start(period) if re.match(r"\d{1,2}\b", parts[0]) else date(years[0], 1, 1)
    end = period_end(period) if re.match(r"\d{1,2}\b", parts[-1]) else date(years[-1], 12, 31)
    if start is None or end is None or end < start:
        return None
    gaps: dict[int, int] = {}
    for year in range(start.year - 1, end.year + 2):
        day = _dateparser(f"{english} {year}" if english[:1].isdigit() else f"1 {english} {year}", date(year, 12, 31))
        if day is not None:
            gaps[year] = max((start.replace(day=1) - day).days, (day - end).days, 0)
    best = sorted(gaps.items(), key=lambda kv: kv[1])
    return best[0][0] if best and (len(best) == 1 or best[1][1] > best[0][1]) else None


def period_start(period: str | None) -> date | None:
    """The first day of a chronicle's period, when dateparser can read it."""
    if not period:
        return None
    first = re.split(r"\s*[–—-]\s*", period.strip())[0]
    year = period_year(period)
    if year and not re.search(r"(?:19|20)\d\d", first):
        # "4–17 October 2017": the start borrows the month and year of the end
        rest = re.sub(r"^\d{1,2}\s*", "", period.split("–")[-1].strip()) if first.strip().isdigit() else str(year)
        first = f"{first} {rest}"
    return _dateparser(first, date(year or 2100, 12, 31)) if first else None
