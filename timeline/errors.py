"""One family of user-facing errors, each carrying the file, line and field it is about."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 page``, ``2 pages`` (``many`` for a noun that does not just take an s)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def megabytes(size: int) -> str:
    """A size in MB with one decimal ("5.3 MB"), never rounded down to the limit itself."""
    return f"{size / 1_048_576:.1f} MB".replace(".0 MB", " MB")


class Severity(enum.Enum):
    """How bad a problem is; warnings become errors under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, printed as ``path:line: field: message``."""

    path: str
    line: int
    field: str
    message: str
    severity: Severity = dataclass_field(default=Severity.ERROR, compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = "warning: " if self.severity is Severity.WARNING else ""
        subject = f" {self.field}:" if self.field else ""
        return f"{where}:{subject} {label}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class TimelineError(Exception):
    """Base of every error a user can cause; the CLI prints it without a traceback."""


class ContentError(TimelineError):
    """The events, bibliography or config contain problems; all of them are listed."""

    def __init__(self, problems: Iterable[Problem], warnings: Iterable[Problem] = ()) -> None:
        self.problems = sorted(problems)
        self.warnings = sorted(warnings)  # shown alongside, but not what failed the run
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ContentError], tuple[list[Problem], list[Problem]]]:
        """Pickle with the problems themselves (errors travel back from build workers)."""
        return (type(self), (self.problems, self.warnings))


class UsageError(TimelineError):
    """The command was asked for something it cannot do (exit code 2)."""


@dataclass
class Problems:
    """Collects problems during a build phase so that all of them are reported in one run."""

    items: list[Problem] = dataclass_field(default_factory=list)

    def error(self, path: str, line: int, field_name: str, message: str) -> None:
        self.items.append(Problem(path, line, field_name, message, Severity.ERROR))

    def warn(self, path: str, line: int, field_name: str, message: str) -> None:
        self.items.append(Problem(path, line, field_name, message, Severity.WARNING))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def raise_if_errors(self, *, strict: bool = False) -> None:
        """Raise ContentError if there are errors (or, when strict, any warnings)."""
        failing = self.items if strict else self.errors
        if failing:
            raise ContentError(
                (Problem(p.path, p.line, p.field, p.message, Severity.ERROR) for p in failing),
                warnings=[] if strict else self.warnings,
            )
