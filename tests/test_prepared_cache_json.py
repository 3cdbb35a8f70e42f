"""The prepared cache's JSON is made a record at a time (no whole copy of a big document
into dicts first), and is the very text `json.dumps(dataclasses.asdict(...))` gave, so a
memory file written before reads the same."""

from __future__ import annotations

import dataclasses
import json

from sample_article import make_sample

from pipeline import prepared_cache
from pipeline.records import Finding, Fix


def test_the_json_is_asdicts_text(tmp_path):
    _doc, segments = make_sample(tmp_path)
    segments[1].suggestion = {"fr": "x", "en": "y", "score": 80.0, "origin": "review"}
    fixes = [Fix("rule", 1, 2, "a", "b", note="n\u2028«»")]
    findings = [Finding("check", "info", "", "message", "évidence")]
    for prepared in (
        prepared_cache.Prepared(segments, fixes, findings),
        prepared_cache.Prepared([], [], []),
    ):
        text = prepared_cache.to_json(prepared)
        assert text == json.dumps(dataclasses.asdict(prepared), ensure_ascii=False)
        assert prepared_cache.from_json(text).segments == prepared.segments
