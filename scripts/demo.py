"""A first look at signoff: build a sample "checkout" slice in a temporary folder and check it.

Run it with ``make demo`` (or ``.venv/bin/python scripts/demo.py``). It needs only Python and git:
each step prints the exact command, then that command's real output. The slice is kept at the
end so you can open the specs, edit them and run ``signoff spec check`` yourself.

Six specs show the range a lead meets in practice: two ready ones (a reversible UI change and an
irreversible schema change) and four that are not ready, each for a different, realistic reason.

The second half runs the clarification inbox on them: Signoff indexes the specs into its ledger,
an agent files questions about SO-2 and SO-3, the lead answers one, defers one and rejects one,
and the demo shows what that wrote into the spec files, which stage moves the guards allow, and
the resulting timeline.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SLICE_FOLDER = "checkout"
LEAD_NAME = "Alice Moreau"
LEAD_EMAIL = "alice@example.com"
AGENT_EMAIL = "agent-claude@example.com"
JSON_LINES_SHOWN = 30

# ---------------------------------------------------------------- the sample slice

CONTEXT_FILES: dict[str, str] = {
    "docs/decisions/0001-money-as-integer-cents.md": """\
# 0001 Money is stored and computed as integer cents

Status: accepted (2026-03-02)

## Context
Float rounding produced one-cent differences between the checkout page, the receipt and the
payment provider's capture amount.

## Decision
Every amount is an `int` of cents in the currency of the order. Tax is computed per order line
and rounded half-up to the cent; the order total is the sum of the rounded lines.

## Consequences
Display code formats cents at the edge (`format_money`). No `float` crosses a module boundary.
""",
    "docs/decisions/0002-refunds-are-append-only.md": """\
# 0002 Refunds are an append-only ledger

Status: accepted (2026-04-15)

## Context
Refunds live today as free-form rows in `payments.adjustments`, mixed with goodwill credits,
and support cannot tell how much of an order was refunded.

## Decision
A `refunds` table records each refund once; rows are never updated or deleted. A correction is
a new row with a negative amount and a reference to the row it corrects.
""",
    "src/checkout/__init__.py": '"""Checkout: cart, totals, order placement."""\n',
    "src/checkout/totals.py": '''\
"""Order totals in integer cents (docs/decisions/0001-money-as-integer-cents.md)."""


def line_tax_cents(amount_cents: int, rate_basis_points: int) -> int:
    """Tax for one order line, rounded half-up to the cent."""
    return (amount_cents * rate_basis_points + 5_000) // 10_000
''',
    "src/checkout/emails/order_confirmation.txt": """\
Hi {first_name},

Thanks for your order {order_number}! We'll let you know when it ships.

{items}

Total: {total}
""",
    "src/payments/migrations/0041_adjustments.sql": """\
