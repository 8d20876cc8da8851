"""One error tree for everything Signoff refuses to do.

Every message says what is wrong and how to fix it, in one line, naming the file and the line
when there is one. The shells (CLI, web, MCP) turn these into an exit code or an HTTP status;
nothing else should need to catch them.

    SignoffError                  base class; ``exit_code`` is what the CLI exits with
    ├── UsageError                the command could not run (exit 2)
    │   ├── SliceNotFoundError    no ``signoff.toml`` in this folder or any parent
    │   ├── ConfigError           ``signoff.toml`` is not valid: file, line, key and the fix
    │   ├── SpecNotFoundError     a named spec path or id does not exist
    │   ├── SpecWriteError        a spec file could not be written; nothing was changed
    │   ├── QuestionNotFoundError no such question (Q-<n> of a spec)
    │   ├── JUnitError            a JUnit XML report is unreadable, truncated or not JUnit
    │   ├── GitError              git is missing, or the repository or a revision cannot be used
    │   └── LedgerError           the ledger cannot be reached or used
    │       ├── DatabaseUrlError  SIGNOFF_DATABASE_URL is malformed (password never echoed)
    │       └── LedgerBusyError   the ledger stayed locked through every retry
    └── RefusedError              the command ran and said no (exit 1): a guard refused
        ├── MoveRefusedError      a stage change a guard does not allow, and what is missing
        ├── AlreadyResolvedError  the question was answered, deferred or rejected already
        └── SpecChangedError      the spec file changed on disk while we worked; nothing written

A spec file that is malformed (bad YAML, no front matter, not UTF-8) is *not* an error here: the
checker reports it as a finding, because a broken spec is exactly what the checker is for.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_READY = 1
EXIT_REFUSED = 1  # the command ran and a guard said no (not ready, already answered, ...)
EXIT_USAGE = 2


class SignoffError(Exception):
    """Base of every error Signoff raises on purpose."""

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(SignoffError):
    """The command could not run because of what it was given."""

    exit_code = EXIT_USAGE


class SliceNotFoundError(UsageError):
    """No ``signoff.toml`` was found from the working folder upwards."""


class ConfigError(UsageError):
    """``signoff.toml`` is not valid."""

    def __init__(self, path: str, line: int | None, key: str | None, problem: str) -> None:
        where = f"{path}:{line}" if line else path
        subject = f"{key}: " if key else ""
        super().__init__(f"{where}: {subject}{problem}")
        self.path = path
        self.line = line
        self.key = key
        self.problem = problem


class SpecNotFoundError(UsageError):
    """A spec path or id named on the command line does not exist."""


class SpecWriteError(UsageError):
    """Writing a spec file failed; the file on disk is unchanged."""


class QuestionNotFoundError(UsageError):
    """A question reference (SO-3/Q-2) names nothing in the ledger."""


class JUnitError(UsageError):
    """A JUnit XML report cannot be used: unreadable, empty, not XML, truncated or not JUnit."""


class GitError(UsageError):
    """git is missing, the folder is not a repository, or a revision or diff cannot be read."""


class LedgerError(UsageError):
    """The ledger cannot be reached or used."""


class DatabaseUrlError(LedgerError):
    """``SIGNOFF_DATABASE_URL`` is malformed or names an unsupported database."""


class LedgerBusyError(LedgerError):
    """The ledger stayed locked by another process through every retry."""


class RefusedError(SignoffError):
    """The command ran, and a rule of the product said no."""

    exit_code = EXIT_REFUSED


class MoveRefusedError(RefusedError):
    """A guard refused a stage change; the message says what is missing."""


class AlreadyResolvedError(RefusedError):
    """The question was already answered, deferred or rejected."""


class SpecChangedError(RefusedError):
    """The spec file changed on disk since it was read; nothing was written."""
