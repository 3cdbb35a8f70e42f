"""The cleaning rules on glitches they were not written from: clean French articles of the
tuning sets (flores101-dev, newstest2013; `--sets report` for the held-out flores200-devtest
and newstest2012, once), each given glitches of one class at known places.

    python benchmarks/clean_synthetic.py [--sets tune|report] [--docs N] [--seed 1] [--verbose]
    python benchmarks/clean_synthetic.py --source new_french [--half dev|check] [--by-set]

`--source` takes real French no rule was written from instead of the sets: a JSON-lines file
of articles ({"source", "id", "half", "paragraphs"}), by path, or `new_french`
(the 100 French Wikinews articles of 2012 in benchmarks/data/wikinews_fr, in v18n's halves),
each article's paragraphs one a line; `--half` keeps the development or the check half
(default both), and `--by-set` reports each source and half apart.

An article is 8 consecutive lines of a set, one line a paragraph. Its clean text is what the
cleaner makes of it (its fixed point: clean(clean(x)) == clean(x)); the fixes that takes are
printed by rule (they are the cleaner's reading of the set's own typography: `certaine: ces`
gets its no-break space). Then, for each glitch class, up to two glitches are injected into
each article, at known spans in different paragraphs, and the damaged article is cleaned:

- a case is repaired when the cleaned text equals the clean text around its span;
- wrong when the cleaner changed the span but not back to the clean text; missed when not;
- a change outside every injected span is a false fix (the `outside` column; target 0).

recall = repaired / cases; precision = repaired / (repaired + wrong + outside).
Targets: recall >= 95 % and precision >= 99 % for each class.

    python benchmarks/clean_synthetic.py --material wikinews,web[,handbook --handbook DIR] --by-set

does the same on real French no rule was written from (benchmarks/french_material.py): an
article is 8 consecutive blocks (headings and paragraphs) of a document; `--by-set` gives each
half (dev, check) on its own, `--material-half` keeps one.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # french_material, when imported

from french_material import HALVES, documents, wikinews  # noqa: E402
from french_material import articles as material_articles  # noqa: E402

from pipeline.clean import NBSP, clean_text  # noqa: E402
from pipeline.lexicon import load_lexicon  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
SETS = {"tune": ("flores101-dev", "newstest2013"), "report": ("flores200-devtest", "newstest2012")}
LINES_PER_ARTICLE = 8
PER_ARTICLE = 2  # glitches of one class per article, each in its own paragraph
MARGIN = 12  # a difference this close to a span is the repair of that span (a wrong split)

LOWER = "a-zà-öø-ÿœæ"
UPPER = "A-ZÀ-ÖØ-ÞŒÆ"
WORD = rf"[{LOWER}{UPPER}]"


@dataclass
class Site:
    """Replace text[start:end] of the clean text by `glitch`."""

    start: int
    end: int
    glitch: str


Injector = Callable[[str, random.Random], list[Site]]


def sites(pattern: str, text: str, make: Callable[[re.Match], Site | None]) -> list[Site]:
    found = []
    for m in re.finditer(pattern, text):
        site = make(m)
        if site is not None:
            found.append(site)
    return found


# --------------------------------------------------------------------------------------------
# Glitch classes: each gives the places in a clean article where it can strike.


def _inside_sentence(text: str, at: int) -> bool:
    """text[at] is preceded, within its sentence, by a lower-case word or a comma."""
    before = text[max(0, at - 2) : at]
    return bool(re.fullmatch(rf"[{LOWER},;] ", before))


def glued_after_name(text: str, rng: random.Random) -> list[Site]:
    """A name (Xinhua, Le Monde, TASS, any casing) glued to the next word: `Kyodoselon`,
    `Xinhual'agence`, `Le Mondeun responsable`."""

    def make(m: re.Match) -> Site | None:
        if not _inside_sentence(text, m.start()) and not text[: m.start()].endswith(("'", "’")):
            return None
        return Site(m.end(1), m.end(1) + 1, "")

    name = rf"(?:[{UPPER}][{LOWER}]+|[{UPPER}]{{2,}})"
    pattern = rf"(?<![\w-])({name}(?: {name})*) (?=[{LOWER}]+(?:['’][{LOWER}]|[ ,.]))"
    return sites(pattern, text, make)


def glued_before_name(text: str, rng: random.Random) -> list[Site]:
    """A word glued to the name after it: `annéesRussie`, `présidentMacron`."""

    def make(m: re.Match) -> Site | None:
        if not _inside_sentence(text, m.start()):
            return None
        return Site(m.end(1), m.end(1) + 1, "")

    return sites(rf"(?<![\w'’-])([{LOWER}]{{3,}}) (?=[{UPPER}][{LOWER}]+[ ,.])", text, make)


def glued_function_word(text: str, rng: random.Random) -> list[Site]:
    """A small word glued to the next: `dansle`, `lesrelations`, `pourl'avenir`."""
    lexicon = load_lexicon()

    def make(m: re.Match) -> Site | None:
        if lexicon.is_known(m.group(1) + m.group(2)):
            return None  # par + le = parle, a word: no glitch anyone could see
        return Site(m.end(1), m.end(1) + 1, "")

    pattern = (
        rf"(?<![\w'’-])(dans|les|des|avec|sans|pour|mais|une|sur|par|aux|est) "
        rf"(?=([{LOWER}]{{2,}}|[ld](?=['’])))"
    )
    return sites(pattern, text, make)


def stray_period(text: str, rng: random.Random) -> list[Site]:
    """A period between two words of a sentence: `pris. dans`."""
    pattern = rf"(?<=[{LOWER}]{{3}}) (?=[{LOWER}]{{2,}})"
    return sites(pattern, text, lambda m: Site(m.start(), m.start(), "."))


def doubled_punctuation(text: str, rng: random.Random) -> list[Site]:
    """A comma, semicolon or final period typed twice: `, ,`, `fin. .`."""

    def make(m: re.Match) -> Site:
        mark = m.group()
        return Site(m.end(), m.end(), rng.choice([f" {mark}", mark]) if mark != "." else " .")

    return sites(r"(?<=\w)[,;]|(?<=\w)\.(?=\n|$)", text, make)


def space_before_punctuation(text: str, rng: random.Random) -> list[Site]:
    """A space before a comma or a period: `Kim Jong-un ,`, `retard .`."""
    return sites(r"(?<=\w)(?=[,.](?:\s|$))", text, lambda m: Site(m.start(), m.start(), " "))


def french_spacing(text: str, rng: random.Random) -> list[Site]:
    """The no-break space of French typography lost: `certaine: ces`, `«oui »`."""
    pattern = rf"(?<=\w)[{NBSP}\u202f](?=[;:!?»])|(?<=«)[{NBSP}\u202f]"
    return sites(pattern, text, lambda m: Site(m.start(), m.end(), ""))


def repeated_word(text: str, rng: random.Random) -> list[Site]:
    """A word typed twice: `années, années,`, `pris pris`."""

    def make(m: re.Match) -> Site | None:
        if m.group(1) in {"nous", "vous", "très", "bien", "non", "oui"}:
            return None
        return Site(m.end(2), m.end(2), f" {m.group(1)}{m.group(2)}")

    return sites(rf"(?<![\w'’-])([{LOWER}]{{3,}})(,?)(?= [{LOWER}])", text, make)


def _capital_article(text: str, next_word: str) -> list[Site]:
    def make(m: re.Match) -> Site | None:
        if not _inside_sentence(text, m.start()):
            return None
        word = m.group(1)
        return Site(m.start(1), m.end(1), word[0].upper() + word[1:])

    return sites(rf"(?<![\w'’-])(le|la|les|des|une|du|cette|ces) (?={next_word})", text, make)


def capital_article(text: str, rng: random.Random) -> list[Site]:
    """An article left with a capital inside a sentence: `vu Des gens`, `, Les élus`."""
    return _capital_article(text, f"[{LOWER}]")


def capital_article_of_name(text: str, rng: random.Random) -> list[Site]:
    """The same before a name: `, La Chine`. The cleaner lowers it only where the article
    shows it small elsewhere (`pour Le Diplomate`, `de La Haye` keep theirs)."""
    return _capital_article(text, f"[{UPPER}]")


def cut_paragraph(text: str, rng: random.Random) -> list[Site]:
    """A paragraph cut in the middle of a sentence, before a lower-case word."""

    def make(m: re.Match) -> Site | None:
        start, end = _paragraph_of(text, m.start())
        if not start + 15 < m.start() < end - 15:
            return None
        return Site(m.start(), m.end(), "\n\n")

    return sites(rf"(?<={WORD}) (?=[{LOWER}])", text, make)


def cut_before_name(text: str, rng: random.Random) -> list[Site]:
    """A paragraph cut in the middle of a sentence, before a capitalised name:
    `... des Affaires étrangères de la` / `Chine, Lin Jian.` Not in the first paragraph, which
    the cleaner takes for the title (a title has no final stop and may precede a name)."""

    def make(m: re.Match) -> Site | None:
        start, end = _paragraph_of(text, m.start())
        if start == 0:
            return None
        if not start + 15 < m.start() < end - 10 or not _inside_sentence(text, m.start() + 1):
            return None
        return Site(m.start(), m.end(), "\n\n")

    return sites(rf"(?<=[{LOWER}]) (?=[{UPPER}][{LOWER}]+)", text, make)


def _paragraph_of(text: str, at: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return start, len(text) if end < 0 else end


def markdown(text: str, rng: random.Random) -> list[Site]:
    """Markdown: `[la visite](https://...)`, `**mot**`, `*mot*`, `## ` before a paragraph."""

    def link(m: re.Match) -> Site:
        address = rng.choice(["#", "https://www.example.org/article/12", "/fr/asie"])
        return Site(m.start(), m.end(), f"[{m.group()}]({address})")

    def emphasis(m: re.Match) -> Site:
        mark = rng.choice(["*", "**", "__"])
        return Site(m.start(), m.end(), f"{mark}{m.group()}{mark}")

    found = sites(rf"(?<![\w'’-]){WORD}+ {WORD}+(?![\w'’-])", text, link)
    found += sites(rf"(?<![\w'’*-]){WORD}{{4,}}(?![\w'’*-])", text, emphasis)
    found += sites(r"(?:^|(?<=\n\n))(?=\S)", text, lambda m: Site(m.start(), m.start(), "## "))
    return found


CHROME = [
    "top of page",
    "Haut de page",
    "5 min de lecture",
    "Temps de lecture : 3 minutes",
    "Partager sur Facebook",
    "Imprimer l'article",
    "Photo du rédacteur: Marie Durand",
    "Retour en haut de la page",
    "Thèmes : Politique, Europe",
    "Mots-clés : élections, sondage",
]
TRAILERS = [
    "A lire également",
    "Lire aussi : la réforme des retraites",
    "Commentaires",
    "3 commentaires",
    "© 2024 Le Journal. Tous droits réservés.",
    "Traduit de l'anglais par Paul Martin",
    "Source : Agence France-Presse",
    "Sur le même sujet",
]


def chrome(text: str, rng: random.Random) -> list[Site]:
    """Web-page chrome between paragraphs (`top of page`, `5 min de lecture`, a tag line)
    and trailers after the article (`A lire également`, `Commentaires`, a copyright)."""
    between = [m.start() for m in re.finditer(r"\n\n", text)]
    found = [Site(at, at, "\n\n" + rng.choice(CHROME)) for at in between]
    found.append(Site(len(text), len(text), "\n\n" + rng.choice(TRAILERS)))
    return found


CLASSES: list[Injector] = [
    glued_after_name,
    glued_before_name,
    glued_function_word,
    cut_paragraph,
    cut_before_name,
    stray_period,
    doubled_punctuation,
    space_before_punctuation,
    french_spacing,
    repeated_word,
    capital_article,
    capital_article_of_name,
    markdown,
    chrome,
]


# --------------------------------------------------------------------------------------------
# Scoring


@dataclass
class Tally:
    cases: int = 0
    repaired: int = 0
    wrong: int = 0
    missed: int = 0
    outside: int = 0

    def recall(self) -> float:
        return self.repaired / self.cases if self.cases else 0.0

    def precision(self) -> float:
        made = self.repaired + self.wrong + self.outside
        return self.repaired / made if made else 1.0


def pick(found: list[Site], text: str, rng: random.Random) -> list[Site]:
    """Up to PER_ARTICLE sites, each in a different paragraph, 3 characters apart at least."""
    rng.shuffle(found)
    chosen: list[Site] = []
    paragraphs_used: set[int] = set()
    words: set[str] = set()
    for site in found:
        paragraph = text.count("\n\n", 0, site.start)
        if paragraph in paragraphs_used:
            continue
        # The same glued word twice in one article reads as a name spelt so (Punchline).
        before = re.search(r"\w*$", text[max(0, site.start - 40) : site.start]).group()
        after = re.match(r"\w*", text[site.end : site.end + 40]).group()
        word = before + site.glitch + after
        if word in words:
            continue
        words.add(word)
        if any(site.start < c.end + 3 and c.start < site.end + 3 for c in chosen):
            continue
        chosen.append(site)
        paragraphs_used.add(paragraph)
        if len(chosen) == PER_ARTICLE:
            break
    return sorted(chosen, key=lambda s: s.start)


def damage(text: str, chosen: list[Site]) -> tuple[str, list[tuple[int, int]]]:
    """The damaged text, and each glitch's span in it."""
    pieces, spans, last, shift = [], [], 0, 0
    for site in chosen:
        pieces += [text[last : site.start], site.glitch]
        at = site.start + shift
        spans.append((at, at + len(site.glitch)))
        shift += len(site.glitch) - (site.end - site.start)
        last = site.end
    pieces.append(text[last:])
    return "".join(pieces), spans


