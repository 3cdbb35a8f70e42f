"""Glossary checks: a term's target missing from the English, a forbidden rendering used."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from pipeline import glossary
from pipeline.checks.base import (
    NAME_TOKEN,
    CheckContext,
    checked,
    excerpt,
    finding,
    fold,
    similarity,
)
from pipeline.glossary import Term
from pipeline.records import Finding, Segment

# --- glossary --------------------------------------------------------------------------


def term_hits(segment: Segment, context: CheckContext) -> list[tuple[Term, str]]:
    """(term, the French form found) for every glossary hit in the segment's French."""
    hits = []
    for hit in glossary.find_terms(segment.fr, context.terms):
        term = context.terms_by_source.get(hit.source)
        if term is not None:
            hits.append((term, segment.fr[hit.start : hit.end]))
    return hits


def terms_in(segment: Segment, context: CheckContext) -> list[tuple[Term, str]]:
    """Each glossary term of the segment once, with the first French form found."""
    first: dict[str, tuple[Term, str]] = {}
    for term, form in term_hits(segment, context):
        first.setdefault(term.source, (term, form))
    return list(first.values())


Span = tuple[int, int]


def renderings(english: str, term: Term) -> list[tuple[Span, bool]]:
    """Where the English may render the term: its target in a form a reader accepts
    (exact: True), and the looser forms (False): a place's derived form ("European
    history"), an acronym written out ("Democratic People's Republic of Korea")."""
    found: list[tuple[Span, bool]] = []
    if term.target.strip():
        found += [
            (m.span(), True) for m in glossary.rendering_pattern(term.target).finditer(english)
        ]
    looser: list[Span] = glossary.expansion_spans(english, term.target)
    if term.kind in ("place", "phrase"):
        looser += glossary.derived_target_spans(english, term.target)
    exact = {span for span, _ in found}
    found += [(span, False) for span in dict.fromkeys(looser) if span not in exact]
    return found


ASSIGNMENT_BUDGET = 20_000  # search steps per segment; past them, the best found so far


def assign_renderings(options: Sequence[Sequence[tuple[Span, bool]]]) -> list[Span | None]:
    """For each term occurrence (its possible renderings), the English span it gets: as
    many occurrences as can be get a span of their own (no two overlapping, so one
    rendering never serves twice), exact renderings preferred to looser ones."""
    n = len(options)
    greedy: list[Span | None] = []
    for spans in options:  # exact first, then the longest: "North Korea" before "Korea"
        ranked = sorted(spans, key=lambda o: (not o[1], o[0][0] - o[0][1]))
        free = [span for span, _ in ranked if _free(span, greedy)]
        greedy.append(free[0] if free else None)
    exact_of = [dict((span, is_exact) for span, is_exact in spans) for spans in options]

    def score(chosen: Sequence[Span | None]) -> tuple[int, int]:
        return (
            sum(c is not None for c in chosen),
            sum(bool(c is not None and exact_of[i][c]) for i, c in enumerate(chosen)),
        )

    best: list = [score(greedy), greedy]
    current: list[Span | None] = []
    steps = [0]

    def search(i: int, matched: int, exact: int) -> None:
        steps[0] += 1
        if steps[0] > ASSIGNMENT_BUDGET or (matched + n - i, exact + n - i) <= best[0]:
            return
        if i == n:
            best[:] = [(matched, exact), list(current)]
            return
        for span, is_exact in options[i]:
            if _free(span, current):
                current.append(span)
                search(i + 1, matched + 1, exact + is_exact)
                current.pop()
        current.append(None)
        search(i + 1, matched, exact)
        current.pop()

    search(0, 0, 0)
    return best[1]


def _free(span: Span, taken: Sequence[Span | None]) -> bool:
    return all(t is None or span[1] <= t[0] or span[0] >= t[1] for t in taken)


