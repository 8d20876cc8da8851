"""Which changed lines of a template put words in front of a user.

A line is copy when, after removing what no user sees (tags, template expressions and tags,
comments, scripts and styles, entities), words remain; or when it sets an attribute a user
reads (``alt``, ``title``, ``placeholder``, ``aria-label``, ``label``); or when it passes a
literal to a translation tag (``{% trans "Sign in" %}``, ``_("Sign in")``). A line that is a
comment, markup only, or code is not copy. Comments and ``<script>``/``<style>`` blocks can
span lines, so a little state runs along consecutive lines of a hunk.

This is a heuristic by design: it reads one line at a time, with no parser per template
language. It errs towards silence on code (JSX) and towards copy on markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signoff.core.lazy_regex import lazy_compile

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

_MARKUP = frozenset(
    [
        "html",
        "htm",
        "jinja",
        "jinja2",
        "j2",
        "njk",
        "hbs",
        "handlebars",
        "mustache",
        "erb",
        "liquid",
        "twig",
        "ejs",
        "gohtml",
        "tmpl",
        "cshtml",
        "razor",
        "mjml",
        "php",
    ]
)
_COMPONENT = frozenset({"vue", "svelte", "astro"})
_JSX = frozenset({"jsx", "tsx"})
_INDENTED = frozenset({"haml", "slim", "pug", "jade"})
_PROSE = frozenset({"md", "mdx", "txt", "markdown"})

_COMMENTS = (("<!--", "-->"), ("{#", "#}"), ("{{!--", "--}}"), ("{{!", "}}"), ("<%#", "%>"),
             ("@*", "*@"), ("{{--", "--}}"), ("{/*", "*/}"))  # fmt: skip
# Go and Helm template comments, with or without whitespace trimming: {{/* */}}, {{- /* */ -}}.
_GO_COMMENT_OPEN = lazy_compile(r"\{\{-?\s*/\*")
_GO_COMMENT_CLOSE = lazy_compile(r"\*/\s*-?\}\}")
_GO_COMMENT_END = "*/}}"  # the state's marker for an open Go comment
_COMMENT_BLOCK = lazy_compile(r"\{%-?\s*comment\s*-?%\}")
_COMMENT_BLOCK_END = "endcomment"
_EXPRESSIONS = lazy_compile(r"\{\{.*?\}\}|\{%.*?%\}|<%.*?%>|\$\{.*?\}|#\{.*?\}|@\{.*?\}")
_BRACES = lazy_compile(r"\{[^{}]*\}")
_TAG = lazy_compile(r"<[^<>]*>")
_ENTITY = lazy_compile(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);")
_VISIBLE_ATTRIBUTE = lazy_compile(
    r"""\b(?:alt|title|placeholder|aria-label|label)\s*=\s*(?:"([^"]*)"|'([^']*)')"""
)
_TRANSLATION = lazy_compile(
    r"""\{%-?\s*(?:trans|translate|blocktrans|blocktranslate)\b\s*(?:"([^"]*)"|'([^']*)')?"""
    r"""|\b(?:_|gettext|ngettext|pgettext)\(\s*(?:"([^"]*)"|'([^']*)')"""
)
_WORD = lazy_compile(r"[^\W\d_]{2,}")
_CODE_CHARS = lazy_compile(r"[=;{}]")
# The runs of a name, a value and white space are possessive (``++``, ``*+``): when
# they could give characters back to the next repetition, one line of text with a "=" in it
# took seconds, twice as long for each character more. Nothing that may follow a name or white
# space starts with a character they hold, so that changes no answer; an unquoted value now
# runs to white space or ">", as in HTML, instead of ending where a next name could start.
_ATTRIBUTES_ONLY = lazy_compile(
    r"""(?:\s*+[:@#*\[(]?[\w.:\-\[\]()]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]++))?)+\s*/?>?\s*"""
)
_SCRIPT = lazy_compile(r"<(script|style)\b[^>]*>", re.IGNORECASE)
_JS_KEYWORDS = frozenset(
    [
        "return",
        "import",
        "export",
        "const",
        "let",
        "var",
        "function",
        "if",
        "else",
        "for",
        "while",
        "switch",
        "case",
        "default",
        "type",
        "interface",
        "class",
        "extends",
        "implements",
        "async",
        "await",
        "yield",
        "throw",
        "try",
        "catch",
        "finally",
        "new",
        "delete",
        "typeof",
        "from",
        "as",
        "declare",
        "enum",
        "namespace",
        "public",
        "private",
        "protected",
        "readonly",
        "static",
        "break",
        "continue",
        "do",
        "in",
        "of",
    ]
)
_JSX_BETWEEN = lazy_compile(r">([^<>{}]*)<")
_JSX_AFTER_TAG = lazy_compile(r"^\s*<[A-Za-z][^<>]*>([^<>{}]+)$")
_JSX_BEFORE_CLOSE = lazy_compile(r"^\s*([^<>{}=;()]+)</[A-Za-z]")
_JSX_CODE = lazy_compile(r"""[<>{}()\[\]=;"`|&]|\w\.\w|^\s*[\w$]+\s*:""")
_APOSTROPHE = lazy_compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_INDENT_CODE = ("-", "=", "!=", "&=", "~", "//", "/", ":")
_INDENT_SELECTOR = lazy_compile(
    r"^[%.#]?[\w\-]*(?:[.#][\w\-]+)*(?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])*"
)


