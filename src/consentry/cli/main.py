"""The `consentry` command line."""

from __future__ import annotations

from typing import Annotated

import typer

from consentry.cli.hash import hash_command

app = typer.Typer(
    name="consentry",
    help="Countermeasures against intimate image abuse: hashing, matching, review.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("hash")(hash_command)


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
