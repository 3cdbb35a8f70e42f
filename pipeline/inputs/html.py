"""Web pages (`.html`, `.htm`): the article's own text, extracted with trafilatura.

trafilatura (default settings: the best-scoring open extractor on news pages) finds the
main text and the page's title, author and date; everything else of the page (menus,
cookie banners, related articles, comments, footers) is dropped, and one fix says how
much: the characters of text the page holds, and how many the article kept. The title
becomes the article's first paragraph, so it is translated with the rest. The cleaner
then runs over the extracted text as over any article.
"""

from __future__ import annotations

import re

from pipeline.inputs import NotAnArticle, document_name, read_bytes
from pipeline.records import Document, Fix

# What a title may carry after the headline: ` - Site`, ` | Site`, ` — Site`.
TITLE_SITE_SUFFIX = r"\s+[-|–—:]\s+{site}\s*$"


def page_text_length(data: bytes) -> int:
    """Characters of visible text of the whole page (white space runs counted as one)."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(data)
    except (ValueError, lxml.etree.ParserError):
        return 0
    for node in tree.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    return len(" ".join(tree.text_content().split()))


def headline(title: str, site: str) -> str:
    """The page's title without the site's name after it."""
    title = " ".join((title or "").split())
    for name in filter(None, (p.strip() for p in re.split(r"[;,]", site or ""))):
        shorter = re.sub(TITLE_SITE_SUFFIX.format(site=re.escape(name)), "", title, flags=re.I)
        if shorter != title and shorter:
            return shorter
    return title


def read_html_file(path) -> Document:
    data = read_bytes(path)
    import trafilatura

    extracted = trafilatura.bare_extraction(data, with_metadata=True)
    text = (extracted.text if extracted is not None else "") or ""
    if not text.strip():
        raise NotAnArticle("web page with no article text that trafilatura could find")
    title = headline(extracted.title or "", extracted.sitename or "")
    author = " ".join((extracted.author or "").split())
    date = extracted.date or ""
    body = text.strip("\n")
    # The title first, unless the extracted text already gives it near its top.
    top = [" ".join(line.split()) for line in body.split("\n")[:5]]
    raw = body if not title or title in top else f"{title}\n\n{body}"
    total = page_text_length(data)
    kept = len(" ".join(body.split()))
    share = f"{kept / total:.0%}" if total else "all"
    fix = Fix(
        "web_page_extraction",
        0,
        0,
        f"web page: {total:,} characters of text",
        f"article: {kept:,} characters kept",
        note=(
            f"page furniture removed by trafilatura (menus, banners, related articles, "
            f"comments): {kept:,} of {total:,} characters kept ({share})"
        ),
    )
    return Document(
        name=document_name(path),
        path=path,
        raw=raw,
        encoding="html",
        source_format="html",
        title=title,
        author=author,
        date=date,
        fixes=[fix],
    )
