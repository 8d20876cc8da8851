"""Wording rules: requirement smells in acceptance criteria and edge cases (warnings).

Each smell is a table row: the patterns that trigger it, an optional suppressor that removes a
hit that is fine in context ("faster than 200 ms"), and which sections it reads. Smells are
probable, not certain (Femmer et al. measured ~59% precision), so they warn and name the words.
Where two smells claim the same words, the longer match wins, so one phrase draws one warning.
A word inside `inline code` or a URL, or a capitalised word inside a name ("Windows XP
Professional"), is not prose and draws nothing.

The word lists were tuned on real requirements (PROMISE NFR): words that mostly misfired were
dropped or narrowed; ``bench/requirements_quality.py`` reports each rule's firing rate and the
judged precision of a sample of its hits.
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

_NUMBER_WORDS = r"(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|once|twice)"
_NUMBER_AHEAD = re.compile(r"^\W*(?:\w+\W+){0,4}?(?:than|by|of|to)\W+\W*\d", re.IGNORECASE)
_BOUNDED_AFTER = re.compile(rf"^\s+(?:than\s+)?{_NUMBER_WORDS}", re.IGNORECASE)
# "iOS 15 or later", "800x600 and higher", "a 112k connection or faster".
_VALUE_THEN_OR = re.compile(r"\d[\w.%]*(?:\s+[A-Za-z]+){0,2}\s+(?:or|and)\s+$", re.IGNORECASE)
# "one or more", "2 or fewer": an exact bound.
_NUMBER_THEN_OR = re.compile(rf"{_NUMBER_WORDS}\w*\s+or\s+$", re.IGNORECASE)
# "the highest rating": picking one item by a measurable attribute, not an ideal.
_SELECTION = re.compile(
    r"(?:highest|lowest|largest|smallest|greatest|longest|shortest|oldest|newest|earliest|"
    r"latest|first|last)$",
    re.IGNORECASE,
)
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
_WORD_AFTER = re.compile(r"^\s+(?!possible\b|achievable\b|available\b)[A-Za-z]", re.IGNORECASE)
# "shall not exceed 2 seconds", "must not take longer than 5 minutes": a bound, stated
# negatively.
_NEGATED_BOUND = re.compile(
    r"^\s+(?:exceed|surpass|be\s+(?:more|longer|greater|later|larger|higher)\s+than|"
    r"take\s+(?:more|longer)\s+than|go\s+(?:above|over|beyond)|"
    r"[a-z]+\s+(?:more|longer|greater|later)\s+than\s+\d)",
    re.IGNORECASE,
)
_SUBORDINATOR = re.compile(
    r"\b(?:if|when|whenever|unless|while|where|once|because|whether|that|which|who|whom|"
    r"until|after|before|in case)\b",
    re.IGNORECASE,
)
_DEMANDS_THAT = re.compile(
    r"\b(?:ensure|ensures|verify|verifies|guarantee|guarantees|check|checks|confirm|confirms|"
    r"such|so)\s+$",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:()]|\bthen\b|\b(?:shall|must|should)\b", re.IGNORECASE)
_PERCENT_OF = re.compile(r"%\s+of\s+$")
_CODE_OR_URL = re.compile(r"`[^`]*`|\b(?:https?|ftp)://\S+|\bwww\.\S+")


def _compared_to_a_value(text: str, match: re.Match[str]) -> bool:
    """'faster than 200 ms', 'reduced by 40%', 'iOS 15 or later', 'one or more': a reference."""
    if _NUMBER_AHEAD.match(text[match.end() : match.end() + 60]):
        return True
    before = text[max(0, match.start() - 40) : match.start()]
    return bool(_VALUE_THEN_OR.search(before) or _NUMBER_THEN_OR.search(before))


def _bounded_by_a_number(text: str, match: re.Match[str]) -> bool:
    """'more than 3 attempts', 'at most 5': a quantity with a bound is not vague."""
    return bool(_BOUNDED_AFTER.match(text[match.end() :]))


def _selects_one(text: str, match: re.Match[str]) -> bool:
    """'the lowest price', 'the highest rating': a sort order a test can check, not an ideal."""
    return bool(
        _SELECTION.match(match.group(0))
        and _THE_BEFORE.search(text[max(0, match.start() - 6) : match.start()])
        and _WORD_AFTER.match(text[match.end() :])
    )


def _in_a_condition(text: str, start: int) -> bool:
    """Whether ``start`` lies in a subordinate clause: 'if the token is not valid, …',
    'cases that do not belong to …'. The main clause after the comma is not, and neither is
    what a requirement demands: 'shall ensure that the file is not …'."""
    before = text[:start]
    found = list(_SUBORDINATOR.finditer(before))
    if not found:
        return False
    last = found[-1]
    if last.group(0).lower() == "that" and _DEMANDS_THAT.search(before, 0, last.start()):
        return False
    return _CLAUSE_BREAK.search(before, last.end()) is None


def _negative_is_fine(text: str, match: re.Match[str]) -> bool:
    """A negation in a condition, or one that states a bound ('shall not exceed 2 s')."""
    if _in_a_condition(text, match.start()):
        return True
    return bool(_NEGATED_BOUND.match(text[match.end() :]))


def _totality_is_fine(text: str, match: re.Match[str]) -> bool:
    """'90% of all users': the share is already stated."""
    return bool(_PERCENT_OF.search(text[max(0, match.start() - 8) : match.start()]))


@dataclass(frozen=True, slots=True)
class Smell:
    """A wording rule: the phrases it looks for, where, and why they make a spec vague."""

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


# Adjective endings: "most efficient", "least reliable" are superlatives; "most users" is not.
_ADJECTIVE = r"[a-z]+(?:able|ible|ive|ful|ous|ant|ent|al|ic|ed|ing|ly|ar|ure|y|le|ect|ust)"

SMELLS: tuple[Smell, ...] = (
    _smell(
        "SO301",
        "subjective",
        "Subjective language: a matter of opinion, not a test.",
        "say what a tester would observe, e.g. 'completes checkout in 3 steps or fewer'",
        "is a matter of opinion",
        (
            r"user[- ]friendly",
            r"easy to (?:use|understand|learn|read|find|navigate|install|maintain)",
            r"easy",
            r"easily",
            r"intuitive(?:ly)?",
            r"self[- ]explanatory",
            r"simple",
            r"nice",
            r"good",
            r"beautiful",
            r"elegant(?:ly)?",
            r"cost[- ]effective(?:ly)?",
            r"efficient(?:ly)?",
            r"robust(?:ly)?",
            r"seamless(?:ly)?",
            r"modern",
            r"clean",
            r"convenient(?:ly)?",
            r"flexible",
            r"powerful",
            r"state[- ]of[- ]the[- ]art",
            r"smooth(?:ly)?",
            r"pleasant",
            r"attractive",
            r"acceptable",
            r"satisfactory",
            r"satisfied",
            r"high[- ]quality",
            r"professional(?:ly)?",
            r"appealing",
            r"friendly",
            r"clear(?:ly)? (?:visible|labell?ed|understandable|displayed)",
            r"obvious(?:ly)?",
            r"well[- ](?:designed|structured|formatted)",
            r"straightforward",
            r"fun",
        ),
    ),
    _smell(
        "SO302",
        "vague-qualifier",
        "An ambiguous adverb or adjective with no measure behind it.",
        "replace it with a number and a unit, e.g. 'within 2 seconds', 'at most 50 MB'",
        "has no measure",
        (
            r"almost(?: always)?",
            r"nearly",
            r"approximately",
            r"roughly",
            r"significant(?:ly)?",
            r"substantial(?:ly)?",
            r"minimal(?:ly)?",
            r"optimal(?:ly)?",
            r"adequate(?:ly)?",
            r"sufficient(?:ly)?",
            r"reasonabl[ey]",
            r"relatively",
            r"fairly",
            r"quite",
            r"somewhat",
            r"mostly",
            r"generally",
            r"usually",
            r"normally",
            r"typically",
            r"fast",
            r"slow",
            r"large",
            r"small",
            r"big",
            r"tiny",
            r"high(?:ly)?(?![- ]level)",
            r"low(?![- ]level)",
            r"short",
            r"(?<!as )long(?! as)",
            r"timely",
            r"responsive",
            r"performant",
            r"scalable",
            r"real[- ]time",
            r"instant(?:ly|aneous(?:ly)?)?",
            r"immediately",
            r"(?<!most )recent(?:ly)?",
            r"appropriate(?:ly)?",
            r"proper(?:ly)?",
            r"suitabl[ey]",
        ),
    ),
    _smell(
        "SO303",
        "loophole",
        "A loophole lets the implementation off the hook.",
        "decide now: either require it, or move it to Out of scope",
        "makes the requirement optional",
        (
            r"if possible",
            r"where possible",
            r"when possible",
            r"as (?:much|far|soon) as possible",
            r"as appropriate",
            r"where appropriate",
            r"if appropriate",
            r"as applicable",
            r"where applicable",
            r"if applicable",
            r"where practical",
            r"if practical",
            r"where feasible",
            r"if feasible",
            r"to the extent (?:possible|practical|feasible)",
            r"if necessary",
            r"where necessary",
            r"when necessary",
            r"as needed",
            r"as required(?! by)",
            r"unless otherwise (?:specified|noted|stated)",
            r"if needed",
            r"where needed",
            r"(?:shall|should) try to",
            r"(?:shall|should) attempt to",
            r"ideally",
            r"preferably",
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
            r"(?:including )?but not (?:be )?limited to",
            r"etc\.?",
            r"and so on",
            r"and so forth",
            r"and/or",
            r"or similar",
            r"or the like",
            r"among others",
            r"and more",
            r"and others",
            r"such as",
            r"provide support for",
            r"(?:shall|should|must) support",
            r"(?:shall|should) (?:handle|manage|deal with)",
            r"various",
        ),
        suppress=_bounded_by_a_number,  # "shall support 350 concurrent users" is bounded
    ),
    _smell(
        "SO305",
        "superlative",
        "A superlative states an ideal, not a testable target.",
        "state the target value instead, e.g. 'in under 200 ms at the 95th percentile'",
        "is a superlative",
        (
            r"best",
            r"worst",
            r"fastest",
            r"slowest",
            r"quickest",
            r"largest",
            r"smallest",
            r"highest",
            r"lowest",
            r"greatest",
            r"easiest",
            r"cheapest",
            r"simplest",
            r"safest",
            r"strongest",
            rf"most (?!recent)(?!likely\b){_ADJECTIVE}",
            rf"least (?!recent){_ADJECTIVE}",
            r"maximum (?:possible|performance|efficiency|speed)",
            r"optimum",
        ),
        suppress=_selects_one,
    ),
    _smell(
        "SO306",
        "comparative",
        "A comparison with no reference value.",
        "name the reference, e.g. 'faster than 500 ms' or 'at least 20% fewer than today's'",
        "compares with nothing stated",
        (
            r"better",
            r"worse",
            r"faster",
            r"slower",
            r"quicker",
            r"easier",
            r"harder",
            r"larger",
            r"smaller",
            r"bigger",
            r"higher",
            r"lower",
            r"greater",
            r"cheaper",
            r"safer",
            r"stronger",
            r"more (?!than\b)[a-z]+",
            r"less (?!than\b)[a-z]+",
            r"fewer (?!than\b)[a-z]+",
            r"improved",
            r"enhanced",
            r"increased",
            r"reduced",
            r"decreased",
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
            r"(?:shall|must|should|will|may|can|does|do) not",
            r"cannot",
            r"can't",
            r"won't",
            r"mustn't",
            r"shouldn't",
            r"doesn't",
            r"don't",
            r"never",
            r"(?:is|are|be) not (?:allowed|permitted)",
        ),
        scope=_AC_ONLY,
        suppress=_negative_is_fine,
    ),
    _smell(
        "SO309",
        "incomplete-reference",
        "A reference with no section, version or link to resolve it.",
        "cite exactly: the document path and section, or the standard and its version",
        "is an incomplete reference",
        (
            r"see (?:above|below)",
            (
                r"as (?:mentioned|described|stated|discussed|shown|defined|noted) "
                r"(?:above|below|earlier|previously|elsewhere)"
            ),
            (
                r"(?:see|refer to|as (?:described|defined|specified|shown|outlined) in|"
                r"according to|in accordance with|as per|per|compliant with|conforms? to) "
                r"(?:the )?(?:relevant |appropriate |applicable |corresponding |related |"
                r"above |following )?(?:section|chapter|document|documentation|spec|"
                r"specification|standard|guidelines?|policy|policies|appendix|table|figure|"
                r"diagram|design|requirements?)s?(?! ?[\d#§A-Z])"
            ),
            r"(?:latest|current|newest) version",
            r"WCAG(?! ?\d)",
            r"ISO(?:/IEC)? ?\d{3,5}(?![-:]\d)(?! ?\d)",
            r"PCI[- ]DSS(?! ?v?\d)",
            r"OWASP(?: ASVS| Top 10)?(?! ?v?\d)(?! 20\d\d)",
            r"SOC ?2(?! Type)",
            r"TLS(?! ?v?\d)",
            r"OAuth(?! ?\d)",
            r"RFC(?! ?\d)",
        ),
    ),
    _smell(
        "SO310",
        "totality",
        "A universal claim (all, always, every, never) that is rarely true and hard to test.",
        "bound it: which cases exactly, or an explicit list",
        "is a universal claim",
        (
            r"always",
            r"at all times",
            r"in (?:all|every|any) cases?",
            r"under (?:all|any) (?:circumstances|conditions)",
            (
                r"(?:all|every|any) (?:(?:new|other|possible|future|existing|kinds? of|"
                r"types? of) )?(?:cases?|situations?|circumstances?|conditions?|scenarios?|"
                r"platforms?|browsers?|devices?|operating systems?|environments?|errors?|"
                r"inputs?|languages?|locales?|technolog(?:y|ies)|audiences?|resolutions?|"
                r"screen sizes?|configurations?|combinations?|formats?|failures?|people)"
            ),
            r"(?:all|every|any) possible",
            r"everyone",
            r"everybody",
            r"everything",
            r"everywhere",
            r"anything",
            r"nothing",
            r"nobody",
            r"completely",
            r"entirely",
            r"totally",
        ),
        suppress=_totality_is_fine,
    ),
    _smell(
        "SO311",
        "unbounded-quantity",
        "A quantity with no bound, or a number with no unit.",
        "give the number and its unit, e.g. 'up to 500 rows', 'within 30 seconds'",
        "is unbounded",
        (
            r"many",
            r"several",
            r"a lot of",
            r"lots of",
            r"numerous",
            r"a (?:large|small|great) number of",
            r"a number of",
            r"majority of",
            r"(?<!at )most(?! recent)",
            r"a few",
            r"few",
            r"multiple",
            r"countless",
            r"plenty of",
            r"quickly",
            r"rapidly",
            r"promptly",
            r"soon",
            r"frequently",
            r"often",
            r"occasionally",
            r"periodically",
            r"regularly",
            r"sometimes",
            r"some",
            (
                r"(?:within|after|under|below|above|over|up to|at least|at most|no more than|"
                r"longer than|shorter than|timeout of|limit of|maximum of|minimum of) "
                r"\d+(?:[.,]\d+)?(?=\s*(?:[.,;:)]|$|(?:and|or|then|the|when|if|before|after)\b))"
            ),
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


def _compiled(alternatives: list[str]) -> re.Pattern[str]:
    # Longest alternatives first so 'as soon as possible' beats 'soon'.
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(ordered) + r")(?![\w-])", re.IGNORECASE)


# ---------------------------------------------------------------- fast matching
#
# Trying every alternative of every smell at every word costs more than the rest of the checker
# together. So each alternative is filed under the first letters of the word its matches start
# with, read off the pattern source ("as (?:much|far) as possible" -> "as"; "(?:the |a
# )?majority" -> "the", "a", "maj"), and an item's words are looked up in that index: only the
# alternatives filed under one of its words are tried, at that word. A pattern whose first word
# cannot be read off (it starts with a digit class, say) is searched for in the whole text, as
# before. The index only ever skips alternatives that cannot match, so the hits are the same.

_KEY_LENGTH = 3
_LETTERS = re.compile(r"[A-Za-z]+")
_WORD_ENDS = (" ", "\\ ", "[- ]", "[ -]", "\\-", "-", "/", "'", "\u2019")


def _structure(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) of each '(', ')' and '|' of a pattern that
    is not escaped or inside a character class."""
    depth = 0
    index = start
    in_class = False
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()|":
            depth += {"(": 1, ")": -1}.get(char, 0)
            yield index, char, depth
        index += 1


