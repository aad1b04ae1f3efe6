"""Progress reporting: the jobs report stages to a ``Reporter``; the CLI draws bars, the library
stays silent (``SilentReporter``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class Reporter(Protocol):
    """Progress sink: ``stage(name, total)`` opens a stage; the callable it yields advances it."""

    def stage(
        self, name: str, total: int | None
    ) -> AbstractContextManager[Callable[[int], None]]: ...


class SilentReporter:
    def stage(self, name: str, total: int | None) -> AbstractContextManager[Callable[[int], None]]:
        return nullcontext(lambda n: None)
