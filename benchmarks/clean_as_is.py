"""Precision of the cleaner on real French as it is (nothing broken in it): every fix that
changes a word and every paragraph join, by rule and with its context, for a human to read.

    python benchmarks/clean_as_is.py [--source web,tune,man,handbook] [--docs N] [--verbose]

A user who pastes a clean article must get it back unchanged, headings and all, so on text
no one broke every word-changing fix is a false fix unless the text really was broken (a
web page's own glued words do happen: the list says which were right). Sources, none of
which any cleaning rule was written from (the held-out sets are never read here):

- web: the ten pages of ../shared/web, through the project's own extraction (trafilatura);
- tune: the tuning sets (flores101-dev, newstest2013), 8 lines an article as in
  clean_synthetic.py;
- man: the French manual pages installed on this machine (/usr/share/man/fr, Debian's
  translations of dpkg, apt, shadow, ...), rendered by man(1) one paragraph a line, prose
  paragraphs only (a final stop or colon, 8 words or more, more French function words than
  English);
- handbook: the French Debian Administrator's Handbook, if unpacked (see below), 8
  paragraphs an article:
      apt-get download debian-handbook && dpkg -x debian-handbook_*.deb /tmp/hb
      python benchmarks/clean_as_is.py --handbook /tmp/hb/usr/share/doc/debian-handbook/html

A fix is word-changing when the words (letters and digits, case kept) of its text before
and after differ: a split, a join, a lowered capital, a dropped repeat, a corrected name.
Paragraph joins (cut_paragraph) are listed with the two lines. Removed paragraphs
(drops_words rules: chrome, trailers, credits) are listed too; the other fixes (spacing,
typography) are only counted. Findings the cleaner leaves for the reviewer are counted.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.clean import RULES_BY_NAME, clean_text, visible  # noqa: E402
from pipeline.lexicon import load_lexicon  # noqa: E402

SHARED = ROOT.parent / "shared"
TUNING = ("flores101-dev", "newstest2013")
LINES_PER_ARTICLE = 8
MAN_DIR = Path("/usr/share/man/fr")
WORDS = re.compile(r"\w+")
FRENCH = re.compile(r"\b(?:le|la|les|des|est|une|pour|dans|qui|avec|sur|sont|du|de)\b")
ENGLISH = re.compile(r"\b(?:the|is|are|with|which|for|this|that|and|of|to)\b")


def is_french_prose(paragraph: str) -> bool:
    lower = paragraph.lower()
    return (
        len(paragraph.split()) >= 8
        and paragraph.rstrip().endswith((".", "!", "?", "»", ":", ";"))
        and len(FRENCH.findall(lower)) > 2 * len(ENGLISH.findall(lower))
    )


def web_articles() -> list[tuple[str, str]]:
    from pipeline.inputs.html import read_html_file

    found = []
    for path in sorted((SHARED / "web").glob("*.html")):
        found.append((f"web/{path.stem}", read_html_file(path).raw))
    return found


def tune_articles() -> list[tuple[str, str]]:
    found = []
    for name in TUNING:
        lines = (SHARED / "eval" / f"{name}.fr").read_text(encoding="utf-8").splitlines()
        for i in range(0, len(lines) - LINES_PER_ARTICLE + 1, LINES_PER_ARTICLE):
            found.append((f"{name}:{i + 1}", "\n\n".join(lines[i : i + LINES_PER_ARTICLE])))
    return found


def man_paragraphs(page: Path) -> list[str]:
    """A manual page's prose paragraphs, as man(1) renders them (one paragraph a line)."""
    env = dict(os.environ, MANWIDTH="100000", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    try:
        out = subprocess.run(
            ["man", "-l", str(page)], capture_output=True, env=env, timeout=30, check=False
        ).stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return []
    out = re.sub(r".\x08", "", out)  # overstrike (bold, underline) left by col-less output
    return [" ".join(line.split()) for line in out.splitlines() if is_french_prose(line)]


def man_articles(limit_pages: int = 0) -> list[tuple[str, str]]:
    pages = sorted(MAN_DIR.glob("man*/*.gz"))
    if limit_pages:
        pages = pages[:limit_pages]
    found = []
    for page in pages:
        paragraphs = man_paragraphs(page)
        for i in range(0, len(paragraphs), LINES_PER_ARTICLE):
            chunk = paragraphs[i : i + LINES_PER_ARTICLE]
            found.append((f"man/{page.name.removesuffix('.gz')}#{i}", "\n\n".join(chunk)))
    return found


PARA = re.compile(r'<div class="para">(.*?)</div>', re.S)
LISTING = re.compile(r"<pre.*?</pre>", re.S)
TAG = re.compile(r"<[^>]+>")


HEADING_OR_PARA = re.compile(
    r'<h[1-6] class="title">(?P<heading>.*?)</h[1-6]>|<div class="para">(?P<para>.*?)</div>', re.S
)
NUMBERING = re.compile(r"^(?:Chapitre |Annexe )?[\dA-Z]+(?:\.\d+)*\.\s+")


def handbook_blocks(page: Path) -> list[tuple[str, str]]:
    """A handbook page's section titles, without their numbers, and its paragraphs, in
    order: ("heading" | "paragraph", text), the text out of its HTML."""
    blocks = []
    for m in HEADING_OR_PARA.finditer(page.read_text(encoding="utf-8")):
        fragment = m.group("heading") or m.group("para") or ""
        text = " ".join(html.unescape(TAG.sub("", LISTING.sub(" ", fragment))).split())
        if m.group("heading") is not None:
            blocks.append(("heading", NUMBERING.sub("", text)))
        else:
            blocks.append(("paragraph", text))
    return blocks


def handbook_articles(html_dir: Path) -> list[tuple[str, str]]:
    """The handbook's French pages, 8 paragraphs an article, its section titles kept in
    place without their numbers (`6.1.1. Syntaxe` -> `Syntaxe`): real headings above real
    paragraphs, for cut_paragraph's joins."""
    found = []
    for page in sorted((html_dir / "fr-FR").glob("*.html")):
        paragraphs = []
        for kind, text in handbook_blocks(page):
            if kind == "heading":
                if 1 <= len(text.split()) <= 20 and not text.startswith("Chapitre"):
                    paragraphs.append(text)
            elif is_french_prose(text):
                paragraphs.append(text)
        for i in range(0, len(paragraphs), LINES_PER_ARTICLE):
            chunk = paragraphs[i : i + LINES_PER_ARTICLE]
            found.append((f"handbook/{page.stem}#{i}", "\n\n".join(chunk)))
    return found


def word_changing(before: str, after: str) -> bool:
    return WORDS.findall(before) != WORDS.findall(after)


def line_at(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return text[start : len(text) if end < 0 else end]


def context(raw: str, start: int, end: int, after: str, width: int = 45) -> str:
    left = visible(raw[max(0, start - width) : start], width + 20)
    right = visible(raw[end : end + width], width + 20)
    return f"{left}[{visible(raw[start:end])} → {visible(after)}]{right}"


def children_cpu() -> float:
    """CPU seconds of this process's live children (the kept lt-proc servers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():  # the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def speed() -> int:
    """CPU s of clean_text over corpus/ and 40 articles of flores101-dev (the speed
    benchmarks' 40 articles come from the held-out devtest, which this script never reads):
    this process and its lt-proc servers, each text cleaned once in a fresh process."""
    from pipeline.inputs import read_document

    corpus = [read_document(p).raw for p in sorted((ROOT / "corpus").iterdir()) if p.is_file()]
    lines = (SHARED / "eval" / "flores101-dev.fr").read_text(encoding="utf-8").splitlines()
    per = -(-len(lines) // 40)
    dev40 = ["\n\n".join(lines[i : i + per]) for i in range(0, len(lines), per)]
    load_lexicon()
    clean_text("Le texte commence.")  # the servers up before the clock starts
    for name, texts in (("corpus/", corpus), ("flores101-dev, 40 articles", dev40)):
        cpu, children = time.process_time(), children_cpu()
        for text in texts:
            clean_text(text)
        own, servers = time.process_time() - cpu, children_cpu() - children
        print(
            f"{name}: {len(texts)} texts, clean_text {own:.2f} CPU s + lt-proc servers "
            f"{servers:.2f} CPU s = {own + servers:.2f}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="web,tune,man,handbook")
    parser.add_argument("--handbook", type=Path, help="the handbook's html/ folder")
    parser.add_argument("--docs", type=int, default=0, help="articles per source (0: all)")
    parser.add_argument("--man-pages", type=int, default=0, help="manual pages (0: all)")
    parser.add_argument("--quiet", action="store_true", help="figures only, no fix listed")
    parser.add_argument("--speed", action="store_true", help="CPU s of clean_text only")
    args = parser.parse_args()
    if args.speed:
        return speed()
    load_lexicon()
    wanted = args.source.split(",")
    sources: dict[str, list[tuple[str, str]]] = {}
    if "web" in wanted:
        sources["web"] = web_articles()
    if "tune" in wanted:
        sources["tune"] = tune_articles()
    if "man" in wanted and MAN_DIR.exists():
        sources["man"] = man_articles(args.man_pages)
    if "handbook" in wanted and args.handbook:
        sources["handbook"] = handbook_articles(args.handbook)
    grand: Counter[str] = Counter()
    for source, articles in sources.items():
        if args.docs:
            articles = articles[: args.docs]
        started = time.process_time()
        words = sum(len(text.split()) for _, text in articles)
        every: Counter[str] = Counter()
        changing: defaultdict[str, list[str]] = defaultdict(list)
        findings: Counter[str] = Counter()
        reported: list[str] = []
        for name, raw in articles:
            result = clean_text(raw)
            findings.update(f.check for f in result.findings)
            for finding in result.findings:
                reported.append(f"{name}: {finding.check}: {finding.message}")
            for fix in result.fixes:
                every[fix.rule] += 1
                if fix.rule == "cut_paragraph":
                    above = line_at(raw, max(fix.start - 1, 0))
                    below = line_at(raw, min(fix.end, len(raw) - 1))
                    changing[fix.rule].append(
                        f"{name}: JOIN ({fix.note}) …{visible(above[-70:], 80)} ⏎ "
                        f"{visible(below[:60], 70)}…"
                    )
                elif RULES_BY_NAME[fix.rule].drops_words and fix.before.strip():
                    changing[fix.rule].append(f"{name}: DROP {visible(fix.before, 90)!r}")
                elif word_changing(fix.before, fix.after):
                    shown = context(raw, fix.start, fix.end, fix.after)
                    changing[fix.rule].append(f"{name}: {shown}")
        cpu = time.process_time() - started
        listed = sum(len(v) for v in changing.values())
        print(
            f"== {source}: {len(articles)} articles, {words:,} words, cleaned in {cpu:.1f} CPU s; "
            f"word-changing fixes, joins and drops: {listed}"
        )
        print(f"   every fix by rule: {dict(every.most_common())}")
        if findings:
            print(f"   findings: {dict(findings.most_common())}")
            for line in reported if not args.quiet else []:
                print(f"      {line}")
        for rule_name, lines in sorted(changing.items()):
            grand[rule_name] += len(lines)
            print(f"   -- {rule_name}: {len(lines)}")
            if not args.quiet:
                for line in lines:
                    print(f"      {line}")
    print(f"== all sources, by rule: {dict(grand.most_common())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