def _group_end(pattern: str, start: int) -> int | None:
    """Index just after the group that opens at ``pattern[start]``, or None if unbalanced."""
    for index, char, depth in _structure(pattern, start):
        if char == ")" and depth == 0:
            return index + 1
    return None


def _branches(inner: str) -> list[str]:
    """``inner`` split at its top-level '|'."""
    parts: list[str] = []
    last = 0
    for index, char, depth in _structure(inner):
        if char == "|" and depth == 0:
            parts.append(inner[last:index])
            last = index + 1
    parts.append(inner[last:])
    return parts


def first_word_keys(pattern: str) -> frozenset[str] | None:
    """Keys one of which begins every match of ``pattern``: the first three letters of the
    first word, or the whole word when it is shorter ("a", "as"). None when it cannot tell."""
    rest = pattern
    while rest.startswith(("(?<!", "(?<=", "(?!", "(?=")):  # assertions match no text
        end = _group_end(rest, 0)
        if end is None:
            return None
        rest = rest[end:]
    if rest.startswith("(?:"):
        end = _group_end(rest, 0)
        if end is None:
            return None
        after = rest[end:]
        optional = after[:1] in ("?", "*")
        if after[:1] in ("?", "*", "+"):
            after = after[1:]
        if after[:1] == "{":
            return None
        keys: set[str] = set()
        for branch in _branches(rest[3 : end - 1]):
            found = first_word_keys(branch + after)
            if found is None:
                return None
            keys |= found
        if optional:
            found = first_word_keys(after)
            if found is None:
                return None
            keys |= found
        return frozenset(keys)
    run = _LETTERS.match(rest)
    if run is None:
        return None
    word, after = run.group(0), rest[run.end() :]
    if after[:1] in ("?", "*", "{"):
        word, after = word[:-1], ""  # the last letter is optional; the word goes on
        if not word:
            return None
    if len(word) >= _KEY_LENGTH:
        return frozenset({word[:_KEY_LENGTH].lower()})
    if not after or after.startswith(_WORD_ENDS):
        return frozenset({word.lower()})
    return None


