"""`consentry audit …`: the hash-chained audit log."""

from __future__ import annotations

import typer

from consentry.audit.service import verify as verify_chain
from consentry.cli.context import open_engine
from consentry.cli.output import stderr
from consentry.db.session import session_scope

app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Check the whole chain; report every edited, deleted or reordered event (exit 1 if any)."""
    problems = 0
    with session_scope(open_engine()) as session:
        for found in verify_chain(session=session):
            problems += 1
            typer.echo(f"event {found.seq}: {found.problem}")
    if problems:
        stderr.print(f"[red]the audit log does not verify: {problems} problem(s)[/]")
        raise typer.Exit(1)
    typer.echo("the audit log verifies")