def score(clean: str, chosen: list[Site], tally: Tally, verbose: bool, name: str) -> None:
    damaged, damaged_spans = damage(clean, chosen)
    result = clean_text(damaged)
    tally.cases += len(chosen)
    if result.text == clean:
        tally.repaired += len(chosen)
        return
    matcher = difflib.SequenceMatcher(None, clean, result.text, autojunk=False)
    bad = [False] * len(chosen)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        owners = [
            k for k, s in enumerate(chosen) if i1 <= s.end + MARGIN and i2 >= s.start - MARGIN
        ]
        for k in owners:
            bad[k] = True
        if not owners:
            tally.outside += 1
            if verbose:
                print(
                    f"  {name} OUTSIDE: {clean[max(0, i1 - 40) : i2 + 40]!r}\n"
                    f"     -> {result.text[max(0, j1 - 40) : j2 + 40]!r}"
                )
    for k, (start, end) in enumerate(damaged_spans):
        if not bad[k]:
            tally.repaired += 1
            continue
        touched = any(f.start <= end and f.end >= start for f in result.fixes)
        if touched:
            tally.wrong += 1
        else:
            tally.missed += 1
        if verbose:
            kind = "WRONG" if touched else "MISSED"
            window = damaged[max(0, start - 40) : end + 40]
            print(f"  {name} {kind}: {window!r}")
            if touched:
                print(f"     -> {_around(result, start, end)!r}")


