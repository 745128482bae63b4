"""HMA 2.0's REST routes that a platform integration calls, under `/compat/hma`: the
same paths and JSON fields (hash, lookup, banks, adding a signal to a bank, exchanges),
so that a platform on Meta's Hasher-Matcher-Actioner switches by changing its base URL.

Behind consentry's API keys (HMA has none of its own): lookups and hashing need `scan`,
reading banks and exchanges `banks:read`, changing them `banks:write`. Bank names are
shown in HMA's upper case (consentry's "ncii" is "NCII") and accepted in either case.
`docs/hma-compat.md` lists every HMA route with consentry's answer.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from starlette.datastructures import UploadFile

from consentry.accounts.auth import BanksReader, BanksWriter, ScanKey
from consentry.api.admission import Admission
from consentry.api.params import RowId
from consentry.api.parts import part
from consentry.api.problems import Problem
from consentry.banks import batches
from consentry.banks import service as banks
from consentry.banks.models import BankEntry, ChangeAction, EntryStatus, SourceKind
from consentry.banks.service import NewEntry
from consentry.core.actor import Actor
from consentry.db.session import session_scope
from consentry.exchanges.service import get_exchange, list_exchanges
from consentry.hashing.media import is_video
from consentry.hashing.signals import compute_signals
from consentry.hashing.video import VideoLimits, hash_video_stream
from consentry.matching.live import LiveIndex
from consentry.matching.matcher import Query as Lookup
from consentry.signals.registry import KINDS

router = APIRouter(prefix="/compat/hma", tags=["hma-compat"])

# HMA's (python-threatexchange's) signal type names and consentry's kinds.
TO_OURS = {"pdq": "pdq", "video_md5": "md5", "video_sha256": "sha256", "vpdq": "vpdq"}
TO_HMA = {ours: name for name, ours in TO_OURS.items()} | {"pdq_windows": "pdq"}


def _bad(detail: str) -> Problem:
    return Problem(HTTPStatus.BAD_REQUEST, "invalid-request", detail)


def _kind(signal_type: str) -> str:
    ours = TO_OURS.get(signal_type)
    if ours is None:
        raise _bad(f"No such SignalType '{signal_type[:40]}' (known: {', '.join(TO_OURS)})")
    return ours


def _vpdq_frames(signal: str) -> list[tuple[float, str]]:
    """python-threatexchange's vpdq value: frames of quality 50 and up, as (seconds, PDQ)."""
    try:
        frames = [str(f).split(",") for f in json.loads(signal)]
        return [(float(at), pdq) for pdq, quality, at in frames if int(quality) >= 50]
    except (ValueError, TypeError):
        raise _bad("a vpdq signal is a JSON list of 'PDQ,quality,seconds' strings") from None


def _lookup(signal_type: str, signal: str) -> Lookup:
    kind = _kind(signal_type)
    try:
        if kind == "vpdq":
            return Lookup.from_frames(_vpdq_frames(signal))
        return Lookup.from_value(kind, signal)
    except ValueError as error:
        raise _bad(f"invalid signal: {error}") from None


def _banks_matching(request: Request, query: Lookup) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for match in part(request, LiveIndex).ready().match(query):
        found.setdefault(TO_HMA.get(match.signal_type, match.signal_type), set()).add(
            match.bank.upper()
        )
    return {name: sorted(names) for name, names in found.items()}


@router.get("/m/lookup")
def lookup(
    request: Request, _key: ScanKey, signal_type: Annotated[str, Query()], signal: str
) -> list[str]:
    """The banks holding a match of the signal (HMA: `GET /m/lookup`)."""
    found = _banks_matching(request, _lookup(signal_type, signal))
    return sorted({bank for names in found.values() for bank in names})


