"""`consentry audit …`: the hash-chained audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from consentry.audit.checkpoints import check, check_stored, document, write_checkpoint
from consentry.audit.service import verify as verify_chain
from consentry.cli.context import open_engine
from consentry.cli.output import stderr
from consentry.config import get_settings
from consentry.db.session import session_scope
from consentry.evidence.keys import load_or_create

app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        stderr.print(f"[red]error:[/] cannot read {path}: {error}")
        raise typer.Exit(2) from None
    if not isinstance(data, dict):
        stderr.print(f"[red]error:[/] {path} is not a checkpoint")
        raise typer.Exit(2)
    return data


@app.command()
def checkpoint() -> None:
    """Sign the chain's head now and print the checkpoint (JSON) for publication: kept
    elsewhere, it shows later whether events were deleted from the log's end or the
    chain was recomputed."""
    key = load_or_create(get_settings().evidence_key_path())
    with session_scope(open_engine()) as session:
        written = write_checkpoint(session=session, key=key)
        if written is None:
            stderr.print("[red]the audit log is empty: nothing to sign yet[/]")
            raise typer.Exit(1)
        typer.echo(json.dumps(document(written), indent=2))


@app.command()
def verify(
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoint", help="A published checkpoint (JSON) to check the log against."
        ),
    ] = None,
) -> None:
    """Check the whole chain, every stored checkpoint and any published one given; report
    every edited, deleted, reordered or truncated event (exit 1 if any)."""
    problems = 0
    published = [_read(path) for path in checkpoint or []]
    trusted = load_or_create(get_settings().evidence_key_path()).public_key()
    with session_scope(open_engine()) as session:
        found_all = [
            *verify_chain(session=session),
            *check_stored(session=session, trusted=trusted),
            *(b for doc in published for b in check(session=session, doc=doc, trusted=trusted)),
        ]
        for found in found_all:
            problems += 1
            typer.echo(f"event {found.seq}: {found.problem}")
    if problems:
        stderr.print(f"[red]the audit log does not verify: {problems} problem(s)[/]")
        raise typer.Exit(1)
    typer.echo("the audit log verifies")