def _around(result, start: int, end: int) -> str:
    """The cleaned text near raw span (start, end)."""
    for i in range(len(result.text)):
        if result._starts[i] >= start - 40:
            return result.text[i : i + 80 + end - start]
    return ""


def articles(names: tuple[str, ...], limit: int | None) -> list[tuple[str, str]]:
    """(set name, article) pairs, in the sets' order."""
    found = []
    for name in names:
        path = EVAL / f"{name}.fr"
        if not path.exists():
            sys.exit(f"error: {path} is missing (the eval sets go in ../shared/eval)")
        lines = path.read_text(encoding="utf-8").splitlines()
        for i in range(0, len(lines) - LINES_PER_ARTICLE + 1, LINES_PER_ARTICLE):
            found.append((name, "\n\n".join(lines[i : i + LINES_PER_ARTICLE])))
    if limit:
        found = random.Random(0).sample(found, min(limit, len(found)))
    return found


def new_french_articles() -> list[dict]:
    """The 100 Wikinews articles of benchmarks/data/wikinews_fr (its SOURCE.md) in the halves
    v18n fixed before any result was seen: sorted by id, even places the development half,
    odd the check half (french_material.py splits the same articles its own way)."""
    ids = {doc.name.removeprefix("wikinews/"): doc for doc in wikinews()}
    return [
        {
            "source": "wikinews",
            "id": id_,
            "half": "dev" if place % 2 == 0 else "check",
            "paragraphs": [text for _, text in ids[id_].blocks],
        }
        for place, id_ in enumerate(sorted(ids, key=int))
    ]


