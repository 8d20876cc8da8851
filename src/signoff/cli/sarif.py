"""The SARIF 2.1.0 log both ``signoff spec check`` and ``signoff gate`` write: one run of one
tool, ``signoff``, with its rules and results (https://docs.oasis-open.org/sarif/sarif/v2.1.0/).

Kept apart from the renderers so that each loads only this, not the other's rules and text.
"""

from __future__ import annotations

from typing import Any

from signoff import __version__

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif_log(
    rules: list[dict[str, Any]], results: list[dict[str, Any]], **run: Any
) -> dict[str, Any]:
    """The log: signoff's ``rules`` and ``results``, and the run's other properties (``run``:
    ``invocations``, ``originalUriBaseIds``, ``properties`` ...) between them."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "signoff", "semanticVersion": __version__, "rules": rules}
                },
                **run,
                "results": results,
            }
        ],
    }
