"""Date phrases resolved against a publication date (and chronicle years)."""

import random
from datetime import date, datetime, timedelta

import dateparser
import pytest

from tracker import dates
from tracker.dates import LANGS, find_dates, period_year, period_year_for, resolve, solar_to_gregorian
from tracker.extract import fold

PUB = date(2017, 10, 15)  # a Sunday


def one(text: str, lang: str, published: date | None = PUB, **kw) -> tuple[date | None, str]:
    found = find_dates(fold(text)[0], lang)
    assert found, f"no date found in {text!r}"
    return resolve(found[0], published, **kw)


@pytest.mark.parametrize("text,lang,want", [
    ("سيطر الجيش أمس على البلدة", "ar", date(2017, 10, 14)),
    ("صباح اليوم الخميس", "ar", date(2017, 10, 15)),
    ("وكان المرصد قال الأحد", "ar", date(2017, 10, 15)),  # publication day is itself a Sunday
    ("قال الخميس إن", "ar", date(2017, 10, 12)),
    ("منذ عشرة أيام", "ar", date(2017, 10, 5)),
    ("منذ 3 أيام", "ar", date(2017, 10, 12)),
    ("في 14 تشرين الأول", "ar", date(2017, 10, 14)),
    ("في 20 تشرين الأول", "ar", date(2016, 10, 20)),  # no year: the most recent one in the past
    ("دیروز", "fa", date(2017, 10, 14)),
    ("14 مهر 1396", "fa", date(2017, 10, 6)),
    ("yesterday", "en", date(2017, 10, 14)),
    ("on Sunday", "en", date(2017, 10, 15)),
    ("on Thursday", "en", date(2017, 10, 12)),
    ("On 14 October", "en", date(2017, 10, 14)),
    ("October 2, 2017", "en", date(2017, 10, 2)),
])
def test_relative_to_publication(text, lang, want):
    assert one(text, lang)[0] == want


def test_the_hours_past_is_the_publication_day():
    assert one("سجلت الساعات الماضية عودة", "ar")[0] == PUB


def test_month_and_year_has_month_precision():
    value, precision = one("في تموز/يوليو 2017", "ar")
    assert (value.year, value.month, precision) == (2017, 7, "month")


def test_arabic_indic_and_persian_digits():
    assert one("في ١٤ تشرين الأول ٢٠١٧", "ar")[0] == date(2017, 10, 14)
    assert one("۱۴ مهر ۱۳۹۶", "fa")[0] == date(2017, 10, 6)


def test_chronicle_year_from_hint_and_next_day():
    assert one("On 14 October, the army", "en", published=None, year_hint=2017)[0] == date(2017, 10, 14)
    found = find_dates("the next day, the army", "en")
    assert resolve(found[0], None, previous=date(2017, 10, 14))[0] == date(2017, 10, 15)


def test_period_year_and_solar():
    assert period_year("4–17 October 2017") == 2017
    assert solar_to_gregorian(1399, 1, 1) == date(2020, 3, 20)


@pytest.mark.parametrize("words,period,want", [
    ("2 May", "1 December 2015 – 30 June 2016", 2016),  # a period over a new year: the year that puts the day in it
    ("28 December", "1 December 2015 – 30 June 2016", 2015),
    ("August", "3 March – 9 April 2014", 2014),  # nearest the period
    ("November", "3 February – 9 April 2014", 2013),  # a background month told before the period
    ("1 July", "10 March 2013 – 20 September 2015", None),  # two years fit: none chosen
    ("1 July", "10 March 2013 – present", None),
])
def test_year_inside_a_chronicle_period(words, period, want):
    assert period_year_for(words, period) == want


@pytest.mark.parametrize("text,want", [
    ("between 4 and 8 November the rebels took", "6 November"),  # the middle of a range joined by "and"
    ("on 12 and 13 August, the army", "12 August"),
    ("weekly update, 12-18 August: the army", "18 August"),  # a week's heading: its last day
    ("from 2 to 9 May 2015 they", "9 May"),  # a span told by its end
])
def test_a_range_of_days(text, want):
    found = find_dates(fold(text)[0], "en")
    assert [d.english for d in found] == [want]


def test_weekday_not_read_inside_words():
    assert not find_dates("الاحدث", "ar")



def _date_like(rng: random.Random, lang: str) -> str:
    """Random text made of the date regex's own phrases, perturbed and glued to other text."""
    maps = dates._patterns(lang)[1]
    c = rng.choice
    month, solar, unit = list(maps["months"]), list(maps["solar"]) or ["x"], list(maps["units"])
    number = list(maps["numbers"]) or ["1"]
    ago = dates._keys(dates._table(lang)["dates"].get("ago", [])) or ["ago"]
    words = list(maps["relative"]) + list(maps["weekdays"]) + list(maps["next"])
    sp = lambda: c([" ", " ", "  ", "\n", "\t", "\u00a0"])  # noqa: E731
    dg = lambda k: "".join(c("0123456789") for _ in range(rng.randint(1, k)))  # noqa: E731
    year = lambda: c(["19", "20", "13", "14", "21"]) + dg(2)  # noqa: E731
    phrases = [
        lambda: dg(3) + c(["", "", "st", "th"]) + sp() + c(["", "", "of" + sp()]) + c(month + solar)
        + c(["", "", sp() + "/" + sp() + c(month), "/" + c(month)]) + c(["", sp() + year(), "," + sp() + year()]),
        lambda: c(month) + c(["", "."]) + sp() + dg(3) + c(["", "th"]) + c(["", sp() + year(), "," + sp() + year()]),
        lambda: c(month) + c(["", sp() + "/" + sp() + c(month)]) + sp() + year(),
        lambda: c(ago) + sp() + c([dg(3), c(number)]) + sp() + c(unit),
        lambda: c([dg(3), c(number)]) + sp() + c(unit) + sp() + c(ago),
        lambda: c(["", "", "on" + sp()]) + c(words),
    ]
    text = ""
    for _ in range(rng.randint(1, 4)):
        phrase = c(phrases)()
        if rng.random() < 0.3:  # a letter, digit or space dropped, changed or put in
            i = rng.randrange(len(phrase) + 1)
            phrase = phrase[:i] + c(["", "x", "5", " ", "ا", "-", "_"]) + phrase[i + rng.randint(0, 1):]
        text += c(["", "", " ", "و", "ب", "ال", "x", "5", "12", "-", "،", "_", "\n"]) + phrase
    return text + c(["", "", " ", "x", "5", "-", "ا", "_"])