class _Filed:
    """What is filed under one key: a screen that matches where any of them may, and each
    smell's own pattern (the screen is that pattern when only one smell files there).

    Patterns compile on first use: a pre-commit run over one spec touches a few keys, and
    compiling all of them up front would cost more than checking the spec.
    """

    __slots__ = ("_screen", "_smells", "screen_alternatives", "smell_alternatives")

    def __init__(
        self,
        screen_alternatives: list[str],
        smell_alternatives: list[tuple[Smell, list[str]]],
    ) -> None:
        self.screen_alternatives = screen_alternatives
        self.smell_alternatives = smell_alternatives
        self._screen: re.Pattern[str] | None = None
        self._smells: tuple[tuple[Smell, re.Pattern[str]], ...] | None = None

    def screen(self) -> re.Pattern[str]:
        if self._screen is None:
            self._screen = _compiled(self.screen_alternatives)
        return self._screen

    def smells(self) -> tuple[tuple[Smell, re.Pattern[str]], ...]:
        if self._smells is None:
            if len(self.smell_alternatives) == 1:
                self._smells = ((self.smell_alternatives[0][0], self.screen()),)
            else:
                self._smells = tuple(
                    (smell, _compiled(chosen)) for smell, chosen in self.smell_alternatives
                )
        return self._smells


