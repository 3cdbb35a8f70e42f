"""How new_french.jsonl was made (run once, by hand; nothing downloads at run time).

    git clone https://github.com/adrien-bougouin/WikinewsKeyphraseCorpus /tmp/wk
    python benchmarks/data/new_french/make.py /tmp/wk

One JSON line an article: {"source", "id", "half", "paragraphs"}. The halves were fixed here,
before any result was looked at: Wikinews articles sorted by id, even positions "dev", odd
"check". (The first version also took the UD French-GSD dev and test sentences; they were
dropped, being a treebank's test splits, and GSD's train split is not in the snapshot.)
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path


def wikinews(root: Path) -> list[dict]:
    found = []
    paths = sorted((root / "documents").glob("*.html"), key=lambda p: int(p.stem))
    for i, path in enumerate(paths):
        body = path.read_text(encoding="utf-8").split("<body>", 1)[1]
        paragraphs = []
        for m in re.finditer(r"<(h1|h2|p|li)>(.*?)</\1>", body, re.S):
            text = re.sub(r"<[^>]+>", "", m.group(2))
            text = " ".join(html.unescape(text).split())
            if text:
                paragraphs.append(text)
        half = "dev" if i % 2 == 0 else "check"
        article = {"source": "wikinews", "id": path.stem, "half": half, "paragraphs": paragraphs}
        found.append(article)
    return found


def main() -> None:
    articles = wikinews(Path(sys.argv[1]))
    out = Path(__file__).with_name("new_french.jsonl")
    with out.open("w", encoding="utf-8") as f:
        for article in articles:
            f.write(json.dumps(article, ensure_ascii=False) + "\n")
    print(f"{len(articles)} articles -> {out}")


if __name__ == "__main__":
    main()
