"""`consentry exchange …` (sources a bank follows) and `consentry partner …` (platforms
that follow this deployment's hub feed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from consentry.banks.service import get_bank, list_banks
from consentry.cli.context import bank_errors, open_engine
from consentry.cli.output import stderr
from consentry.config import get_settings
from consentry.core.actor import CLI
from consentry.core.errors import DomainError
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.evidence.keys import fingerprint, load_or_create
from consentry.exchanges import service
from consentry.exchanges.base import ExchangeError
from consentry.exchanges.models import ExchangeKind
from consentry.exchanges.sync import sync as run_sync

app = typer.Typer(
    help="Exchanges: hash lists a bank follows (another consentry hub, StopNCII, a file),"
    " withdrawals included.",
    no_args_is_help=True,
)
partners = typer.Typer(
    help="Partner platforms that read this deployment's hub feed, each with its own key.",
    no_args_is_help=True,
)

Name = Annotated[str, typer.Argument(help="The exchange's name (a-z, 0-9, . _ -).")]


@contextmanager
def _errors() -> Iterator[None]:
    with bank_errors():
        try:
            yield
        except (DomainError, ExchangeError) as error:
            stderr.print(f"[red]error:[/] {error.message}")
            raise typer.Exit(2) from None


@app.command()
def add(
    name: Name,
    kind: Annotated[ExchangeKind, typer.Option("--kind", help="What the source is.")],
    bank: Annotated[str, typer.Option("--bank", help="The bank its hashes go to.")],
    url: Annotated[
        str | None, typer.Option("--url", help="The hub feed's URL (…/v1/feed) or the API's.")
    ] = None,
    path: Annotated[
        Path | None, typer.Option("--path", help="A .jsonl or .txt file (file exchanges).")
    ] = None,
    key_file: Annotated[
        Path | None, typer.Option("--key-file", help="A file holding the source's API key.")
    ] = None,
    pin: Annotated[
        str | None,
        typer.Option(
            "--pin",
            help="The hub's key fingerprint (sha256:…), checked out of band; without it the"
            " first sync pins the key it sees.",
        ),
    ] = None,
    interval: Annotated[int, typer.Option("--interval", help="Seconds between syncs.")] = 30,
) -> None:
    """Follow a source: each sync applies its values' current statuses to the bank."""
    if kind is ExchangeKind.FILE and (path is None or url is not None):
        stderr.print("[red]error:[/] a file exchange takes --path, not --url")
        raise typer.Exit(2)
    if kind is not ExchangeKind.FILE and (url is None or path is not None):
        stderr.print(f"[red]error:[/] a {kind.value} exchange takes --url, not --path")
        raise typer.Exit(2)
    location = str(path.resolve()) if path is not None else str(url)
    with _errors(), session_scope(open_engine()) as session:
        exchange = service.add_exchange(
            session=session,
            name=name,
            kind=kind,
            bank=get_bank(session=session, name=bank),
            location=location,
            key_file=None if key_file is None else str(key_file.resolve()),
            pin=pin,
            interval_seconds=interval,
            actor=CLI,
        )
        typer.echo(f"exchange {exchange.name} ({kind.value}) feeds bank {bank}")


@app.command("list")
def list_exchanges() -> None:
    """Every exchange with its last sync, lag and error."""
    table = Table("name", "kind", "bank", "last sync", "lag", "last applied", "error")
    now = utcnow()
    with session_scope(open_engine()) as session:
        banks = {bank.id: bank.name for bank in list_banks(session=session)}
        for exchange in service.list_exchanges(session=session):
            lag = service.lag_seconds(exchange, now)
            applied = ", ".join(f"{n} {k}" for k, n in exchange.last_applied.items() if n)
            table.add_row(
                exchange.name,
                exchange.kind.value,
                banks.get(exchange.bank_id, "?"),
                exchange.last_sync_at.strftime("%Y-%m-%d %H:%M:%S") if exchange.last_sync_at
                else "never",
                "" if lag is None else f"{lag:.0f} s",
                applied or "nothing",
                exchange.last_error or "",
            )  # fmt: skip
    Console().print(table)