def glossary_target(segment: Segment, context: CheckContext) -> list[Finding]:
    """A glossary term is in the French, but its target is not in the English: each
    occurrence needs a rendering of its own, and a rendering that accounts for another
    term's occurrence (the written-out "Democratic People's Republic of Korea" for
    "République populaire démocratique de Corée") does not also count for this one (RPDC)."""
    if not checked(segment):
        return []
    english = segment.en
    hits = term_hits(segment, context)
    options = [renderings(english, term) for term, _ in hits]
    given = assign_renderings(options)
    by_term: dict[str, list[int]] = defaultdict(list)
    for i, (term, _) in enumerate(hits):
        by_term[term.source].append(i)
    out = []
    for indexes in by_term.values():
        term, form = hits[indexes[0]]
        rendered = [i for i in indexes if given[i] is not None]
        if len(rendered) == len(indexes):
            continue
        if rendered:
            shown = [english[given[i][0] : given[i][1]] for i in rendered]
            times = f"{len(rendered)} time{'s' * (len(rendered) > 1)}"
            out.append(
                finding(
                    "warning",
                    segment,
                    f"'{form}' occurs {len(indexes)} times in the French, "
                    f"'{term.target}' {times} in the English",
                    "rendered as: " + ", ".join(f"'{r}'" for r in shown),
                )
            )
            continue
        taken = [
            (span, j)
            for span, _ in options[indexes[0]]
            for j, other in enumerate(given)
            if other is not None and j not in indexes and not _free(span, [other])
        ]
        if taken:
            (start, end), j = taken[0]
            evidence = (
                f"'{english[start:end]}' renders '{hits[j][1]}' (another term), "
                f"not this one as well: {excerpt(english, start, end)}"
            )
        else:
            words = max(len(form.split()), len(term.target.split())) + 1
            near = nearest_phrase(english, [form, term.target], words)
            evidence = (
                f"nearest in the English: '{near[0]}': {excerpt(english, *near[1])}"
                if near
                else f"English: {excerpt(english, 0, 0, 100)}"
            )
        out.append(
            finding("error", segment, f"'{form}' should be rendered '{term.target}'", evidence)
        )
    return out


def nearest_phrase(
    text: str, likes: Sequence[str], max_words: int, at_least: float = 0.5
) -> tuple[str, tuple[int, int]] | None:
    """The run of words in the text that looks most like all of `likes` (on average: the
    French form and its target), with its span."""
    words = list(NAME_TOKEN.finditer(text))
    best, best_score = None, at_least
    for i in range(len(words)):
        for j in range(i, min(len(words), i + max_words)):
            start, end = words[i].start(), words[j].end()
            score = sum(similarity(text[start:end], like) for like in likes) / len(likes)
            if score > best_score:
                best, best_score = (text[start:end], (start, end)), score
    return best


def glossary_forbidden(segment: Segment, context: CheckContext) -> list[Finding]:
    """A glossary term is in the French and one of its forbidden renderings is in the English."""
    if not checked(segment):
        return []
    out = []
    for term, form in terms_in(segment, context):
        target_spans = [
            m.span() for m in glossary.rendering_pattern(term.target).finditer(segment.en)
        ]
        for bad in term.forbidden or []:
            for m in glossary.rendering_pattern(bad).finditer(segment.en):
                # "Korea" forbidden inside "North Korea" the target is not a forbidden use.
                if any(s <= m.start() and m.end() <= e for s, e in target_spans):
                    continue
                out.append(
                    finding(
                        "error",
                        segment,
                        f"'{form}' rendered '{m.group()}', which the glossary forbids "
                        f"(use '{term.target}')",
                        excerpt(segment.en, m.start(), m.end()),
                    )
                )
                break
    return out


# An acronym or a word in capitals: two letters or more, all upper case (ONU, OTAN, KCNA).
_CAPITALS = re.compile(r"(?<![\w-])[^\W\d_a-zà-ÿ]{2,}(?![\w])")
_ROMAN = re.compile(r"^[IVXLCDM]+$")  # Louis XIV, IIe: numbers, not names


def capitals_words(text: str) -> list[re.Match]:
    return [
        m for m in _CAPITALS.finditer(text) if m.group().isupper() and not _ROMAN.match(m.group())
    ]


def _shouting(text: str) -> bool:
    """A headline or a line in capitals: its words in capitals are not acronyms."""
    letters = list(filter(str.isalpha, text))
    return len(letters) >= 12 and sum(map(str.isupper, letters)) > 0.6 * len(letters)


def _letters_agree(french: str, english: str) -> bool:
    """An English acronym that may render a French one: the same letters in another order
    (OTAN → NATO, UE → EU, SIDA → AIDS), or but one letter more or less (ONU → UN)."""
    a, b = fold(french).upper(), fold(english).upper()
    if sorted(a) == sorted(b):
        return True
    return abs(len(a) - len(b)) == 1 and (set(a) <= set(b) or set(b) <= set(a))


