"""Markdown: `<doc>.en.md`, the English article, paragraph by paragraph as in the French,
short unpunctuated paragraphs as headings. What the French carried is made inert: its
HTML shows as text and its links stay text when the Markdown is rendered.
"""

from __future__ import annotations

import re

from pipeline.records import Document, Segment

SUFFIXES = (".en.md",)


HEADING_MAX_CHARS = 150


def looks_like_heading(french: str) -> bool:
    """A short line with no final punctuation: a title or a section heading."""
    text = french.strip()
    return (
        0 < len(text) <= HEADING_MAX_CHARS
        and text[-1] not in ".!?…:;,"
        and (text[0].isupper() or text[0].isdigit() or text[0] == "#")
    )


# What would make rendered Markdown live: raw HTML (`<` opening a tag, a comment, a
# declaration, or an autolink) and a link or image (`[text](target)`).
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINK = re.compile(r"\[([^\]\n]*)\]\(")


def inert_markdown(text: str) -> str:
    """Text from an article made inert in Markdown: its HTML shows as text (`&lt;script>`),
    and a `[text](target)` stays text, so rendering the `.en.md` never runs or links
    anything the French carried."""
    text = _HTML_START.sub("&lt;", text)
    return _LINK.sub(lambda m: f"\\[{m.group(1)}\\](", text)


def english_article(segments: list[Segment], doc: Document | None = None) -> str:
    """The English text, one paragraph per French paragraph, in Markdown.

    Lines that were English in the source (a title above the French one) are left out:
    the article holds the translation of the French title instead. A paragraph that is
    one short sentence without final punctuation is a heading: `# ` for the first one
    (the title), `## ` for the others.
    """
    paragraphs: dict[int, list[Segment]] = {}
    for s in segments:
        if s.lang == "fr":
            paragraphs.setdefault(s.paragraph, []).append(s)
    blocks = []
    has_title = False
    for parts in paragraphs.values():
        text = inert_markdown(" ".join(s.en.strip() for s in parts if s.en.strip()))
        if not text:
            continue
        if len(parts) == 1 and looks_like_heading(parts[0].fr) and not text.startswith("#"):
            text = ("## " if has_title else "# ") + text
            has_title = True
        blocks.append(text)
    about = article_byline(doc) if doc is not None else ""
    if about:
        blocks.insert(1 if has_title and blocks else 0, about)
    return "\n\n".join(blocks) + "\n"


def article_byline(doc: Document) -> str:
    """The French original's author, date and title, under the English title (Markdown)."""
    parts = [escape_markdown(doc.author)] if doc.author else []
    if doc.date:
        parts.append(escape_markdown(doc.date))
    if doc.title:
        parts.append(f"original title: «{escape_markdown(doc.title)}»")
    return f"*{' · '.join(parts)}*" if parts else ""


def escape_markdown(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", " ".join(text.split()))
