"""One hierarchy of domain errors; the CLI and the API map these to exit codes / HTTP codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class MatcherError(Exception):
    """Base class of every error the engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file. ``row`` is the spreadsheet row (header = 1)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class InputDataError(MatcherError):
    """An input file was rejected whole; carries every problem found, not only the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("InputDataError needs at least one problem")
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(self.render())
        self.file = first.file
        self.row = first.row
        self.column = first.column

    def render(self, limit: int = 50) -> str:
        lines = [f"{len(self.problems)} problem(s) in input; nothing was written:"]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  … and {len(self.problems) - limit} more")
        return "\n".join(lines)


class ConfigError(MatcherError):
    """A setting or option has a value the engine cannot use."""


class EncoderError(MatcherError):
    """An encoder cannot be created or loaded (unknown name, missing package or model path)."""


class IndexArtifactError(MatcherError):
    """An index artifact is missing, corrupt or does not match its manifest."""


class WorkspaceError(MatcherError):
    """The workspace is missing something a command needs (e.g. `matcher index` not run yet)."""


class NotFound(MatcherError):
    """A record the caller names does not exist, or the caller may not see it (the same answer
    for both, so that ids cannot be probed)."""


class Conflict(MatcherError):
    """The operation contradicts what is stored (e.g. adding a record whose id exists)."""


class Forbidden(MatcherError):
    """The caller's role may not do this."""


class Busy(MatcherError):
    """A shared resource (the index's one writer) stayed busy past the bounded wait; retry."""
