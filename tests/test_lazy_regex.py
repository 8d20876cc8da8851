"""lazy_compile: a pattern compiled on first use that behaves as re.compile's."""

from __future__ import annotations

import re

import pytest

from signoff.core.lazy_regex import LazyPattern, lazy_compile


def test_a_lazy_pattern_answers_as_the_compiled_one_and_compiles_once() -> None:
    source, flags = r"(?P<key>[a-z]+)=(\d+)", re.IGNORECASE
    lazy, eager = lazy_compile(source, flags), re.compile(source, flags)
    proxy: object = lazy  # typed as a pattern for its users; it is the proxy underneath
    assert isinstance(proxy, LazyPattern)
    assert proxy._compiled is None  # noqa: SLF001 - nothing compiled until used
    text = "A=1 b=22 junk C=333"
    assert [m.groups() for m in lazy.finditer(text)] == [m.groups() for m in eager.finditer(text)]
    assert lazy.sub("x", text) == eager.sub("x", text)
    assert lazy.fullmatch("x=9") is not None
    assert lazy.search("nothing here") is None
    assert (lazy.pattern, lazy.flags, lazy.groupindex) == (
        eager.pattern,
        eager.flags,
        eager.groupindex,
    )
    compiled = getattr(proxy, "_compiled")  # noqa: B009 - read again after use, not narrowed
    assert isinstance(compiled, re.Pattern)
    lazy.match("a=1")
    assert getattr(proxy, "_compiled") is compiled  # noqa: B009 - compiled once, then kept


def test_an_invalid_lazy_pattern_raises_where_it_is_first_used() -> None:
    broken = lazy_compile(r"(unclosed")
    with pytest.raises(re.error):
        broken.search("text")
