"""Typography checks: French spacing and marks left in the English, end punctuation that
differs from the French's, white space at the ends, mojibake.

Apertium carries French typography into its English ("cost : there", "54 %", « »); the
repairs of pipeline.translate.repairs fix the systematic part, these checks find what is
left, in the engine's output and in a reviewer's edits alike.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from pipeline.checks.base import (
    CheckContext,
    blank_web_addresses,
    checked,
    excerpt,
    finding,
    needs_non_ascii,
)
from pipeline.records import Finding, Segment

# A space before a mark English sets tight: "cost : there", "intensify .", "54 %". Not an
# ellipsis ("and so on ..."), a decimal (".5"), or a mark that starts a word (".NET").
_SPACE_BEFORE = re.compile(
    r"(?<=[^\s])[ \t\u00a0\u202f]+([:;?!%,]|\.(?!\.))(?=\s|$|[\"”’')\].,;:!?])"
)
# No space after , ; : ? ! before a letter: "said,that", "cost:there". Not in numbers (3,5
# or 10:30), nor in addresses (blanked out first), nor after another mark ("?!").
_NONE_AFTER = re.compile(r"(?<=[^\W\d_])([,;:?!])(?=[^\W\d_])")
_GUILLEMETS = {
    "«": "French opening guillemet",
    "»": "French closing guillemet",
    "‹": "French single guillemet",
    "›": "French single guillemet",
}
# A non-breaking space where French typography puts one and English does not: inside
# guillemets, or between digit groups (10 000). Before : ; ? ! % is typography.spacing's;
# between a number and its unit (48 years, 5 km) English typesetting puts one too.
_FRENCH_NBSP = re.compile(
    r"(?<=«)[\u00a0\u202f]|[\u00a0\u202f](?=»)|(?<=\d)[\u00a0\u202f](?=\d{3}(?!\d))"
)


_QUOTES_AND_BRACKETS = "\"'“”‘’«»()[]{}.,;:!?"


def _without_addresses(text: str) -> str:
    return blank_web_addresses(text, "x")


def spacing(segment: Segment, context: CheckContext) -> list[Finding]:
    """French spacing in the English: a space before : ; ? ! % . or a comma, or none after
    a comma, colon, semicolon, question or exclamation mark before the next word."""
    if not checked(segment):
        return []
    english = _without_addresses(segment.en)
    french = _without_addresses(segment.fr)
    out = []
    # A ? ! or . standing alone before a lower-case word or a bracket is a symbol being
    # named ("; ? matches any character", "known as . (one dot)"), not punctuation.
    spaced = [
        m
        for m in _SPACE_BEFORE.finditer(english)
        if not (m.group(1) in "?!." and re.match(r"\s+[a-z(]", english[m.end() :]))
    ]
    if spaced:
        shown = ", ".join(f"'{excerpt(segment.en, m.start(), m.end(), 12)}'" for m in spaced[:3])
        marks = "".join(dict.fromkeys(m.group(1) for m in spaced))
        out.append(
            finding(
                "warning",
                segment,
                f"space before {' '.join(marks)} in the English ({len(spaced)}×): French spacing",
                shown,
            )
        )
    tight = []
    for m in _NONE_AFTER.finditer(english):
        word = re.search(r"\S*$", english[: m.start()]).group() + m.group(1)
        word += re.match(r"\S*", english[m.end() :]).group()
        word = word.strip(_QUOTES_AND_BRACKETS)
        if word not in french:  # "ro,nodev", "Yahoo!Japan": written so in the French too
            tight.append((m, word))
    # Code the translation copied and changed ("paquet:any" → "package:any", "u=rwx,o-r"
    # → "u=rwx,or-r") is as tight as in the French: only more tight marks are spacing.
    if len(tight) <= len(_NONE_AFTER.findall(french)):
        tight = []
    if tight:
        out.append(
            finding(
                "warning",
                segment,
                f"no space after {' '.join(dict.fromkeys(m.group(1) for m, _ in tight))} "
                f"in the English ({len(tight)}×)",
                ", ".join(f"'{word}'" for _, word in tight[:3]),
            )
        )
    return out


def french_marks(segment: Segment, context: CheckContext) -> list[Finding]:
    """French guillemets (« » ‹ ›) in the English, or a non-breaking space where French
    typography puts one (inside guillemets, between digit groups: 10 000)."""
    if not checked(segment):
        return []
    english = segment.en
    found = [(m.start(), _GUILLEMETS[m.group()]) for m in re.finditer("[«»‹›]", english)]
    found += [
        (m.start(), f"non-breaking space (U+{ord(m.group()):04X})")
        for m in _FRENCH_NBSP.finditer(english)
    ]
    if not found:
        return []
    found.sort()
    names = ", ".join(f"{name} ×{n}" for name, n in Counter(name for _, name in found).items())
    first = found[0][0]
    return [
        finding(
            "warning",
            segment,
            f"French typography in the English: {names}",
            excerpt(english, first, first + 1, 30),
        )
    ]


# End punctuation: the strongest mark in the segment's last run of punctuation, closing
# quotes and brackets left aside (`! ».` and `!"` both end in an exclamation).
_END_RUN = re.compile(r"[\s.?!:;…\"'”’»›)\]]*$")
_MARK_ORDER = ("?", "!", "…", ":", ";", ".")
_MARK_NAMES = {
    "?": "a question mark",
    "!": "an exclamation mark",
    "…": "an ellipsis",
    ":": "a colon",
    ";": "a semicolon",
    ".": "a full stop",
    "": "no end punctuation",
}


def end_mark(text: str) -> str:
    run = _END_RUN.search(text).group().replace("...", "…")
    return next((mark for mark in _MARK_ORDER if mark in run), "")


def end_punctuation(segment: Segment, context: CheckContext) -> list[Finding]:
    """The segment ends in other punctuation than the French (a question that lost its
    question mark, a statement turned exclamation)."""
    if not checked(segment):
        return []
    fr, en = end_mark(segment.fr), end_mark(segment.en)
    if fr == en:
        return []
    # Info, not warning: on human translations (benchmarks/check_review.md, fifth round)
    # most differences are the translator's (a headline without its full stop, a question
    # made a request); on the engine's output, which keeps the French punctuation, they
    # are rare and true.
    return [
        finding(
            "info",
            segment,
            f"the French ends with {_MARK_NAMES[fr]}, the English with {_MARK_NAMES[en]}",
            f"FR: {excerpt(segment.fr, len(segment.fr), len(segment.fr), 40)} | "
            f"EN: {excerpt(segment.en, len(segment.en), len(segment.en), 40)}",
        )
    ]


def _ends(text: str) -> tuple[str, str]:
    stripped = text.strip()
    if not stripped:
        return text, ""
    start = text.index(stripped)
    return text[:start], text[start + len(stripped) :]


def _plain(white_space: str) -> str:
    return white_space.replace("\u00a0", "").replace("\u202f", "")


def white_space(segment: Segment, context: CheckContext) -> list[Finding]:
    """Leading or trailing white space of the English differs from the French's (a CAT
    tool's check: the segment is rejoined with its neighbours as written)."""
    if not checked(segment):
        return []
    # Non-breaking spaces at the ends are French typography (before "?", after "«") cut
    # off by the segmenting, not white space to keep: typography.french-marks has them.
    (fr_lead, fr_trail), (en_lead, en_trail) = (
        (_plain(lead), _plain(trail)) for lead, trail in (_ends(segment.fr), _ends(segment.en))
    )
    out = []
    for where, fr, en in (("leading", fr_lead, en_lead), ("trailing", fr_trail, en_trail)):
        if fr != en:
            out.append(
                finding(
                    "info",
                    segment,
                    f"{where} white space differs: French {fr!r}, English {en!r}",
                    excerpt(segment.en, 0, 0, 60)
                    if where == "leading"
                    else excerpt(segment.en, len(segment.en), len(segment.en), 60),
                )
            )
    return out