def test_a_weekday_after_an_estimated_publication_date_is_the_nearest_one():
    (wed,) = find_dates(fold("recaptured the town on Wednesday")[0], "en")
    tuesday = date(2020, 1, 28)
    assert resolve(wed, tuesday) == (date(2020, 1, 22), "day")  # a printed date: the Wednesday before
    assert resolve(wed, tuesday, base_estimated=True) == (date(2020, 1, 29), "day")  # an estimate: the day after
    (sun,) = find_dates(fold("on Sunday")[0], "en")
    assert resolve(sun, tuesday, base_estimated=True) == (date(2020, 1, 26), "day")  # five days on: the one before
    assert dates.publication_estimated("event_date", "day") and dates.publication_estimated("estimated: x", "day")
    assert not dates.publication_estimated("printed", "day")


def test_a_solar_hijri_month_and_year_without_a_day():
    (d,) = find_dates(fold("این شهرک در آذر ۱۳۹۲ به دست تروریست‌ها افتاده بود")[0], "fa")
    assert d.kind == "solarmonth" and resolve(d, date(2014, 9, 25)) == (date(2013, 11, 22), "month")


@pytest.mark.parametrize("text,lang", [("مطلع 2020", "ar"), ("عام 2020", "ar"), ("في عام 2020", "ar"),
                                       ("در سال 2020", "fa")])
def test_a_year_after_a_word_that_makes_it_one(text, lang):
    found = find_dates(fold(text)[0], lang)
    assert [(d.kind, d.year) for d in found] == [("year", 2020)]


def test_a_bare_number_is_no_year():
    assert not find_dates(fold("وقتل 2020 شخصا")[0], "ar")


def test_months_and_years_ago_are_counted_as_dateparser_counts_them():
    # counted without dateparser (one call per publication date was slow): month ends and 29 February
    # clip as dateparser clips them
    bases = [date(2016, 2, 29), date(2016, 3, 31), date(2017, 3, 31), date(2017, 12, 31), date(2018, 1, 31),
             date(2019, 5, 31)] + [date(2016, 1, 1) + timedelta(days=37 * k) for k in range(12)]
    for base in bases:
        for phrase in ("1 month ago", "3 months ago", "13 months ago", "1 year ago", "2 years ago", "0 months ago"):
            want = dateparser.parse(phrase, languages=["en"], settings={
                "RELATIVE_BASE": datetime(base.year, base.month, base.day), "PREFER_DATES_FROM": "past",
                "RETURN_AS_TIMEZONE_AWARE": False}).date()
            got, _ = resolve(dates.DateMention(0, len(phrase), "ago", phrase), base)
            assert got == want, (phrase, base)


def test_plain_date_shapes_are_read_as_dateparser_reads_them():
    # read without dateparser (a few ms a call): every weekday from every weekday, shifts back, days and months
    def parsed(phrase, base):
        got = dateparser.parse(phrase, languages=["en"], settings={
            "RELATIVE_BASE": datetime(base.year, base.month, base.day), "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False})
        return got.date() if got else None

    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]
    relative = ["today", "yesterday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                "0 days ago", "1 day ago", "2 days ago", "10 days ago", "45 days ago", "1 week ago", "1 weeks ago",
                "2 weeks ago", "20 weeks ago"]
    checked = 0
    for base in [date(2017, 10, 9) + timedelta(days=k) for k in range(7)] + [date(2016, 3, 1), date(2017, 1, 1)]:
        for phrase in relative:
            assert dates._plain_date(phrase, base) == parsed(phrase, base), (phrase, base)
            checked += 1
    for base in (date(2000, 12, 31), date(2017, 6, 15)):
        for month in months:
            for day in range(1, 32):
                phrase = f"{day} {month}"
                got = dates._plain_date(phrase, base)
                if got is not None:
                    assert got == parsed(phrase, base), (phrase, base)
                    checked += 1
    for year in (2016, 2017):
        for month in months:
            for day in (1, 15, 28, 29, 30, 31):
                phrase = f"{day} {month} {year}"
                got = dates._plain_date(phrase, date(year, 12, 31))
                if got is not None:
                    assert got == parsed(phrase, date(year, 12, 31)), phrase
                    checked += 1
    assert checked > 600
    assert dates._plain_date("31 April", date(2000, 12, 31)) is None  # left to dateparser
    assert dates._plain_date("last month", date(2017, 1, 1)) is None
