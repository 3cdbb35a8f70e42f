"""The English model's counts, parsed from symspellpy's lists or read from the user's cache."""

from __future__ import annotations

from pipeline.translate import english_lm


def fresh_model():
    english_lm.load_model.cache_clear()
    return english_lm.load_model()


def test_the_cached_counts_give_the_same_model_and_a_broken_cache_is_made_again(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path))
    try:
        parsed = fresh_model()
        (cache,) = (tmp_path / "english_lm").iterdir()
        cached = fresh_model()
        assert cached.unigrams == parsed.unigrams and cached.bigrams == parsed.bigrams
        assert cached.score("the cat sat on the mat") == parsed.score("the cat sat on the mat")

        for broken in (b"not marshal", b"\xe9\x02\x00\x00\x00"):
            cache.write_bytes(broken)
            again = fresh_model()
            assert again.bigrams == parsed.bigrams
            assert cache.read_bytes() != broken  # written again, whole
    finally:
        english_lm.load_model.cache_clear()