def source_articles(source: str, half: str | None) -> list[tuple[str, str]]:
    """(source-half, article) pairs of a JSON-lines file of real articles (see the docstring),
    or of `new_french`."""
    if source == "new_french":
        articles = new_french_articles()
    else:
        path = Path(source)
        if not path.exists():
            sys.exit(f"error: no such source: {source} (a .jsonl file, or new_french)")
        articles = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    found = []
    for article in articles:
        if half and article["half"] != half:
            continue
        paragraphs = [" ".join(p.split()) for p in article["paragraphs"] if p.strip()]
        found.append((f"{article['source']}-{article['half']}", "\n\n".join(paragraphs)))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", choices=sorted(SETS), default="tune")
    parser.add_argument("--material", help="new material instead: wikinews,web,handbook,sequoia")
    parser.add_argument("--handbook", type=Path, help="the handbook's html/ folder")
    parser.add_argument("--material-half", choices=(*HALVES, "both"), default="both")
    parser.add_argument("--docs", type=int, default=0, help="articles to use (default: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="one glitch class")
    parser.add_argument("--verbose", action="store_true", help="show what was not repaired")
    parser.add_argument("--by-set", action="store_true", help="recall and precision by set too")
    parser.add_argument("--source", help="real articles instead of the sets (see above)")
    parser.add_argument("--half", choices=("dev", "check"), help="of --source (default both)")
    args = parser.parse_args()
    load_lexicon()
    started = time.perf_counter()
    if args.source:
        texts = source_articles(args.source, args.half)
        if args.docs:
            texts = random.Random(0).sample(texts, min(args.docs, len(texts)))
        set_names = tuple(sorted({name for name, _ in texts}))
    elif args.material:
        set_names = HALVES if args.material_half == "both" else (args.material_half,)
        docs = [d for d in documents(args.material, args.handbook) if d.half in set_names]
        texts = [(d.half, text) for d in docs for _, text in material_articles([d])]
        if args.docs:
            texts = random.Random(0).sample(texts, min(args.docs, len(texts)))
    else:
        texts = articles(SETS[args.sets], args.docs)
        set_names = SETS[args.sets]
    fixes_on_sets: Counter[str] = Counter()
    clean_articles = []
    for _, text in texts:
        result = clean_text(text)
        fixes_on_sets.update(f.rule for f in result.fixes)
        if args.verbose:
            for f in result.fixes:
                if f.rule not in {"french_spacing", "paragraph_breaks", "double_space"}:
                    print(f"  SET {f.rule}: {text[max(0, f.start - 40) : f.end + 40]!r}")
        clean_articles.append(result.text)
    rng = random.Random(args.seed)
    tallies = {c.__name__: Tally() for c in CLASSES}
    by_set = {(s, c.__name__): Tally() for s in set_names for c in CLASSES}
    for (set_name, _), clean in zip(texts, clean_articles, strict=True):
        for injector in CLASSES:
            name = injector.__name__
            # Every class draws its sites, so that --only scores the full run's cases.
            chosen = pick(injector(clean, rng), clean, rng)
            if args.only and name != args.only:
                continue
            if chosen:
                tally = by_set[set_name, name]
                before = Tally(**vars(tallies[name]))
                score(clean, chosen, tallies[name], args.verbose, f"{name} [{set_name}]")
                for key, value in vars(tallies[name]).items():
                    setattr(tally, key, getattr(tally, key) + value - getattr(before, key))
    what = "articles" if args.source or args.material else f"articles of {LINES_PER_ARTICLE} lines"
    print(f"sets: {', '.join(set_names)}: {len(texts)} {what}")
    print(f"fixes the cleaner makes on the sets as they are: {dict(fixes_on_sets.most_common())}")
    print()
    print(
        f"| {'class':<24} | {'cases':>5} | {'repaired':>8} | {'wrong':>5} | {'missed':>6} "
        f"| {'outside':>7} | {'recall':>6} | {'precision':>9} |"
    )
    widths = (26, 7, 10, 7, 8, 9, 8, 11)
    print("|" + "|".join("-" * w + (":" if i else "") for i, w in enumerate(widths)) + "|")
    total = Tally()
    for name, t in tallies.items():
        if not t.cases:
            continue
        for key in ("cases", "repaired", "wrong", "missed", "outside"):
            setattr(total, key, getattr(total, key) + getattr(t, key))
        print(
            f"| {name:<24} | {t.cases:>5} | {t.repaired:>8} | {t.wrong:>5} | {t.missed:>6} "
            f"| {t.outside:>7} | {t.recall():>6.1%} | {t.precision():>9.1%} |"
        )
    print(
        f"| {'all':<24} | {total.cases:>5} | {total.repaired:>8} | {total.wrong:>5} "
        f"| {total.missed:>6} | {total.outside:>7} | {total.recall():>6.1%} "
        f"| {total.precision():>9.1%} |"
    )
    if args.by_set:
        print()
        print(f"| {'class':<24} | " + " | ".join(f"{s:>24}" for s in set_names) + " |")
        print("|" + "-" * 26 + "|" + "|".join("-" * 25 + ":" for _ in set_names) + "|")
        for name, t in tallies.items():
            if not t.cases:
                continue
            cells = []
            for s in set_names:
                st = by_set[s, name]
                cells.append(f"{st.cases:>5} {st.recall():>7.1%} {st.precision():>7.1%}")
            print(f"| {name:<24} | " + " | ".join(f"{c:>24}" for c in cells) + " |")
        print("(each set: cases, recall, precision)")
    below = [
        n for n, t in tallies.items() if t.cases and (t.recall() < 0.95 or t.precision() < 0.99)
    ]
    print(f"\nbelow target (recall 95 %, precision 99 %): {', '.join(below) or 'none'}")
    print(f"changes outside the injected spans: {total.outside}")
    print(f"time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