@dataclass(frozen=True, slots=True)
class _Matcher:
    """The enabled smells for one kind of section, indexed by first-word key."""

    by_key: dict[str, _Filed]
    scans: tuple[tuple[Smell, re.Pattern[str]], ...]
    keys: frozenset[str]


@lru_cache(maxsize=64)
def _matcher(
    kind: SectionKind, enabled: frozenset[str], extra: tuple[tuple[str, tuple[str, ...]], ...]
) -> _Matcher:
    extra_words = dict(extra)
    filed: dict[str, list[tuple[Smell, list[str]]]] = {}
    scans: list[tuple[Smell, re.Pattern[str]]] = []
    for smell in SMELLS:
        if kind not in smell.scope or smell.rule.name not in enabled:
            continue
        alternatives = [
            *smell.patterns,
            *(re.escape(word) for word in extra_words.get(smell.rule.name, ())),
        ]
        unfiled: list[str] = []
        own: dict[str, list[str]] = {}
        for alternative in alternatives:
            keys = first_word_keys(alternative)
            if keys is None:
                unfiled.append(alternative)
                continue
            for key in keys:
                own.setdefault(key, []).append(alternative)
        for key, chosen in own.items():
            filed.setdefault(key, []).append((smell, chosen))
        if unfiled:
            scans.append((smell, _compiled(unfiled)))
    by_key: dict[str, _Filed] = {}
    for key, entries in filed.items():
        screen = [alternative for _, chosen in entries for alternative in chosen]
        by_key[key] = _Filed(screen, entries)
    return _Matcher(by_key=by_key, scans=tuple(scans), keys=frozenset(by_key))


