"""Deterministic, replayable review sampling.

A reversible change is reviewed in depth when ``H(seed ‖ spec id ‖ diff hash)``, read as a
fraction in [0, 1), is below the slice's rate: the trace-ratio idea of OpenTelemetry. The same
change always gets the same answer, raising the rate only adds changes (5% ⊂ 10%), and seed,
rate, hash and value are recorded so an auditor can replay the decision with :func:`sample_value`.
Irreversible changes are always reviewed.
"""

from __future__ import annotations

import hashlib

from signoff.core.gates.model import Sampling

_FRACTION_BYTES = 8  # 64 bits: the fraction's resolution
_SCALE = float(1 << 64)


def sample_value(seed: str, spec_id: str | None, diff_sha256: str) -> float:
    """The first 64 bits of SHA-256(seed NUL spec NUL diff hash), as a fraction in [0, 1)."""
    message = "\0".join((seed, spec_id or "", diff_sha256)).encode("utf-8")
    digest = hashlib.sha256(message).digest()
    return int.from_bytes(digest[:_FRACTION_BYTES], "big") / _SCALE


def decide_sampling(
    *, rate: float, seed: str, spec_id: str | None, diff_sha256: str, irreversible: bool
) -> Sampling:
    """Whether the change goes to an in-depth review, with the reason in replayable terms."""
    value = sample_value(seed, spec_id, diff_sha256)
    if irreversible:
        return Sampling(rate, seed, value, sampled=True, reason="irreversible: always reviewed")
    if value < rate:
        reason = f"sampled: value {value:.4f} < rate {rate:g}"
        return Sampling(rate, seed, value, sampled=True, reason=reason)
    reason = f"not sampled: value {value:.4f} >= rate {rate:g}"
    return Sampling(rate, seed, value, sampled=False, reason=reason)
