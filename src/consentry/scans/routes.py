"""POST /v1/scan and /v1/scan/batch: does this upload match a bank? Nothing is stored but
matched scans (for the case workflow) and counters; image bytes are dropped once hashed."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from consentry.accounts.service import KeyIdentity
from consentry.api.auth import ScanKey
from consentry.api.metrics import SCANS
from consentry.api.problems import Problem
from consentry.api.runtime import Runtime
from consentry.cases.copies import copies_found
from consentry.db.session import session_scope
from consentry.detection.service import inspect, provenance_detectors
from consentry.hashing.signal_types import SignalType
from consentry.hashing.signals import ImageSignals, compute_signals
from consentry.matching.matcher import Matcher, Query
from consentry.matching.schemas import Match
from consentry.scans.models import ScanRecord
from consentry.scans.schemas import BatchResult, BatchScan, HashScan, ScanResult
from consentry.scans.service import as_stored, record_scan, verdict_of

router = APIRouter(prefix="/v1", tags=["scanning"])

_SCAN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": HashScan.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "content_id": {"type": "string", "maxLength": 200},
                    },
                }
            },
        },
    }
}


def runtime_of(request: Request) -> Runtime:
    runtime = request.app.state.runtime
    assert isinstance(runtime, Runtime)
    return runtime


def ready_matcher(runtime: Runtime) -> Matcher:
    if runtime.matcher is None:
        raise Problem(
            HTTPStatus.SERVICE_UNAVAILABLE,
            "not-ready",
            "the hash index is still loading; retry shortly",
            headers={"Retry-After": "2"},
        )
    return runtime.matcher


Found = list[tuple[Query, str | None, list[Match]]]


Settled = list[tuple[list[Match], int | None]]


def _record(runtime: Runtime, key: KeyIdentity, matcher: Matcher, found: Found) -> Settled:
    """Keep the scans that matched, in one transaction: for each query, its matches as
    the database has them now and its scan id (None when nothing matched)."""
    bank_ids = {b.name: b.id for b in matcher.banks.values()}
    settled: Settled = []
    with session_scope(runtime.engine) as session:
        for _, content_id, matched in found:
            matches = as_stored(session=session, matches=matched) if matched else []
            if not matches:
                settled.append(([], None))
                continue
            record = record_scan(
                session=session,
                api_key_id=key.id,
                content_id=content_id,
                matches=matches,
                bank_ids=bank_ids,
            )
            copies_found(session=session, scan=record, matches=matches, settings=runtime.settings)
            settled.append((matches, record.id))
    return settled


async def _conclude(
    runtime: Runtime, key: KeyIdentity, matcher: Matcher, items: list[tuple[Query, str | None]]
) -> list[ScanResult]:
    """Match each query, record those that matched, count them all.

    Matching takes well under a millisecond and runs here; only the database write
    of a matched scan goes to a worker thread (most scans match nothing).
    """
    found = [(query, content_id, matcher.match(query)) for query, content_id in items]
    settled: Settled = [([], None)] * len(found)
    if any(matches for _, _, matches in found):
        settled = await run_in_threadpool(_record, runtime, key, matcher, found)
    results = []
    for (query, content_id, _), (matches, scan_id) in zip(found, settled, strict=True):
        verdict = verdict_of(matches)
        runtime.count_scan(key.id, verdict.value)
        SCANS.labels(verdict.value).inc()
        results.append(
            ScanResult(
                verdict=verdict,
                scan_id=scan_id,
                content_id=content_id,
                query_quality=query.quality,
                low_quality=query.low_quality if query.quality is not None else None,
                matches=matches,
            )
        )
    return results


async def _image_query(
    request: Request, runtime: Runtime
) -> tuple[tuple[Query, str | None], bytes]:
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise RequestValidationError(
            [{"loc": ("body", "file"), "msg": "an image file is required", "type": "missing"}]
        )
    content_id = form.get("content_id")
    if content_id is not None and (not isinstance(content_id, str) or len(content_id) > 200):
        raise RequestValidationError(
            [{"loc": ("body", "content_id"), "msg": "at most 200 characters", "type": "value"}]
        )
    data = await upload.read()
    signals = await run_in_threadpool(_signals_of, runtime, data)
    return (Query.from_signals(signals), content_id), data


def _signals_of(runtime: Runtime, data: bytes) -> ImageSignals:
    with runtime.admission.admitted():
        return compute_signals(data, max_pixels=runtime.settings.max_image_pixels)


def _attach_signals(runtime: Runtime, scan_id: int, data: bytes) -> None:
    """Provenance of a matched upload (C2PA, generator metadata: cheap, offline) is kept
    with its scan record for the reviewer; forensic detectors are left to `inspect`."""
    findings = inspect(
        data,
        detectors=provenance_detectors(runtime.settings.c2pa_trust_anchors),
        max_pixels=runtime.settings.max_image_pixels,
    )
    with session_scope(runtime.engine) as session:
        session.get_one(ScanRecord, scan_id).signals = [f.to_json() for f in findings]


def _json(result: ScanResult | BatchResult) -> Response:
    # The result is built from validated parts: serialise it once, skip re-validation
    # (the scan path is the hot one; `response_model` still documents the shape).
    return Response(result.model_dump_json(), media_type="application/json")


def _parse(model: type[HashScan] | type[BatchScan], body: bytes) -> Any:
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False)) from None


@router.post("/scan", response_model=ScanResult, openapi_extra=_SCAN_BODY)
async def scan(request: Request, key: ScanKey) -> Response:
    """Match an upload: the image (multipart field `file`) or one hash as JSON."""
    runtime = runtime_of(request)
    matcher = ready_matcher(runtime)
    data = None
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        item, data = await _image_query(request, runtime)
    else:
        body: HashScan = _parse(HashScan, await request.body())
        name, value = body.signal
        item = (Query.from_value(SignalType(name), value), body.content_id)
    [result] = await _conclude(runtime, key, matcher, [item])
    if data is not None and result.scan_id is not None:
        await run_in_threadpool(_attach_signals, runtime, result.scan_id, data)
    return _json(result)


@router.post(
    "/scan/batch",
    response_model=BatchResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["items"],
                        "additionalProperties": False,
                        "properties": {
                            "items": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 100,
                                "items": HashScan.model_json_schema(),
                            }
                        },
                    }
                }
            },
        }
    },
)
async def scan_batch(request: Request, key: ScanKey) -> Response:
    """Match up to 100 hashes, each with its content_id, in one request."""
    runtime = runtime_of(request)
    matcher = ready_matcher(runtime)
    batch: BatchScan = _parse(BatchScan, await request.body())
    items = []
    for item in batch.items:
        name, value = item.signal
        items.append((Query.from_value(SignalType(name), value), item.content_id))
    return _json(BatchResult(results=await _conclude(runtime, key, matcher, items)))
