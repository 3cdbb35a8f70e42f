"""Named repairs of systematic errors in Apertium's English (French via a Romance pivot).

Each rule is a small function in the one registry `RULES`, run in its order; a
caller learns which rules changed a text. Every rule here was measured on
flores101-dev (chrF with and without it, `python benchmarks/quality.py --ideas`)
and kept only if it helped; BENCHMARKS.md lists the gains. The typography rules
(`TYPOGRAPHY_RULES`: French spacing, non-breaking spaces, spaced quotes, the engine's
doubled words) were measured each alone on flores101-dev and newstest2013
(`python benchmarks/typography_repairs.py`) and kept as neither chrF nor BLEU drops;
all but `non_breaking_spaces` edit the English chosen between the pivots
(`after_choice`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError

# A rule takes the English and the French it translates, and returns the English.
Fix = Callable[[str, str], str]


@dataclass(frozen=True)
class Rule:
    name: str
    fix: Fix
    why: str
    # A post-edit of the English chosen between the pivots, not of each pivot's English:
    # typography, which should not sway the English model's choice.
    after_choice: bool = False


RULES: list[Rule] = []


def rule(why: str, after_choice: bool = False):
    """Register a rule; one that ignores the French takes just the English."""

    def register(fix: Callable) -> Callable:
        takes_french = fix.__code__.co_argcount == 2
        chosen = fix if takes_french else lambda en, fr: fix(en)
        RULES.append(Rule(fix.__name__, chosen, why, after_choice))
        return fix

    return register


def _keep_case(word: str, model: str) -> str:
    """`word` with the first letter's case of `model`."""
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


# --- punctuation and numbers ----------------------------------------------------------


@rule("French non-breaking spaces (before : ; ? ! %, in '9 h 30') become plain spaces")
def non_breaking_spaces(text: str) -> str:
    # Before the choice, unlike the other typography rules: the number rules below
    # (clock_time: '9 h 30' → '9:30') then see plain spaces. At the ends they go: they
    # are what the French put there, not white space of the segment.
    return re.sub("[\u00a0\u202f]", " ", text.strip("\u00a0\u202f"))


@rule("French guillemets « » become English double quotes")
def quotes(text: str) -> str:
    text = re.sub(r"«\s*", '"', text)
    return re.sub(r"\s*»", '"', text)


@rule("French thousands are spaced (9 000); English ones take a comma (9,000)")
def thousands_separator(text: str) -> str:
    return re.sub(r"(?<![\d,.])(\d{1,3})[^\S\n](?=\d{3}(?!\d))", r"\1,", text)


@rule("French decimal comma (6,34) becomes a decimal point (6.34)")
def decimal_point(text: str) -> str:
    return re.sub(r"(?<![\d,])(\d+),(\d{1,2}|\d{4,})(?![\d,])", r"\1.\2", text)


@rule("French clock times (11 h 30) become 11:30")
def clock_time(text: str) -> str:
    return re.sub(r"\b(\d{1,2}) ?h ?(\d{2})\b", r"\1:\2", text)


@rule("French '54 %' is English '54%'", after_choice=True)
def percent_sign(text: str) -> str:
    return re.sub(r"(?<=\d)[ \t]+%", "%", text)


# A mark English sets tight against the word before it, followed by a space or the end.
_SPACED_MARK = r"(?<=[^\s{skip}])[ \t]+({marks})(?=\s|$|[\"”’')\]])"


@rule("French spacing before : ; ? ! goes (English sets them tight)", after_choice=True)
def space_before_marks(text: str) -> str:
    return re.sub(_SPACED_MARK.format(skip="", marks="[:;?!]"), r"\1", text)


@rule(
    "a space before a comma or full stop (where the engine dropped a word) goes", after_choice=True
)
def space_before_comma_or_stop(text: str) -> str:
    return re.sub(_SPACED_MARK.format(skip=".", marks=r",|\.(?!\.)"), r"\1", text)


@rule(
    'straight quotes spaced the French way (" Introduction ") close up on their words',
    after_choice=True,
)
def spaced_quotes(text: str) -> str:
    parts = text.split('"')
    if len(parts) < 3 or len(parts) % 2 == 0 or '""' in text:
        return text  # no pair, an odd quote (which one opens?), or quotes quoted ("")
    for i in range(1, len(parts), 2):
        inside = parts[i]
        opens = parts[i - 1][-1:] in " ([–—-"  # "" too: the text starts with the quote
        closes = parts[i + 1][:1] in " .,;:!?)]–—-"
        if inside.strip() and opens and closes:
            parts[i] = inside.strip()
    return '"'.join(parts)