@app.command()
def status(name: Name) -> None:
    """One exchange in full: where it reads, its checkpoint, pinned key and last sync."""
    with _errors(), session_scope(open_engine()) as session:
        exchange = service.get_exchange(session=session, name=name)
        lag = service.lag_seconds(exchange, utcnow())
        rows = {
            "kind": exchange.kind.value,
            "location": exchange.location,
            "interval": f"{exchange.interval_seconds} s",
            "pinned key": exchange.pinned_key or "none yet",
            "checkpoint": str(exchange.checkpoint or "start"),
            "last sync": str(exchange.last_sync_at or "never"),
            "last success": str(exchange.last_success_at or "never"),
            "lag": "unknown" if lag is None else f"{lag:.0f} s",
            "last applied": str(exchange.last_applied or {}),
            "last error": exchange.last_error or "none",
        }
    for label, value in rows.items():
        typer.echo(f"{label + ':':<14}{value}")


@app.command("sync")
def sync_now(name: Name) -> None:
    """Run one sync now and print what it applied. Exit status 1 if it stopped on an error."""
    with _errors():
        result = run_sync(engine=open_engine(), settings=get_settings(), name=name, actor=CLI)
    for reason in result.skipped:
        stderr.print(f"skipped: {reason}")
    if result.skipped_count > len(result.skipped):
        stderr.print(f"… and {result.skipped_count - len(result.skipped)} more skipped")
    typer.echo(
        f"{name}: {result.pages} pages, {result.applied.words()}, {result.skipped_count} skipped"
    )
    if result.error is not None:
        stderr.print(f"[red]error:[/] {result.error}")
        raise typer.Exit(1)


@app.command()
def remove(name: Name) -> None:
    """Stop following an exchange (what it brought stays in the bank)."""
    with _errors(), session_scope(open_engine()) as session:
        service.remove_exchange(session=session, name=name, actor=CLI)
    typer.echo(f"exchange {name} removed")


@partners.command("add")
def add_partner(
    name: Annotated[str, typer.Argument(help="The partner platform's name.")],
    bank: Annotated[list[str], typer.Option("--bank", help="A bank it reads (repeatable).")],
    pending: Annotated[
        bool, typer.Option("--pending", help="Share values still pending review, too.")
    ] = False,
) -> None:
    """Publish banks to a partner. Its API key is printed once, alone on the last line;
    give it, with this hub's key fingerprint, to the partner's operator."""
    with _errors(), session_scope(open_engine()) as session:
        partner, secret = service.add_partner(
            session=session, name=name, banks=bank, share_pending=pending, actor=CLI
        )
        stderr.print(f"partner {partner.name} reads: {', '.join(bank)}")
    key = load_or_create(get_settings().evidence_key_path())
    # Plain text, never wrapped or shortened: the partner's operator copies it whole.
    typer.echo(f"this hub's key fingerprint (for --pin): {fingerprint(key.public_key())}", err=True)
    stderr.print("Store the API key now: it cannot be shown again.")
    typer.echo(secret)


@partners.command("list")
def list_partners() -> None:
    """Partners and the banks each reads."""
    table = Table("name", "banks", "pending shared", "since")
    with session_scope(open_engine()) as session:
        for partner, banks in service.list_partners(session=session):
            table.add_row(
                partner.name,
                ", ".join(banks),
                "yes" if partner.share_pending else "no",
                partner.created_at.strftime("%Y-%m-%d"),
            )
    Console().print(table)


@partners.command("remove")
def remove_partner(name: Annotated[str, typer.Argument(help="The partner's name.")]) -> None:
    """Stop publishing to a partner; its key stops working at once."""
    with _errors(), session_scope(open_engine()) as session:
        service.remove_partner(session=session, name=name, actor=CLI)
    typer.echo(f"partner {name} removed")
