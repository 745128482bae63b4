"""The `consentry` command line."""

from __future__ import annotations

from typing import Annotated

import typer

from consentry.cli import bank, db
from consentry.cli.hash import hash_command
from consentry.cli.match import match_command, scan_command

app = typer.Typer(
    name="consentry",
    help="Countermeasures against intimate image abuse: hashing, matching, review.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("hash")(hash_command)
app.command("match")(match_command)
app.command("scan")(scan_command)
app.add_typer(bank.app, name="bank")
app.add_typer(db.app, name="db")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the consentry service (SQLite under ./var unless CONSENTRY_DATABASE_URL is set)."""
    import uvicorn

    uvicorn.run(
        "consentry.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


if __name__ == "__main__":
    app()