@dataclass(slots=True)
class _State:
    """What the previous lines left open: a comment, a script or style block, a tag."""

    comment_end: str | None = None
    code_end: str | None = None
    in_tag: bool = False
    front_matter: bool = False


def _has_words(*texts: str | None) -> bool:
    return any(text and _WORD.search(text) for text in texts)


def _skip_open_blocks(line: str, state: _State) -> str | None:
    """The part of the line after any comment or script block the earlier lines opened."""
    if state.comment_end == _GO_COMMENT_END:
        close = _GO_COMMENT_CLOSE.search(line)
        if close is None:
            return None
        line = line[close.end() :]
        state.comment_end = None
    if state.comment_end is not None:
        end = line.find(state.comment_end)
        if end < 0:
            return None
        line = line[end + len(state.comment_end) :]
        if state.comment_end == _COMMENT_BLOCK_END:
            line = line.split("%}", 1)[-1]
        state.comment_end = None
    if state.code_end is not None:
        end = line.lower().find(state.code_end)
        if end < 0:
            return None
        line = line[end + len(state.code_end) :].split(">", 1)[-1]
        state.code_end = None
    return line


def _cut_go_comments(line: str, state: _State) -> str:
    while (opened := _GO_COMMENT_OPEN.search(line)) is not None:
        closed = _GO_COMMENT_CLOSE.search(line, opened.end())
        if closed is None:
            state.comment_end = _GO_COMMENT_END
            return line[: opened.start()]
        line = line[: opened.start()] + line[closed.end() :]
    return line


def _cut_comments(line: str, state: _State) -> str:
    block = _COMMENT_BLOCK.search(line)
    if block is not None:
        state.comment_end = _COMMENT_BLOCK_END
        return line[: block.start()]
    if "{{" in line:
        line = _cut_go_comments(line, state)
        if state.comment_end is not None:
            return line
    for opener, closer in _COMMENTS:
        while opener in line:
            start = line.index(opener)
            end = line.find(closer, start + len(opener))
            if end < 0:
                state.comment_end = closer
                return line[:start]
            line = line[:start] + line[end + len(closer) :]
    return line


def _cut_scripts(line: str, state: _State) -> str:
    match = _SCRIPT.search(line)
    if match is None:
        return line
    tag = match.group(1).lower()
    close = line.lower().find(f"</{tag}", match.end())
    if close < 0:
        state.code_end = f"</{tag}"
        return line[: match.start()]
    return line[: match.start()] + " " + line[close:].split(">", 1)[-1]


def _literal_texts(line: str) -> tuple[str, ...]:
    found = [a or b for a, b in _VISIBLE_ATTRIBUTE.findall(line)]
    found += [a or b or c or d for a, b, c, d in _TRANSLATION.findall(line)]
    return tuple(found)