# --- grammar ------------------------------------------------------------------------


@rule("a relative clause after a comma takes 'which', not 'that' or 'what'")
def which_after_comma(text: str) -> str:
    return re.sub(r", (?:that|what)\b(?! is,)", ", which", text)


@rule("French repeats 'de' in lists (of the A, of the B and of the C); English does not")
def repeated_of_in_lists(text: str) -> str:
    first = text.find(" of ")
    if first < 0:
        return text
    head, tail = text[: first + 4], text[first + 4 :]
    return head + re.sub(r"(,| and| or) of (?!which|whom|whose|them|it|course)", r"\1 ", tail)


# English past participle → simple past, where they differ (regular -ed forms are equal).
IRREGULAR_PAST = {
    "arisen": "arose",
    "awoken": "awoke",
    "beaten": "beat",
    "become": "became",
    "begun": "began",
    "bitten": "bit",
    "blown": "blew",
    "broken": "broke",
    "chosen": "chose",
    "come": "came",
    "done": "did",
    "drawn": "drew",
    "driven": "drove",
    "eaten": "ate",
    "fallen": "fell",
    "flown": "flew",
    "forbidden": "forbade",
    "forgotten": "forgot",
    "forgiven": "forgave",
    "frozen": "froze",
    "given": "gave",
    "gone": "went",
    "grown": "grew",
    "hidden": "hid",
    "known": "knew",
    "ridden": "rode",
    "risen": "rose",
    "run": "ran",
    "seen": "saw",
    "shaken": "shook",
    "shown": "showed",
    "spoken": "spoke",
    "stolen": "stole",
    "sworn": "swore",
    "swum": "swam",
    "taken": "took",
    "thrown": "threw",
    "torn": "tore",
    "woken": "woke",
    "worn": "wore",
    "won": "won",
    "written": "wrote",
}
# Participles whose past is the same word, besides the regular -ed ones.
SAME_PAST = frozenset(
    "bought brought built caught cut dealt fought found felt fled got had heard held hit "
    "hurt kept laid led left lent let lost made meant met paid put read said sent set shot "
    "shut sold spent split spread stood struck stuck taught thought told understood".split()
)
# "have" after "to" or a modal is a perfect infinitive (would have gone): it stays.
_AFTER_MODAL = "".join(
    f"(?<!{word} )" for word in "to would could should will may might must can shall not".split()
)
_HAVE_PARTICIPLE = re.compile(rf"{_AFTER_MODAL}\b([Hh]as|[Hh]ave)( not)? ([a-z]+)\b")


@rule("French passé composé (a annoncé → has announced) reads as simple past in English")
def simple_past(text: str) -> str:
    def repl(m: re.Match) -> str:
        have, negation, participle = m.group(1), m.group(2), m.group(3)
        if participle == "been":
            past = "was" if have.lower() == "has" else "were"
            return _keep_case(past + (" not" if negation else ""), have)
        if participle in IRREGULAR_PAST:
            past = IRREGULAR_PAST[participle]
        elif participle in SAME_PAST or participle.endswith("ed"):
            past = participle
        else:
            return m.group(0)  # not a participle (has to, have some)
        if negation:
            return m.group(0)  # "did not" would need the infinitive
        return _keep_case(past, have)

    return _HAVE_PARTICIPLE.sub(repl, text)


@rule("'a déclaré' comes out as 'has declared'; English news says 'said'")
def declared_said(text: str) -> str:
    # after a quotation ("…", declared the mayor) it is always "said"
    text = re.sub(r'(["”],? )(?:has )?declared\b', r"\1said", text)
    return re.sub(
        r"\b(?:has |have )?declared\b(?! (?:war|a|an|the|in|by|to|him|her))", "said", text
    )


@rule("'la plupart des' comes out as 'the majority of the'; English says 'most'")
def majority_most(text: str) -> str:
    return re.sub(
        r"\b([Tt])he majority of (?:the )?",
        lambda m: "Most " if m.group(1) == "T" else "most ",
        text,
    )


@rule("'seul' before a noun or number means 'only', not 'alone'")
def alone_only(text: str) -> str:
    text = re.sub(r"\b([Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts) alone\b", r"\1 only", text)
    return re.sub(r"\balone (\d)", r"only \1", text)


