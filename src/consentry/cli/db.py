"""`consentry db …`: schema migrations."""

from __future__ import annotations

import typer

from consentry.cli.context import open_engine

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Apply every pending migration (the service and commands also do this at start)."""
    open_engine()
    typer.echo("database is up to date")