@router.get("/m/raw_lookup")
def raw_lookup(
    request: Request,
    _key: ScanKey,
    signal_type: str,
    signal: str,
    include_distance: bool = False,
) -> dict[str, list[Any]]:
    """Matching content ids (consentry's entry groups), with distances if asked."""
    matches = part(request, LiveIndex).ready().match(_lookup(signal_type, signal))
    if include_distance:
        return {
            "matches": [
                {"content_id": m.group or m.entry_id, "distance": str(m.distance)} for m in matches
            ]
        }
    return {"matches": sorted({m.group or m.entry_id for m in matches})}


async def _upload(request: Request) -> tuple[str, UploadFile]:
    form = await request.form(max_files=1, max_fields=2)
    for field in ("photo", "video"):
        upload = form.get(field)
        if isinstance(upload, UploadFile):
            return field, upload
    raise _bad("Missing multipart/form-data file upload (field 'photo' or 'video')")


def _hashes(request: Request, content_type: str, upload: UploadFile) -> dict[str, Any]:
    settings = request.app.state.settings
    with part(request, Admission).admitted():
        if content_type == "video" or is_video(upload.file):
            video = hash_video_stream(upload.file, limits=VideoLimits.of(settings))
            frames = [f"{f.pdq.to_hex()},{f.pdq.quality},{f.at:.3f}" for f in video.frames]
            return {
                "video_md5": video.md5,
                "video_sha256": video.sha256,
                "vpdq": json.dumps(frames, separators=(",", ":")),
            }
        signals = compute_signals(upload.file.read(), max_pixels=settings.max_image_pixels)
        return {"pdq": signals.pdq.to_hex()}


@router.get("/h/hash")
def hash_url(_key: ScanKey, url: str | None = None) -> None:
    """Refused: consentry never fetches media by URL (a URL would let a caller make the
    server probe its own network). POST the file instead."""
    raise _bad("consentry does not fetch media by URL; POST the file as 'photo' or 'video'")


@router.post("/h/hash")
async def hash_upload(request: Request, _key: ScanKey) -> dict[str, Any]:
    """The file's hashes by HMA signal type; nothing is kept."""
    content_type, upload = await _upload(request)
    return await run_in_threadpool(_hashes, request, content_type, upload)


@router.post("/m/lookup")
async def lookup_upload(request: Request, _key: ScanKey) -> dict[str, list[str]]:
    """The file hashed, then looked up: matching banks by HMA signal type."""
    content_type, upload = await _upload(request)

    def run() -> dict[str, list[str]]:
        settings = request.app.state.settings
        with part(request, Admission).admitted():
            if content_type == "video" or is_video(upload.file):
                limits = VideoLimits.of(settings)
                query = Lookup.from_video(hash_video_stream(upload.file, limits=limits, query=True))
            else:
                data = upload.file.read()
                query = Lookup.from_signals(
                    compute_signals(data, max_pixels=settings.max_image_pixels)
                )
        return _banks_matching(request, query)

    return await run_in_threadpool(run)


@router.get("/m/index/status")
def index_status(request: Request, _key: ScanKey) -> dict[str, dict[str, Any]]:
    """Each kind's index: present, and how many values it holds."""
    matcher = part(request, LiveIndex).ready()
    return {
        TO_HMA[name]: {"present": True, "built_to": matcher.seq, "size": len(index)}
        for name, index in matcher.indexes.items()
        if name in TO_HMA and name != "pdq_windows"
    }


def _bank_json(bank: Any) -> dict[str, Any]:
    return {"name": bank.name.upper(), "matching_enabled_ratio": 1.0 if bank.enabled else 0.0}


@router.get("/c/banks")
def list_banks(request: Request, _key: BanksReader) -> list[dict[str, Any]]:
    with session_scope(request.app.state.engine) as session:
        return [_bank_json(bank) for bank in banks.list_banks(session=session)]


@router.get("/c/bank/{bank_name}")
def show_bank(request: Request, bank_name: str, _key: BanksReader) -> dict[str, Any]:
    with session_scope(request.app.state.engine) as session:
        return _bank_json(banks.get_bank(session=session, name=bank_name.lower()))


