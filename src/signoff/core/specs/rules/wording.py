"""Wording rules: requirement smells in acceptance criteria and edge cases (warnings).

Each smell is a table row: the patterns that trigger it, an optional suppressor that removes a
hit that is fine in context ("faster than 200 ms"), and which sections it reads. Smells are
probable, not certain (Femmer et al. measured ~59% precision), so they warn and name the words.
Where two smells claim the same words, the longer match wins, so one phrase draws one warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from signoff.core.specs.model import SectionKind, SpecDocument
from signoff.core.specs.rules.pronouns import find_vague_pronouns
from signoff.core.specs.rules.registry import (
    CheckContext,
    Finding,
    Rule,
    RuleGroup,
    Severity,
    declare,
)

_AC_EC = frozenset({SectionKind.ACCEPTANCE_CRITERIA, SectionKind.EDGE_CASES})
_AC_ONLY = frozenset({SectionKind.ACCEPTANCE_CRITERIA})

Suppressor = Callable[[str, "re.Match[str]"], bool]

_NUMBER_AHEAD = re.compile(r"^\W*(?:\w+\W+){0,4}?(?:than|by|of|to)\W+\W*\d", re.IGNORECASE)
_BOUNDED_AFTER = re.compile(r"^\s+(?:than\s+)?(?:\d|one|two|three|four|five|ten|once|twice)", re.IGNORECASE)


def _compared_to_a_value(text: str, match: re.Match[str]) -> bool:
    """'faster than 200 ms', 'reduced by 40%': the comparison has its reference value."""
    return bool(_NUMBER_AHEAD.match(text[match.end() : match.end() + 60]))


def _bounded_by_a_number(text: str, match: re.Match[str]) -> bool:
    """'more than 3 attempts', 'at most 5': a quantity with a bound is not vague."""
    return bool(_BOUNDED_AFTER.match(text[match.end() :]))


@dataclass(frozen=True, slots=True)
class Smell:
    rule: Rule
    patterns: tuple[str, ...]
    scope: frozenset[SectionKind]
    explain: str
    suppress: Suppressor | None = None
    case_sensitive: bool = False


def _smell(  # noqa: PLR0917 - a table row reads best positionally
    code: str,
    name: str,
    summary: str,
    hint: str,
    explain: str,
    patterns: tuple[str, ...],
    scope: frozenset[SectionKind] = _AC_EC,
    suppress: Suppressor | None = None,
) -> Smell:
    rule = declare(code, name, Severity.WARNING, RuleGroup.WORDING, summary, hint)
    return Smell(rule, patterns, scope, explain, suppress)


SMELLS: tuple[Smell, ...] = (
    _smell(
        "SO301",
        "subjective",
        "Subjective language: a matter of opinion, not a test.",
        "say what a tester would observe, e.g. 'completes checkout in 3 steps or fewer'",
        "is a matter of opinion",
        (
            r"user[- ]friendly", r"easy to (?:use|understand|learn|read|find)", r"easy", r"easily",
            r"intuitive(?:ly)?", r"simple", r"nice", r"good", r"beautiful", r"elegant(?:ly)?",
            r"cost[- ]effective(?:ly)?", r"efficient(?:ly)?", r"robust(?:ly)?", r"seamless(?:ly)?",
            r"modern", r"clean", r"convenient(?:ly)?", r"flexible", r"powerful", r"state[- ]of[- ]the[- ]art",
            r"smooth(?:ly)?", r"pleasant", r"attractive", r"acceptable", r"satisfactory",
            r"high[- ]quality", r"professional(?:ly)?", r"appealing", r"friendly", r"clear(?:ly)? (?:visible|labell?ed|understandable|displayed)",
            r"obvious(?:ly)?", r"well[- ](?:designed|structured|formatted)", r"straightforward",
        ),
    ),
    _smell(
        "SO302",
        "vague-qualifier",
        "An ambiguous adverb or adjective with no measure behind it.",
        "replace it with a number and a unit, e.g. 'within 2 seconds', 'at most 50 MB'",
        "has no measure",
        (
            r"almost(?: always)?", r"nearly", r"approximately", r"roughly", r"significant(?:ly)?",
            r"substantial(?:ly)?", r"minimal(?:ly)?", r"optimal(?:ly)?", r"adequate(?:ly)?",
            r"sufficient(?:ly)?", r"reasonabl[ey]", r"relatively", r"fairly", r"quite", r"somewhat",
            r"mostly", r"generally", r"usually", r"normally", r"typically", r"fast", r"slow",
            r"large", r"small", r"big", r"tiny", r"high(?:ly)?", r"low", r"short", r"long",
            r"timely", r"responsive", r"performant", r"scalable", r"real[- ]time", r"instant(?:ly|aneous(?:ly)?)?",
            r"immediately", r"recent(?:ly)?", r"appropriate(?:ly)?", r"proper(?:ly)?", r"suitabl[ey]",
        ),
    ),
    _smell(
        "SO303",
        "loophole",
        "A loophole lets the implementation off the hook.",
        "decide now: either require it, or move it to Out of scope",
        "makes the requirement optional",
        (
            r"if possible", r"where possible", r"when possible", r"as (?:much|far|soon) as possible",
            r"as appropriate", r"where appropriate", r"if appropriate", r"as applicable",
            r"where applicable", r"if applicable", r"where practical", r"if practical",
            r"where feasible", r"if feasible", r"to the extent (?:possible|practical|feasible)",
            r"if necessary", r"where necessary", r"when necessary", r"as needed", r"as required",
            r"unless otherwise (?:specified|noted|stated)", r"if needed", r"where needed",
            r"(?:shall|should) try to", r"(?:shall|should) attempt to", r"ideally", r"preferably",
            r"optionally",
        ),
    ),
    _smell(
        "SO304",
        "open-ended",
        "An open-ended list or capability that no test can close.",
        "list every case explicitly; move the rest to Out of scope",
        "leaves the list open",
        (
            r"but not limited to", r"etc\.?", r"and so on", r"and so forth", r"and/or",
            r"or similar", r"or the like", r"among others", r"and more", r"and others",
            r"provide support for", r"(?:shall|should|must) support", r"be able to",
            r"be capable of", r"(?:shall|should) (?:handle|manage|deal with)", r"various",
        ),
    ),
    _smell(
        "SO305",
        "superlative",
        "A superlative states an ideal, not a testable target.",
        "state the target value instead, e.g. 'in under 200 ms at the 95th percentile'",
        "is a superlative",
        (
            r"best", r"worst", r"fastest", r"slowest", r"quickest", r"largest", r"smallest",
            r"highest", r"lowest", r"greatest", r"easiest", r"cheapest", r"simplest", r"safest",
            r"strongest", r"most (?!recent|recently\b|of\b|\d)[a-z]+", r"least (?!recent|\d|one\b)[a-z]+",
            r"maximum (?:possible|performance|efficiency|speed)", r"optimum",
        ),
    ),
    _smell(
        "SO306",
        "comparative",
        "A comparison with no reference value.",
        "name the reference, e.g. 'faster than 500 ms' or 'at least 20% fewer than today's'",
        "compares with nothing stated",
        (
            r"better", r"worse", r"faster", r"slower", r"quicker", r"easier", r"harder", r"larger",
            r"smaller", r"bigger", r"higher", r"lower", r"greater", r"cheaper", r"safer", r"stronger",
            r"more (?!than\b)[a-z]+", r"less (?!than\b)[a-z]+", r"fewer (?!than\b)[a-z]+",
            r"improved", r"enhanced", r"increased", r"reduced", r"decreased",
        ),
        suppress=_compared_to_a_value,
    ),
    _smell(
        "SO307",
        "negative",
        "A negative requirement: it says what not to do, which tests cannot cover exhaustively.",
        "state the positive behaviour, or move the case to Edge cases as 'If …, then …'",
        "states a negative",
        (
            r"shall not", r"must not", r"should not", r"will not", r"cannot", r"can't", r"won't",
            r"never", r"not", r"no longer",
        ),
        scope=_AC_ONLY,
    ),
    _smell(
        "SO309",
        "incomplete-reference",
        "A reference with no section, version or link to resolve it.",
        "cite exactly: the document path and section, or the standard and its version",
        "is an incomplete reference",
        (
            r"see (?:above|below)", r"as (?:mentioned|described|stated|discussed|shown|defined|noted) "
            r"(?:above|below|earlier|previously|elsewhere)",
            r"(?:see|refer to|as (?:described|defined|specified|shown|outlined) in|according to|"
            r"in accordance with|as per|per|compliant with|conforms? to) (?:the )?(?:relevant |"
            r"appropriate |applicable |corresponding |related |above |following )?"
            r"(?:section|chapter|document|documentation|spec|specification|standard|guidelines?|"
            r"policy|policies|appendix|table|figure|diagram|design|requirements?)s?(?! ?[\d#§A-Z])",
            r"WCAG(?! ?\d)", r"ISO(?:/IEC)? ?\d{3,5}(?![-:]\d)(?! ?\d)", r"PCI[- ]DSS(?! ?v?\d)",
            r"OWASP(?: ASVS| Top 10)?(?! ?v?\d)(?! 20\d\d)", r"SOC ?2(?! Type)", r"TLS(?! ?v?\d)",
            r"OAuth(?! ?\d)",
        ),
    ),
    _smell(
        "SO310",
        "totality",
        "A universal claim (all, always, every, never) that is rarely true and hard to test.",
        "bound it: which cases exactly, or an explicit list",
        "is a universal claim",
        (
            r"all", r"always", r"every", r"everyone", r"everybody", r"everything", r"everywhere",
            r"none", r"nothing", r"nobody", r"any ?one", r"anything", r"completely", r"entirely",
            r"fully", r"totally",
        ),
    ),
    _smell(
        "SO311",
        "unbounded-quantity",
        "A quantity with no bound, or a number with no unit.",
        "give the number and its unit, e.g. 'up to 500 rows', 'within 30 seconds'",
        "is unbounded",
        (
            r"many", r"several", r"a lot of", r"lots of", r"numerous", r"a (?:large|small|great) "
            r"number of", r"a number of", r"a few", r"few", r"multiple", r"countless", r"plenty of",
            r"quickly", r"rapidly", r"promptly", r"soon", r"frequently", r"often", r"occasionally",
            r"periodically", r"regularly", r"sometimes", r"some",
            r"(?:within|after|under|below|above|over|up to|at least|at most|no more than|"
            r"longer than|shorter than|timeout of|limit of|maximum of|minimum of) \d+(?:[.,]\d+)?"
            r"(?=\s*(?:[.,;:)]|$|(?:and|or|then|the|when|if|before|after)\b))",
        ),
        suppress=_bounded_by_a_number,
    ),
)

VAGUE_PRONOUN = declare(
    "SO308",
    "vague-pronoun",
    Severity.WARNING,
    RuleGroup.WORDING,
    "A pronoun (it, they, this …) whose antecedent is unclear.",
    "repeat the noun it stands for",
)

WORDING_RULE_NAMES: frozenset[str] = frozenset(
    [smell.rule.name for smell in SMELLS] + [VAGUE_PRONOUN.name]
)


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...], extra: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = [*patterns, *(re.escape(word) for word in extra)]
    # Longest alternatives first so 'as soon as possible' beats 'soon'.
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class WordingHit:
    """One smell in one text: the rule, the span of ``text`` it covers and why it is a smell."""

    rule: Rule
    start: int
    end: int
    words: str
    explain: str


_Hit = WordingHit


def wording_hits(
    text: str,
    context: CheckContext,
    kind: SectionKind = SectionKind.ACCEPTANCE_CRITERIA,
    enabled: frozenset[str] = WORDING_RULE_NAMES,
) -> list[WordingHit]:
    """The wording smells in one item's text, as if it stood in a section of ``kind``."""
    extra_words = context.standards.checker.extra_words
    hits: list[_Hit] = []
    for smell in SMELLS:
        if kind not in smell.scope or smell.rule.name not in enabled:
            continue
        pattern = _compiled(smell.patterns, tuple(extra_words.get(smell.rule.name, ())))
        for match in pattern.finditer(text):
            if smell.suppress is not None and smell.suppress(text, match):
                continue
            hits.append(_Hit(smell.rule, match.start(), match.end(), match.group(0), smell.explain))
    if VAGUE_PRONOUN.name in enabled:
        for pronoun in find_vague_pronouns(text):
            hits.append(
                _Hit(VAGUE_PRONOUN, pronoun.start, pronoun.end, pronoun.word, pronoun.reason)
            )
    return _longest_first(hits)


def _longest_first(hits: list[_Hit]) -> list[_Hit]:
    """Drop a hit whose words sit inside another rule's longer hit."""
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start)))
    kept: list[_Hit] = []
    for hit in hits:
        if any(other.start <= hit.start and hit.end <= other.end for other in kept):
            continue
        kept.append(hit)
    return kept


def check_wording(
    spec: SpecDocument, context: CheckContext, enabled: frozenset[str]
) -> Iterator[Finding]:
    """Every wording finding for the spec's acceptance criteria and edge cases."""
    for kind in (SectionKind.ACCEPTANCE_CRITERIA, SectionKind.EDGE_CASES):
        for item in spec.items(kind):
            label = item.ident or kind.title.lower()
            for hit in wording_hits(item.text, context, kind, enabled):
                line, column = item.position(hit.start)
                yield hit.rule.finding(line, column, f"{label}: \"{hit.words}\" {hit.explain}")
