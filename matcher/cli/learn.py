"""`matcher learn train | status | rollback`: the workspace's learned ranker, a thin Typer shell
over matcher.services.ranker (docs/learning.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from matcher.cli.support import EncoderOpt, WorkspaceOpt, _domain_errors, _settings, out_console
from matcher.config import default_workspace

learn_app = typer.Typer(
    help="Learn the ranking from outcomes (requested … order) reported in the workspace.\n\n"
    "Example: matcher learn train --workspace ws; matcher learn status; matcher learn rollback",
    no_args_is_help=True,
    add_completion=False,
)


def _print(payload: dict[str, Any]) -> None:
    out_console.print_json(json.dumps(payload, ensure_ascii=False, default=str))


@learn_app.command("train")
def train(
    workspace: WorkspaceOpt = default_workspace(),  # noqa: B008
    encoder: EncoderOpt = None,
    min_requirements: Annotated[
        int | None,
        typer.Option(min=2, help="Training requirements needed (default: the model card's)."),
    ] = None,
) -> None:
    """Train from the stored outcomes; the learned ranker serves the next search only if it
    beats the active one on the newer, held-out outcomes by the margin (docs/learning.md).

    Example: matcher learn train --workspace ws
    """
    from matcher.learn import TrainOptions
    from matcher.services.index import open_index
    from matcher.services.ranker import train_ranker
    from matcher.store import Workspace

    settings = _settings(encoder)  # the index version's own encoder when it has one
    options = (
        TrainOptions()
        if min_requirements is None
        else TrainOptions(min_train_queries=min_requirements)
    )
    with _domain_errors():
        index = open_index(workspace, settings)
        report = train_ranker(
            Workspace(workspace), index, settings.retrieve.requirement_filters, options
        )
    out_console.print(report.reason)
    _print(report.to_json())


@learn_app.command("status")
def status(workspace: WorkspaceOpt = default_workspace()) -> None:  # noqa: B008
    """The active ranker (version, training window, held-out figures) and the last attempt.

    Example: matcher learn status --workspace ws
    """
    from matcher.services.ranker import ranker_status
    from matcher.store import Workspace

    with _domain_errors():
        _print(ranker_status(Workspace(workspace)))


@learn_app.command("rollback")
def rollback(workspace: WorkspaceOpt = default_workspace()) -> None:  # noqa: B008
    """Make the ranker active before the current one active again (one step back).

    Example: matcher learn rollback --workspace ws
    """
    from matcher.services.ranker import rollback_ranker
    from matcher.store import Workspace

    with _domain_errors():
        after = rollback_ranker(Workspace(workspace))
    active = after["active"]["version"] or "the transparent scorer"
    out_console.print(f"active ranker: {active}")