@router.post("/c/banks", status_code=201)
def create_bank(
    request: Request,
    key: BanksWriter,
    name: Annotated[str, Body(embed=True, max_length=100)],
) -> dict[str, Any]:
    with session_scope(request.app.state.engine) as session:
        bank = banks.create_bank(session=session, name=name.lower(), actor=Actor.key(key.id))
        return _bank_json(bank)


@router.post("/c/bank/{bank_name}/signal")
def add_signals(
    request: Request,
    bank_name: str,
    key: BanksWriter,
    signals: Annotated[dict[str, str], Body(max_length=8)],
) -> dict[str, Any]:
    """Signals of one piece of content (`{"pdq": "<hex>", ...}`), added confirmed as one
    entry group; its id is HMA's content id."""
    if not signals:
        raise _bad("No signals given")
    entries = []
    for signal_type, value in signals.items():
        kind = _kind(signal_type)
        if KINDS[kind].timed:
            raise _bad("a vpdq signal is a whole video: add it with `consentry bank add`")
        try:
            normal = KINDS[kind].normalise(value)
        except ValueError as error:
            raise _bad(f"Invalid {signal_type} signal: {error}") from None
        entries.append(
            NewEntry(
                signal_type=kind,
                value=normal,
                status=EntryStatus.CONFIRMED,
                source_kind=SourceKind.MANUAL,
                source_ref="hma-compat",
                group="content",
                label="content added through the HMA-compatible API",
            )
        )
    with session_scope(request.app.state.engine) as session:
        bank = banks.get_bank(session=session, name=bank_name.lower())
        groups: dict[str, int] = {}
        batches.add_entries(
            session=session, bank=bank, batch=entries, actor=Actor.key(key.id), groups=groups
        )
        added = {e.signal_type: e.value for e in entries}
        first = next(iter(entries))
        held = banks.find_entry(
            session=session, bank=bank, signal_type=first.signal_type, value=first.value
        )
        content_id = groups.get("content") or (held.group_id if held else None)
    return {"id": content_id, "signals": {TO_HMA[k]: v for k, v in added.items()}}


@router.delete("/c/bank/{bank_name}/content/{content_id}")
def remove_content(
    request: Request, bank_name: str, content_id: RowId, key: BanksWriter
) -> dict[str, int]:
    """Every value of the content revoked (kept as revoked: it never matches again)."""
    with session_scope(request.app.state.engine) as session:
        bank = banks.get_bank(session=session, name=bank_name.lower())
        entry = session.scalar(
            select(BankEntry).where(BankEntry.bank_id == bank.id, BankEntry.group_id == content_id)
        )
        if entry is None:
            return {"deleted": 0}
        before = session.scalars(
            select(BankEntry.id).where(
                BankEntry.group_id == content_id,
                BankEntry.status.in_([EntryStatus.PENDING, EntryStatus.CONFIRMED]),
            )
        ).all()
        if before:
            banks.change_status(
                session=session,
                bank=bank,
                signal_type=entry.signal_type,
                value=entry.value,
                action=ChangeAction.REVOKED,
                actor=Actor.key(key.id),
                whole_group=True,
            )
        return {"deleted": len(before)}


@router.get("/c/exchanges")
def exchanges(request: Request, _key: BanksReader) -> list[str]:
    with session_scope(request.app.state.engine) as session:
        return [exchange.name.upper() for exchange in list_exchanges(session=session)]


@router.get("/c/exchange/{exchange_name}/status")
def exchange_status(request: Request, exchange_name: str, _key: BanksReader) -> dict[str, Any]:
    with session_scope(request.app.state.engine) as session:
        exchange = get_exchange(session=session, name=exchange_name.lower())
        last = exchange.last_sync_at
        return {
            "last_fetch_time": int(last.timestamp()) if last else 0,
            "checkpoint_time": int(exchange.source_time.timestamp()) if exchange.source_time else 0,
            "success": exchange.last_error is None,
        }


@router.get("/c/signal_type")
def signal_types(_key: BanksReader) -> list[dict[str, Any]]:
    return [{"name": name, "enabled_ratio": 1.0} for name in TO_OURS]
