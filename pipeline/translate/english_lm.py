"""An English word-bigram language model that scores how English a sentence reads.

It is built from the word and word-pair frequency lists that the `symspellpy`
package ships (counts from Google Books n-grams, lowercase words only), so it
works offline and needs no training step. It backs off like "stupid backoff"
(Brants et al., 2007): a known pair scores by its conditional frequency, an
unknown pair by the second word's frequency times a constant. A word missing
from the list (an untranslated French word, a Spanish word the engine leaked,
a name) gets a fixed penalty; names cost the same in every hypothesis of one
source sentence, so they do not sway a choice between hypotheses.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from importlib import resources

from pipeline.errors import PipelineError

UNIGRAM_FILE = "frequency_dictionary_en_82_765.txt"
BIGRAM_FILE = "frequency_bigramdictionary_en_243_342.txt"

# The pair counts come from a larger sample than the word counts: a word's pairs add
# up to at most ~60 times its own count, so dividing by this keeps P(w | v) <= 1.
BIGRAM_SCALE = 60.0

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """The lowercase words of a text, as the frequency lists spell them (no digits)."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class Weights:
    """Chosen on flores101-dev; choices of the pivots barely move between 0.1 and 1
    for the back-off factor and between -10 and -20 for an unknown word."""

    backoff: float = math.log(0.4)  # log factor for a pair the list lacks
    unknown_word: float = -16.0  # log probability of a word outside the list


class EnglishBigramModel:
    def __init__(
        self, unigrams: dict[str, int], bigrams: dict[tuple[str, str], int], weights=Weights()
    ):
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.weights = weights
        self.total = float(sum(unigrams.values()))

    def word_logprob(self, previous: str | None, word: str) -> float:
        count = self.unigrams.get(word)
        if count is None:
            return self.weights.unknown_word
        if previous is not None:
            pair = self.bigrams.get((previous, word))
            previous_count = self.unigrams.get(previous)
            if pair is not None and previous_count:
                return math.log(min(1.0, pair / (BIGRAM_SCALE * previous_count)))
            return self.weights.backoff + math.log(count / self.total)
        return math.log(count / self.total)

    def score(self, text: str) -> float:
        """Log probability of the text's words (higher reads more like English)."""
        total, previous = 0.0, None
        for word in words(text):
            total += self.word_logprob(previous, word)
            previous = word
        return total

    def unknown_words(self, text: str) -> list[str]:
        return [w for w in words(text) if w not in self.unigrams]

    def is_english_word(self, word: str) -> bool:
        return word.lower() in self.unigrams


def _count_file(name: str):
    try:
        return resources.files("symspellpy") / name
    except ModuleNotFoundError as err:
        raise PipelineError(
            f"the English language model needs the symspellpy package ({name}): "
            "pip install symspellpy"
        ) from err


def _read_counts(name: str) -> list[list[str]]:
    try:
        text = _count_file(name).read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise PipelineError(
            f"the English language model needs the symspellpy package ({name}): "
            "pip install symspellpy"
        ) from err
    return [line.split() for line in text.splitlines() if line.strip()]


def _cache_file():
    """Where the counts are kept as marshal (0.1 CPU s to read, against 0.45 s to parse
    the lists), named after the lists' size and time: a new symspellpy makes a new one."""
    import hashlib
    import os

    from pipeline import user_cache

    stats = []
    for name in (UNIGRAM_FILE, BIGRAM_FILE):
        try:
            found = os.stat(str(_count_file(name)))
        except OSError:
            return None
        stats.append(f"{name}:{found.st_size}:{found.st_mtime_ns}")
    key = hashlib.sha256(" ".join(stats).encode()).hexdigest()[:16]
    return user_cache.cache_dir() / "english_lm" / f"{key}.marshal"


@functools.cache
def load_model() -> EnglishBigramModel:
    """The model, loaded once per process (0.45 CPU s from the lists, 0.1 s cached)."""
    from pipeline import user_cache

    cache = _cache_file()
    counts = user_cache.load_marshal(cache) if cache is not None else None
    if not (isinstance(counts, tuple) and [type(c) for c in counts] == [dict, dict]):
        unigrams = {fields[0]: int(fields[1]) for fields in _read_counts(UNIGRAM_FILE)}
        bigrams = {(f[0], f[1]): int(f[2]) for f in _read_counts(BIGRAM_FILE) if len(f) == 3}
        counts = (unigrams, bigrams)
        if cache is not None:
            user_cache.store_marshal(cache, counts)
    return EnglishBigramModel(*counts)
