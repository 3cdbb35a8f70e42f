"""The numbers check: every number of the French (any format) is in the English."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import glossary
from pipeline.checks.base import (
    CheckContext,
    blank_web_addresses,
    checked,
    finding,
)
from pipeline.records import Finding, Segment

# --- numbers ---------------------------------------------------------------------------

FRENCH_MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}  # fmt: skip
ENGLISH_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
FRENCH_SCALES = {
    "mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9,
    "billion": 1e12, "billions": 1e12,
}  # fmt: skip
ENGLISH_SCALES = {
    "thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
    "trillion": 1e12, "trillions": 1e12,
}  # fmt: skip
ENGLISH_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "first": 1, "second": 2,
    "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "hundredth": 100,
}  # fmt: skip
# A metric measure in the French may be converted in the English (10 km → six miles).
_FR_METRIC = re.compile(
    r"^\s*(?:km/h|km²|km|kilomètres?|mètres?|m²|m|cm|mm|kg|kilos?|kilogrammes?|grammes?|g"
    r"|litres?|l|hectares?|ha|°\s*C|degrés)(?!\w)",
    re.IGNORECASE,
)
_EN_IMPERIAL = re.compile(
    r"\b(?:miles?|mph|feet|foot|ft|inch(?:es)?|yards?|pounds?|lbs?|ounces?|oz|gallons?|acres?"
    r"|Fahrenheit)\b|°\s*F\b|\(F\)",
    re.IGNORECASE,
)
# Times: 22 h 00, 22h, 7 h 19 (French); 10:00 pm, 10 p.m., 1200 GMT, 15.00 UTC (English).
_FR_TIME = re.compile(r"(?<![\d,.])(\d{1,2})\s?h\s?(\d{2})?(?![\w])")
_AM_PM = r"([ap])\.?\s?m\b\.?"
_EN_TIMES = (
    re.compile(rf"(?<![\d,.])(\d{{1,2}}):(\d{{2}})(?:\s*{_AM_PM})?"),
    re.compile(rf"(?<![\d,.])(\d{{1,2}})\.(\d{{2}})\s*(?:{_AM_PM}|(?=GMT|UTC|hours|h\b))"),
    re.compile(rf"(?<![\d,.:])(\d{{1,2}})()\s*{_AM_PM}"),
    re.compile(r"(?<![\d,.])([01]\d|2[0-3])([0-5]\d)()\s*(?=GMT|UTC|hours)"),
)

# A number: digits grouped by (narrow no-break) spaces, or digits with . and , inside.
_DIGITS = re.compile(r"(?<!\d)(?:\d{1,3}(?:[^\S\n]\d{3})+(?!\d)(?:[.,]\d+)?|\d+(?:[.,]\d+)*)")
# Codes, which a translation copies as written and whose digits are not quantities: section
# numbers, versions and addresses (6.2.4, 192.168.0.1, 2001:db8::1), and names with a number
# (IPv6, UTF-8, ISO-8859-1, COVID-19, Su-57, G7). They are checked whole, and only for being
# there: the English may say "it" the second time.
# The groups of a dotted code are decimal or hexadecimal; a word ends it ("8000:serveur:25"
# is two numbers around a word the translation may translate).
_CODE_GROUP = r"(?:\d+|[0-9A-Fa-f]{1,4})"
_DOTTED_CODE = re.compile(rf"(?<![\w.:]){_CODE_GROUP}(?:(?:\.|::?){_CODE_GROUP}){{2,}}(?!\w)")
_NAMED_CODE = re.compile(r"(?<![\w.-])[A-Za-z]{1,8}-?\d+(?:[-.]?[A-Za-z]{0,3}\d+)*(?!\w)")
_UNIT_POWER = re.compile(r"(?:[kcmd]?m|km)[23]", re.IGNORECASE)  # km2, m3: not names
_FR_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})(?:er)?\s+({'|'.join(FRENCH_MONTHS)})\b", re.IGNORECASE)
_FR_MONTH = re.compile(rf"\b({'|'.join(FRENCH_MONTHS)})\b")  # lower case: "Mars" is a planet
# Abbreviations count too ("1 Jan", "Nov-Feb"), and French names copied through.
ENGLISH_MONTH_ABBREVIATIONS = {m[:3]: n for m, n in ENGLISH_MONTHS.items() if m != "may"}
ENGLISH_MONTH_ABBREVIATIONS["sept"] = 9
_EN_MONTH_NAMES = "|".join(
    [m.capitalize() for m in ENGLISH_MONTHS]
    + [m.capitalize() for m in sorted(ENGLISH_MONTH_ABBREVIATIONS, key=len, reverse=True)]
    + list(FRENCH_MONTHS)
)
_EN_DATES = (
    re.compile(rf"\b({_EN_MONTH_NAMES})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![.,]?\d)"),
    re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er)?\s+(?:of\s+)?({_EN_MONTH_NAMES})\b"),
)
_EN_MONTH = re.compile(rf"\b({_EN_MONTH_NAMES})\b")
_FR_PERCENT = re.compile(r"^\s*(?:%|pour\s*cent\b|p\.\s*100\b)", re.IGNORECASE)
_EN_PERCENT = re.compile(r"^\s*(?:%|per\s*cent\b|percent\b|pour\s*cent\b)", re.IGNORECASE)
_SCALE = re.compile(r"^\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?")
# "one and a half million" (1,5 million); "half a million" (500 000).
_AND_A_HALF = re.compile(r"^\s+and\s+a\s+half\b", re.IGNORECASE)
_HALF_A = re.compile(r"^\s+an?(?=\s)", re.IGNORECASE)
# A year range whose second year is cut to its last two digits: "1939-45", "2023–24".
_YEAR_RANGE_START = re.compile(r"(?<!\d)(\d\d)\d\d\s?[-–—/]\s?$")


@dataclass
class Quantity:
    """A number as written, with every value it can mean (formats differ by language)."""

    kind: str  # num, pct, date (values: (day, month)), month, time (values: (hour, minute))
    values: frozenset
    text: str
    start: int
    metric: bool = False  # a French measure in metric units


def number_values(token: str, language: str) -> set[float]:
    """What a written number can mean.

    '3 833', '3,833' and '3833' can all be 3833; '30,8' and '30.8' are 30.8. French text
    may use either separator (web copy is mixed), so a French number gets every reading;
    in English a point is only a decimal point, and a comma is a thousands separator or a
    French decimal comma copied through. A French number is found when a reading is shared.
    """
    compact = re.sub(r"\s", "", token)
    if language == "en" and "." in compact:
        whole, _, decimals = compact.replace(",", "").partition(".")
        return {float(f"{whole}.{decimals.replace('.', '')}")}
    groups = re.split(r"[.,]", compact)
    if len(groups) == 1:
        return {float(compact)}
    values = set()
    if len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
        values.add(float("".join(groups)))  # every separator groups thousands
    if len(groups) == 2 or len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:-1]):
        values.add(float("".join(groups[:-1]) + "." + groups[-1]))  # the last one is decimal
    return values or {float(groups[0])}


def codes(text: str) -> list[re.Match]:
    """The codes of a text (see _DOTTED_CODE), leftmost first, none overlapping."""
    found: list[re.Match] = []
    for m in _DOTTED_CODE.finditer(text):
        groups = re.split(r"[.:]+", m.group())
        if not any(ch.isdigit() for ch in m.group()):
            continue  # www.example.org, e.g.
        thousands = "." in m.group() and ":" not in m.group() and len(groups[0]) <= 3
        if thousands and all(g.isdigit() and len(g) == 3 for g in groups[1:]):
            continue  # 1.234.567: a French number grouped by points
        found.append(m)
    for m in _NAMED_CODE.finditer(text):
        if _UNIT_POWER.fullmatch(m.group()):
            continue
        if not any(s <= m.start() < e for s, e in (x.span() for x in found)):
            found.append(m)
    return sorted(found, key=lambda m: m.start())


def code_present(english: str, code: str) -> bool:
    """The code is in the English as written; a name's hyphen may come and go (COVID19), and
    letters may follow it (A1 GP is the A1GP)."""
    if re.fullmatch(r"[A-Za-z]+-?\d[\w.-]*", code):
        pattern = r"[-.]?".join(re.escape(run) for run in re.findall(r"[0-9A-Za-z]+", code))
        bounded = rf"(?<![0-9A-Za-z]){pattern}(?!\d)"
    else:
        bounded = rf"(?<![0-9A-Za-z]){re.escape(code)}(?![0-9A-Za-z])"
    return re.search(bounded, english, re.IGNORECASE) is not None


_A_DIGIT = re.compile(r"\d")
_EN_WORD = re.compile(r"\b[A-Za-z]+\b")
_SCALED_WORDS = frozenset({"a", "an", "half"})  # a number only before a scale or "a"


def quantities(text: str, language: str) -> list[Quantity]:
    """Every number, percentage, date, month and time of a French or English text."""
    if language == "fr" and not _A_DIGIT.search(text):
        # Codes, dates, times and numbers all need a digit: only months are left (most
        # French sentences; the nine other scans cost 0.1 s over 2,000 of them).
        return [
            Quantity(
                "month", frozenset({FRENCH_MONTHS[m.group(1).casefold()]}), m.group(), m.start()
            )
            for m in _FR_MONTH.finditer(text)
        ]
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    for m in codes(text):
        found.append(Quantity("code", frozenset({m.group()}), m.group(), m.start()))
        taken.append(m.span())
    months = (
        FRENCH_MONTHS
        if language == "fr"
        else {**FRENCH_MONTHS, **ENGLISH_MONTHS, **ENGLISH_MONTH_ABBREVIATIONS}
    )
    for pattern in (_FR_DATE,) if language == "fr" else _EN_DATES:
        for m in pattern.finditer(text):
            if not free(*m.span()):
                continue
            day_text, month_text = m.group(1), m.group(2)
            if not day_text.isdigit():
                day_text, month_text = month_text, day_text
            month = months[month_text.casefold()]
            found.append(
                Quantity("date", frozenset({(int(day_text), month)}), m.group(), m.start())
            )
            taken.append(m.span())
    # Either side may have the other's format (an engine copies "22 h 08" through).
    for pattern in (_FR_TIME, *_EN_TIMES) if language == "fr" else (*_EN_TIMES, _FR_TIME):
        for m in pattern.finditer(text):
            if not free(*m.span()) or int(m.group(1)) > 24:
                continue
            found.append(Quantity("time", _clock_times(m), m.group().strip(), m.start()))
            taken.append(m.span())
    for m in (_FR_MONTH if language == "fr" else _EN_MONTH).finditer(text):
        if free(*m.span()):
            month = months[m.group(1).casefold()]
            found.append(Quantity("month", frozenset({month}), m.group(), m.start()))
    for m in _DIGITS.finditer(text):
        if not free(*m.span()) or (m.start() and text[m.start() - 1].isalpha()):
            continue  # taken, or digits inside a word (l10n, km2)
        values = number_values(m.group(), language)
        after = text[m.end() :]
        year_range = _YEAR_RANGE_START.search(text, 0, m.start())
        if len(m.group()) == 2 and year_range:
            values = values | {float(year_range.group(1) + m.group())}
        if language == "fr" and len(m.group()) == 2 and re.search(r"années\s+$", text[: m.start()]):
            (decade,) = values  # les années 20: the 1920s (or the 2020s)
            values = {decade, 1900 + decade, 2000 + decade}
        percent = (_FR_PERCENT if language == "fr" else _EN_PERCENT).match(after)
        if percent:
            found.append(Quantity("pct", frozenset(values), m.group() + percent.group(), m.start()))
            continue
        values, scale_text = _scaled(values, after, language)
        metric = language == "fr" and bool(_FR_METRIC.match(after))
        found.append(Quantity("num", frozenset(values), m.group() + scale_text, m.start(), metric))
    if language == "en":
        for m in _EN_WORD.finditer(text):
            word = m.group().casefold()
            value = ENGLISH_NUMBER_WORDS.get(word)
            if value is None and word not in _SCALED_WORDS:
                continue  # no number (the rest of the text was copied for every word)
            after = text[m.end() :]
            if word in ("a", "an") and _SCALE.match(after):
                value = 1
            if word == "half" and (article := _HALF_A.match(after)):
                value, after = 0.5, after[article.end() :]
            if value is None:
                continue
            if half := _AND_A_HALF.match(after):
                value, after = value + 0.5, after[half.end() :]
            percent = _EN_PERCENT.match(after)
            if percent:
                found.append(
                    Quantity(
                        "pct", frozenset({float(value)}), m.group() + percent.group(), m.start()
                    )
                )
                continue
            values, scale_text = _scaled({float(value)}, after, language)
            if word in ("a", "an", "half") and not scale_text:
                continue
            found.append(Quantity("num", frozenset(values), m.group() + scale_text, m.start()))
    found.sort(key=lambda q: q.start)
    return found


def _clock_times(m: re.Match) -> frozenset:
    """(hour, minute) readings of a time: 10 pm is 22:00; 10:00 alone may be either."""
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    half = (m.group(3) or "").casefold() if m.re.groups >= 3 else ""  # a(m) or p(m)
    if half == "p" and hour < 12:
        return frozenset({(hour + 12, minute)})
    if half == "a" and hour == 12:
        return frozenset({(0, minute)})
    if half:
        return frozenset({(hour, minute)})
    return frozenset({(hour, minute), ((hour + 12) % 24, minute)})


def _scaled(values: set[float], after: str, language: str) -> tuple[set[float], str]:
    """Apply 'million', 'milliards', 'thousand million' that follow a number."""
    scales = FRENCH_SCALES if language == "fr" else ENGLISH_SCALES
    m = _SCALE.match(after)
    if not m or m.group(1).casefold() not in scales:
        return values, ""
    factor = scales[m.group(1).casefold()]
    text = m.group(0)
    if m.group(2) and m.group(2).casefold() in scales:
        factor *= scales[m.group(2).casefold()]
    else:
        text = after[: m.end(1)]
    return {round(v * factor, 6) for v in values}, text


def _match(needed: Quantity, offered: Quantity) -> bool:
    if needed.kind == offered.kind:
        return bool(needed.values & offered.values)
    return False


def _relaxed_match(needed: Quantity, offered: Quantity, english: list[Quantity]) -> bool:
    """Looser pairs, for what a translation may legitimately reshape."""
    if needed.kind == "num" and offered.kind == "code":
        return name_number(offered.text) in needed.values  # "la Formule 1" → "F1"
    if needed.kind == "code" and offered.kind == "num":
        return name_number(needed.text) in offered.values  # "G7" → "the Group of Seven"
    if needed.kind == "num" and offered.kind == "date":
        return any(day in needed.values for day, _ in offered.values)
    if needed.kind == "date" and offered.kind == "num":
        ((day, month),) = needed.values
        months = {m for q in english if q.kind in ("month", "date") for m in _months(q)}
        return float(day) in offered.values and month in months
    if needed.kind == "month" and offered.kind == "date":
        return any(month in needed.values for _, month in offered.values)
    if needed.kind == "num" and offered.kind == "time":
        # "à 10 heures du matin" → "at 10:00am".
        return any(float(hour) in needed.values for hour, _ in offered.values)
    if needed.kind == "time" and offered.kind == "num":
        # "24 h sur 24": hours, not a time of day.
        return any(minute == 0 and float(hour) in offered.values for hour, minute in needed.values)
    return False


def _months(q: Quantity) -> set[int]:
    return {v[1] for v in q.values} if q.kind == "date" else set(q.values)


# "24 heures sur 24", "7 jours sur 7", "24h/24": one number ("24-hour", "24/7").
_ROUND_THE_CLOCK = re.compile(r"(?<!\d)(\d+)\s*(?:heures|h|jours|j)\s*(?:sur|/)\s*\1(?!\d)")


def without_terms(french: str, context: CheckContext) -> str:
    """The French with its glossary terms blanked out (same length): a number inside a term
    ("1, rue Sésame" → "Sesame Street", "G7") is the glossary checks' business."""
    for hit in glossary.find_terms(french, context.terms):
        french = french[: hit.start] + " " * (hit.end - hit.start) + french[hit.end :]
    return french


