"""`consentry apikey …`: keys for machines (upload pipelines, helplines, exchanges)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from consentry.accounts import service
from consentry.accounts.errors import AccountError
from consentry.accounts.models import Scope
from consentry.cli.context import open_engine
from consentry.cli.output import stderr
from consentry.core.actor import CLI
from consentry.db.session import session_scope

app = typer.Typer(help="API keys with scopes, for machines.", no_args_is_help=True)


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="What the key is for, e.g. 'upload-pipeline'.")],
    scope: Annotated[
        list[Scope], typer.Option("--scope", help="A scope the key holds (repeat for several).")
    ],
) -> None:
    """Create a key. It is printed once, alone on the last line, and never stored."""
    try:
        with session_scope(open_engine()) as session:
            key, secret = service.create_api_key(
                session=session, name=name, scopes=scope, actor=CLI
            )
            stderr.print(f"API key {key.id} ({key.name}): {', '.join(key.scopes)}")
    except AccountError as error:
        stderr.print(f"[red]error:[/] {error.message}")
        raise typer.Exit(2) from None
    stderr.print("Store it now: it cannot be shown again.")
    typer.echo(secret)


@app.command("list")
def list_keys() -> None:
    """List keys (never their secrets)."""
    table = Table("id", "name", "prefix", "scopes", "created", "last used", "revoked")
    with session_scope(open_engine()) as session:
        for key in service.list_api_keys(session=session):
            table.add_row(
                str(key.id),
                key.name,
                key.prefix + "…",
                " ".join(key.scopes),
                key.created_at.strftime("%Y-%m-%d %H:%M"),
                key.last_used_at.strftime("%Y-%m-%d %H:%M") if key.last_used_at else "never",
                key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "",
            )
    Console().print(table)


@app.command()
def revoke(
    key_id: Annotated[int, typer.Argument(help="The key's id (see `apikey list`).")],
) -> None:
    """Revoke a key: every worker refuses it within seconds."""
    try:
        with session_scope(open_engine()) as session:
            service.revoke_api_key(session=session, key_id=key_id, actor=CLI)
    except AccountError as error:
        stderr.print(f"[red]error:[/] {error.message}")
        raise typer.Exit(2) from None
    typer.echo(f"revoked API key {key_id}")