_CAPITALISED_WORDS = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|and|for|the|on)\s+)*[A-Z][\w'’-]*)+")


def _written_out(english: str, acronym: str) -> bool:
    """Capitalised words in a row whose initials are the acronym's letters, in any order,
    or all but one of them: "North Atlantic Treaty Organization" for OTAN, "United
    Nations" for ONU ("World Health Organization" for OMS is not recognised)."""
    letters = sorted(fold(acronym).upper())
    for m in _CAPITALISED_WORDS.finditer(english):
        initials = [w[0] for w in m.group().split() if w[0].isupper()]
        for size in {len(letters), len(letters) - 1} - {0, 1}:
            for start in range(len(initials) - size + 1):
                window = initials[start : start + size]
                if sorted(window) == letters or (
                    size < len(letters) and set(window) <= set(letters)
                ):
                    return True
    return False


def _undotted(text: str) -> str:
    """Dotted acronyms without their dots: "U.N." → "UN"."""
    return re.sub(r"\b(?:[A-Z]\.){2,}", lambda m: m.group().replace(".", ""), text)


# An English acronym, maybe plural (STIs): the letters are what renders a French one.
_ENGLISH_ACRONYM = re.compile(r"(?<![\w-])([A-Z]{2,})s?(?![\w])")


def _kept(acronym: str, english: str) -> bool:
    """The acronym is in the English in any case (Fed, Unicef), maybe plural or possessive,
    maybe glued to digits (A1GP), accents or not (ÉTAT, ETAT)."""
    for form in {acronym, fold(acronym).upper()}:
        if re.search(rf"(?<![^\W\d_]){re.escape(form)}(?:s|['’]s)?(?![^\W\d_])", english, re.I):
            return True
    return False


def acronym(segment: Segment, context: CheckContext) -> list[Finding]:
    """An acronym or word in capitals of the French (CNUCED, KCNA) that is neither in the
    English nor rendered there, and that no glossary term covers: a name the translation
    may have lost or garbled, which the glossary can fix."""
    if not checked(segment) or _shouting(segment.fr):
        return []
    english = segment.en
    covered = [(h.start, h.end) for h in glossary.find_terms(segment.fr, context.terms)]
    undotted = _undotted(english)
    # Words in capitals in a row are one unit: a label or a licence's phrase (EN PRATIQUE,
    # SANS AUCUNE GARANTIE) the English may render in other words, or in fewer.
    runs: list[list[str]] = []
    end = -1
    for m in capitals_words(segment.fr):
        if any(s <= m.start() and m.end() <= e for s, e in covered):
            continue
        if runs and re.fullmatch(r"[\s'’-]+", segment.fr[end : m.start()]):
            runs[-1].append(m.group())
        else:
            runs.append([m.group()])
        end = m.end()
    lost = [run for run in runs if not all(_kept(word, undotted) for word in run)]
    if not lost:
        return []
    # The English's words in capitals beyond those the French has too (NAME for NOM when
    # the French also says NAME): candidates to render what was lost.
    in_french = Counter(re.findall(r"\w+", segment.fr))
    new_in_english = []
    for m in _ENGLISH_ACRONYM.finditer(undotted):
        if in_french[m.group(1)] > 0:
            in_french[m.group(1)] -= 1
        else:
            new_in_english.append(m.group(1))
    unpaired = []
    for run in lost:
        if len(run) == 1:
            partner = next((e for e in new_in_english if _letters_agree(run[0], e)), None)
            if partner is not None:
                new_in_english.remove(partner)
            elif not _written_out(english, run[0]):
                unpaired.append(" ".join(run))
        else:
            unpaired.append(" ".join(run))
    # As many new words in capitals in the English as units lost: the engine renders them
    # (OMS → WHO, VOIR AUSSI → SEE ALSO).
    unpaired = unpaired[len(new_in_english) :]
    if not unpaired:
        return []
    # Info, not warning: human translators spell acronyms out or translate them (VTT as
    # "mountain biking", RFA as "Germany"), 8 of the 9 read on the references were such;
    # on the engine's output, which copies them, the findings read were true.
    return [
        finding(
            "info",
            segment,
            "French acronym(s) neither in the English nor rendered by the glossary: "
            + ", ".join(f"'{a}'" for a in unpaired),
            f"English: {excerpt(english, 0, 0, 100)}",
        )
    ]
