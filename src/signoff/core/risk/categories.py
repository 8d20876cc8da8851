"""The six risk categories: what a spec declares (``risk_categories``) and the rules detect.

A module of its own so that either side can name them without loading the other: the gate
reads the rules long before (and in other processes than) it reads a spec.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "deploy",
    "schema",
    "copy",
    "security",
    "vendor",
    "architecture",
)
