"""`consentry backfill SOURCE`: a platform's existing media into the content index, on Ray."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from consentry.accounts.models import ApiKey, Scope
from consentry.cli.context import open_engine
from consentry.cli.output import progress_bar, stderr
from consentry.config import get_settings
from consentry.db.session import session_scope


def backfill_command(
    source: Annotated[
        str,
        typer.Argument(
            help="A directory, or a filesystem URL pyarrow reads (s3://bucket/prefix, gs://…)."
        ),
    ],
    key: Annotated[
        int,
        typer.Option(
            "--key",
            help="The id of the API key the content is registered for (scope content:write;"
            " see `apikey list`): the platform's pipeline that later removes it.",
        ),
    ],
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Files hashed at once (Ray tasks).")
    ] = 2,
    address: Annotated[
        str | None,
        typer.Option(
            "--address",
            help="Join this Ray cluster (e.g. ray://head:10001, or 'auto' on a node of it);"
            " without it, Ray's local runtime runs on this machine.",
        ),
    ] = None,
    chunk: Annotated[
        int, typer.Option("--chunk", min=1, help="Files recorded per transaction.")
    ] = 500,
    json_summary: Annotated[
        bool, typer.Option("--json", help="The summary as one JSON object on stdout.")
    ] = False,
) -> None:
    """Hash every file of SOURCE once (PDQ as it is, SHA-256, MD5; a video's byte
    digests), register it in the content index under its path, and report what matches
    the banks now. Resumable: a rerun skips every file recorded before, so a crashed
    run is simply started again. No file is stored; only hashes are kept."""
    try:
        from consentry.content.backfill import backfill
    except ImportError:
        stderr.print("[red]error:[/] backfill needs Ray: pip install 'consentry[ray]'")
        raise typer.Exit(2) from None
    engine = open_engine()
    with session_scope(engine) as session:
        owner = session.get(ApiKey, key)
        if owner is None or owner.revoked_at is not None:
            stderr.print(f"[red]error:[/] no API key {key} (see `consentry apikey list`)")
            raise typer.Exit(2)
        if Scope.CONTENT_WRITE not in owner.scopes:
            stderr.print(f"[red]error:[/] API key {key} lacks the scope 'content:write'")
            raise typer.Exit(2)
    with progress_bar(0, "hashing") as bar:

        def shown(done: int, total: int) -> None:
            if bar is not None:
                bar.update(bar.task_ids[0], completed=done, total=total)

        try:
            summary = backfill(
                engine=engine,
                settings=get_settings(),
                source=source,
                api_key_id=key,
                workers=workers,
                address=address,
                chunk=chunk,
                progress=shown,
            )
        except (FileNotFoundError, NotADirectoryError) as error:
            stderr.print(f"[red]error:[/] cannot read the source: {error}")
            raise typer.Exit(2) from None
    errors = sum(summary.errors.values())
    if json_summary:
        typer.echo(
            json.dumps(
                {
                    "files": summary.files,
                    "skipped": summary.skipped,
                    "indexed": summary.indexed,
                    "errors": dict(summary.errors),
                    "matched": summary.matched,
                    "seconds": round(summary.seconds, 1),
                    "hashing_seconds": round(summary.hashing_seconds, 1),
                }
            )
        )
        return
    hashed = summary.indexed + errors
    rate = hashed / summary.hashing_seconds if summary.hashing_seconds else 0.0
    typer.echo(
        f"{summary.files:,} files: {summary.indexed:,} indexed, {errors:,} not hashed,"
        f" {summary.skipped:,} done before; {summary.matched:,} match a bank now"
        f" ({summary.seconds:.1f} s, {rate:,.0f} files/s)"
    )
    for kind, count in summary.errors.most_common():
        typer.echo(f"  {kind}: {count:,}")
