"""Reconciliation: the higher of declared and detected risk wins; every gap is a mismatch."""

from __future__ import annotations

import pytest

from signoff.core.risk.model import Detection, Evidence
from signoff.core.risk.reconcile import reconcile

MIGRATION = Detection(
    "schema",
    (
        Evidence(
            "db/migrate/20261121_add_index.rb",
            None,
            "schema.rails-migration",
            "adds a Rails migration",
        ),
    ),
    1,
)
TEMPLATE = Detection(
    "copy",
    (
        Evidence("templates/cart.html", 12, "copy.templates", "<p>Check out now</p>"),
        Evidence("templates/cart.html", 14, "copy.templates", "<p>Pay later</p>"),
    ),
    2,
)
ENV = Detection(
    "security", (Evidence(".env", 3, "security.env-file", "changes an environment file"),), 1
)


@pytest.mark.parametrize(
    ("spec", "level", "categories", "detected", "effective", "mismatched"),
    [
        ("SO-1", "reversible", (), (), "reversible", ()),
        ("SO-1", "reversible", (), (MIGRATION,), "irreversible", ("schema",)),
        ("SO-1", "irreversible", ("schema",), (), "irreversible", ()),  # never lowered
        ("SO-1", "irreversible", (), (), "irreversible", ()),
        ("SO-1", "irreversible", ("schema",), (MIGRATION,), "irreversible", ()),
        ("SO-1", "irreversible", ("security",), (MIGRATION, ENV), "irreversible", ("schema",)),
        ("SO-1", "irreversible", (), (MIGRATION,), "irreversible", ("schema",)),
        ("SO-1", None, (), (), "reversible", ()),
        ("SO-1", None, (), (TEMPLATE,), "irreversible", ("copy",)),
        (None, None, (), (MIGRATION, TEMPLATE), "irreversible", ("schema", "copy")),
        (None, None, (), (), "reversible", ()),
    ],
)
def test_the_effective_level_and_the_mismatches(
    spec: str | None,
    level: str | None,
    categories: tuple[str, ...],
    *,
    detected: tuple[Detection, ...],
    effective: str,
    mismatched: tuple[str, ...],
) -> None:
    assessment = reconcile(spec, level, categories, detected)
    assert assessment.level == effective
    assert tuple(m.category for m in assessment.mismatches) == mismatched
    assert assessment.declared_level == level
    assert assessment.declared_categories == categories
    assert assessment.detected == detected
    assert assessment.detected_categories == tuple(d.category for d in detected)


@pytest.mark.parametrize(
    ("spec", "level", "categories", "detected", "message"),
    [
        (
            "SO-12",
            "reversible",
            (),
            MIGRATION,
            "SO-12 is declared reversible, but db/migrate/20261121_add_index.rb adds a Rails migration (schema)",
        ),
        (
            "SO-12",
            "irreversible",
            ("security",),
            MIGRATION,
            "SO-12 declares irreversible (security) but the diff also shows schema: db/migrate/20261121_add_index.rb adds a Rails migration",
        ),
        (
            None,
            None,
            (),
            TEMPLATE,
            'no spec declares the risk, but templates/cart.html:12 has "<p>Check out now</p>" (copy)',
        ),
        (
            "SO-3",
            None,
            (),
            ENV,
            "SO-3 declares no risk level, but .env:3 changes an environment file (security)",
        ),
    ],
)
def test_a_mismatch_names_the_spec_and_the_first_evidence(
    spec: str | None,
    level: str | None,
    categories: tuple[str, ...],
    detected: Detection,
    message: str,
) -> None:
    (mismatch,) = reconcile(spec, level, categories, (detected,)).mismatches
    assert mismatch.message == message
    assert mismatch.evidence == detected.evidence[0]
    assert "\n" not in mismatch.message


def test_an_unknown_declared_level_counts_as_undeclared() -> None:
    assessment = reconcile("SO-1", "maybe", (), ())
    assert (assessment.declared_level, assessment.level) == (None, "reversible")