@functools.cache
def _badness_needs_non_ascii() -> bool:
    from ftfy.badness import BADNESS_RE

    return needs_non_ascii(BADNESS_RE)


def mojibake(segment: Segment, context: CheckContext) -> list[Finding]:
    """Mojibake (UTF-8 read as Latin-1 or Windows-1252: 'prÃ©sident', 'â€™') or the
    replacement character U+FFFD in the English, as ftfy recognises them."""
    if not checked(segment):
        return []
    english = segment.en
    if english.isascii() and _badness_needs_non_ascii():
        return []  # neither ftfy's patterns nor U+FFFD can be found in it
    import ftfy
    from ftfy.badness import BADNESS_RE

    spans = [m.span() for m in BADNESS_RE.finditer(english)]
    spans += [(m.start(), m.end()) for m in re.finditer("\ufffd", english)]
    # What the French has too is quoted or the source's own ("sequences like “Ã©”", in a
    # text about encodings): the cleaning's business, not a translation's defect.
    spans = [(s, e) for s, e in spans if english[s:e] not in segment.fr]
    if not spans:
        return []
    spans.sort()
    start, end = spans[0]
    piece = english[max(0, start - 8) : end + 8]
    fixed = ftfy.fix_encoding(piece)
    hint = f" (ftfy reads it as '{fixed}')" if fixed != piece and "\ufffd" not in piece else ""
    return [
        finding(
            "error",
            segment,
            f"broken characters in the English ({len(spans)}×): mojibake or U+FFFD",
            f"'{piece}'{hint}",
        )
    ]