def without_addresses(text: str) -> str:
    """The text with its web and mail addresses blanked out (same length): their digits are
    not numbers, and a translation may point to another address (a page in English)."""
    return blank_web_addresses(text, " ")


def name_number(code: str) -> float | None:
    """The number a name with a number ends with (G7, F1, COVID-19); None for other codes
    (6.2.4, 192.168.0.1)."""
    digits = re.search(r"(?<![\d.:])\d+$", code)
    return float(digits.group()) if digits and re.match(r"[A-Za-z]", code) else None


def numbers(segment: Segment, context: CheckContext) -> list[Finding]:
    """Every number of the French (in any format: 3 833, 54 %, 19 juin, 2+2) is in the English."""
    if not checked(segment):
        return []
    french_text = without_addresses(without_terms(segment.fr, context))
    french = quantities(_ROUND_THE_CLOCK.sub(r"\1", french_text), "fr")
    if not french:
        return []
    english_text = without_addresses(segment.en)
    english = quantities(english_text, "en")
    if _EN_IMPERIAL.search(segment.en):
        french = [q for q in french if not q.metric]  # converted units: other numbers
    unused = list(english)
    missing = []
    for needed in french:
        if needed.kind == "code":
            if not code_present(english_text, needed.text):
                missing.append(needed)  # the relaxed pairs below may still find its number
            continue
        partner = next((q for q in unused if _match(needed, q)), None)
        if partner is None:
            missing.append(needed)
        else:
            unused.remove(partner)
    still = []
    for needed in missing:
        partner = next((q for q in unused if _relaxed_match(needed, q, english)), None)
        if partner is None:
            still.append(needed)
        elif needed.kind != "date":
            unused.remove(partner)
    if not still:
        return []
    shown = ", ".join(f"'{q.text}'" for q in still)
    others = ", ".join(q.text for q in english) or "none"
    return [
        finding(
            "error",
            segment,
            f"number(s) of the French not in the English: {shown}",
            f"English numbers: {others}",
        )
    ]