@rule("a sentence starting 'Des X' comes out as 'Of the X'")
def initial_of_the(text: str) -> str:
    return re.sub(r"^Of the (\w)", lambda m: m.group(1).upper(), text)


@rule("'Il s'agit de' comes out as 'It treats of'")
def it_treats_of(text: str) -> str:
    return re.sub(r"\b([Ii])t treats of\b", r"\1t is", text)


@rule("'également' comes out as 'equally'; it mostly means 'also'")
def equally_also(text: str) -> str:
    return re.sub(r"\bequally\b(?! (?:\w+ly|important|to|as)\b)", "also", text)


@rule("'nombreux' comes out as 'numerous'; English news says 'many'")
def numerous_many(text: str) -> str:
    return re.sub(r"\b([Nn])umerous\b", lambda m: "Many" if m.group(1) == "N" else "many", text)


@rule("'environ' comes out as 'roughly'; English news says 'about'")
def roughly_about(text: str) -> str:
    return re.sub(r"\b([Rr])oughly\b", lambda m: "About" if m.group(1) == "R" else "about", text)


@rule("'près de' comes out as 'near of'")
def near_of(text: str) -> str:
    return re.sub(r"\bnear of\b", "near", text)


@rule("'entre A et B' comes out as 'among A and B'")
def between(text: str) -> str:
    return re.sub(r"\bamong\b(?=[^,.;]* and\b)", "between", text)


@rule("French possessive 'leur(s)' means 'their'; the pivots make it 'his'")
def their_for_leur(text: str, fr: str) -> str:
    if not re.search(r"\b[Ll]eurs?\b(?= \w)", fr) or re.search(r"\b([Ss]on|[Ss]a|[Ss]es)\b", fr):
        return text
    return re.sub(r"\b([Hh])is\b", lambda m: "Their" if m.group(1) == "H" else "their", text)


@rule("'afin de' comes out as 'with the end to'")
def in_order_to(text: str) -> str:
    return re.sub(r"\bwith the end (?:to|of)\b", "in order to", text)


@rule("a relative clause about people takes 'who'")
def who_for_people(text: str) -> str:
    return re.sub(
        r"\b(people|persons|men|women|children|those|someone|anyone|everyone|person) that\b",
        r"\1 who",
        text,
    )


@rule("'les États-Unis' come out as 'United States' without 'the'")
def the_united_states(text: str) -> str:
    return re.sub(r"(?<![Tt]he )(?<!^)\bUnited States\b", "the United States", text)


@rule("'après avoir été' comes out as 'after having been'")
def after_being(text: str) -> str:
    return re.sub(r"\b([Aa])fter having been\b", r"\1fter being", text)


@rule("'langue' comes out as 'tongue' through Spanish 'lengua'")
def tongue_language(text: str) -> str:
    return re.sub(
        r"\b([Tt])ongue(s?)\b",
        lambda m: ("L" if m.group(1) == "T" else "l") + "anguage" + m.group(2),
        text,
    )


@rule("'devrait' comes out as 'would have to'")
def should(text: str) -> str:
    return re.sub(r"\bwould have to\b", "should", text)


@rule("'doit' comes out as 'has to'")
def must(text: str) -> str:
    return re.sub(r"\b(?:has|have) to\b", "must", text)


@rule("'près de 40' comes out as 'near 40'")
def nearly(text: str) -> str:
    return re.sub(r"\bnear (?=\d)", "nearly ", text)


@rule("'selon les chercheurs' comes out as 'According to the researchers'")
def according_to(text: str) -> str:
    return re.sub(r"\b([Aa])ccording to the (?=\w+s\b)", r"\1ccording to ", text)


@rule("'les personnes qui' comes out as 'the people who'")
def people_who(text: str) -> str:
    return re.sub(
        r"\b([Tt])he people (?:who|that)\b",
        lambda m: ("P" if m.group(1) == "T" else "p") + "eople who",
        text,
    )


@rule("'beaucoup de' comes out as 'a lot of'; before a plural, English news says 'many'")
def many(text: str) -> str:
    return re.sub(
        r"\b([Aa]) lot of (?=\w+s\b)", lambda m: "Many " if m.group(1) == "A" else "many ", text
    )


@rule("'comprendre' (include) comes out as 'comprise'")
def include(text: str) -> str:
    return re.sub(r"\bcompris(e|es|ed|ing)\b", lambda m: "includ" + m.group(1), text)


