"""The domain glossary: loading `glossary/glossary.yaml` and finding its terms in French."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.errors import PipelineError
from pipeline.records import TermHit


@dataclass
class Term:
    source: str
    target: str
    variants: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    kind: str = ""
    case_sensitive: bool = False
    note: str = ""


def load_glossary(path: Path) -> list[Term]:
    path = Path(path)
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise PipelineError(f"{path}: invalid YAML: {err}") from err
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("terms", []), list):
        raise PipelineError(f"{path}: expected a mapping with a 'terms:' list")
    terms = []
    for number, entry in enumerate(data.get("terms") or [], start=1):
        if not isinstance(entry, dict) or not entry.get("source") or not entry.get("target"):
            raise PipelineError(f"{path}: term {number} needs a source and a target")
        terms.append(Term(**{k: v for k, v in entry.items() if k in Term.__dataclass_fields__}))
    return terms


def find_terms(text: str, terms: list[Term]) -> list[TermHit]:
    """Every term (or variant) in the text, as spans; the longest match wins an overlap."""
    candidates = []
    for term in terms:
        for form in [term.source, *term.variants]:
            flags = 0 if term.case_sensitive else re.IGNORECASE
            pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", flags)
            for m in pattern.finditer(text):
                candidates.append((m.start(), m.end(), term))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    hits: list[TermHit] = []
    end_of_last = -1
    for start, end, term in candidates:
        if start >= end_of_last:
            hits.append(TermHit(term.source, term.target, start, end))
            end_of_last = end
    return hits
