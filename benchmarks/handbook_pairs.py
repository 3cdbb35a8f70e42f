"""Aligned French/English paragraphs from the Debian Administrator's Handbook, to check the
checks on correct human translations the project has never seen (benchmarks/check_review.md).

    apt-get download debian-handbook && dpkg -x debian-handbook_*.deb /tmp/hb
    python benchmarks/handbook_pairs.py /tmp/hb/usr/share/doc/debian-handbook/html /tmp/hb/hb
    python benchmarks/check_review.py --flores /tmp/hb/hb.fr /tmp/hb/hb.en --sample 1000

The book (GPL-2+ or CC BY-SA 3.0) is published as HTML per language with the same pages
and the same paragraphs in the same order, so the n-th paragraph of a French page
translates the n-th of its English page. Paragraphs the French edition left in English are
skipped, and program listings are taken out. Writes PREFIX.fr, PREFIX.en (one paragraph
per line) and PREFIX.ids (page#paragraph).
"""

from __future__ import annotations

import argparse
import html
import re
from pathlib import Path

PARAGRAPH = re.compile(r'<div class="para">(.*?)</div>', re.S)
LISTING = re.compile(r"<pre.*?</pre>", re.S)
TAG = re.compile(r"<[^>]+>")
FRENCH_WORDS = re.compile(r"\b(?:le|la|les|des|est|une|pour|dans|qui|avec|sur|sont)\b")
ENGLISH_WORDS = re.compile(r"\b(?:the|is|are|with|which|for|this|that|and)\b")


def paragraphs(page: Path) -> list[str]:
    out = []
    for fragment in PARAGRAPH.findall(page.read_text(encoding="utf-8")):
        text = html.unescape(TAG.sub("", LISTING.sub(" ", fragment)))
        out.append(" ".join(text.split()))
    return out


def is_french(text: str) -> bool:
    lower = text.lower()
    return len(FRENCH_WORDS.findall(lower)) > len(ENGLISH_WORDS.findall(lower))


def aligned_pairs(root: Path) -> tuple[list[tuple[str, str, str]], int]:
    """(id, French, English) for each translated paragraph, and how many were read."""
    pairs, read = [], 0
    for french_page in sorted((root / "fr-FR").glob("*.html")):
        english_page = root / "en-US" / french_page.name
        french, english = paragraphs(french_page), paragraphs(english_page)
        if len(french) != len(english):
            continue  # the pages differ in shape: no safe alignment
        for number, (fr, en) in enumerate(zip(french, english, strict=True)):
            read += 1
            if fr and en and fr != en and is_french(fr):
                pairs.append((f"{french_page.stem}#{number}", fr, en))
    return pairs, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the package's html/ folder")
    parser.add_argument("prefix", type=Path, help="write PREFIX.fr, PREFIX.en, PREFIX.ids")
    args = parser.parse_args()
    pairs, read = aligned_pairs(args.html)
    for suffix, column in ((".ids", 0), (".fr", 1), (".en", 2)):
        path = args.prefix.with_name(args.prefix.name + suffix)
        path.write_text("".join(p[column] + "\n" for p in pairs), encoding="utf-8")
    print(f"{read} paragraphs read, {len(pairs)} translated pairs written to {args.prefix}.*")


if __name__ == "__main__":
    main()
