"""The `consentry` command line."""

from __future__ import annotations

from typing import Annotated

import typer

from consentry.cli import (
    apikey,
    audit,
    bank,
    case,
    db,
    evidence,
    exchange,
    retention,
    tdb,
    user,
    webhook,
)
from consentry.cli.backfill import backfill_command
from consentry.cli.hash import hash_command
from consentry.cli.inspect import inspect_command
from consentry.cli.match import match_command, scan_command
from consentry.cli.report import report_command

app = typer.Typer(
    name="consentry",
    help="Countermeasures against intimate image abuse: hashing, matching, review.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("hash")(hash_command)
app.command("match")(match_command)
app.command("scan")(scan_command)
app.command("report")(report_command)
app.command("inspect")(inspect_command)
app.command("backfill")(backfill_command)
app.add_typer(bank.app, name="bank")
app.add_typer(db.app, name="db")
app.add_typer(apikey.app, name="apikey")
app.add_typer(user.app, name="user")
app.add_typer(audit.app, name="audit")
app.add_typer(case.app, name="case")
app.add_typer(case.appeals, name="appeal")
app.add_typer(webhook.app, name="webhook")
app.add_typer(evidence.app, name="evidence")
app.add_typer(tdb.app, name="tdb")
app.add_typer(retention.app, name="retention")
app.add_typer(exchange.app, name="exchange")
app.add_typer(exchange.partners, name="partner")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the consentry service (SQLite under ./var unless CONSENTRY_DATABASE_URL is set)."""
    import os

    import uvicorn

    from consentry.api.logs import log_config
    from consentry.cli.context import open_engine
    from consentry.config import Settings, get_settings
    from consentry.service import listeners

    if get_settings().public_url == Settings.model_fields["public_url"].default:
        # Unconfigured: the one-time links printed and shown point at this server.
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        os.environ["CONSENTRY_PUBLIC_URL"] = f"http://{shown}:{port}"
        get_settings.cache_clear()
    user.bootstrap(open_engine())  # migrate once here, not in each worker at the same time
    os.environ["CONSENTRY_MIGRATE_ON_START"] = "false"
    settings = get_settings()
    config = uvicorn.Config(
        "consentry.service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(),
        access_log=settings.access_log,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )
    listeners.run(config)


@app.command()
def openapi() -> None:
    """Print the API's OpenAPI document (docs/openapi.json is this, checked in)."""
    import json

    from consentry.config import Settings
    from consentry.service.app import create_app

    settings = Settings(database_url="sqlite://", migrate_on_start=False)
    typer.echo(json.dumps(create_app(settings).openapi(), indent=2, sort_keys=True))


if __name__ == "__main__":
    app()