def _markup(line: str, state: _State, *, braces: bool = False) -> bool:
    remaining = _skip_open_blocks(line, state)
    if remaining is None:
        return False
    remaining = _cut_scripts(_cut_comments(remaining, state), state)
    literals = _literal_texts(remaining)
    remaining = _EXPRESSIONS.sub(" ", remaining)
    if braces:
        remaining = _BRACES.sub(" ", remaining)
    if state.in_tag:
        end = remaining.find(">")
        if end < 0:
            return _has_words(*literals)
        remaining = remaining[end + 1 :]
        state.in_tag = False
    remaining = _TAG.sub(" ", remaining)
    opened = remaining.rfind("<")
    if opened >= 0:
        state.in_tag = True
        remaining = remaining[:opened]
    remaining = _ENTITY.sub(" ", remaining).strip()
    if "=" in remaining and _ATTRIBUTES_ONLY.fullmatch(remaining):
        remaining = ""
    if _CODE_CHARS.search(remaining):
        remaining = ""
    return _has_words(remaining, *literals)


def _component(line: str, state: _State) -> bool:
    if line.strip() == "---":  # Astro's front matter is code
        state.front_matter = not state.front_matter
        return False
    if state.front_matter:
        return False
    return _markup(line, state, braces=True)


def _jsx(line: str, state: _State) -> bool:
    remaining = _skip_open_blocks(line, state)
    if remaining is None:
        return False
    if "//" in remaining and "://" not in remaining:
        remaining = remaining.split("//", 1)[0]  # a line comment (a URL is not one)
    remaining = _cut_comments(remaining, state)
    if "/*" in remaining and "*/" not in remaining:
        state.comment_end = "*/"
        remaining = remaining[: remaining.index("/*")]
    stripped = remaining.strip()
    if not stripped or stripped.startswith("*"):
        return False
    texts = [*_literal_texts(stripped), *_JSX_BETWEEN.findall(stripped)]
    for pattern in (_JSX_AFTER_TAG, _JSX_BEFORE_CLOSE):
        match = pattern.match(stripped)
        if match:
            texts.append(match.group(1))
    if _has_words(*texts):
        return True
    plain = _APOSTROPHE.sub("", stripped)
    words = plain.split()
    return (
        len(words) >= 2
        and words[0] not in _JS_KEYWORDS
        and not _JSX_CODE.search(plain)
        and "'" not in plain
        and _has_words(plain)
    )


def _indented(line: str, state: _State) -> bool:
    remaining = _skip_open_blocks(line, state)
    if remaining is None:
        return False
    stripped = remaining.strip()
    literals = _literal_texts(stripped)
    if stripped.startswith("|"):
        return _has_words(_EXPRESSIONS.sub(" ", stripped[1:]))
    if not stripped or stripped.startswith(_INDENT_CODE):
        return _has_words(*literals)
    rest = _INDENT_SELECTOR.sub("", stripped, count=1).strip()
    if rest.startswith(("=", "!=", "&=", "~")):
        return _has_words(*literals)
    return _has_words(_EXPRESSIONS.sub(" ", rest), *literals)


def _prose(line: str, state: _State) -> bool:
    remaining = _skip_open_blocks(line, state)
    if remaining is None:
        return False
    remaining = _cut_comments(remaining, state)
    if remaining.lstrip().startswith("[//]:"):
        return False
    return _has_words(_EXPRESSIONS.sub(" ", remaining), *_literal_texts(remaining))


_READERS: dict[frozenset[str], Callable[[str, _State], bool]] = {
    _MARKUP: _markup,
    _COMPONENT: _component,
    _JSX: _jsx,
    _INDENTED: _indented,
    _PROSE: _prose,
}


def _reader(path: str) -> Callable[[str, _State], bool] | None:
    extension = path.rpartition(".")[2].lower()
    for extensions, reader in _READERS.items():
        if extension in extensions:
            return reader
    return None


def readable(path: str) -> bool:
    """Whether the file's type is one whose user-visible text can be told apart."""
    return _reader(path) is not None