@rule("'alors que' comes out as 'whereas'")
def whereas_while(text: str) -> str:
    return re.sub(
        r"\b([Ww])hereas\b",
        lambda m: m.group(1).replace("W", "Wh").replace("w", "wh") + "ile",
        text,
    )


@rule("'Comme' opening a sentence comes out as 'Like'")
def initial_as(text: str) -> str:
    return re.sub(r"^Like\b", "As", text)


@rule("'mondial', 'en ligne' come out as 'world-wide', 'on-line'")
def modern_spelling(text: str) -> str:
    return re.sub(
        r"\b([Ww])orld-wide\b", r"\1orldwide", re.sub(r"\b([Oo])n-line\b", r"\1nline", text)
    )


@rule("'actuellement' comes out as 'at present'")
def currently(text: str) -> str:
    return re.sub(
        r"\b([Aa])t present\b(?! (?:day|time|moment))",
        lambda m: "Currently" if m.group(1) == "A" else "currently",
        text,
    )


def _superlative(adjective: str) -> str:
    """highest for high, biggest for big, most acute for acute: the word list decides."""
    from pipeline.translate.english_lm import load_model

    known = load_model().unigrams
    a = adjective.lower()
    for form in (a + "est", a + "st", a[:-1] + "iest", a + a[-1:] + "est"):
        if form in known and len(a) <= 7 and (form != a + "st" or a.endswith("e")):
            if form != a[:-1] + "iest" or a.endswith("y"):
                return form
    return "most " + adjective


@rule("'le plus haut' comes out as 'the high plus'; English says 'the highest'")
def superlative(text: str) -> str:
    return re.sub(
        r"\b([Tt]he|[Hh]is|[Ii]ts|[Tt]heir) (\w+) plus\b(?! \d)",
        lambda m: f"{m.group(1)} {_superlative(m.group(2))}",
        text,
    )


# English doubles a word on purpose in a few phrases ("had had", "that that", "is is" in
# "what it is is", "tell you you should"); other doubles are slips or the engine's.
ENGLISH_DOUBLES = frozenset(
    "had that is do very bye no yes ha so really far many much more again round over you "
    "her bla blah knock tut chop night pretty".split()
)
# A word and its repeats ("in in", "even even even"); not a name's start ("the file
# file.old").
DOUBLED_WORD = re.compile(
    r"(?<![\w'’-])([^\W\d_]+(?:['’][^\W\d_]+)?)(?:\s+\1)+(?![\w'’-]|\.\w)", re.IGNORECASE
)


def doubled_words(text: str) -> list[re.Match]:
    """The doubled words of an English text that English does not double on purpose."""
    return [m for m in DOUBLED_WORD.finditer(text) if m.group(1).lower() not in ENGLISH_DOUBLES]


@rule(
    "a word the engine doubles ('gone in in', 'of of') is said once, if the French doubles none",
    after_choice=True,
)
def doubled_word(text: str, fr: str) -> str:
    if DOUBLED_WORD.search(fr):
        return text  # "très très", "Bora Bora": the double may be meant
    for m in reversed(doubled_words(text)):
        text = text[: m.start()] + m.group(1) + text[m.end() :]
    return text


# The typography rules (issue 18), each measured alone by benchmarks/typography_repairs.py.
TYPOGRAPHY_RULES = (
    "non_breaking_spaces",
    "percent_sign",
    "space_before_marks",
    "space_before_comma_or_stop",
    "spaced_quotes",
    "doubled_word",
)


def select(names: Iterable[str] | None) -> list[Rule]:
    """The rules with these names in registry order (every rule for None)."""
    if names is None:
        return list(RULES)
    wanted = set(names)
    unknown = wanted - {r.name for r in RULES}
    if unknown:
        raise PipelineError(f"unknown repair rule(s): {', '.join(sorted(unknown))}")
    return [r for r in RULES if r.name in wanted]


def fingerprint(names: Iterable[str] | None = None) -> str:
    """Which rules, in which code: part of the engine's version, so that the translation
    memory does not serve English made by other repairs (a new rule, a changed one)."""
    import hashlib

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(" ".join(r.name for r in select(names)).encode())
    return digest.hexdigest()[:12]


def apply(text: str, fr: str = "", rules: Iterable[Rule] | None = None) -> tuple[str, list[str]]:
    """The repaired English `text` (a translation of `fr`) and the rules that changed it."""
    fired = []
    for r in RULES if rules is None else rules:
        fixed = r.fix(text, fr)
        if fixed != text:
            fired.append(r.name)
            text = fixed
    return text, fired