CREATE TABLE adjustments (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL,            -- 'refund' | 'goodwill' | 'chargeback'
    amount_cents BIGINT NOT NULL,
    note TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
""",
}

# SO-1: ready, reversible. EARS and Given/When/Then criteria, If/then edge cases, no smells.
SO_1 = """\
---
id: SO-1
title: Show order total with tax breakdown
status: ready
owner: alice@example.com
risk: reversible
gates: [tests]
context:
  - docs/decisions/0001-money-as-integer-cents.md
  - src/checkout/
---

# Show order total with tax breakdown

## Intent
Shoppers see what they will pay before they press "Place order", split into subtotal,
shipping and tax, so the charge on their card matches the page.
Success: support tickets tagged "charged a different amount" fall by 30% within six weeks
of release.

## Acceptance criteria
- AC-1: When the checkout summary loads, the system shall show the subtotal, shipping, tax
  and order total as four separate lines, in that order.
- AC-2: Given a cart of 2 items at $10.00 each with free shipping to an address taxed at 8.25%,
  when the checkout summary loads, then the tax line reads $1.65 and the total reads $21.65.
- AC-3: When the shopper changes the shipping address, the system shall recompute the tax line
  and the order total within 2 seconds.
- AC-4: The system shall compute tax per order line in integer cents, rounded half-up, and show
  the order total as the sum of the rounded lines.

## Edge cases
- EC-1: If the tax service does not answer within 3 seconds, then the system shall show
  "Tax calculated at payment" in place of the tax line and keep "Place order" enabled.
- EC-2: If the cart holds a tax-exempt item, then the system shall show a tax of $0.00 for that
  item and label the item "Tax exempt".

## Out of scope
- Showing tax per item on the receipt email.
- Currencies other than USD.

## Risk
Display only: the amount charged is computed by payments, unchanged here. A revert restores the
single "Total" line.
"""

# SO-2: ready, irreversible schema change with a rollback edge case and an approval gate. Its
# status is still draft: the lead lets the agent read it and ask before handing it over.
SO_2 = """\
---
id: SO-2
title: Add refunds table and backfill refund history
status: draft
owner: alice@example.com
risk: irreversible
risk_categories: [schema]
gates: [tests, human-approval]
context:
  - docs/decisions/0002-refunds-are-append-only.md
  - src/payments/migrations/
---

# Add refunds table and backfill refund history

## Intent
Support agents see how much of an order was refunded, and why, without reading payment logs.
Success: the median handling time of "where is my refund" tickets drops from 9 to 4 minutes.

## Acceptance criteria
- AC-1: When migration 0042 runs, the system shall create a `refunds` table with the columns
  id, order_id, amount_cents, reason, issued_by and created_at.
- AC-2: When the backfill runs, the system shall copy each `payments.adjustments` row of kind
  'refund' into `refunds`, keeping the row's amount in cents and the row's created_at.
- AC-3: Given an order with two backfilled refunds, when a support agent opens the order page,
  then the page lists both refunds with date, amount and reason.
- AC-4: When the backfill finishes, the system shall log the number of copied rows and the sum
  of refunded cents, and the sum shall equal the sum over the source rows.

## Edge cases
- EC-1: If the migration or the backfill fails, then the system shall roll back the transaction
  and leave `payments.adjustments` unchanged.
- EC-2: If a source row has an amount of zero cents, then the backfill shall skip the row and
  write the row's id to `backfill_skipped.csv`.

## Out of scope
- Issuing new refunds through the `refunds` table (a later story).
- Deleting refund rows from `payments.adjustments`.

## Risk
A new table and about 48,000 copied rows in production. The copy cannot be cleanly undone once
refunds start being written to the new table, so a lead approves the migration before it runs.
"""

# SO-3: marked ready but is not: prose criterion, subjective wording, an open question.
SO_3 = """\
---
id: SO-3
title: Rewrite the order-confirmation email
status: ready
owner: bruno@example.com
risk: irreversible
risk_categories: [copy]
gates: [tests]
context:
  - src/checkout/emails/order_confirmation.txt
---

# Rewrite the order-confirmation email

## Intent
Shoppers know from the confirmation email what they bought, when it arrives and how to change
it, so fewer of them write to support in the first 24 hours after ordering.

## Acceptance criteria
- AC-1: When an order is placed, the system shall send the confirmation email within 60 seconds.
- AC-2: The new copy should feel friendly and match our brand voice.
- AC-3: Given a placed order, when the email is opened, then the order number is clearly
  visible above the item list.
- AC-4: When the order holds a pre-order item, the system shall state the expected ship date
  [NEEDS CLARIFICATION: one date per item, or one date for the whole order?].

## Edge cases
- EC-1: If the email bounces, then the system shall show a banner on the order page asking the
  shopper to check the email address on the account.

## Out of scope
- The shipping-notification email.

## Risk
Customer-facing copy: once sent, an email cannot be recalled. Legal reviews the returns wording.
"""

# SO-4: a first draft: no Edge cases, no risk level, an unknown gate, an item without its id,
# and a context path that does not exist (the decision record is not written yet).
SO_4 = """\
---
id: SO-4
title: Keep the cart across devices
status: draft
owner: chen@example.com
gates: [tests, load-test]
context:
  - src/checkout/
  - docs/decisions/0003-cart-storage.md
---

# Keep the cart across devices

## Intent
A signed-in shopper who fills a cart on the phone finds the same cart on the laptop.
Success: the share of carts abandoned after a device switch falls from 62% to 45%.

## Acceptance criteria
- AC-1: When a signed-in shopper adds an item on one device, the system shall show the item in
  the cart on the shopper's other signed-in devices within 5 seconds.
- When a guest signs in, the system shall merge the guest cart into the account cart, adding
  the quantities of items present in both carts.
- AC-3: Given a cart saved 30 days ago, when the shopper signs in, then the cart shows the saved
  items at today's prices.

## Out of scope
- Sharing a cart between two accounts.
"""

# SO-5: a slip in the front matter: the gates list is never closed, so the YAML is invalid.
SO_5 = """\
---
id: SO-5
title: Let shoppers cancel an unshipped order
status: draft
owner: alice@example.com
risk: reversible
gates: [tests, agent-review
---

# Let shoppers cancel an unshipped order

## Intent
Shoppers cancel an order themselves until the warehouse picks the order.
Success: cancellation requests to support fall by 70%.

## Acceptance criteria
- AC-1: Given an order waiting to be picked, when the shopper presses "Cancel order", then the
  order status becomes Cancelled and the payment is voided within 1 minute.

## Edge cases
- EC-1: If the warehouse has picked the order, then the system shall hide "Cancel order" and
  link to the returns form.

## Out of scope
- Partial cancellation of one item.
"""

# SO-6: one story too many: reversible yet flagged [deploy], 10 criteria, a TBD and the wording
# smells that creep in when a spec grows by accretion.
SO_6 = """\
---
id: SO-6
title: One-page checkout behind a feature flag
status: draft
owner: dana@example.com
risk: reversible
risk_categories: [deploy]
gates: [tests, agent-review]
context:
  - src/checkout/
---

# One-page checkout behind a feature flag

## Intent
Shoppers enter address, shipping and payment on one page instead of three.
Success: checkout conversion rises from 41% to 45% for shoppers in the flag's cohort.

## Acceptance criteria
- AC-1: When the `one_page_checkout` flag is on, the system shall show address, shipping and
  payment on one page.
- AC-2: When the shopper edits the address, the system shall refresh the shipping options and
  recalculate it.
- AC-3: The system shall render the one-page checkout faster than the old flow.
- AC-4: When the shopper has a saved card, the system shall preselect the card if possible.
- AC-5: When a payment is declined, the system shall keep the entered address and shipping
  choice on the page.
- AC-6: Given the flag is off, when a shopper opens checkout, then the three-step flow is shown.
- AC-7: When the shopper applies a promo code, the system shall update the total on the same
  page.
- AC-8: The system shall retry the payment call several times before showing an error.
- AC-9: When an order is placed, the system shall record a `checkout_variant` event with the
  value `one_page`.
- AC-10: The system shall enable the flag for TBD percent of traffic in the first week.

## Edge cases
- EC-1: If the flag service is unreachable, then the system shall show the three-step flow.

## Out of scope
- Apple Pay and Google Pay buttons.

## Risk
The flag turns the new page off in one click.
"""

SPECS: dict[str, str] = {
    "SO-1-order-total-tax-breakdown.md": SO_1,
    "SO-2-refunds-table.md": SO_2,
    "SO-3-order-confirmation-email.md": SO_3,
    "SO-4-cart-across-devices.md": SO_4,
    "SO-5-cancel-unshipped-order.md": SO_5,
    "SO-6-one-page-checkout.md": SO_6,
}


def _signoff_env() -> dict[str, str]:
    """The CLI's environment: Rich decides on colour for a terminal; anything else gets none.

    The demo's ledger is its own slice's SQLite file, and its lead is git's user.email: a team
    database or an identity set in the caller's shell must not receive the demo's events.
    """
    env = dict(os.environ)
    env.pop("SIGNOFF_DATABASE_URL", None)
    env.pop("SIGNOFF_ACTOR", None)
    if not sys.stdout.isatty():
        # A log or a test reads this: plain text at a fixed width, whatever the caller's setup.
        env.pop("FORCE_COLOR", None)
        env["NO_COLOR"] = "1"
        env.setdefault("COLUMNS", "120")
    return env


def _signoff(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``signoff <args>`` in ``root`` with this interpreter, stderr merged into stdout."""
    return subprocess.run(
        [sys.executable, "-m", "signoff", *args],
        cwd=root,
        env=_signoff_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def build_slice(root: Path) -> None:
    """Write the sample slice into ``root``: signoff.toml (if absent), context files, six specs.

    Prints nothing; the demo shows what it wrote.
    """
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "signoff.toml").is_file():
        completed = _signoff(root, "init")
        if completed.returncode != 0:
            raise RuntimeError(f"signoff init failed:\n{completed.stdout}")
    for relative, text in CONTEXT_FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    specs_dir = root / "specs"
    specs_dir.mkdir(exist_ok=True)
    for name, text in SPECS.items():
        (specs_dir / name).write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- the walk-through


class Demo:
    """Prints each step: a heading, the command as typed, its output and surprising exit codes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.step = 0
        self.surprises: list[str] = []

    def heading(self, title: str, *notes: str) -> None:
        self.step += 1
        print(f"\n== {self.step}. {title}", flush=True)
        for note in notes:
            print(f"   {note}")

    def command(
        self,
        argv: list[str],
        *,
        expect: int = 0,
        show_exit: bool = False,
        max_lines: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """Run ``argv`` (``signoff`` means this interpreter's module) and print what it printed.

        ``env`` adds variables for this command only; they are shown before it, as typed.
        """
        extra = env or {}
        typed = " ".join(
            [*(f"{name}={shlex.quote(value)}" for name, value in extra.items()), shlex.join(argv)]
        )
        print(f"\n$ {typed}", flush=True)
        if argv[0] == "signoff":
            argv = [sys.executable, "-m", "signoff", *argv[1:]]
        # The command writes straight to our stdout (so Rich sees the real terminal), unless
        # its output is to be cut short; stderr joins stdout so messages stay in order.
        completed = subprocess.run(
            argv,
            cwd=self.root,
            env={**_signoff_env(), **extra},
            stdout=subprocess.PIPE if max_lines is not None else None,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        if max_lines is not None:
            lines = completed.stdout.rstrip("\n").split("\n")
            if len(lines) > max_lines:
                lines = [*lines[:max_lines], f"... ({len(lines) - max_lines} more lines)"]
            print("\n".join(lines), flush=True)
        if show_exit or completed.returncode != expect:
            print(f"exit code: {completed.returncode}", flush=True)
        if completed.returncode != expect:
            self.surprises.append(f"'{typed}' exited {completed.returncode}, expected {expect}")


# What the agent asks before it starts: (spec, question, options, recommended option).
AGENT_QUESTIONS: tuple[tuple[str, str, tuple[str, ...], int | None], ...] = (
    (
        "SO-2",
        "EC-2: where should backfill_skipped.csv be written?",
        (
            "Next to the migration, in src/payments/migrations/",
            "The ops bucket, s3://ops-exports/refunds/",
        ),
        2,
    ),
    ("SO-2", "Which indexes should the refunds table have besides its primary key?", (), None),
    (
        "SO-3",
        "AC-2: what makes the copy friendly, and where is the brand voice written down?",
        (),
        None,
    ),
)
ANSWER = ("SO-2/Q-1", "The ops bucket, s3://ops-exports/refunds/.")
DEFERRAL = ("SO-2/Q-2", "An index on order_id; add others only when a query needs them.")
REJECTION = ("SO-3/Q-1", "AC-2 is not testable; Bruno rewrites it as observable rules")


def clarification_steps(demo: Demo) -> None:
    """The ledger and the clarification inbox: ask, triage, what lands in the spec, the moves."""
    demo.heading(
        "The lead commits the specs; signoff sync indexes them into the ledger",
        "the ledger (.signoff/ledger.db, SQLite) records what happens to each spec, and who did it",
        "SO-5 has no readable id, so it is skipped until its front matter is fixed",
    )
    demo.command(["git", "add", "signoff.toml", "specs", "docs", "src"])
    demo.command(["git", "commit", "--quiet", "--no-gpg-sign", "-m", "Checkout specs"])
    demo.command(["signoff", "sync"])

    demo.heading(
        "An agent reads SO-2 and SO-3 before starting, and files its questions",
        f"SIGNOFF_ACTOR names who acts ({AGENT_EMAIL}); otherwise it is git's user.email",
    )
    for spec_id, question, options, recommended in AGENT_QUESTIONS:
        argv = ["signoff", "clarify", "ask", spec_id, question, "--from", "agent"]
        for option in options:
            argv += ["--option", option]
        if recommended is not None:
            argv += ["--recommend", str(recommended)]
        demo.command(argv, env={"SIGNOFF_ACTOR": AGENT_EMAIL})

    demo.heading("The lead's inbox: open questions, oldest first, with their age")
    demo.command(["signoff", "clarify", "list", "--open"])

    demo.heading("An open question blocks readiness: SO-2 checked clean before, now it does not")
    demo.command(["signoff", "spec", "check", "SO-2"], expect=1, show_exit=True)

    demo.heading(
        "The lead triages: answer one, defer one to implementation, reject one",
        "a rejection says the spec itself is fuzzy: SO-3 goes back to draft until its text changes",
    )
    demo.command(["signoff", "clarify", "answer", *ANSWER])
    demo.command(["signoff", "clarify", "defer", DEFERRAL[0], "--note", DEFERRAL[1]])
    demo.command(["signoff", "clarify", "reject", REJECTION[0], "--reason", REJECTION[1]])

    demo.heading(
        "What that wrote into the spec files, and nothing else",
        "SO-2 gains ## Clarifications and ## Assumptions; SO-3's status line goes back to draft",
    )
    demo.command(["git", "--no-pager", "diff", "--no-color", "specs/"])

    demo.heading(
        "SO-2 moves to ready: its check is clean and no question is open",
        "the move is recorded in the ledger and rewrites only the status line",
    )
    demo.command(["signoff", "clarify", "list", "--open"])
    demo.command(["signoff", "spec", "move", "SO-2", "ready"], show_exit=True)

    demo.heading("SO-3 cannot: the guard says what is missing (exit code 1: a guard refused)")
    demo.command(["signoff", "spec", "move", "SO-3", "ready"], expect=1, show_exit=True)

    demo.heading("The timeline of each spec, from the ledger")
    demo.command(["signoff", "spec", "history", "SO-2"])
    demo.command(["signoff", "spec", "history", "SO-3"])


# ---------------------------------------------------------------- gates

PYTEST_INI = "[pytest]\npythonpath = src\naddopts = -p no:cacheprovider\n"
SLICE_GITIGNORE = "reports/\n__pycache__/\n"
BASE_TESTS = '''"""Tests name the spec and criterion they cover (SO-1 AC-4): the gate reads them."""

from checkout.totals import line_tax_cents


def test_so1_ac4_tax_rounds_half_up() -> None:
    assert line_tax_cents(1_000, 825) == 83
'''

SO_8 = """\
---
id: SO-8
title: Remember the shopper's shipping country
status: ready
owner: alice@example.com
risk: reversible
gates: [tests]
context:
  - src/checkout/
---

# Remember the shopper's shipping country

## Intent
Returning shoppers find their shipping country already chosen, so the first tax estimate they
see is the right one.
Success: the share of checkouts where the country is changed after the summary loads halves.

## Acceptance criteria
- AC-1: When a signed-in shopper opens checkout, the system shall preselect the country of
  their last order.
- AC-2: Given a shopper with no earlier order, when they open checkout, then no country is
  preselected.

## Edge cases
- EC-1: If the last order's country is no longer shipped to, then the system shall preselect
  nothing.

## Risk
The lead reads this as a display preference, easy to revert.
"""

BREAKDOWN = {
    "src/checkout/totals.py": CONTEXT_FILES["src/checkout/totals.py"]
    + '''

def summary_lines(subtotal: int, shipping: int, tax: int) -> list[tuple[str, int]]:
    """The checkout summary, in the order the page shows it."""
    total = subtotal + shipping + tax
    return [("Subtotal", subtotal), ("Shipping", shipping), ("Tax", tax), ("Total", total)]
''',
    "tests/test_summary.py": """from checkout.totals import line_tax_cents, summary_lines


def test_so1_ac1_four_lines_in_order() -> None:
    names = [name for name, _ in summary_lines(2_000, 0, 165)]
    assert names == ["Subtotal", "Shipping", "Tax", "Total"]


def test_so1_ac2_two_items_taxed_at_825() -> None:
    tax = 2 * line_tax_cents(1_000, 825)
    assert summary_lines(2_000, 0, tax)[-1] == ("Total", 2_166)


def test_so1_ac3_totals_follow_the_address() -> None:
    assert summary_lines(2_000, 0, 0)[-1] == ("Total", 2_000)
""",
}

REMEMBER_COUNTRY = {
    "src/checkout/migrations/0043_last_shipping_country.sql": (
        "ALTER TABLE customers ADD COLUMN last_shipping_country CHAR(2);\n"
    ),
    "src/checkout/country.py": '''"""The country preselected at checkout."""


def preselected_country(last_order_country: str | None, shipped_to: set[str]) -> str | None:
    if last_order_country in shipped_to:
        return last_order_country
    return None
''',
    "tests/test_country.py": """from checkout.country import preselected_country


def test_so8_ac1_last_order_country_is_preselected() -> None:
    assert preselected_country("FR", {"FR", "DE"}) == "FR"


def test_so8_ac2_no_order_no_country() -> None:
    assert preselected_country(None, {"FR"}) is None
""",
}

ONE_MORE_COMMIT = {
    "src/checkout/country.py": '''"""The country preselected at checkout (SO-8)."""


def preselected_country(last_order_country: str | None, shipped_to: set[str]) -> str | None:
    """The last order's country while it is still shipped to (EC-1), else nothing."""
    return last_order_country if last_order_country in shipped_to else None
''',
}

CONFIRMATION_COPY = {
    "src/checkout/emails/order_confirmation.txt": """\
Hi {first_name},

Your order {order_number} is confirmed. We'll email you again the moment it ships.

{items}

Total: {total}
Need to change something? Reply to this email within 24 hours.
""",
    "tests/test_confirmation.py": """from pathlib import Path

TEMPLATE = Path(__file__).parents[1] / "src/checkout/emails/order_confirmation.txt"


def test_so3_ac1_ac3_order_number_above_items() -> None:
    text = TEMPLATE.read_text()
    assert text.index("{order_number}") < text.index("{items}")


def test_so3_ac2_ac4_reply_window_is_stated() -> None:
    assert "Reply to this email" in TEMPLATE.read_text()
""",
}


def _agent_commits(demo: Demo, files: dict[str, str], message: str) -> None:
    for relative, text in files.items():
        path = demo.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"   the agent writes {', '.join(files)}")
    demo.command(["git", "add", "-A"])
    demo.command(
        ["git", "commit", "--quiet", "--no-gpg-sign", "-m", message],
        env={"GIT_AUTHOR_NAME": "Claude", "GIT_AUTHOR_EMAIL": AGENT_EMAIL},
    )


def _configure_gates(root: Path) -> None:
    """Point the tests gate at the slice's real tests, writing the JUnit report traced next."""
    standards = root / "signoff.toml"
    text = standards.read_text(encoding="utf-8")
    command = f"{shlex.quote(sys.executable)} -m pytest -q --junitxml=reports/junit.xml tests"
    text = re.sub(
        r'^command = "make test".*$',
        f"command = {json.dumps(command)}",
        text,
        count=1,
        flags=re.MULTILINE,
    )
    text = re.sub(
        r"^junit = \[\].*$", 'junit = ["reports/junit.xml"]', text, count=1, flags=re.MULTILINE
    )
    standards.write_text(text, encoding="utf-8")
    (root / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    (root / ".gitignore").write_text(SLICE_GITIGNORE, encoding="utf-8")
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_totals.py").write_text(BASE_TESTS, encoding="utf-8")
    (root / "specs" / "SO-8-remember-shipping-country.md").write_text(SO_8, encoding="utf-8")


def gate_steps(demo: Demo) -> None:
    """Risk-graded gates on three branches: pass, escalated and pending, approved, void."""
    _configure_gates(demo.root)
    demo.heading(
        "Gates: the policy in signoff.toml names the gates each risk level needs",
        "the lead points the tests gate at the slice's tests (they write a JUnit report that the",
        "traceability gate reads) and writes SO-8, declared reversible",
    )
    demo.command(["git", "--no-pager", "diff", "--no-color", "signoff.toml"])
    demo.command(["git", "add", "-A"])
    demo.command(["git", "commit", "--quiet", "--no-gpg-sign", "-m", "Gates run the tests; SO-8"])

    demo.heading(
        "A plain reversible change: the agent adds SO-1's summary lines on a branch",
        "the spec comes from the branch name; the review is sampled, deterministically",
    )
    demo.command(["git", "checkout", "--quiet", "-b", "so-1-tax-breakdown", "main"])
    _agent_commits(demo, BREAKDOWN, "Checkout summary lines")
    demo.command(["signoff", "gate"], show_exit=True)

    demo.heading(
        "SO-8 says reversible, but the agent's diff adds a migration",
        "detected risk raises the level: an irreversible change is always reviewed and waits",
        "for a named approver (exit code 3: pending)",
    )
    demo.command(["git", "checkout", "--quiet", "-b", "so-8-remember-country", "main"])
    _agent_commits(demo, REMEMBER_COUNTRY, "Remember the last shipping country")
    demo.command(["signoff", "gate"], expect=3, show_exit=True)

    demo.heading(
        "The lead reviews the migration and approves exactly this diff",
        "the approval records who, when and the diff's hash, in the ledger's hash chain",
    )
    review = ["signoff", "review", "record", "--outcome", "pass"]
    demo.command([*review, "--summary", "nullable column, no table rewrite"])
    demo.command(["signoff", "approve", "--comment", "safe to roll out"])
    demo.command(["signoff", "gate"], show_exit=True)

    demo.heading(
        "One more commit: the approval named the old diff, so it is void",
        "the verdict says whose approval is void and why",
    )
    _agent_commits(demo, ONE_MORE_COMMIT, "Tidy preselected_country")
    demo.command(["signoff", "gate"], expect=3, show_exit=True)

    demo.heading(
        "Customer copy: SO-3 declares it, the diff shows it, a lead must approve",
        "the same verdict as a pull-request comment (--format markdown)",
    )
    demo.command(["git", "checkout", "--quiet", "-b", "so-3-confirmation-copy", "main"])
    _agent_commits(demo, CONFIRMATION_COPY, "Confirmation email copy")
    demo.command(["signoff", "gate", "--format", "markdown"], expect=3, show_exit=True)

    demo.heading(
        "Every verdict, review and approval is chained in the ledger",
        "signoff ledger verify recomputes the chain: a row edited or removed is named",
    )
    demo.command(["signoff", "ledger", "verify"])


def run_demo(root: Path) -> int:
    demo = Demo(root)
    print("signoff demo: a sample slice of an online shop's checkout, checked for readiness,")
    print("then taken through the clarification inbox")
    print(f"slice folder: {root}")

    demo.heading("A new slice: git init, signoff init")
    demo.command(["git", "-c", "init.defaultBranch=main", "init", "--quiet"])
    demo.command(["git", "config", "user.name", LEAD_NAME])
    demo.command(["git", "config", "user.email", LEAD_EMAIL])
    demo.command(["signoff", "init"])

    build_slice(root)
    demo.heading(
        "Six specs for the checkout slice, and the files they point agents at",
        "(written by this script, as a lead would write them by hand)",
    )
    for relative in [*CONTEXT_FILES, *(f"specs/{name}" for name in SPECS)]:
        print(f"   wrote {relative}")
    print("   SO-1, SO-2: ready (SO-2 not handed over yet: status draft)")
    print("   SO-3: marked ready, but vague · SO-4 to SO-6: drafts with gaps")

    demo.heading("Every spec at a glance")
    demo.command(["signoff", "spec", "list"])

    demo.heading(
        "Check every spec: errors block readiness, wording smells warn",
        "each finding gives file:line, the rule's name, what is wrong and a hint to fix it",
    )
    demo.command(["signoff", "spec", "check"], expect=1, show_exit=True)

    demo.heading("Check only the ready specs: exit code 0, so CI or a pre-commit hook lets it pass")
    demo.command(["signoff", "spec", "check", "SO-1", "SO-2"], show_exit=True)

    demo.heading(
        "The same check as JSON, for tools and agents (also: --format sarif)",
        f"(first {JSON_LINES_SHOWN} lines)",
    )
    demo.command(
        ["signoff", "spec", "check", "--format", "json", "SO-3"],
        expect=1,
        show_exit=True,
        max_lines=JSON_LINES_SHOWN,
    )

    demo.heading(
        "A new spec from the template: the check says what is left to write",
        "the owner comes from git config user.email",
    )
    demo.command(["signoff", "spec", "new", "Apply gift cards at checkout"])
    demo.command(["signoff", "spec", "check", "SO-7"], expect=1, show_exit=True)

    demo.heading("One spec, rendered, with its readiness")
    demo.command(["signoff", "spec", "show", "SO-1"])

    clarification_steps(demo)
    gate_steps(demo)

    demo.heading("Your turn")
    print(f"   The slice is kept in {root}")
    print(f"   try: cd {shlex.quote(str(root))} && signoff spec check")
    if shutil.which("signoff") is None:
        installed = Path(sys.executable).with_name("signoff")
        where = str(installed) if installed.exists() else f"{sys.executable} -m signoff"
        print(f"   (signoff is not on your PATH here; run it as {where})")
    print("   then fix SO-4 as the findings say and run 'signoff spec check SO-4' again.")
    print("   SO-3 waits for its owner: fix AC-2 and AC-4, then 'signoff spec move SO-3 ready'.")

    if demo.surprises:
        print("\ndemo: unexpected results:", file=sys.stderr)
        for surprise in demo.surprises:
            print(f"  {surprise}", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    if importlib.util.find_spec("signoff") is None:
        print(
            f"demo: signoff is not installed for {sys.executable}; run 'make demo'",
            file=sys.stderr,
        )
        return 2
    if shutil.which("git") is None:
        print(
            "demo: git is needed (https://git-scm.com); install it and run again", file=sys.stderr
        )
        return 2
    root = Path(tempfile.mkdtemp(prefix="signoff-demo-")) / SLICE_FOLDER
    root.mkdir()
    return run_demo(root)


if __name__ == "__main__":
    raise SystemExit(main())
