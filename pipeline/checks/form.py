"""Form checks: empty, unbalanced brackets and quotes, repetition, length ratio, a doubled
word, addresses and handles that differ."""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence

from pipeline.checks.base import (
    CheckContext,
    LengthRatios,
    blank_web_addresses,
    checked,
    excerpt,
    finding,
    fold,
    web_addresses,
)
from pipeline.records import Finding, Segment
from pipeline.translate.repairs import DOUBLED_WORD, doubled_words

_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_OPEN_QUOTES, _CLOSE_QUOTES = "«“‹", "»”›"


def imbalance(text: str) -> dict[str, int]:
    """Opened-minus-closed count per bracket kind, and for quotes of any style."""
    counts = {o: text.count(o) - text.count(c) for o, c in _BRACKETS.items()}
    curly = sum(text.count(q) for q in _OPEN_QUOTES) - sum(text.count(q) for q in _CLOSE_QUOTES)
    counts["quotes"] = abs(curly) + text.count('"') % 2
    return counts


def quote_ends(text: str) -> tuple[int, int]:
    """(quotes opened and not closed, quotes closed and not opened) in the text. A straight
    quote opens at the start or after a space or an opening bracket, and closes elsewhere."""
    depth = unopened = 0
    for m in re.finditer(rf"[{_OPEN_QUOTES}{_CLOSE_QUOTES}\"]", text):
        before = text[m.start() - 1] if m.start() else " "
        if m.group() in _OPEN_QUOTES or m.group() == '"' and (before.isspace() or before in "([{"):
            depth += 1
        elif depth:
            depth -= 1
        else:
            unopened += 1
    return depth, unopened


QUOTE_SPAN_MAX = 6  # sentences one English quotation may run over, opening to closing


def quotes_across_segments(segments: Sequence[Segment]) -> dict[str, int]:
    """Quote marks of an English quotation that runs over several segments of a document:
    opened in one sentence, closed in a later one, with only unquoted sentences between.
    English does this where the French may close and reopen the quote in each sentence."""
    paired: Counter[str] = Counter()
    pending: tuple[Segment, int, int] | None = None  # (segment, unclosed quotes, position)
    for position, s in enumerate(segments):
        if pending is not None and (
            s.doc != pending[0].doc or position - pending[2] >= QUOTE_SPAN_MAX
        ):
            pending = None
        if not checked(s):
            continue
        if not any(q in s.en for q in _OPEN_QUOTES + _CLOSE_QUOTES + '"'):
            continue  # a sentence inside the quotation
        unclosed, unopened = quote_ends(s.en)
        if pending is not None and unopened:
            closed = min(pending[1], unopened)
            paired[pending[0].id] += closed
            paired[s.id] += closed
        pending = (s, unclosed, position) if unclosed else None
    return dict(paired)


def unbalanced(segment: Segment, context: CheckContext) -> list[Finding]:
    """Quotes or brackets that do not balance in the English, though they do in the French."""
    if not checked(segment):
        return []
    french, english = imbalance(segment.fr), imbalance(segment.en)
    english["quotes"] = max(0, english["quotes"] - context.quotes_across.get(segment.id, 0))
    # A quotation may run over several sentences in English where the French sentence has
    # no quote at all; only judge quotes where the French has some.
    french_quotes = any(q in segment.fr for q in _OPEN_QUOTES + _CLOSE_QUOTES + '"')
    out = []
    for kind, open_count in english.items():
        if kind == "quotes" and not french_quotes:
            continue
        if open_count and open_count != french[kind]:
            what = "quotes" if kind == "quotes" else f"brackets {kind}{_BRACKETS[kind]}"
            out.append(
                finding(
                    "warning",
                    segment,
                    f"unbalanced {what} in the English",
                    f"English: {abs(open_count)} without a partner; French: {abs(french[kind])}",
                )
            )
    return out


def empty(segment: Segment, context: CheckContext) -> list[Finding]:
    """A French segment with no English."""
    if segment.lang == "fr" and segment.fr.strip() and not segment.en.strip():
        return [finding("error", segment, "empty translation", excerpt(segment.fr, 0, 0, 80))]
    return []


def tandem_repeat(tokens: Sequence[str], max_n: int = 8) -> str | None:
    """An n-gram of words three times in a row ("of the war of the war of the war"); digits
    alone are data, not a loop (the 0000:0000:0000 of an address)."""
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - 3 * n + 1):
            gram = tokens[i : i + n]
            if gram == tokens[i + n : i + 2 * n] == tokens[i + 2 * n : i + 3 * n] and any(
                not word.isdigit() for word in gram
            ):
                return " ".join(gram)
    return None


LOOP_GAP = 4  # words between one occurrence of a looping n-gram and the next, at most


def most_repeated(tokens: Sequence[str], n: int, gap: int | None = None) -> tuple[str, int]:
    """The n-gram that occurs most often, and how often; with `gap`, only occurrences that
    follow each other closely count (a loop), not a phrase a long paragraph says again."""
    places: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(tokens) - n + 1):
        places[tuple(tokens[i : i + n])].append(i)
    best, best_count = (), 0
    for gram, starts in places.items():
        count = len(starts)
        if gap is not None:
            count = run = 1
            for before, after in itertools.pairwise(starts):
                run = run + 1 if after - before <= n + gap else 1
                count = max(count, run)
        if count > best_count:
            best, best_count = gram, count
    return " ".join(best), best_count


