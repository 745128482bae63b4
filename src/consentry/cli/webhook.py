"""`consentry webhook …`: where action requests and statements of reasons are sent."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from consentry.actions import service
from consentry.actions.service import WebhookError
from consentry.cli.context import open_engine
from consentry.cli.output import stderr
from consentry.config import get_settings
from consentry.core.actor import CLI
from consentry.db.session import session_scope
from consentry.outbound.destinations import allowed_networks

app = typer.Typer(help="Webhook endpoints and dead letters.", no_args_is_help=True)


def _fail(error: WebhookError) -> typer.Exit:
    stderr.print(f"[red]error:[/] {error.message}")
    return typer.Exit(1)


@app.command()
def add(
    url: Annotated[str, typer.Argument(help="The platform's endpoint, https://….")],
    description: Annotated[str, typer.Option(help="What the endpoint is.")] = "",
) -> None:
    """Add an endpoint. Its signing secret is printed once, alone on the last line."""
    try:
        with session_scope(open_engine()) as session:
            endpoint = service.add_endpoint(
                session=session,
                url=url,
                allowed=allowed_networks(get_settings()),
                actor=CLI,
                description=description,
            )
            stderr.print(f"webhook {endpoint.id}: {endpoint.url}")
            secret = endpoint.secret
    except WebhookError as error:
        raise _fail(error) from None
    stderr.print("Verify Consentry-Signature with this secret; it is not shown again.")
    typer.echo(secret)


@app.command("list")
def list_endpoints() -> None:
    """Endpoints (never their secrets)."""
    table = Table("id", "url", "enabled", "description", "created")
    with session_scope(open_engine()) as session:
        for e in service.list_endpoints(session=session):
            table.add_row(
                str(e.id), e.url, str(e.enabled), e.description, f"{e.created_at:%Y-%m-%d}"
            )
    Console().print(table)


@app.command()
def disable(endpoint_id: Annotated[int, typer.Argument(help="The endpoint's id.")]) -> None:
    """Stop sending to an endpoint (it stays on record)."""
    try:
        with session_scope(open_engine()) as session:
            service.disable_endpoint(session=session, endpoint_id=endpoint_id, actor=CLI)
    except WebhookError as error:
        raise _fail(error) from None


@app.command("dead-letters")
def dead_letters() -> None:
    """Messages given up after every retry failed."""
    table = Table("id", "channel", "event", "attempts", "given up", "last error")
    with session_scope(open_engine()) as session:
        for m in service.dead_letters(session=session, limit=1000):
            given_up = f"{m.dead_at:%Y-%m-%d %H:%M}" if m.dead_at else "-"
            table.add_row(
                str(m.id), m.channel, m.event, str(m.attempts), given_up, m.last_error or ""
            )
    Console().print(table)


@app.command()
def retry(message_id: Annotated[int, typer.Argument(help="The dead letter's id.")]) -> None:
    """Send a dead letter again, from a fresh set of attempts."""
    try:
        with session_scope(open_engine()) as session:
            service.retry_dead_letter(session=session, message_id=message_id, actor=CLI)
    except WebhookError as error:
        raise _fail(error) from None
