"""`matcher keys create|list|revoke` and `matcher serve`: Typer commands that
matcher/cli/main.py registers. FastAPI and uvicorn are imported only when the server starts, so
`matcher --help` stays quick."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from matcher.cli.support import WorkspaceOpt
from matcher.config import default_workspace
from matcher.errors import MatcherError
from matcher.store import ROLES, Workspace

keys_app = typer.Typer(help="API keys for the service (stored hashed).", no_args_is_help=True)


@keys_app.command("create")
def create_key(
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")],
    buyer_id: Annotated[
        str | None, typer.Option("--buyer-id", help="The buyer a buyer key acts for.")
    ] = None,
    supplier_id: Annotated[
        str | None, typer.Option("--supplier-id", help="The firm a supplier key acts for.")
    ] = None,
    label: Annotated[str, typer.Option(help="A note on whose key this is.")] = "",
    workspace: WorkspaceOpt = default_workspace(),  # noqa: B008
) -> None:
    """Create an API key; the key alone is printed on the last line (shown once, kept hashed).

    Example: matcher keys create --role buyer --buyer-id honda-vietnam --workspace ws
    """
    try:
        record, secret = Workspace(workspace).create_api_key(role, buyer_id, supplier_id, label)
    except MatcherError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    bound = record.buyer_id or record.supplier_id
    typer.echo(f"key {record.key_id}: role {record.role}" + (f" for {bound}" if bound else ""))
    typer.echo(secret)


@keys_app.command("list")
def list_keys(
    all_keys: Annotated[
        bool, typer.Option("--all", help="Revoked keys too (default: live keys only).")
    ] = False,
    workspace: WorkspaceOpt = default_workspace(),  # noqa: B008
) -> None:
    """List the API keys: id, role, whom a key acts for, label, when it was made (never the
    secrets, which are kept hashed).

    Example: matcher keys list --workspace ws
    """
    keys = [k for k in Workspace(workspace).api_keys() if all_keys or not k.revoked]
    if not keys:
        typer.echo("no API keys" + ("" if all_keys else " (live); --all shows revoked ones"))
        return
    table = Table(box=None, pad_edge=False)
    for col in ("key", "role", "for", "label", "created", *(("revoked",) if all_keys else ())):
        table.add_column(col, no_wrap=col != "label", overflow="fold")
    for k in keys:
        table.add_row(
            k.key_id,
            k.role,
            k.buyer_id or k.supplier_id or "",
            k.label,
            k.created_at.strftime("%Y-%m-%d %H:%M"),
            *(("yes" if k.revoked else "",) if all_keys else ()),
        )
    Console(highlight=False).print(table)


@keys_app.command("revoke")
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="The key's id (the first column of keys list).")],
    workspace: WorkspaceOpt = default_workspace(),  # noqa: B008
) -> None:
    """Revoke an API key at once. The last live admin key cannot be revoked (as in the API):
    create another admin key first.

    Example: matcher keys revoke 3f9a2c1b7d4e5f60 --workspace ws
    """
    try:
        found = Workspace(workspace).revoke_api_key(key_id, keep_an_admin=True)
    except MatcherError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if not found:
        typer.echo(f"error: no key {key_id!r} in {workspace} (see `matcher keys list`)", err=True)
        raise typer.Exit(1)
    typer.echo(f"key {key_id} revoked")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workspace: WorkspaceOpt = default_workspace(),  # noqa: B008
) -> None:
    """Serve the API (and the search page at /) over a workspace.

    Example: matcher serve --host 0.0.0.0 --port 8000 --workspace ws
    """
    import uvicorn

    from api.app import create_app

    try:
        app = create_app(workspace)
    except MatcherError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    uvicorn.run(app, host=host, port=port, log_level="info")
