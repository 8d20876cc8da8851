"""Deterministic, replayable review sampling.

A reversible change is reviewed in depth when ``H(seed ‖ spec id ‖ diff hash)``, read as a
fraction in [0, 1), is below the slice's rate: the trace-ratio idea of OpenTelemetry. The same
change always gets the same answer, raising the rate only adds changes (5% ⊂ 10%), and seed,
rate, hash and value are recorded so an auditor can replay the decision with :func:`sample_value`.
Irreversible changes are always reviewed.

The fraction is the hash's first 53 bits over 2**53: a double holds that exactly, so the value
is the same in any language and is always below 1. (The first 64 bits divided as a float would
round the largest hashes up to exactly 1.0, which even a rate of 1.0, "review everything",
would not sample.)
"""

from __future__ import annotations

import hashlib

from signoff.core.gates.model import Sampling

_FRACTION_BITS = 53  # a double's precision: every such fraction is exact, and below 1
_SCALE = float(1 << _FRACTION_BITS)


def fraction(digest: bytes) -> float:
    """The first 53 bits of ``digest`` as a fraction in [0, 1), exact as a double."""
    return (int.from_bytes(digest[:8], "big") >> (64 - _FRACTION_BITS)) / _SCALE


def sample_value(seed: str, spec_id: str | None, diff_sha256: str) -> float:
    """SHA-256(seed NUL spec id NUL diff hash) as a fraction in [0, 1); no spec hashes as ""."""
    message = "\0".join((seed, spec_id or "", diff_sha256)).encode("utf-8")
    return fraction(hashlib.sha256(message).digest())


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