def _extra_key(context: CheckContext) -> tuple[tuple[str, tuple[str, ...]], ...]:
    extra = context.standards.checker.extra_words
    if not extra:
        return ()
    return tuple(sorted((name, tuple(words)) for name, words in extra.items()))


@lru_cache(maxsize=1024)
def _key_finder(key: str) -> re.Pattern[str]:
    """Where a word with this key starts in lower-cased text (a short key is a whole word)."""
    tail = "(?![a-z])" if len(key) < _KEY_LENGTH else ""
    return re.compile(rf"(?<![a-z]){re.escape(key)}{tail}")


def _word_starts(matcher: _Matcher, text: str) -> Iterator[tuple[_Filed, int]]:
    """Each word start whose key some smell is filed under, with that key's smells."""
    lowered = text.lower()
    present = matcher.keys.intersection([word[:_KEY_LENGTH] for word in _LETTERS.findall(lowered)])
    if not present:
        return
    if len(lowered) != len(text):
        # A few characters change length when lower-cased; keep offsets exact the slow way.
        for word in _LETTERS.finditer(text):
            filed = matcher.by_key.get(word.group(0)[:_KEY_LENGTH].lower())
            if filed is not None:
                yield filed, word.start()
        return
    # One C-level scan per key present (a handful) instead of a Python step per word.
    for key in present:
        filed = matcher.by_key[key]
        for occurrence in _key_finder(key).finditer(lowered):
            yield filed, occurrence.start()


