"""Untranslated checks: French words left in the English, pivot-language words."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.checks.base import (
    CheckContext,
    checked,
    excerpt,
    finding,
    fold,
    normalised,
    web_addresses,
)
from pipeline.glossary import Term
from pipeline.glossary import cache as glossary_cache
from pipeline.records import Finding, Segment

# --- untranslated ----------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_WORD_OR_CONTRACTION = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # didn't
# Phrases English borrowed (mostly from French): their words are English ("deployed en masse").
ENGLISH_PHRASES_FROM_FRENCH = re.compile(
    r"(?<!\w)(?:en masse|en route|en bloc|coup d['’]état|raison d['’]être|fait accompli"
    r"|vis-à-vis|tête-à-tête|par excellence|joie de vivre|laissez-faire|déjà vu|à la carte"
    r"|cause célèbre|force majeure|agent provocateur|nouveau riche|savoir-faire|bête noire"
    r"|carte blanche|de rigueur|enfant terrible|esprit de corps|mise en scène|sang-froid"
    r"|tour de force|avant-garde|idée fixe|faux pas|à propos|pièce de résistance"
    r"|lingua francas?)(?!\w)",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;«»\"“”(\[•–—-])\s*$")
_FRENCH_ACCENTS = set("éèêëàâçîïôûùüœÿ")
# Short French words worth flagging (longer ones are flagged when not English).
FRENCH_SHORT_WORDS = {
    "de", "du", "des", "le", "la", "les", "et", "un", "une", "au", "aux", "ou", "où",
    "est", "qui", "que", "dans", "sur", "avec", "ne", "ces", "ses", "leur", "mais",
}  # fmt: skip


ENGLISH_WORD_LISTS = ("british-english-huge", "british-english", "american-english-huge")
# Apertium's morphological analysers by language: file name patterns under apertium-*/.
ANALYSERS = {
    "english": ("eng-*.automorf.bin",),
    "french": ("fr-*.automorf.bin", "fra-*.automorf.bin"),
    "pivot": ("es-*.automorf.bin", "spa-*.automorf.bin", "cat-*.automorf.bin"),
}
# Endings that mark a word French when no analyser knows it (globaux, fougueuse, terreau).
FRENCH_ENDINGS = (
    "eau", "eaux", "aux", "euse", "euses", "eux", "ienne", "iennes", "ien", "iens", "ante",
    "antes", "ique", "iques", "aire", "aires", "ement", "oire", "oires", "elle", "elles",
)  # fmt: skip


@functools.cache
def english_word_list() -> frozenset[str]:
    """A system English word list (Debian wbritish-huge), lower case; empty when none."""
    for name in ENGLISH_WORD_LISTS:
        path = Path("/usr/share/dict") / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            # casefold maps each character alone and never makes or takes white space:
            # the whole text folded once is each word folded (0.11 -> 0.08 s, 340,000 words)
            return frozenset(text.casefold().split())
    return frozenset()


@functools.cache
def analysers(language: str) -> tuple[str, ...]:
    """Apertium's morphological analysers of a language on this machine (real lexicons,
    with inflections): "english", "french", or "pivot" (Spanish and Catalan)."""
    lt_proc = shutil.which("lt-proc")
    if lt_proc is None:
        return ()
    roots = {Path("/usr/share/apertium"), Path(lt_proc).resolve().parent.parent / "share/apertium"}
    found = [
        str(p)
        for root in sorted(roots)
        for pattern in ANALYSERS[language]
        for p in sorted(root.glob(f"apertium-*/{pattern}"))
    ]
    return tuple(dict.fromkeys(found))


def lookup_key(word: str) -> str:
    """The form to look a word up under: lower case, ligatures spelled out (manœuvre)."""
    return word.casefold().replace("œ", "oe").replace("æ", "ae")


def analysed(
    words: Iterable[str], language: str, word_list: frozenset[str] = frozenset()
) -> set[str]:
    """The words (lower case) that the word list or an analyser of the language knows."""
    keys = {w.casefold(): lookup_key(w) for w in words if w and _WORD.fullmatch(w)}
    if language != "english":
        keys = {w: w for w in keys}  # ligatures are French spelling
    known = {k for k in keys.values() if k in word_list}
    unknown = sorted(set(keys.values()) - known)
    for analyser in analysers(language):
        if not unknown:
            break
        output = analyser_output(analyser, unknown)
        if output is None:
            continue
        for m in re.finditer(r"\^([^/$]*)/([^$]*)\$", output):
            if not m.group(2).startswith("*"):
                known.add(m.group(1).casefold())
        unknown = [k for k in unknown if k not in known]
    return {w for w, k in keys.items() if k in known}


def analyser_output(analyser: str, words: list[str]) -> str | None:
    """lt-proc's analysis of the words (one a line: a word's analysis never depends on its
    neighbours), asked of the analyser's lt-proc kept running in this process
    (french_names' servers: the checks ask a document at a time as its English comes in,
    pipeline/parallel.py); a new lt-proc for them where none answers; None if it fails."""
    from pipeline import french_names

    lines = french_names._ask_lines(analyser, words)
    if lines is not None:
        return "\n".join(lines)
    result = subprocess.run(
        ["lt-proc", analyser],
        input="\n".join(words) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


def english_words(words: Iterable[str]) -> set[str] | None:
    """Which of the words (lower case) are English; None when no English lexicon is installed.

    English is what the system word list or one of Apertium's English analysers knows.
    """
    word_list = english_word_list()
    if not word_list and not analysers("english"):
        return None
    return analysed(words, "english", word_list)


def french_words(words: Iterable[str]) -> set[str]:
    """Which of the words (lower case) look French: an Apertium French analyser knows them,
    or they have French accents or endings."""
    words = {w.casefold() for w in words}
    return analysed(words, "french") | {
        w for w in words if _FRENCH_ACCENTS & set(w) or w.endswith(FRENCH_ENDINGS)
    }


_kept_memo: list = [None, None, frozenset()]  # the terms, their fingerprint, their words


def _kept_words(terms: Sequence[Term]) -> frozenset[str]:
    """Words the glossary keeps as they are: in a target, or the source of a name.

    Worked out once for the same list (two checks ask), in one regex pass over all the
    texts joined (no word spans a line break), and kept beside a big file's cached parse:
    100,000 terms cost 0.9 s a run the old way, 0.3 s the new one without the cache."""
    fingerprint = (len(terms), id(terms[0]) if terms else 0, id(terms[-1]) if terms else 0)
    if _kept_memo[0] is terms and _kept_memo[1] == fingerprint:
        return _kept_memo[2]

    def words() -> frozenset[str]:
        texts = [term.target for term in terms]
        texts += [t.source for t in terms if t.kind in ("keep", "person", "place", "organization")]
        return frozenset(w.casefold() for w in _WORD.findall("\n".join(texts)))

    kept = glossary_cache.derived(terms, "kept-words", words)
    _kept_memo[:] = [terms, fingerprint, kept]
    return kept


def not_words(english: str) -> list[tuple[int, int]]:
    """Spans of the English whose words are not to be judged: web addresses, borrowed
    French phrases."""
    return [m.span() for m in web_addresses(english)] + [
        m.span() for m in ENGLISH_PHRASES_FROM_FRENCH.finditer(english)
    ]


def copied_french_words(segment: Segment, kept: frozenset[str]) -> list[str]:
    """Lower-case words of the English that also stand in the French: candidates."""
    french = set(_WORD.findall(segment.fr))
    french_lower = {w.casefold() for w in french}
    web = not_words(segment.en)
    out = []
    for m in _WORD.finditer(segment.en):
        word = m.group()
        low = word.casefold()
        if low not in french_lower or low in kept:
            continue
        if any(start <= m.start() < end for start, end in web):
            continue
        if len(word) < 4 and low not in FRENCH_SHORT_WORDS:
            continue
        if any(map(str.isupper, word[1:])):
            continue  # an acronym or a brand (iPods)
        if word[0].isupper():
            # A capitalised word is a name, unless it only starts a sentence and the French
            # has it in lower case.
            if not _starts_sentence(segment.en, m.start()) or low not in french:
                continue
        elif _inside_name(segment.en, m.start(), m.end()):
            continue
        out.append(low)
    return out


_SENTENCE_MARKS = frozenset(".!?:;«»\"“”([•–—-")
_NEXT_WORD = re.compile(r"\s+(\w)")


def _starts_sentence(text: str, start: int) -> bool:
    """Whether only white space stands between `start` and the text's start or a mark
    that opens a sentence (_SENTENCE_START on text[:start], read backwards from `start`:
    searching the text before every word made a 10,000-character segment quadratic)."""
    at = start
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return at == 0 or text[at - 1] in _SENTENCE_MARKS


def _word_before(text: str, start: int) -> str:
    """The run of word characters (regex \\w) before the white space before `start`; ""
    when no white space or no word stands there."""
    at = start
    while at > 0 and text[at - 1].isspace():
        at -= 1
    if at == start:
        return ""
    word_start = at
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] == "_"):
        word_start -= 1
    return text[word_start:at]


def _inside_name(text: str, start: int, end: int) -> bool:
    """A particle between two capitalised words: "Charles de Gaulle"."""
    before = _word_before(text, start)
    after = _NEXT_WORD.match(text, end)
    return bool(before and after and before[0].isupper() and after.group(1).isupper())


def untranslated(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """French words left in the English (beyond names and the glossary's kept terms)."""
    kept = _kept_words(context.terms)
    candidates = {s.id: copied_french_words(s, kept) for s in segments if checked(s)}
    copies = {s.id: s for s in segments if checked(s) and normalised(s.en) == normalised(s.fr)}
    english = english_words(
        [w for words in candidates.values() for w in words]
        + [w for s in copies.values() for w in _WORD.findall(s.fr)]
    )
    # Copied words that are not English but not French either are loans the French has too
    # (Latin "civitas", Hindi "bhajan"), not something the translation forgot.
    french = french_words(w for words in candidates.values() for w in words)
    out = []
    if english is None:
        out.append(
            finding(
                "info",
                "",
                "no English lexicon installed (wbritish-huge, apertium-eng-spa or "
                "apertium-eng-cat): only accented French words were looked for",
            )
        )
    for s in segments:
        if not checked(s):
            continue
        if s.id in copies:
            # Only when its common words are French: a name or an English title is the same
            # in both languages.
            common = [w.casefold() for w in _WORD.findall(s.fr) if w.islower()]
            foreign = [w for w in common if english is None or w not in english]
            if len(common) >= 3 and len(foreign) * 2 >= len(common):
                out.append(finding("error", s, "the English is the French text, untranslated"))
            continue
        left = [
            w
            for w in dict.fromkeys(candidates[s.id])
            if w in french and (_FRENCH_ACCENTS & set(w) if english is None else w not in english)
        ]
        if not left:
            continue
        total = len(_WORD.findall(s.en))
        severity = "error" if len(left) >= 4 and len(left) * 2 >= total else "warning"
        first = re.search(rf"(?<!\w){re.escape(left[0])}(?!\w)", s.en, re.IGNORECASE)
        where = excerpt(s.en, first.start(), first.end()) if first else ""
        out.append(finding(severity, s, f"French left in the English: {', '.join(left)}", where))
    return out


def pivot_words(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """Spanish or Catalan words (Apertium's pivot languages) left in the English, such as
    "norcoreano" or "mundialització": lower-case, not English, and known to a pivot lexicon."""
    kept = _kept_words(context.terms)
    candidates: dict[str, list[str]] = {}
    for s in segments:
        if not checked(s) or normalised(s.en) == normalised(s.fr):
            continue
        skip = not_words(s.en)
        words = [
            m.group()
            for m in _WORD_OR_CONTRACTION.finditer(s.en)
            if m.group().islower()
            and _WORD.fullmatch(m.group())  # not a contraction (didn't)
            and len(m.group()) >= 4
            and m.group() not in kept
            and not any(start <= m.start() < end for start, end in skip)
        ]
        if words:  # the French's words folded only when the English has candidates
            french = {fold(w) for w in _WORD.findall(s.fr)}
            words = [w for w in words if fold(w) not in french]  # écozones: a cognate
        candidates[s.id] = words
    words = {w for ws in candidates.values() for w in ws}
    english = english_words(words)
    if english is None:
        return []  # the untranslated check says so once
    pivot = analysed(words - english, "pivot")
    out = []
    for s in segments:
        left = list(dict.fromkeys(w for w in candidates.get(s.id, []) if w in pivot))
        if left:
            first = re.search(rf"(?<!\w){re.escape(left[0])}(?!\w)", s.en)
            where = excerpt(s.en, first.start(), first.end()) if first else ""
            out.append(
                finding(
                    "warning",
                    s,
                    f"Spanish or Catalan left in the English: {', '.join(left)}",
                    where,
                )
            )
    return out
