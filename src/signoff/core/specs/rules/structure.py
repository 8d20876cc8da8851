"""Structure rules: a spec that breaks one of these is not ready for an agent."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from signoff.core.specs.model import (
    RISK_CATEGORIES,
    RISK_LEVELS,
    STATUSES,
    Item,
    SectionKind,
    SpecDocument,
)
from signoff.core.specs.rules.registry import (
    CheckContext,
    Finding,
    Rule,
    RuleGroup,
    Severity,
    declare,
    rule,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

ERROR = Severity.ERROR
WARNING = Severity.WARNING
STRUCTURE = RuleGroup.STRUCTURE

SPEC_ID = re.compile(r"^SO-[1-9]\d*$")

UNREADABLE = declare(
    "SO100",
    "unreadable",
    ERROR,
    STRUCTURE,
    "The file is not UTF-8 text (binary, or another encoding).",
    "save the file as UTF-8 text",
)

DUPLICATE_ID = declare(
    "SO103",
    "duplicate-id",
    ERROR,
    STRUCTURE,
    "Two spec files carry the same id.",
    "give one of them the next free id (signoff spec new prints it)",
)


@rule(
    "SO101",
    "front-matter",
    ERROR,
    STRUCTURE,
    "The YAML front matter is missing, not closed, not valid YAML, or not a mapping.",
    "start the file with '---', the fields as 'name: value' lines, then '---'",
)
def check_front_matter(this: Rule, spec: SpecDocument, _: CheckContext) -> Iterator[Finding]:
    for problem in spec.problems:
        if problem.kind == "front-matter":
            yield this.finding(problem.line, problem.column, problem.message)


@rule(
    "SO102",
    "missing-field",
    ERROR,
    STRUCTURE,
    "A required front matter field (id, title, status, owner, gates) is absent or invalid.",
    "add the field to the front matter; 'signoff spec new' writes a complete template",
)
def check_missing_field(this: Rule, spec: SpecDocument, _: CheckContext) -> Iterator[Finding]:
    if spec.front_matter is None:
        return  # front-matter already reports why there are no fields to check
    line = spec.front_matter.end_line

    def absent(name: str, example: str) -> Finding:
        return this.finding(
            line, 1, f"field '{name}' is missing", f"add '{name}: {example}' to the front matter"
        )

    raw_id = spec.value("id")
    if raw_id is None:
        yield absent("id", "SO-<n>")
    elif not isinstance(raw_id, str) or not SPEC_ID.match(raw_id.strip()):
        yield this.finding(
            spec.field_line("id"),
            1,
            f"id '{raw_id}' is not of the form SO-<n>",
            "use the next free id, e.g. 'id: SO-7' ('signoff spec new' picks it)",
        )
    title = spec.value("title")
    if title is None:
        yield absent("title", "<one line that names the outcome>")
    elif not isinstance(title, str) or not title.strip() or "\n" in title.strip():
        yield this.finding(
            spec.field_line("title"), 1, "title must be one non-empty line of text", this.hint
        )
    status = spec.value("status")
    if status is None:
        yield absent("status", "draft")
    elif status not in STATUSES:
        yield this.finding(
            spec.field_line("status"),
            1,
            f"status '{status}' is not one of {', '.join(STATUSES)}",
            "set 'status: draft' and move it with 'signoff spec move'",
        )
    owner = spec.value("owner")
    if owner is None:
        yield absent("owner", "<email or handle>")
    elif not isinstance(owner, str) or not owner.strip() or "\n" in owner.strip():
        yield this.finding(
            spec.field_line("owner"),
            1,
            "owner must be the email or handle of the person who answers for the spec",
            "e.g. 'owner: alice@example.com'",
        )
    gates = spec.value("gates")
    if gates is None:
        if spec.front_matter.get("gates") is None:
            yield absent("gates", "[tests]")
    elif not isinstance(gates, list) or not all(isinstance(entry, str) for entry in gates):
        yield this.finding(
            spec.field_line("gates"),
            1,
            "gates must be a list of gate names",
            "e.g. 'gates: [tests, agent-review]' (names from signoff.toml)",
        )


_SECTION_NEEDS = (
    (SectionKind.INTENT, "the outcome for users and how success is measured"),
    (SectionKind.ACCEPTANCE_CRITERIA, "'- AC-1: When …, the system shall …' items"),
    (SectionKind.EDGE_CASES, "'- EC-1: If …, then the system shall …' items"),
)


@rule(
    "SO104",
    "missing-section",
    ERROR,
    STRUCTURE,
    "The Intent, Acceptance criteria or Edge cases section is absent or empty.",
    "add the section with its content",
)
def check_missing_section(this: Rule, spec: SpecDocument, _: CheckContext) -> Iterator[Finding]:
    if any(problem.kind == "encoding" for problem in spec.problems):
        return
    for kind, needs in _SECTION_NEEDS:
        section = spec.section(kind)
        itemised = kind is not SectionKind.INTENT
        if section is None:
            line = spec.line_count or 1
            yield this.finding(
                line, 1, f"section '{kind.title}' is missing", f"add '## {kind.title}' with {needs}"
            )
        elif (itemised and not section.items) or not section.has_content:
            what = "has no list items" if itemised and section.has_content else "is empty"
            yield this.finding(
                section.line, 1, f"section '{kind.title}' {what}", f"write {needs} under it"
            )


_PREFIX = {SectionKind.ACCEPTANCE_CRITERIA: "AC", SectionKind.EDGE_CASES: "EC"}


@rule(
    "SO105",
    "criterion-id",
    ERROR,
    STRUCTURE,
    "An acceptance criterion or edge case has no AC-n / EC-n id, or an id is used twice.",
    "start each item with its own id, e.g. '- AC-3: …'; never reuse a deleted id",
)
def check_criterion_id(this: Rule, spec: SpecDocument, _: CheckContext) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for kind, prefix in _PREFIX.items():
        items = spec.items(kind)
        next_free = _next_free_number(items, prefix)
        for item in items:
            if item.ident is None or not item.ident.startswith(prefix + "-"):
                written = f"'{item.raw_ident}'" if item.raw_ident else "no id"
                yield this.finding(
                    item.line,
                    item.column,
                    f"{kind.title.lower()} item has {written}; expected {prefix}-<n>",
                    f"start the item with '{prefix}-{next_free}: '",
                )
                next_free += 1
                continue
            if item.ident in seen:
                yield this.finding(
                    item.line,
                    item.column,
                    f"{item.ident} is used twice (first on line {seen[item.ident]})",
                    f"renumber this one to {prefix}-{next_free}; ids are never reused",
                )
                next_free += 1
            else:
                seen[item.ident] = item.line


def _next_free_number(items: tuple[Item, ...], prefix: str) -> int:
    numbers = [
        int(item.ident.split("-")[1])
        for item in items
        if item.ident is not None and item.ident.startswith(prefix + "-")
    ]
    return max(numbers, default=0) + 1


_SHALL = re.compile(r"\bshall\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;]\s+(?=[A-Z])")
_GHERKIN_LINE = re.compile(r"^\s*given\b.+?\bwhen\b.+?\bthen\b", re.IGNORECASE | re.DOTALL)
_GHERKIN_WHEN_THEN = re.compile(r"^\s*when\b.+?\bthen\b", re.IGNORECASE | re.DOTALL)


def is_verifiable_shape(item: Item) -> bool:
    """True when the item is an EARS sentence or a Given/When/Then scenario."""
    text = item.text.strip()
    if _GHERKIN_LINE.match(text):
        return True
    if item.sub_items:
        keywords = [sub.split(maxsplit=1)[0].lower() for sub in item.sub_items if sub.split()]
        if "then" in keywords and ("when" in keywords or "given" in keywords):
            return True
    if _GHERKIN_WHEN_THEN.match(text):
        return True
    # EARS: every pattern (ubiquitous, While, When, Where, If/then, complex) puts "shall" in
    # the first sentence; a "shall" only in a later sentence means the first one is prose.
    first_sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    return bool(_SHALL.search(first_sentence))


@rule(
    "SO106",
    "unverifiable-criterion",
    ERROR,
    STRUCTURE,
    "An acceptance criterion is neither an EARS sentence nor a Given/When/Then scenario.",
    "rewrite as 'When <trigger>, the system shall <response>' or "
    "'Given <state>, when <action>, then <outcome>'",
)
def check_unverifiable(this: Rule, spec: SpecDocument, _: CheckContext) -> Iterator[Finding]:
    for item in spec.items(SectionKind.ACCEPTANCE_CRITERIA):
        if item.text.strip() and not is_verifiable_shape(item):
            label = item.ident or "item"
            excerpt = item.text if len(item.text) <= 60 else item.text[:57] + "..."
            yield this.finding(
                item.line, item.column, f'{label} has no testable shape: "{excerpt}"', this.hint
            )


@rule(
    "SO107",
    "risk-unclassified",
    ERROR,
    STRUCTURE,
    "The spec does not say whether its change is reversible or irreversible.",
    "add 'risk: reversible' or 'risk: irreversible' (with risk_categories) to the front matter",
)
def check_risk_unclassified(this: Rule, spec: SpecDocument, _: CheckContext) -> Iterator[Finding]:
    if spec.front_matter is None:
        return
    risk = spec.value("risk")
    if risk is None:
        yield this.finding(spec.front_matter.end_line, 1, "risk is not classified", this.hint)
    elif risk not in RISK_LEVELS:
        yield this.finding(
            spec.field_line("risk"),
            1,
            f"risk '{risk}' is not 'reversible' or 'irreversible'",
            this.hint,
        )


@rule(
    "SO108",
    "risk-inconsistent",
    ERROR,
    STRUCTURE,
    "Risk categories contradict the risk level, or name an unknown category.",
    f"categories are {', '.join(RISK_CATEGORIES)}; they belong to irreversible specs only",
)
def check_risk_inconsistent(this: Rule, spec: SpecDocument, _: CheckContext) -> Iterator[Finding]:
    if spec.front_matter is None:
        return
    raw = spec.value("risk_categories")
    line = spec.field_line("risk_categories")
    if raw is not None and not isinstance(raw, list):
        yield this.finding(
            line, 1, "risk_categories must be a list", "e.g. 'risk_categories: [schema, deploy]'"
        )
        return
    categories = [str(entry) for entry in raw or []]
    for category in categories:
        if category not in RISK_CATEGORIES:
            yield this.finding(line, 1, f"unknown risk category '{category}'", this.hint)
    risk = spec.value("risk")
    if risk == "reversible" and categories:
        yield this.finding(
            line,
            1,
            f"risk is reversible but categories {', '.join(categories)} are irreversible ones",
            "set 'risk: irreversible', or remove risk_categories if nothing irreversible happens",
        )
    if risk == "irreversible" and not categories:
        yield this.finding(
            spec.field_line("risk"),
            1,
            "risk is irreversible but no risk_categories say what cannot be undone",
            f"add 'risk_categories: [...]' with any of {', '.join(RISK_CATEGORIES)}",
        )


@rule(
    "SO109",
    "unknown-gate",
    ERROR,
    STRUCTURE,
    "The spec names a gate that signoff.toml does not define.",
    "define the gate under [gates.<name>] in signoff.toml, or fix the name",
)
def check_unknown_gate(this: Rule, spec: SpecDocument, context: CheckContext) -> Iterator[Finding]:
    raw = spec.value("gates")
    if not isinstance(raw, list):
        return
    defined = context.standards.gates
    for name in raw:
        if isinstance(name, str) and name not in defined:
            known = ", ".join(sorted(defined)) or "none defined yet"
            yield this.finding(
                _line_of_value(spec, "gates", name),
                1,
                f"gate '{name}' is not defined in signoff.toml (defined: {known})",
                this.hint,
            )


@rule(
    "SO110",
    "approval-gate-missing",
    ERROR,
    STRUCTURE,
    "An irreversible spec has no approval gate, neither its own nor from the policy.",
    "add an approval gate to the spec's gates, or to [policy] irreversible in signoff.toml",
)
def check_approval_gate(this: Rule, spec: SpecDocument, context: CheckContext) -> Iterator[Finding]:
    if spec.value("risk") != "irreversible":
        return
    standards = context.standards
    named = set(spec.string_list("gates")) | set(standards.minimum_gates("irreversible"))
    if any(name in standards.gates and standards.gates[name].kind == "approval" for name in named):
        return
    approval_gates = sorted(
        name for name, gate in standards.gates.items() if gate.kind == "approval"
    )
    hint = (
        f"add '{approval_gates[0]}' to the spec's gates"
        if approval_gates
        else 'define a gate with kind = "approval" in signoff.toml and list it in the spec\'s gates'
    )
    yield this.finding(
        spec.field_line("gates"),
        1,
        "irreversible change with no approval gate: nobody would sign it off",
        hint,
    )


_PLACEHOLDER_BUILTIN = (
    r"\bTBD\b",
    r"\bTBC\b",
    r"\bTODO\b",
    r"\bFIXME\b",
    r"\?\?\?+",
    r"\[NEEDS CLARIFICATION[^\]]*\]",
)


_PLACEHOLDER_LITERALS = ("TBD", "TBC", "TODO", "FIXME", "???", "[NEEDS CLARIFICATION")


@lru_cache(maxsize=16)
def placeholder_pattern(extra: tuple[str, ...]) -> re.Pattern[str]:
    """Placeholders: matched case-sensitively, so 'a todo list' is prose and 'TODO' is not."""
    extras = [r"\b" + re.escape(word) + r"\b" for word in extra]
    return re.compile("|".join([*_PLACEHOLDER_BUILTIN, *extras]))


@rule(
    "SO111",
    "placeholder",
    ERROR,
    STRUCTURE,
    "The spec still holds a placeholder (TBD, TODO, ???, [NEEDS CLARIFICATION]).",
    "replace the placeholder with the decision; ask the owner if you do not know it",
)
def check_placeholder(this: Rule, spec: SpecDocument, context: CheckContext) -> Iterator[Finding]:
    extra = context.standards.checker.extra_words.get("placeholder", ())
    text = "".join(_checked_text(spec))
    # Every placeholder contains one of these literals; a substring test rules most specs out
    # far faster than the word-boundary regex can.
    if not any(literal in text for literal in (*_PLACEHOLDER_LITERALS, *extra)):
        return
    pattern = placeholder_pattern(extra)
    for match in pattern.finditer(text):
        start = match.start()
        line_start = text.rfind("\n", 0, start) + 1
        yield this.finding(
            text.count("\n", 0, start) + 1,
            start - line_start + 1,
            f'placeholder "{match.group(0)}" left in the spec',
        )


def _checked_text(spec: SpecDocument) -> Iterator[str]:
    """The text placeholders are searched in: everything but fenced code (kept line-aligned)."""
    yield spec.head
    yield _blank_fences(spec.preamble)
    for section in spec.sections:
        yield _blank_fences(section.raw)


def _blank_fences(text: str) -> str:
    if "```" not in text and "~~~" not in text:
        return text
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        stripped = line.strip()
        if fence is None and (stripped.startswith(("```", "~~~"))):
            fence = stripped[:3]
            out.append("")
        elif fence is not None:
            if stripped.startswith(fence):
                fence = None
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


_NEGATIVE_EDGE = re.compile(
    r"\b(?:if|unless|when)\b.*\b(?:then|shall not|must not|reject|rejects|refuse|refuses|"
    r"fail|fails|error|invalid|not|no|never|cannot|denied|deny|abort|roll(?:s)? back)\b",
    re.IGNORECASE,
)


@rule(
    "SO112",
    "open-question",
    ERROR,
    STRUCTURE,
    "A clarification question about the spec is neither answered nor deferred.",
    "triage it: signoff clarify answer|defer|reject SO-<n>/Q-<n>",
)
def check_open_question(this: Rule, spec: SpecDocument, context: CheckContext) -> Iterator[Finding]:
    if context.open_questions is None or spec.spec_id is None:
        return
    for question in context.open_questions(spec.spec_id):
        excerpt = question.text if len(question.text) <= 70 else question.text[:67] + "..."
        yield this.finding(
            spec.field_line("id"),
            1,
            f"{question.ref} ({question.source}, asked {question.asked_at:%Y-%m-%d}) "
            f'is open: "{excerpt}"',
            f"answer, defer or reject it: signoff clarify answer {spec.spec_id}/{question.ref} "
            '"<answer>"',
        )


@rule(
    "SO201",
    "missing-unwanted-case",
    WARNING,
    STRUCTURE,
    "An irreversible spec has no edge case for what must happen when things go wrong.",
    "add an edge case 'EC-n: If <failure>, then the system shall <safe outcome>'",
)
def check_unwanted_case(this: Rule, spec: SpecDocument, _: CheckContext) -> Iterator[Finding]:
    if spec.value("risk") != "irreversible":
        return
    edge_cases = spec.items(SectionKind.EDGE_CASES)
    if any(_NEGATIVE_EDGE.search(item.text) for item in edge_cases):
        return
    section = spec.section(SectionKind.EDGE_CASES)
    line = section.line if section is not None else spec.field_line("risk")
    yield this.finding(line, 1, "irreversible change with no 'If … then' or failure edge case")


@rule(
    "SO202",
    "too-large",
    WARNING,
    STRUCTURE,
    "The spec has more acceptance criteria than the slice allows; it is more than one story.",
    "slice the story: move some criteria to a new spec (signoff spec new)",
)
def check_too_large(this: Rule, spec: SpecDocument, context: CheckContext) -> Iterator[Finding]:
    limit = context.standards.checker.max_acceptance_criteria
    items = spec.items(SectionKind.ACCEPTANCE_CRITERIA)
    if len(items) > limit:
        section = spec.section(SectionKind.ACCEPTANCE_CRITERIA)
        line = section.line if section is not None else 1
        yield this.finding(
            line,
            1,
            f"{len(items)} acceptance criteria, more than the slice's {limit}",
            this.hint,
        )


@rule(
    "SO203",
    "context-missing-path",
    WARNING,
    STRUCTURE,
    "A path listed under context does not exist in the slice.",
    "fix the path, or remove it from context if the file is gone",
)
def check_context_paths(this: Rule, spec: SpecDocument, context: CheckContext) -> Iterator[Finding]:
    if context.path_exists is None:
        return
    raw = spec.value("context")
    if raw is None:
        return
    if not isinstance(raw, list):
        yield this.finding(
            spec.field_line("context"),
            1,
            "context must be a list of paths",
            "e.g. 'context: [src/auth/]'",
        )
        return
    for entry in raw:
        path = str(entry).strip()
        if path and not context.path_exists(path):
            yield this.finding(
                _line_of_value(spec, "context", path), 1, f"context path '{path}' does not exist"
            )


def _line_of_value(spec: SpecDocument, field_name: str, value: str) -> int:
    """The line within a field's range that mentions ``value`` (the key's line if none does)."""
    if spec.front_matter is None:
        return 1
    found = spec.front_matter.get(field_name)
    if found is None:
        return spec.front_matter.start_line
    lines = spec.head.split("\n")
    for number in range(found.line, found.end_line + 1):
        if number - 1 < len(lines) and value in lines[number - 1]:
            return number
    return found.line