def _matches(matcher: _Matcher, text: str) -> Iterator[tuple[Smell, re.Match[str]]]:
    for filed, position in _word_starts(matcher, text):
        if filed.screen().match(text, position) is None:
            continue
        for smell, pattern in filed.smells():
            found = pattern.match(text, position)
            if found is not None:
                yield smell, found
    for smell, pattern in matcher.scans:
        for found in pattern.finditer(text):
            yield smell, found


@dataclass(frozen=True, slots=True)
class WordingHit:
    """One smell in one text: the rule, the span of ``text`` it covers and why it is a smell."""

    rule: Rule
    start: int
    end: int
    words: str
    explain: str


def _not_prose(text: str) -> list[tuple[int, int]]:
    """Spans of inline code and URLs, which the rules do not read."""
    if "`" not in text and "://" not in text and "www." not in text:
        return []
    return [match.span() for match in _CODE_OR_URL.finditer(text)]


def _in_a_name(text: str, match: re.Match[str]) -> bool:
    """'Windows XP Professional', 'Best Buy': a capitalised word right after a capitalised one,
    mid-sentence, is part of a name."""
    if not match.group(0)[:1].isupper():
        return False
    before = text[: match.start()].rstrip()
    if not before or before[-1] in ".!?:;\"'(":
        return False
    previous = before.rsplit(None, 1)[-1]
    return previous[:1].isupper()


def wording_hits(
    text: str,
    context: CheckContext,
    kind: SectionKind = SectionKind.ACCEPTANCE_CRITERIA,
    enabled: frozenset[str] = WORDING_RULE_NAMES,
) -> list[WordingHit]:
    """The wording smells in one item's text, as if it stood in a section of ``kind``."""
    skipped = _not_prose(text)
    hits: list[WordingHit] = []
    for smell, match in _matches(_matcher(kind, enabled, _extra_key(context)), text):
        if smell.suppress is not None and smell.suppress(text, match):
            continue
        if smell.rule.name != "incomplete-reference" and _in_a_name(text, match):
            continue
        hits.append(
            WordingHit(smell.rule, match.start(), match.end(), match.group(0), smell.explain)
        )
    if VAGUE_PRONOUN.name in enabled:
        hits.extend(
            WordingHit(VAGUE_PRONOUN, pronoun.start, pronoun.end, pronoun.word, pronoun.reason)
            for pronoun in find_vague_pronouns(text)
        )
    if skipped:
        hits = [hit for hit in hits if not any(start <= hit.start < end for start, end in skipped)]
    return _longest_first(hits)


def _longest_first(hits: list[WordingHit]) -> list[WordingHit]:
    """Drop a hit whose words sit inside another rule's longer hit."""
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start), hit.rule.code))
    kept: list[WordingHit] = []
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
                yield hit.rule.finding(line, column, f'{label}: "{hit.words}" {hit.explain}')
