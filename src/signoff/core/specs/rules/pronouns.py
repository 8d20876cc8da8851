"""Which pronouns in a requirement have no clear antecedent.

Flagging every pronoun is right about half the time (ReqEval: P 0.54). This module resolves a
pronoun the way a careful reader does, with no tagger or model, only word lists and positions:

1. Tag each word by closed word class (determiner, preposition, modal, ...) and guess the open
   ones from their neighbours (after a modal: a verb; "-s" before an object: a verb; a plural
   before a bare verb with its own object: a noun, ...).
2. Chunk noun phrases: a run of nouns and adjectives, led by determiners or not; the last word
   is the head. Coordinated phrases ("consumers and producers") form one group; the nouns of
   fixed phrases ("in order to", "in this case"), measures ("5 minutes"), partitives ("a
   number of tasks") and predicate nouns ("X is a Y") refer to nothing of their own.
3. Collect the candidates before the pronoun that it could refer to: the same number ("it" is
   singular, "they" plural or one person), the right animacy ("it" is never the driver, "he"
   always a person), not the phrase that holds the pronoun ("the end of its route"), not the
   noun a relative clause is about ("the report that it supplies"), not the subject of the
   pronoun's own verb ("the user requests it"); the pronoun's own sentence first.
4. The pronoun is clear when exactly one candidate is left, vague when none is (it points
   outside the text) or several are. An empty "it" ("it shall be possible to ...") is fine at
   the start of a sentence, vague after a clause that offers a singular noun it could mean.
   "We" and "our" always are: the reader cannot tell who "we" is. A demonstrative that stands
   alone ("This must ...") is vague unless a sentence before it is what it sums up.

The figures are measured in ``bench/requirements_quality.py`` (ReqEval and PROMISE NFR).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Words (with "-", "/", "'" inside and an optional "(s)"), numbers, then any other character.
_TOKEN = re.compile(
    r"[A-Za-z][A-Za-z0-9_'\u2019\-/]*(?:\(s\))?|\d+(?:[.,:]\d+)*[A-Za-z%]*|[^\sA-Za-z\d]"
)

SINGULAR_PRONOUNS = frozenset({"it", "its", "itself"})
PLURAL_PRONOUNS = frozenset({"they", "them", "their", "theirs", "themselves"})
PERSONAL_PRONOUNS = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself"})
FIRST_PERSON_PLURAL = frozenset({"we", "us", "our", "ours", "ourselves"})
DEMONSTRATIVES = frozenset({"this", "that", "these", "those"})
_OBJECT_PRONOUNS = frozenset({"it", "them", "him", "her"})
_SUBJECT_PRONOUNS = frozenset({"it", "they", "he", "she"})
_POSSESSIVES = frozenset({"its", "their", "his", "her"})

# ---------------------------------------------------------------- closed word classes

_DETERMINERS = frozenset(
    {
        "the", "a", "an", "each", "every", "any", "some", "all", "no", "its", "their", "his",
        "her", "our", "your", "my", "this", "that", "these", "those", "another", "other",
        "such", "both", "either", "neither", "several", "many", "few", "much", "more", "most",
        "less", "least", "one", "two", "three", "four", "five", "ten", "certain", "various",
        "multiple", "same", "own", "first", "second", "third", "last", "next", "previous",
        "additional", "further",
    }
)  # fmt: skip
_PREPOSITIONS = frozenset(
    {
        "of", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "to", "via", "per",
        "after", "before", "during", "until", "within", "without", "about", "over", "under",
        "between", "through", "throughout", "upon", "against", "among", "across", "along",
        "around", "behind", "below", "above", "beyond", "despite", "except", "inside", "outside",
        "towards", "toward", "like", "unlike", "including", "regarding", "concerning", "off",
        "out", "up", "down", "near", "since", "as", "than", "whilst", "till", "onboard",
        "according", "due", "prior", "owing",
    }
)  # fmt: skip
_CONJUNCTIONS = frozenset({"and", "or", "nor", "but", "plus", "&"})
_SUBORDINATORS = frozenset(
    {
        "if", "when", "whenever", "while", "whilst", "where", "wherever", "once", "because",
        "although", "though", "unless", "whether", "so", "that", "which", "who", "whom",
        "whose", "what", "how", "why", "then", "otherwise", "however", "therefore", "thus",
        "hence", "e.g.", "eg", "i.e.", "ie", "etc",
    }
)  # fmt: skip
_CONDITIONS = frozenset(
    {"if", "when", "whenever", "while", "whilst", "once", "unless", "until", "because", "where"}
)
_MODALS = frozenset(
    {"shall", "should", "must", "will", "would", "can", "could", "may", "might", "cannot"}
)
_BE = frozenset({"is", "are", "was", "were", "be", "been", "being", "am", "isn't", "aren't"})
_HAVE = frozenset({"has", "have", "had", "having"})
_DO = frozenset({"do", "does", "did", "doesn't", "don't"})
_ADVERBS = frozenset(
    {
        "not", "never", "also", "only", "always", "still", "already", "again", "just", "even",
        "then", "now", "often", "soon", "later", "here", "there", "too", "very", "well", "else",
        "instead", "together", "ever", "yet", "once", "unrestricted", "automatically", "n't",
    }
)  # fmt: skip
_OTHER_PRONOUNS = frozenset(
    {
        "i", "me", "you", "one", "ones", "someone", "anyone", "everyone", "anything",
        "something", "everything", "nothing", "none", "each", "all", "both", "it's", "there",
    }
)  # fmt: skip

# Verbs in the third person that requirements use and that are rarely plural nouns; they end
# the subject and start a verb phrase ("the train complies with its ...").
_THIRD_PERSON_VERBS = frozenset(
    {
        "allows", "applies", "becomes", "belongs", "communicates", "complies", "conforms",
        "consists", "contains", "corresponds", "creates", "depends", "determines", "differs",
        "enables", "ensures", "executes", "exists", "generates", "gives", "goes", "happens",
        "identifies", "includes", "incorporates", "indicates", "interacts", "keeps", "leaves",
        "maintains", "makes", "needs", "notifies", "occurs", "operates", "performs", "proceeds",
        "produces", "provides", "receives", "refers", "relates", "remains", "represents",
        "requires", "responds", "selects", "sends", "specifies", "stores", "supplies", "takes",
        "transmits", "verifies", "validates", "wants", "wishes", "comes", "appears", "arrives",
        "participates", "compares", "retrieves", "deletes", "displays", "informs", "serves",
        "allocates", "assigns", "checks", "records", "uses", "prevents", "triggers",
    }
)  # fmt: skip

# Nouns of fixed phrases ("in order to", "in case", "in terms of") refer to nothing.
_LIGHT_NOUNS = frozenset(
    {
        "terms", "manner", "way", "addition", "respect", "regard", "regards", "accordance",
        "example", "lieu", "behalf", "means", "time", "times", "fact", "basis", "extent",
        "least", "most", "purpose", "purposes", "spite", "favour", "favor", "possibility",
        "ability", "lot", "deal", "moment", "prior", "second", "seconds", "minute", "minutes",
        "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years",
        "ms", "percent", "future", "past", "beginning",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "june", "july", "august", "september",
        "october", "november", "december", "today", "tomorrow", "yesterday",
    }
)  # fmt: skip
# Real nouns that refer to nothing inside a fixed phrase: "in order to" (but "the order"), "in
# this case" (but "the test case"), "at the end of", "in front of", "in total".
_PHRASE_NOUNS = frozenset(
    {
        "order", "case", "cases", "view", "use", "part", "place", "front", "end", "start",
        "top", "bottom", "side", "event", "instance", "default", "total", "rest", "need",
        "maximum", "minimum", "result", "term", "present",
    }
)  # fmt: skip
_PHRASE_PREPOSITIONS = frozenset({"in", "at", "on", "by", "as", "for"})
_PHRASE_DETERMINERS = frozenset({"this", "that", "any", "each", "either", "such", "which", "a"})
# "a number of tasks": the phrase is about the tasks.
_PARTITIVES = frozenset(
    {
        "number", "numbers", "set", "sets", "range", "variety", "kind", "kinds", "type", "types",
        "sort", "sorts", "lot", "lots", "majority", "minority", "portion", "group", "series",
        "list", "collection", "piece", "amount", "plenty", "couple", "each", "one", "any",
        "some", "all", "none", "most", "many", "few", "both",
    }
)  # fmt: skip
# Nouns that are singular and plural at once.
_EITHER_NUMBER = frozenset(
    {"data", "metadata", "series", "species", "staff", "personnel", "media", "crew", "team"}
)
_IRREGULAR_PLURALS = frozenset(
    {
        "people", "men", "women", "children", "criteria", "phenomena", "indices", "matrices",
        "vertices", "analyses", "feet", "teeth", "mice", "statistics", "contents", "goods",
        "premises", "headquarters", "police",
    }
)  # fmt: skip
_SINGULAR_S = frozenset(
    {"its", "this", "his", "has", "was", "is", "does", "yes", "gas", "alias", "canvas", "news",
     "always", "series", "species", "perhaps", "whereas", "thus", "plus", "minus", "bonus"}
)  # fmt: skip
# People: "it" never refers to one, "he"/"she" only to one, "they" to one or many.
_PERSONS = frozenset(
    {
        "user", "driver", "operator", "person", "people", "customer", "administrator", "admin",
        "manager", "member", "leader", "staff", "personnel", "employee", "student", "teacher",
        "doctor", "nurse", "patient", "player", "subscriber", "caller", "signaller", "signalman",
        "dispatcher", "engineer", "technician", "developer", "owner", "author", "reviewer",
        "approver", "contributor", "consumer", "visitor", "guest", "buyer", "seller", "realtor",
        "representative", "officer", "clerk", "librarian", "researcher", "tester", "reader",
        "viewer", "individual", "human", "someone", "anyone", "everyone", "man", "woman",
        "child", "men", "women", "children", "pilot", "passenger", "agent", "instructor",
        "supervisor", "analyst", "auditor", "lawyer", "physician", "programmer", "worker",
        "volunteer", "applicant", "cardmember", "adjuster", "inspector", "coordinator",
        "attendee", "participant", "recipient", "sender", "requester", "requestor", "shunter",
        "merchant", "cardholder", "estimator", "homeowner", "tenant", "learner", "trainee",
        "conductor", "signaler", "guard",
    }
)  # fmt: skip
_PLEONASTIC_ADJECTIVES = frozenset(
    {
        "possible", "impossible", "necessary", "important", "acceptable", "required",
        "recommended", "desirable", "essential", "mandatory", "likely", "unlikely", "expected",
        "assumed", "clear", "true", "advisable", "permitted", "allowed", "feasible", "sufficient",
        "useful", "intended", "noted", "known", "understood", "crucial", "critical", "vital",
        "preferable", "forbidden", "prohibited", "sensible", "reasonable", "easy", "difficult",
        "hard", "safe", "unsafe", "appropriate", "ensured", "verified", "agreed", "planned",
        "envisaged", "anticipated", "the",
    }
)  # fmt: skip
# Words after a demonstrative that show it stands alone ("this is ..."), not "this page".
_VERBISH_AFTER_DEMONSTRATIVE = frozenset(
    {
        "is", "are", "was", "were", "shall", "should", "must", "will", "would", "can", "could",
        "may", "might", "means", "requires", "includes", "happens", "has", "have", "does", "do",
        "applies", "also", "only",
    }
)  # fmt: skip
_CLOSED = (
    _DETERMINERS
    | _PREPOSITIONS
    | _CONJUNCTIONS
    | _SUBORDINATORS
    | _MODALS
    | _BE
    | _HAVE
    | _DO
    | _ADVERBS
    | _OTHER_PRONOUNS
    | SINGULAR_PRONOUNS
    | PLURAL_PRONOUNS
    | PERSONAL_PRONOUNS
    | FIRST_PERSON_PLURAL
    | DEMONSTRATIVES
)
_IRREGULAR_PARTICIPLES = frozenset(
    {
        "given", "shown", "known", "made", "sent", "held", "done", "seen", "chosen", "built",
        "kept", "found", "taken", "written", "driven", "set", "put", "run", "left", "brought",
        "bought", "caught", "taught", "thought", "sold", "told", "paid", "laid", "read", "met",
        "lost", "won", "begun", "broken", "spoken", "stolen", "frozen", "hidden", "ridden",
    }
)  # fmt: skip
_PARTICLES = frozenset({"up", "down", "out", "off", "back", "away"})
_ADJECTIVE_SUFFIXES = ("ible", "able", "ful", "ous", "less", "ical", "ual")
_NOUN_SUFFIXES = (
    "tion", "sion", "ment", "ness", "ity", "ance", "ence", "age", "ure", "ship", "ism",
    "ency", "ancy", "ware", "ics",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PronounHit:
    """A pronoun whose referent is unclear, where it stands, and why."""

    start: int
    end: int
    word: str
    reason: str


@dataclass(slots=True)
class _Token:
    """A word of the sentence, with its rough part of speech."""

    text: str
    lower: str
    start: int
    end: int
    tag: str = "?"  # D determiner, P preposition, C conjunction, S subordinator, M modal,
    # B be, H have, O do, R adverb, X pronoun, V verb, N noun or adjective, # number, . other


@dataclass(slots=True)
class _Phrase:
    """A noun phrase a pronoun could refer to."""

    first: int  # index of the first token (determiner included)
    head: int  # index of the head token
    head_word: str
    plural: bool | None  # None: either number
    person: bool
    group: int  # phrases coordinated with "and" share a group number
    referent: bool  # False for "in order", "a number (of tasks)", "audible (and visual)"


def _tokens(text: str) -> list[_Token]:
    return [
        _Token(match.group(0), match.group(0).lower(), match.start(), match.end())
        for match in _TOKEN.finditer(text)
    ]


_TWO_CAPITALS = re.compile(r"[A-Z][^A-Z]*[A-Z]")


def _is_acronym(word: str) -> bool:
    return _TWO_CAPITALS.search(word) is not None


@lru_cache(maxsize=4096)
def _number(word: str) -> bool | None:
    """True for a plural noun, False for a singular one, None when it can be both."""
    lower = word.lower()
    if lower.endswith("(s)") or lower in _EITHER_NUMBER:
        return None  # "set(s)" is one set or several
    if _is_acronym(word):
        return word.endswith("s") and word[-2:-1].isupper()
    if lower in _IRREGULAR_PLURALS:
        return True
    if lower in _SINGULAR_S or len(lower) <= 3:
        return False
    return lower.endswith("s") and not lower.endswith(("ss", "us", "is", "ous", "'s", "\u2019s"))


@lru_cache(maxsize=4096)
def _is_person(word: str) -> bool:
    lower = word.lower().removesuffix("(s)")
    if lower in _PERSONS:
        return True
    return lower.endswith("s") and lower[:-1] in _PERSONS


@lru_cache(maxsize=4096)
def _looks_nominal(word: str) -> bool:
    """After 'to': a noun ("to storage", "to users") rather than a verb ("to store")."""
    if word[:1].isupper() or _is_person(word):
        return True
    lower = word.lower()
    if lower.endswith(_NOUN_SUFFIXES) or lower.endswith("ing"):
        return True
    return _number(word) is True and lower not in _THIRD_PERSON_VERBS


@lru_cache(maxsize=4096)
def _is_participle(lower: str) -> bool:
    if lower in _IRREGULAR_PARTICIPLES:
        return True
    return len(lower) > 4 and lower.endswith(("ed", "ing")) and not lower.endswith("eed")


def _base_verb_with_complement(tokens: list[_Token], index: int) -> bool:
    """'(customers) log into ...': a bare word that is not a noun, followed by its own
    preposition or object, is the verb, so the plural before it is its subject."""
    word = tokens[index]
    if _number(word.text) is not False or word.lower in _EITHER_NUMBER or _looks_nominal(word.text):
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following is not None and following.tag in ("P", "D", "X")


def _closed_tag(lower: str) -> str:
    """The word class of a closed-class word (first match wins)."""
    if lower in _MODALS:
        return "M"
    if lower in _BE:
        return "B"
    if lower in _HAVE:
        return "H"
    if lower in _DO:
        return "O"
    if lower in _PREPOSITIONS:
        return "P"
    if lower in _CONJUNCTIONS:
        return "C"
    if lower in _DETERMINERS and lower not in ("that", "one", "all", "each", "both"):
        return "D"
    if lower in _SUBORDINATORS:
        return "S"
    if lower in ("each", "all", "both", "one"):
        return "D"
    if lower in _ADVERBS:
        return "R"
    return "X"


_CLOSED_TAGS: dict[str, str] = {word: _closed_tag(word) for word in _CLOSED}


def _opens_with_subordinator(tokens: list[_Token], index: int) -> bool:
    """Whether the clause up to ``index`` starts with 'when', 'if', ... and has no verb yet."""
    position = index - 1
    while position >= 0:
        tag = tokens[position].tag
        if tag == "S":
            return tokens[position].lower in _CONDITIONS
        if tag in ("V", "M", "B", "H", "O", ".", "C"):
            return False
        position -= 1
    return False


def _tag(tokens: list[_Token]) -> None:
    """Give each token a coarse word class, guessing the open classes from context."""
    for token in tokens:
        lower = token.lower
        closed = _CLOSED_TAGS.get(lower)
        if closed is not None:
            token.tag = closed
        elif not lower[:1].isalpha():
            token.tag = "#" if lower[:1].isdigit() else "."
        elif lower.endswith("ly") and len(lower) > 4 and not lower.endswith("ply"):
            token.tag = "R"
        else:
            token.tag = "N"
    # Open words: verbs by position.
    for index, token in enumerate(tokens):
        if token.tag != "N" or (token.text[:1].isupper() and index > 0):
            continue
        previous = _previous_non_adverb(tokens, index)
        before = tokens[previous] if previous is not None else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        lower = token.lower
        if before is not None and before.tag in ("M", "O"):
            token.tag = "V"  # "shall process", "does not cause"
        elif before is not None and before.tag == "B":
            token.tag = "V"  # "is stored", "be able", "are running": a predicate, not a phrase
        elif before is not None and before.tag == "H" and lower.endswith(("ed", "en")):
            token.tag = "V"  # "has arrived"
        elif before is not None and before.lower == "to" and not _looks_nominal(token.text):
            token.tag = "V"  # "to migrate", "to base"
        elif (
            before is not None
            and before.lower in _SUBJECT_PRONOUNS | {"we", "you", "i"}
            and lower.endswith(("s", "ed"))
        ):
            token.tag = "V"  # "it receives"
        elif (
            previous is not None
            and previous >= 1
            and before is not None
            and before.lower in ("which", "who", "that")
            and tokens[previous - 1].tag == "N"
        ):
            token.tag = "V"  # a relative clause: "users that exist", "a request that identifies"
        elif (
            before is not None
            and before.tag == "C"
            and after is not None
            and after.tag == "D"
            and not _looks_nominal(token.text)
        ):
            token.tag = "V"  # a second verb: "see the order and print its receipt"
        elif (
            after is not None
            and after.lower in _OBJECT_PRONOUNS | {"itself", "themselves"}
            and (index + 2 >= len(tokens) or tokens[index + 2].tag not in ("M", "B", "H", "O"))
        ):
            token.tag = "V"  # only a verb takes an object pronoun: "and use it"
        elif lower in _THIRD_PERSON_VERBS and index > 0:
            token.tag = "V"
        elif (
            _number(token.text) is True
            and before is not None
            and before.tag == "N"
            and (after is None or after.tag in (".", "P", "R"))
            and _opens_with_subordinator(tokens, index)
        ):
            token.tag = "V"  # "when the upload finishes, ...": the verb of the condition
        elif (
            _number(token.text) is True
            and after is not None
            and after.tag == "N"
            and _base_verb_with_complement(tokens, index + 1)
        ):
            after.tag = "V"  # "(make) the users want to ...": the plural is the subject
        elif (
            _number(token.text) is True
            and lower not in _IRREGULAR_PLURALS
            and after is not None
            and (before is None or before.tag not in ("V", "D", "P", "M", "B", "H", "O", "#"))
        ):
            # A plural noun ends its phrase, so "-s" + an object is a verb ("the function
            # receives reports"), unless nothing could be its subject ("give tasks priority").
            following = tokens[index + 2].lower if index + 2 < len(tokens) else ""
            if (
                (after.tag in ("D", "X") and after.lower not in ("other", "such", "there"))
                or (
                    after.tag == "N"
                    and not after.text[:1].isupper()
                    and not _is_participle(after.lower)
                )
                or (after.lower in _PARTICLES and following not in ("to", "of"))
            ):
                token.tag = "V"
        elif lower.endswith("ing") and after is not None and after.tag == "D":
            token.tag = "V"  # a gerund with an object: "by calling the number"
        elif (
            _is_participle(lower)
            and before is not None
            and before.tag == "N"
            and (after is None or after.tag in ("P", "D", ".", "S", "X", "C", "R", "#", "B", "M"))
        ):
            token.tag = "V"  # a participle after a noun: "data constituting the ..."


def _previous_non_adverb(tokens: list[_Token], index: int) -> int | None:
    position = index - 1
    while position >= 0 and tokens[position].tag == "R":
        position -= 1
    return position if position >= 0 else None


def _phrases(tokens: list[_Token]) -> list[_Phrase]:
    """Noun phrases: optional determiners and numbers, then a run of nouns and adjectives."""
    phrases: list[_Phrase] = []
    group = 0
    index = 0
    count = len(tokens)
    while index < count:
        first = index
        while index < count and (
            tokens[index].tag in ("D", "#") or (index > first and tokens[index].tag == "R")
        ):
            index += 1  # "the only user", "the 2 day period"
        run_start = index
        while index < count and tokens[index].tag == "N":
            index += 1
            if (
                index < count
                and tokens[index].tag == "N"
                and _number(tokens[index - 1].text) is True
                and tokens[index - 1].text.islower()
            ):
                break  # a plural ends a phrase: "give tasks | priority values"
        if index == run_start:
            index = max(index, first + 1)
            continue
        head = index - 1
        while head > run_start and tokens[head].lower in _LIGHT_NOUNS | {"etc"}:
            head -= 1
        word = tokens[head].text
        after = tokens[index].lower if index < count else ""
        referent = not (
            (first > 0 and tokens[first - 1].tag == "B")  # "X is a Y": Y describes X
            or tokens[head].lower in _LIGHT_NOUNS
            or _in_a_fixed_phrase(tokens, first, head)
            or (tokens[head].lower in _PARTITIVES and after == "of")
            or (tokens[head].lower.endswith(_ADJECTIVE_SUFFIXES) and after in ("and", "or", ","))
        )
        # "and" joining two phrases makes one group ("consumers and producers").
        joined = (
            bool(phrases)
            and first >= 2
            and tokens[first - 1].lower in ("and", "or")
            and phrases[-1].head == first - 2
        )
        if not joined:
            group += 1
        number = _number(word)
        if (
            first >= 2
            and tokens[first - 1].lower == "of"
            and tokens[first - 2].lower
            in (
                "each",
                "one",
                "either",
                "neither",
                "any",
                "none",
            )
        ):
            number = None  # "each of the cabs ... its"
        phrases.append(_Phrase(first, head, word, number, _is_person(word), group, referent))
    return phrases


def _in_a_fixed_phrase(tokens: list[_Token], first: int, head: int) -> bool:
    """'in order to', 'in case', 'in this case,', 'at the end of', 'on top of'."""
    if tokens[head].lower not in _PHRASE_NOUNS or first == 0:
        return False
    before = tokens[first - 1].lower
    after = tokens[head + 1].lower if head + 1 < len(tokens) else "."
    if before not in _PHRASE_PREPOSITIONS:
        return False
    if after in ("to", "of", "that", "with", "for"):
        return True  # "in order to", "at the end of", "in case of"
    if first == head:
        return True  # a bare noun: "in case", "in total", "in part"
    return tokens[first].lower in _PHRASE_DETERMINERS and not after[:1].isalpha()


def _pleonastic(tokens: list[_Token], index: int) -> bool:
    """'it shall be possible to', 'it is important that', 'make it possible to'."""
    position = index + 1
    limit = min(len(tokens), index + 6)
    seen_be = False
    while position < limit:
        token = tokens[position]
        if token.tag in ("M", "R") or token.lower == "not":
            position += 1
            continue
        if token.tag == "B":
            seen_be = True
            position += 1
            continue
        if token.lower in ("take", "takes"):
            return True  # "it shall take no more than 5 days to configure"
        if token.lower in _PLEONASTIC_ADJECTIVES:
            if token.lower == "the":  # "it is the responsibility of"
                return seen_be
            following = tokens[position + 1].lower if position + 1 < len(tokens) else ""
            return following in ("to", "that", "for", "whether", "if", "when", "this")
        return False
    return False


def _excluded_heads(tokens: list[_Token], phrases: list[_Phrase], index: int) -> set[int]:
    """Phrases that cannot be the antecedent of the pronoun at ``index`` for reasons of syntax."""
    excluded: set[int] = set()
    by_head = {phrase.head: phrase for phrase in phrases}
    lower = tokens[index].lower
    # The phrase that contains a possessive: "the end of its route", "units of measurements of
    # their data" (a chain of "of").
    position = index - 1
    while lower in _POSSESSIVES | {"it", "them", "itself"} and position >= 1:
        if tokens[position].lower != "of":
            break
        owner = _phrase_ending_at(phrases, position - 1)
        if owner is None or owner.person:
            break  # "notify each player of his status": "of" belongs to the verb
        excluded.add(owner.head)
        position = owner.first - 1
    # A subject pronoun in a relative clause cannot be the noun the clause is about: "the
    # report that it supplies", "the number with which it is associated", "the time it occurs"
    # (bare: only after a determiner and before a verb, not "on board it shall").
    if lower in _SUBJECT_PRONOUNS and index >= 1:
        position = index - 1
        relative = tokens[position].lower in ("that", "which", "whom")
        if relative:
            position -= 1
            if position >= 0 and tokens[position].tag == "P":
                position -= 1
        next_tag = tokens[index + 1].tag if index + 1 < len(tokens) else "."
        phrase = by_head.get(position)
        if phrase is not None and (
            relative or (tokens[phrase.first].tag == "D" and next_tag not in ("M", ".", "C", "P"))
        ):
            excluded.add(position)
    # An object pronoun cannot be the subject of its own verb: "the user requests it" (but the
    # noun before the verb may sit in a prepositional phrase: "stored in the repository will
    # enter it").
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    is_subject = following is not None and (
        following.tag in ("M", "B", "H", "O") or following.lower in _THIRD_PERSON_VERBS
    )  # "if the account is revoked it can only ...": "it" starts a clause
    if lower in _OBJECT_PRONOUNS and not is_subject and index >= 1 and tokens[index - 1].tag == "V":
        position = index - 2
        while position >= 0 and tokens[position].tag in ("M", "R", "B", "H", "O"):
            position -= 1
        phrase = by_head.get(position)
        if phrase is not None and (phrase.first == 0 or tokens[phrase.first - 1].tag != "P"):
            excluded.add(position)
    return excluded


def _phrase_ending_at(phrases: list[_Phrase], position: int) -> _Phrase | None:
    for phrase in reversed(phrases):
        if phrase.head <= position:
            last = phrase.head
            return phrase if last == position or _only_light_after(phrase, position) else None
    return None


def _only_light_after(phrase: _Phrase, position: int) -> bool:
    return phrase.head < position and position - phrase.head <= 2


def _agrees(phrase: _Phrase, pronoun: str) -> bool:
    if pronoun in SINGULAR_PRONOUNS:
        return phrase.plural is not True and not phrase.person
    if pronoun in PLURAL_PRONOUNS:
        return phrase.plural is not False or phrase.person
    if pronoun in PERSONAL_PRONOUNS:
        return phrase.person and phrase.plural is not True
    return False


# Whether a text has a word this module could flag; the lookarounds are the tokenizer's word
# characters, so this never skips a text with such a token (it runs on the lowered text).
_ANY_PRONOUN = re.compile(
    r"(?<![a-z0-9_'\u2019/\-])(?:"
    + "|".join(
        sorted(
            SINGULAR_PRONOUNS
            | PLURAL_PRONOUNS
            | PERSONAL_PRONOUNS
            | FIRST_PERSON_PLURAL
            | (DEMONSTRATIVES - {"that"}),
            key=len,
            reverse=True,
        )
    )
    + r")(?![a-z0-9_'\u2019/\-])|^\W*that(?![a-z0-9_'\u2019/\-])"
)


def find_vague_pronouns(text: str) -> list[PronounHit]:
    """Pronouns in ``text`` whose antecedent a reader cannot pin down."""
    if _ANY_PRONOUN.search(text.lower()) is None:
        return []
    tokens = _tokens(text)
    if not tokens:
        return []
    _tag(tokens)
    phrases = _phrases(tokens)
    hits: list[PronounHit] = []
    verdicts: dict[str, PronounHit | None] = {}  # the first verdict per pronoun family
    for index, token in enumerate(tokens):
        lower = token.lower
        if lower in DEMONSTRATIVES:
            hit = _demonstrative(tokens, index)
            if hit is not None:
                hits.append(hit)
            continue
        if lower in FIRST_PERSON_PLURAL:
            hits.append(PronounHit(token.start, token.end, token.text, "does not say who 'we' are"))
            continue
        family = (
            "it"
            if lower in SINGULAR_PRONOUNS
            else "they"
            if lower in PLURAL_PRONOUNS
            else "he"
            if lower in PERSONAL_PRONOUNS
            else None
        )
        if family is None:
            continue
        if family in verdicts:
            # A later "it" in the sentence refers to what the first one did ("identify it and
            # all its sensors"): it is exactly as clear.
            earlier = verdicts[family]
            if earlier is not None:
                hits.append(PronounHit(token.start, token.end, token.text, earlier.reason))
            continue
        if lower == "it" and _pleonastic(tokens, index):
            hit = _resolve_pleonastic(tokens, phrases, index)
        else:
            hit = _resolve(tokens, phrases, index)
            verdicts[family] = hit
        if hit is not None:
            hits.append(hit)
    return hits


def _candidates(
    tokens: list[_Token], phrases: list[_Phrase], index: int, since: int = 0
) -> list[str]:
    """Heads of the phrases in ``since:index`` that the pronoun at ``index`` could refer to."""
    lower = tokens[index].lower
    excluded = _excluded_heads(tokens, phrases, index)
    candidates = [
        phrase
        for phrase in phrases
        if since <= phrase.head < index
        and phrase.referent
        and phrase.head not in excluded
        and _agrees(phrase, lower)
    ]
    # A reader looks in the pronoun's own sentence first, and further back only if it offers
    # nothing.
    start = _sentence_start(tokens, index)
    if start > since and any(phrase.head >= start for phrase in candidates):
        candidates = [phrase for phrase in candidates if phrase.head >= start]
    if lower in PLURAL_PRONOUNS:
        # Coordinated phrases are read together: "consumers and producers ... their".
        grouped: dict[int, _Phrase] = {}
        for phrase in candidates:
            grouped[phrase.group] = phrase
        candidates = list(grouped.values())
    # One noun in the singular and the plural ("every user ... users ... their") is one
    # referent.
    return list(dict.fromkeys(_lemma(phrase.head_word) for phrase in candidates))


def _sentence_start(tokens: list[_Token], index: int) -> int:
    """Index of the first token of the sentence that holds ``tokens[index]``: after a '!', '?'
    or ';', or a '.' that ends a word of two letters or more and comes before a capital."""
    position = index
    while position > 0:
        previous = tokens[position - 1].text
        if previous in ("!", "?", ";"):
            break
        if (
            previous == "."
            and tokens[position].text[:1].isupper()
            and position >= 2
            and len(tokens[position - 2].text) > 1
        ):
            break
        position -= 1
    return position


def _lemma(word: str) -> str:
    lower = word.lower().removesuffix("(s)")
    if _number(word) is True and lower.endswith("s"):
        return lower[:-3] + "y" if lower.endswith("ies") else lower[:-1]
    return lower


def _resolve_pleonastic(
    tokens: list[_Token], phrases: list[_Phrase], index: int
) -> PronounHit | None:
    """'It shall be possible to ...' is clear, unless a noun before it could be 'it'."""
    names = _candidates(tokens, phrases, index, since=_sentence_start(tokens, index))
    if not names:
        return None
    token = tokens[index]
    options = ", ".join(names[-3:])
    return PronounHit(
        token.start, token.end, token.text, f"could mean {options}, or be the empty 'it'"
    )


def _resolve(tokens: list[_Token], phrases: list[_Phrase], index: int) -> PronounHit | None:
    token = tokens[index]
    names = _candidates(tokens, phrases, index)
    if not names:
        return PronounHit(token.start, token.end, token.text, "has no earlier noun to refer to")
    if len(names) > 1:
        options = ", ".join(names[-3:])
        return PronounHit(token.start, token.end, token.text, f"could refer to {options}")
    return None


def _demonstrative(tokens: list[_Token], index: int) -> PronounHit | None:
    token = tokens[index]
    following = tokens[index + 1].lower if index + 1 < len(tokens) else "."
    if token.lower == "that" and index > 0:
        return None  # relative pronoun or conjunction: "a link that expires"
    if index > 0 and tokens[index - 1].text in (".", "!", "?", ";"):
        return None  # "… . This will allow …": it sums up the sentence before
    if following[:1].isalpha() and following not in _VERBISH_AFTER_DEMONSTRATIVE:
        return None  # a determiner: "this page"
    return PronounHit(token.start, token.end, token.text, "points to nothing named before it")
