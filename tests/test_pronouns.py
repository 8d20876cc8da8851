"""The vague-pronoun heuristic: each linguistic rule, one sentence at a time.

A pronoun in [brackets] must be flagged, at exactly its span; every other pronoun in the
sentence must not be. (The brackets are removed before the check.)
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.core.specs.rules.pronouns import (
    DEMONSTRATIVES,
    FIRST_PERSON_PLURAL,
    PERSONAL_PRONOUNS,
    PLURAL_PRONOUNS,
    SINGULAR_PRONOUNS,
    find_vague_pronouns,
)

_MARK = re.compile(r"\[([^\]]+)\]")
PRONOUNS = (
    SINGULAR_PRONOUNS | PLURAL_PRONOUNS | PERSONAL_PRONOUNS | FIRST_PERSON_PLURAL | DEMONSTRATIVES
)


def unmark(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without brackets, and the spans the brackets held."""
    spans: list[tuple[int, int]] = []
    removed = 0
    for match in _MARK.finditer(marked):
        start = match.start() - removed
        spans.append((start, start + len(match.group(1))))
        removed += 2
    return _MARK.sub(r"\1", marked), spans


VAGUE = [
    # Two earlier nouns agree in number: the file or the archive?
    "The exporter shall copy the file to the archive and then delete [it].",
    # No earlier noun at all: "it" points outside the requirement.
    "[It] monitors the error log every minute.",
    "[They] shall be notified by email.",
    # A singular acronym is no antecedent for "their".
    "The CMS shall publish [their] drafts nightly.",
    # Who is "we"?
    "[We] shall review the export every week.",
    "The report shall be sent to [our] finance team.",
    # Empty "it" after a clause that offers a noun it could also mean.
    "Where the fax service is provided, [it] shall be possible to interrupt the fax.",
    # Singular "their" with two people to choose from.
    "The driver shall tell the conductor about [their] delay.",
    # Two groups of plurals.
    "Invoices and credit notes are stored with refunds until [they] are archived.",
    # A demonstrative standing alone, with no sentence before it.
    "[This] must happen within 2 seconds.",
    # A later pronoun is as vague as the first one it repeats.
    "When the cart and the wishlist change, the system shall save [it] and [its] history.",
    # "Each of the cabs ... its": the cabs compete with the train.
    "Each of the cabs on the train shall be called with [its] own number.",
]

CLEAR = [
    # The system cannot be the object of its own verb; the owner is a person, not "it".
    "When the upload finishes, the system shall email it to the owner.",
    "When the user opens the order, the system shall lock it.",
    # Only one plural before "their"; data is singular or plural.
    "The system shall keep the orders and their invoices for 7 years.",
    "The system shall validate the data before they are stored.",
    "The system shall send the selected file(s) once they are signed.",
    "The API shall return the AIPs in the order they were stored.",
    # Empty "it" at the start of a sentence.
    "It shall be possible to export the report as a PDF file.",
    "It is important that the total includes tax.",
    # "He" means a person, and there is one.
    "The driver shall confirm that he has read the message.",
    "Controls shall be designed such that they can be used with gloves.",
    # A phrase cannot contain its own antecedent: the size of its buffer.
    "The editor shall show the size of its buffer.",
    # The noun a relative clause is about is not its subject.
    "The scheduler shall run the report that it generates every night.",
    # Coordinated plurals are read together.
    "The service shall notify customers and suppliers when their orders ship.",
    # "Each type of device": the phrase is about the device.
    "Each type of device shall list the sensors attached to it.",
    # Determiners and relative pronouns, not pronouns.
    "The system shall show this page to the owner.",
    "The system shall delete links that expire after 7 days.",
    # "This" sums up the sentence before it.
    "The system shall archive the order. This keeps the history complete.",
    # The pronoun's own sentence offers one candidate; the one before it does not compete.
    "The customer opens the cart. The clerk shall see the order and print its receipt.",
    # Nouns of fixed phrases are not antecedents; the same nouns elsewhere are.
    "In this case, the device shall restart in order to recover its state.",
    "At the end of the day, the report shall list its totals.",
]


@pytest.mark.parametrize("marked", VAGUE)
def test_vague_pronouns_are_flagged_at_their_span(marked: str) -> None:
    text, spans = unmark(marked)
    hits = find_vague_pronouns(text)
    assert [(hit.start, hit.end) for hit in hits] == spans
    for hit in hits:
        assert text[hit.start : hit.end] == hit.word
        assert hit.reason


@pytest.mark.parametrize("text", CLEAR)
def test_clear_pronouns_are_left_alone(text: str) -> None:
    assert find_vague_pronouns(text) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "The exporter shall copy the file to the archive and then delete it.",
            "could refer to exporter, file, archive",
        ),
        ("It monitors the error log every minute.", "has no earlier noun to refer to"),
        ("We shall review the export every week.", "does not say who 'we' are"),
        (
            "Where the fax service is provided, it shall be possible to interrupt the fax.",
            "could mean service, or be the empty 'it'",
        ),
    ],
)
def test_the_reason_names_the_candidates(text: str, reason: str) -> None:
    (hit,) = find_vague_pronouns(text)
    assert hit.reason == reason


@pytest.mark.parametrize("text", ["", "   ", ".", "1, 2, 3", "it", "IT"])
def test_degenerate_texts(text: str) -> None:
    hits = find_vague_pronouns(text)
    assert all(text[hit.start : hit.end] == hit.word for hit in hits)


def test_case_does_not_change_the_verdict() -> None:
    text = "The exporter shall copy the file to the archive and then delete it."
    assert [hit.word for hit in find_vague_pronouns(text.upper())] == ["IT"]


WORDS = [
    *sorted(PRONOUNS),
    "the", "a", "system", "systems", "user", "users", "file", "files", "shall", "must", "is",
    "are", "when", "if", "that", "which", "of", "to", "and", "or", "delete", "deletes",
    "possible", "be", "data", "AIPs", "API", "driver", ",", ".", ";", "(", ")", "-", "don't",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join))
def test_any_word_salad_gives_consistent_hits(text: str) -> None:
    hits = find_vague_pronouns(text)
    starts = [hit.start for hit in hits]
    assert starts == sorted(set(starts))
    for hit in hits:
        assert text[hit.start : hit.end] == hit.word
        assert hit.word.lower() in PRONOUNS


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_handled(text: str) -> None:
    for hit in find_vague_pronouns(text):
        assert text[hit.start : hit.end] == hit.word