def visible_lines(path: str, lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """The (line number, text) of the lines that put words in front of a user."""
    reader = _reader(path)
    if reader is None:
        return
    state = _State()
    previous: int | None = None
    for number, text in lines:
        if previous is not None and number != previous + 1:
            state = _State()  # a new hunk: what the last one left open is unknown here
        previous = number
        if reader(text, state):
            yield number, text


# ---------------------------------------------------------------- translation catalogs

_STRING = r'"((?:[^"\\]|\\.)*)"'
_JSON_VALUE = lazy_compile(rf"^\s*{_STRING}\s*:\s*{_STRING}")
_JSON_ITEM = lazy_compile(rf"^\s*{_STRING}\s*,?\s*$")
_YAML_KEY = lazy_compile(r"""^\s*(?:-\s+)?(?:"[^"]*"|'[^']*'|[^\s:#'"][^:#]*?)\s*:(?:\s+|$)(.*)$""")
_YAML_ITEM = lazy_compile(r"^\s*-\s+(.*)$")
# gettext's msgid is the source text itself (and a changed msgid leaves its old translation
# fuzzy, so unused): both msgid and msgstr are text; msgctxt is the only key.
_PO_VALUE = lazy_compile(r'^\s*msg(?:str(?:\[\d+\])?|id|id_plural)\s+"(.*)"\s*$')
_PO_KEY = lazy_compile(r"^\s*msgctxt\b")
_PO_CONTINUATION = lazy_compile(r'^\s*"(.*)"\s*$')
_PROPERTIES = lazy_compile(r"^\s*(?:\\.|[^=:\s\\])+\s*[=:\s]\s*(.*)$")
_STRINGS = lazy_compile(rf"^\s*{_STRING}\s*=\s*{_STRING}\s*;")
_ARROW = lazy_compile(r"""=>\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
_YAML_NO_TEXT = frozenset({"", "|", ">", "|-", ">-", "|+", ">+", "{}", "[]", "~", "null"})


def _unquoted(value: str) -> str:
    value = value.strip().rstrip(",").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value.strip()


def _yaml_value(line: str) -> str:
    stripped = line.split(" #", 1)[0].strip()
    if not stripped or stripped.startswith("#"):
        return ""
    keyed = _YAML_KEY.match(stripped)
    if keyed is not None:
        value = keyed.group(1).strip()
        return "" if value in _YAML_NO_TEXT or value.startswith("&") else _unquoted(value)
    item = _YAML_ITEM.match(stripped)
    return _unquoted(item.group(1) if item else stripped)  # a list item, or a folded line


def _json_value(line: str) -> str:
    pair = _JSON_VALUE.match(line)
    if pair is not None:
        return pair.group(2)
    item = _JSON_ITEM.match(line)
    return item.group(1) if item is not None else ""  # "key": { and braces hold no text


def _po_value(line: str) -> str:
    if line.lstrip().startswith("#") or _PO_KEY.match(line):
        return ""
    found = _PO_VALUE.match(line) or _PO_CONTINUATION.match(line)
    return found.group(1) if found is not None else ""


def _properties_value(line: str) -> str:
    if line.lstrip().startswith(("#", "!")):
        return ""
    found = _PROPERTIES.match(line)
    return found.group(1).strip() if found is not None else line.strip()


def _markup_value(line: str) -> str:
    """Apple .strings, PHP arrays, XML (Android, XLIFF, RESX): the text, not the key."""
    for pattern in (_STRINGS, _ARROW):
        found = pattern.search(line)
        if found is not None:
            return found.group(2) or (found.group(1) if pattern is _ARROW else "") or ""
    return _ENTITY.sub(" ", _TAG.sub(" ", line)).strip()


_CATALOG_READERS: dict[str, Callable[[str], str]] = {
    "yml": _yaml_value, "yaml": _yaml_value, "json": _json_value, "arb": _json_value,
    "po": _po_value, "pot": _po_value, "properties": _properties_value,
}  # fmt: skip


def changed_catalog_text(
    path: str, added: Iterable[tuple[int, str]], removed: Iterable[tuple[int, str]]
) -> tuple[int, str, bool] | None:
    """The first line of a catalog change that shows a customer new or different text, and
    whether it is a removed line (a line of the old file).

    The text (the value, never the key) of every removed and added line is compared: a text
    on an added line that no removed line had is new or changed copy; failing that, a text
    only a removed line had is deleted copy. A key renamed or moved keeps its text: no copy.
    """
    read = _CATALOG_READERS.get(path.rpartition(".")[2].lower(), _markup_value)
    gone: dict[str, int] = {}
    for _, line in removed:
        value = read(line)
        if value:
            gone[value] = gone.get(value, 0) + 1
    left = dict(gone)
    for number, line in added:
        value = read(line)
        if not value:
            continue
        if left.get(value, 0) > 0:
            left[value] -= 1
        else:
            return number, line, False
    for number, line in removed:
        value = read(line)
        if value and left.get(value, 0) > 0:
            return number, line, True
    return None
