"""Which pronouns in a requirement have no clear antecedent.

Flagging every pronoun is right about half the time (ReqEval: P 0.54). A pronoun is clear when
only one earlier noun phrase in the sentence could be its antecedent; it is vague when there are
none (it points outside the sentence) or several that agree with it in number. Noun phrases are
found without a tagger: a determiner or a capitalised word starts one and its last content word
is the head. This is a heuristic, measured in ``bench/requirements_quality.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+(?:\.\d+)?|[^\sA-Za-z\d]")

SINGULAR_PRONOUNS = frozenset({"it", "its", "itself"})
PLURAL_PRONOUNS = frozenset({"they", "them", "their", "theirs", "themselves"})
DEMONSTRATIVES = frozenset({"this", "that", "these", "those"})

_DETERMINERS = frozenset(
    {"the", "a", "an", "each", "every", "any", "some", "all", "no", "its", "their", "his", "her",
     "our", "your", "my", "this", "that", "these", "those", "another", "other", "such"}
)
_FUNCTION_WORDS = frozenset(
    {"shall", "should", "must", "will", "would", "can", "could", "may", "might", "is", "are", "was",
     "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "not", "and", "or",
     "but", "if", "then", "when", "while", "where", "which", "who", "whom", "whose", "that", "to",
     "of", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "as", "than", "so",
     "such", "via", "per", "after", "before", "during", "until", "within", "without", "about",
     "over", "under", "between", "through", "upon", "also", "only", "both", "either", "neither",
     "it", "they", "them", "its", "their", "this", "these", "those", "there", "here", "once"}
)
# Words after a demonstrative that show it is a determiner ("this page"), not a pronoun.
_VERBISH_AFTER_DEMONSTRATIVE = frozenset(
    {"is", "are", "was", "were", "shall", "should", "must", "will", "would", "can", "could", "may",
     "might", "means", "requires", "includes", "happens", "has", "have", "does", "do", "applies"}
)


@dataclass(frozen=True, slots=True)
class PronounHit:
    start: int
    end: int
    word: str
    reason: str


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(match.group(0), match.start(), match.end()) for match in _TOKEN.finditer(text)]


def _is_plural(word: str) -> bool:
    lower = word.lower()
    return lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3


def _noun_heads(tokens: list[tuple[str, int, int]], before: int) -> list[str]:
    """Heads of noun phrases that start before token index ``before``."""
    heads: list[str] = []
    index = 0
    while index < before:
        word = tokens[index][0]
        lower = word.lower()
        starts_phrase = lower in _DETERMINERS or (word[:1].isupper() and index > 0)
        if starts_phrase and lower not in ("it", "they", "them"):
            last: str | None = None if lower in _DETERMINERS else word
            index += 1
            while index < before:
                candidate = tokens[index][0]
                if not candidate[:1].isalpha() or candidate.lower() in _FUNCTION_WORDS:
                    break
                last = candidate
                index += 1
            if last is not None:
                heads.append(last)
            continue
        index += 1
    return heads


def find_vague_pronouns(text: str) -> list[PronounHit]:
    """Pronouns in ``text`` whose antecedent a reader cannot pin down."""
    tokens = _tokens(text)
    hits: list[PronounHit] = []
    for index, (word, start, end) in enumerate(tokens):
        lower = word.lower()
        if lower in DEMONSTRATIVES:
            following = tokens[index + 1][0].lower() if index + 1 < len(tokens) else "."
            if lower == "that" and index > 0:
                continue  # relative pronoun or conjunction: "a link that expires"
            if following[:1].isalpha() and following not in _VERBISH_AFTER_DEMONSTRATIVE:
                continue  # a determiner: "this page"
            hits.append(PronounHit(start, end, word, "a demonstrative with nothing it points to"))
            continue
        if lower not in SINGULAR_PRONOUNS and lower not in PLURAL_PRONOUNS:
            continue
        plural = lower in PLURAL_PRONOUNS
        heads = [head for head in _noun_heads(tokens, index) if _is_plural(head) == plural]
        if not heads:
            hits.append(PronounHit(start, end, word, "no earlier noun it can refer to"))
        elif len({head.lower() for head in heads}) > 1:
            options = ", ".join(dict.fromkeys(head.lower() for head in heads[-3:]))
            hits.append(PronounHit(start, end, word, f"could refer to {options}"))
    return hits
