"""What the checks share: severities, the context, a finding's making, text helpers."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pipeline.glossary import Term
from pipeline.records import Finding, Segment

SEVERITIES = ("error", "warning", "info")  # worst first
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


# --- Context shared by the checks -----------------------------------------------------


@dataclass
class LengthRatios:
    """The corpus's own distribution of len(English) / len(French), in log space."""

    median: float  # of log ratios
    spread: float  # robust standard deviation (1.4826 × median absolute deviation)
    count: int


@dataclass
class CheckContext:
    terms: list[Term]
    ratios: LengthRatios
    terms_by_source: dict[str, Term] = field(default_factory=dict)
    entity_cache: Any = None  # where named entities found earlier are kept (or None)
    # segment id -> English quote marks paired with a quote in a nearby segment
    quotes_across: dict[str, int] = field(default_factory=dict)


def checked(segment: Segment) -> bool:
    """A French segment with an English translation (English lines pass through unchecked)."""
    return segment.lang == "fr" and bool(segment.fr.strip()) and bool(segment.en.strip())


def finding(severity: str, segment: Segment | str, message: str, evidence: str = "") -> Finding:
    """A finding whose `check` run_checks fills in from the registry name."""
    segment_id = segment.id if isinstance(segment, Segment) else segment
    return Finding(
        check="", severity=severity, segment=segment_id, message=message, evidence=evidence
    )


def excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    """The text around a span, on one line, with … where it was cut."""
    left, right = max(0, start - width), min(len(text), end + width)
    piece = " ".join(text[left:right].split())
    return ("…" if left else "") + piece + ("…" if right < len(text) else "")


def _fold_unicode(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# A word or a name (40 characters at most): the checks fold the same ones again and again.
_fold_short = functools.lru_cache(maxsize=1 << 14)(_fold_unicode)


def fold(text: str) -> str:
    """Case- and accent-insensitive form, for comparing names."""
    if text.isascii():  # no decomposition, no combining mark; casefold is lower here
        return text.lower()
    return _fold_short(text) if len(text) <= 40 else _fold_unicode(text)


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio()


def normalised(text: str) -> str:
    return " ".join(text.split())


NAME_TOKEN = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*")
_TOP_DOMAINS = "com|org|net|info|io|ca|fr|ru|kr|kp|cn|uk|de|be|ch"
WEB_ADDRESS = re.compile(
    r"(?:https?://|www\.|mailto:)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"|\b[\w-]+(?:\.[\w-]+)*\.(?:{_TOP_DOMAINS})\b",
    re.IGNORECASE,
)
# What each of WEB_ADDRESS's three forms cannot do without: a text with none of these holds
# no address. Looking for them takes 2 µs a sentence, WEB_ADDRESS's own scan 13 µs, and
# four checks scan the French and the English of every segment.
_ADDRESS_SIGN = re.compile(rf"://|www\.|mailto:|@|\.(?:{_TOP_DOMAINS})\b", re.IGNORECASE)


def web_addresses(text: str) -> list[re.Match]:
    """WEB_ADDRESS's matches in the text, in order."""
    return list(WEB_ADDRESS.finditer(text)) if _ADDRESS_SIGN.search(text) else []


def blank_web_addresses(text: str, fill: str) -> str:
    """The text with each web or mail address written over with `fill` (same length)."""
    if not _ADDRESS_SIGN.search(text):
        return text
    return WEB_ADDRESS.sub(lambda m: fill * len(m.group()), text)


def needs_non_ascii(pattern: re.Pattern) -> bool:
    """Whether every string the expression finds holds a character beyond ASCII: each of
    its top-level alternatives has a character or class it cannot skip whose characters are
    all beyond ASCII (read off the parsed expression). Then a pure ASCII text, most
    English, needs no scan. False when that cannot be shown (or under IGNORECASE, where
    a K sign matches a k)."""
    import re._constants as sre
    import re._parser as sre_parse

    if pattern.flags & re.IGNORECASE:
        return False
    parsed = list(sre_parse.parse(pattern.pattern, pattern.flags))
    branches = (
        [list(b) for b in parsed[0][1][1]]
        if len(parsed) == 1 and (parsed[0][0] is sre.BRANCH)
        else [parsed]
    )

    def beyond_ascii(op, value) -> bool:
        if op is sre.LITERAL:
            return value >= 128
        if op is sre.IN:
            return all(
                (item_op is sre.LITERAL and item >= 128)
                or (item_op is sre.RANGE and item[0] >= 128)
                for item_op, item in value
            )
        if op is sre.SUBPATTERN:
            return any(beyond_ascii(o, v) for o, v in value[-1])
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and value[0] >= 1:
            return any(beyond_ascii(o, v) for o, v in value[2])
        return False

    return all(any(beyond_ascii(op, value) for op, value in branch) for branch in branches)