def repetition(segment: Segment, context: CheckContext) -> list[Finding]:
    """A repetition loop in the English: an n-gram three times in a row, or a 4-gram three
    times close together (LOOP_GAP), where the French does not repeat itself as much."""
    if not checked(segment):
        return []
    english = re.findall(r"\w+", segment.en.casefold())
    french = re.findall(r"\w+", segment.fr.casefold())
    gram = tandem_repeat(english)
    count = 3
    if gram is not None and tandem_repeat(french) is not None:
        gram = None  # "très, très, très" → "very, very, very"
    if gram is None:
        gram, count = most_repeated(english, 4, LOOP_GAP)
        # A French phrase said three times ("droit d'auteur") may come out as a 4-gram.
        if count < 3 or most_repeated(french, 3)[1] >= count:
            return []
    start = max(segment.en.casefold().find(gram.split()[0]), 0)
    return [
        finding(
            "error",
            segment,
            f"repetition loop: '{gram}' {count} times",
            excerpt(segment.en, start, start + len(gram)),
        )
    ]


MIN_RATIO_LENGTH = 40  # shorter French segments have too noisy a length ratio
DEFAULT_LOG_RATIO, DEFAULT_SPREAD = math.log(0.95), 0.12  # when the corpus is too small
RATIO_FACTOR = 1.8  # "far outside": this many times shorter or longer than usual, ...
RATIO_SIGMAS = 5.0  # ... and this many robust deviations away


def length_ratios(segments: Sequence[Segment]) -> LengthRatios:
    logs = [
        math.log(len(s.en.strip()) / len(s.fr.strip()))
        for s in segments
        if checked(s) and len(s.fr.strip()) >= MIN_RATIO_LENGTH
    ]
    if len(logs) < 10:
        return LengthRatios(DEFAULT_LOG_RATIO, DEFAULT_SPREAD, len(logs))
    median = statistics.median(logs)
    mad = statistics.median(abs(x - median) for x in logs)
    return LengthRatios(median, max(1.4826 * mad, 0.05), len(logs))


def length_ratio(segment: Segment, context: CheckContext) -> list[Finding]:
    """An English far shorter or longer than the corpus's usual English/French ratio."""
    if not checked(segment) or len(segment.fr.strip()) < MIN_RATIO_LENGTH:
        return []
    ratios = context.ratios
    log_ratio = math.log(len(segment.en.strip()) / len(segment.fr.strip()))
    off = abs(log_ratio - ratios.median)
    if off < math.log(RATIO_FACTOR) or off < RATIO_SIGMAS * ratios.spread:
        return []
    usual = math.exp(ratios.median)
    low = math.exp(ratios.median - 2 * ratios.spread)
    high = math.exp(ratios.median + 2 * ratios.spread)
    word = "longer" if log_ratio > ratios.median else "shorter"
    return [
        finding(
            "warning",
            segment,
            f"English much {word} than usual: length ratio {math.exp(log_ratio):.2f}",
            f"corpus median {usual:.2f}, usual range {low:.2f}–{high:.2f} "
            f"({ratios.count} segments)",
        )
    ]


def doubled_word(segment: Segment, context: CheckContext) -> list[Finding]:
    """A word written twice in a row in the English ("in in", "of of") where the French
    doubles no word (its "très très" or "Bora Bora" may be rendered doubled)."""
    if not checked(segment):
        return []
    doubled = doubled_words(segment.en)
    if not doubled or DOUBLED_WORD.search(segment.fr):
        return []
    return [
        finding(
            "warning",
            segment,
            "doubled word(s) in the English: "
            + ", ".join(f"'{' '.join(m.group().split())}'" for m in doubled),
            excerpt(segment.en, doubled[0].start(), doubled[0].end(), 30),
        )
    ]


# What a translation copies as written: web and mail addresses, @handles and #hashtags.
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z_]\w{0,30}(?![\w@])")
_HASHTAG = re.compile(r"(?<![\w&#])#[^\W\d_]\w*")
_ADDRESS_END = ".,;:!?)]}'\"”’»"


def addresses(text: str) -> list[str]:
    """The web and mail addresses, @handles and #hashtags of a text, in order."""
    found = [(m.start(), m.group().rstrip(_ADDRESS_END)) for m in web_addresses(text)]
    blanked = blank_web_addresses(text, " ")
    if "@" in blanked:
        found += [(m.start(), m.group()) for m in _HANDLE.finditer(blanked)]
    if "#" in blanked:
        found += [(m.start(), m.group()) for m in _HASHTAG.finditer(blanked)]
    return [item for _, item in sorted(found)]


def _address_key(item: str) -> str:
    # A scheme or a "www." a translation drops, or the case or accents of a domain
    # (Bankovnípoplatky.com), is the same address.
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", fold(item)).rstrip("/")


def changed_addresses(segment: Segment, context: CheckContext) -> list[Finding]:
    """A web or mail address, @handle or #hashtag of the French missing from the English,
    or one the English has that the French does not (they are copied, not translated)."""
    if not checked(segment):
        return []
    fr, en = addresses(segment.fr), addresses(segment.en)
    if not fr and not en:
        return []
    fr_keys, en_keys = Counter(map(_address_key, fr)), Counter(map(_address_key, en))
    missing = [a for a in dict.fromkeys(fr) if fr_keys[_address_key(a)] > en_keys[_address_key(a)]]
    extra = [a for a in dict.fromkeys(en) if en_keys[_address_key(a)] > fr_keys[_address_key(a)]]
    if not missing and not extra:
        return []
    parts = []
    if missing:
        parts.append("not in the English: " + ", ".join(f"'{a}'" for a in missing))
    if extra:
        parts.append("not in the French: " + ", ".join(f"'{a}'" for a in extra))
    return [
        finding(
            "warning",
            segment,
            "address, handle or hashtag differs: " + "; ".join(parts),
            f"English: {', '.join(en) or 'none'}",
        )
    ]
