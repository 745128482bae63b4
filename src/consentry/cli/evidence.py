"""`consentry evidence …`: signed evidence bundles for police, courts and the person depicted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from consentry.cli.case import case_errors, find_case
from consentry.cli.context import open_engine
from consentry.cli.output import stderr
from consentry.config import get_settings
from consentry.core.actor import CLI
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.evidence.bundle import export_bundle, verify_bundle
from consentry.evidence.keys import load_or_create

app = typer.Typer(help="Evidence bundles: export signed, verify offline.", no_args_is_help=True)


@app.command()
def export(
    reference: Annotated[str, typer.Argument(help="The case reference, e.g. CS-ABCD-EFGH-JKLM.")],
    out: Annotated[Path, typer.Argument(help="The bundle file to write (JSON).")],
) -> None:
    """Write the case's events, hashes, decisions and statements, signed (Ed25519).

    The bundle holds hashes and content locations, never an image and never the
    requester's contact details; the export is recorded in the case's audit trail."""
    settings = get_settings()
    key = load_or_create(settings.evidence_key_path())
    engine = open_engine()
    with case_errors(), session_scope(engine) as session:
        case = find_case(session, reference)
        bundle = export_bundle(session=session, case=case, key=key, actor=CLI, now=utcnow())
    out.write_text(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n")
    stderr.print(
        f"wrote {out}: {len(bundle['content']['events'])} events, signed by"
        f" {bundle['key_fingerprint']}"
    )


@app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(help="A bundle written by `evidence export`.")],
    key: Annotated[
        str | None,
        typer.Option(help="The deployment's published key fingerprint (sha256:…) to trust."),
    ] = None,
) -> None:
    """Check a bundle offline; exit 0 if it holds, 1 naming everything that does not."""
    try:
        data = json.loads(bundle.read_text())
    except (OSError, ValueError) as error:
        stderr.print(f"[red]error:[/] cannot read {bundle}: {error}")
        raise typer.Exit(2) from None
    result = verify_bundle(data, trusted=key)
    for problem in result.problems:
        typer.echo(f"FAIL {problem}")
    if not result.ok:
        raise typer.Exit(1)
    typer.echo(f"OK {result.events} events; signed by {result.signer}")
    if key is None:
        typer.echo(
            "note: pass --key with the deployment's published fingerprint to trust the signer"
        )
