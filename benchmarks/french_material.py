"""Real French headings and prose that no cleaning rule was written from and that is no
machine-translation test set, for clean_headings.py and clean_synthetic.py (`--material`).

Sources (each a list of documents, each document its headings and paragraphs in order):

- wikinews: 100 French Wikinews articles of 2012 with their titles and section titles
  (benchmarks/data/wikinews_fr/, see its SOURCE.md);
- web: the ten news and magazine pages of ../shared/web, as trafilatura extracts them
  (markdown: its `#` lines are the headings);
- handbook: the French Debian Administrator's Handbook's section titles and paragraphs, when
  unpacked (`--handbook`, see clean_as_is.py);
- sequoia: the 2,231 sentences of the train split of UD French-Sequoia (regional news of
  l'Est Républicain, French Wikipedia, Europarl, EMEA; benchmarks/data/sequoia_fr/, see its
  SOURCE.md), a sentence a block, a block that reads as a heading a heading.

Every document falls in one of two halves by a hash of its name, fixed before any result was
looked at: `dev` (rules may be developed on it) and `check` (only reported).
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIKINEWS = ROOT / "benchmarks" / "data" / "wikinews_fr" / "wikinews_fr_100.jsonl"
WEB = ROOT.parent / "shared" / "web"
SEQUOIA = ROOT / "benchmarks" / "data" / "sequoia_fr" / "sequoia_train.jsonl"
SEQUOIA_RUN = 8  # consecutive sentences a document, so that the halves mix every genre
# The treebank drops some sentences' final stop: only a short line without one is a heading.
SEQUOIA_HEADING_WORDS = 10
HALVES = ("dev", "check")
# A heading: starts with a capital (or a quote) and ends with no stop, comma or colon, as in
# clean_headings.py; 2 to 20 words.
HEADING = re.compile(r"[A-ZÀ-ÖØ-ÞŒÆ\"«].*[^\s.!?…:;,)»\"”’]")
SENTENCE_END = re.compile(r"(?<=[.!?])[»”\"]?\s+(?=[«\"]?[A-ZÀ-ÖØ-ÞŒÆ])")
# A stop that ends an abbreviation, not a sentence: `M. Montebourg`, `J.-M. Ayrault`, `etc.`
ABBREVIATION = re.compile(r"(?:\b(?:M|MM|Mme|Mlle|Mgr|Dr|Pr|Me|St|cf|p|av|[A-Z])|-[A-Z])\.$")


def split_sentences(paragraph: str) -> list[str]:
    pieces, start = [], 0
    for m in SENTENCE_END.finditer(paragraph):
        if ABBREVIATION.search(paragraph[start : m.start()]):
            continue
        pieces.append(paragraph[start : m.start()])
        start = m.end()
    pieces.append(paragraph[start:])
    return [p.strip() for p in pieces if p.strip()]


@dataclass
class Document:
    name: str  # `wikinews/44374`, `web/gala.fr.surnom`, `handbook/sect.apt`
    blocks: list[tuple[str, str]]  # ("heading" | "paragraph", text)

    @property
    def half(self) -> str:
        return HALVES[zlib.crc32(self.name.encode()) % 2]


def wikinews() -> list[Document]:
    docs = []
    for line in WIKINEWS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        docs.append(Document(f"wikinews/{record['id']}", [tuple(b) for b in record["blocks"]]))
    return docs


def web() -> list[Document]:
    import trafilatura

    docs = []
    for page in sorted(WEB.glob("*.html")):
        text = trafilatura.extract(
            page.read_text(encoding="utf-8"), output_format="markdown", include_formatting=True
        )
        blocks = []
        for line in (text or "").splitlines():
            line = line.replace("**", "").strip()
            if not line or line.startswith(("|", "- ", "* ", ">")):
                continue  # tables, list items and quotes are neither heading nor paragraph
            if line.startswith("#"):
                blocks.append(("heading", line.lstrip("#").strip()))
            else:
                blocks.append(("paragraph", line))
        docs.append(Document(f"web/{page.stem}", blocks))
    return docs


def sequoia() -> list[Document]:
    """Runs of SEQUOIA_RUN consecutive sentences of one source (`annodis.er`, `frwiki_50.1000`,
    `Europar.550`, `emea-fr-dev`, `emea-fr-test`), named by the source and the first sentence's
    number; a sentence that reads as a heading (HEADING, at most SEQUOIA_HEADING_WORDS words)
    is one."""
    by_source: dict[str, list[tuple[str, str]]] = {}
    for line in SEQUOIA.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        source, number = record["id"].rsplit("_", 1)
        by_source.setdefault(source, []).append((number, record["text"]))
    docs = []
    for source, numbered in by_source.items():
        for i in range(0, len(numbered), SEQUOIA_RUN):
            run = numbered[i : i + SEQUOIA_RUN]
            blocks = [
                (
                    "heading"
                    if HEADING.fullmatch(text) and len(text.split()) <= SEQUOIA_HEADING_WORDS
                    else "paragraph",
                    text,
                )
                for _, text in run
            ]
            docs.append(Document(f"sequoia/{source}/{run[0][0]}", blocks))
    return docs



FRENCH = re.compile(r"\b(?:le|la|les|des|est|une|pour|dans|qui|avec|sur|sont|du|de)\b")
ENGLISH = re.compile(r"\b(?:the|is|are|with|which|for|this|that|and|of|to)\b")


def is_french(paragraph: str) -> bool:
    """More French function words than English ones (the French handbook leaves some
    paragraphs, even pages, in English)."""
    lower = paragraph.lower()
    return len(FRENCH.findall(lower)) > len(ENGLISH.findall(lower))


def is_english_heading(heading: str) -> bool:
    """More English function words than French ones (`Accepting or Refusing Mails Based on
    the Recipient`); a French heading may have none (`Syntaxe`)."""
    lower = heading.lower()
    return len(ENGLISH.findall(lower)) > len(FRENCH.findall(lower))


def handbook(html_dir: Path) -> list[Document]:
    """Its pages that are mostly French, their French paragraphs and their headings."""
    from clean_as_is import handbook_blocks  # the handbook read as clean_as_is.py reads it

    docs = []
    for page in sorted((html_dir / "fr-FR").glob("*.html")):
        blocks = [(kind, text) for kind, text in handbook_blocks(page) if text]
        paragraphs = [text for kind, text in blocks if kind == "paragraph"]
        if sum(map(is_french, paragraphs)) * 2 <= len(paragraphs):
            continue  # a page left in English, its headings too
        blocks = [
            (k, t)
            for k, t in blocks
            if is_french(t) or k == "heading" and not is_english_heading(t)
        ]
        docs.append(Document(f"handbook/{page.stem}", blocks))
    return docs


def documents(sources: str, handbook_dir: Path | None = None) -> list[Document]:
    """The documents of the comma-separated sources (wikinews, web, handbook, sequoia)."""
    found = []
    for source in sources.split(","):
        if source == "wikinews":
            found += wikinews()
        elif source == "web":
            found += web()
        elif source == "sequoia":
            found += sequoia()
        elif source == "handbook":
            if handbook_dir is None:
                raise SystemExit("error: --material handbook needs --handbook DIR (clean_as_is.py)")
            found += handbook(handbook_dir)
        else:
            raise SystemExit(f"error: unknown source {source!r} (wikinews, web, handbook, sequoia)")
    return found


def headings(docs: list[Document]) -> list[str]:
    """Their headings that read as one (clean_headings.py's test), 2 to 20 words, once each."""
    found = dict.fromkeys(
        text
        for doc in docs
        for kind, text in doc.blocks
        if kind == "heading" and HEADING.fullmatch(text) and 2 <= len(text.split()) <= 20
    )
    return list(found)


def sentences(docs: list[Document]) -> list[str]:
    """The sentences of their paragraphs (split after a stop before a capital)."""
    return [
        s
        for doc in docs
        for kind, text in doc.blocks
        if kind == "paragraph"
        for s in split_sentences(text)
    ]


def articles(docs: list[Document], per_article: int = 8) -> list[tuple[str, str]]:
    """(document name, article): runs of `per_article` blocks of a document, one a paragraph,
    headings in place."""
    found = []
    for doc in docs:
        texts = [text for _, text in doc.blocks]
        for i in range(0, len(texts), per_article):
            chunk = texts[i : i + per_article]
            if len(chunk) >= 3:
                found.append((doc.name, "\n\n".join(chunk)))
    return found
