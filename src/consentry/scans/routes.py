"""POST /v1/scan and /v1/scan/batch: does this upload match a bank? Nothing is stored but
matched scans (for the case workflow) and counters; image bytes are dropped once hashed."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, BinaryIO

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from consentry.accounts.auth import ScanKey
from consentry.accounts.models import Scope
from consentry.accounts.service import KeyIdentity
from consentry.api.admission import Admission
from consentry.api.metrics import SCANS
from consentry.api.parts import part
from consentry.api.problems import Problem
from consentry.content.schemas import INDEXED
from consentry.content.service import register
from consentry.db.session import session_scope
from consentry.detection.service import inspect, provenance_detectors
from consentry.hashing.media import is_video
from consentry.hashing.pdq import PdqHash
from consentry.hashing.signals import ImageSignals, compute_pdq, compute_signals
from consentry.hashing.video import VideoLimits, VideoSignals, hash_video_stream
from consentry.matching.live import LiveIndex
from consentry.matching.matcher import Matcher, Query
from consentry.matching.reference import needs_reference, with_reference
from consentry.matching.schemas import Match
from consentry.scans.counts import ScanCounts
from consentry.scans.intake import ScanIntake
from consentry.scans.models import ScanRecord
from consentry.scans.records import Scans, verdict_of
from consentry.scans.schemas import BatchResult, BatchScan, HashScan, ScanResult
from consentry.scans.service import Settled
from consentry.signals.registry import KINDS

router = APIRouter(prefix="/v1", tags=["scanning"])


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its `$defs` written in place: the OpenAPI document has no
    `#/$defs` of its own for a hand-written request body to point into."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


_SCAN_SCHEMA = _inlined(HashScan.model_json_schema())
_SCAN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _SCAN_SCHEMA},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "content_id": {"type": "string", "maxLength": 200},
                        "index_content": {"type": "boolean"},
                    },
                }
            },
        },
    }
}


async def _conclude(
    request: Request,
    key: KeyIdentity,
    matcher: Matcher,
    items: list[tuple[Query, str | None]],
    image: bytes | None = None,
) -> list[ScanResult]:
    """Match each query, record those that matched, count them all.

    Matching takes well under a millisecond and runs here (through bank shards, a
    round trip to them: on a thread, the loop serving others meanwhile); only the
    database write of a matched scan goes to the worker's writer, which commits
    concurrent requests' scans together (`scans.intake`; most scans match nothing). An
    uploaded image (`image`) matched just outside a bank's automatic distance is hashed
    again with Meta's reference PDQ, which decides the tier (`matching.reference`).
    """

    def match_all() -> list[tuple[Query, str | None, list[Match]]]:
        return [(query, content_id, matcher.match(query)) for query, content_id in items]

    sharded = part(request, LiveIndex).shards is not None
    found = await run_in_threadpool(match_all) if sharded else match_all()
    if image is not None and needs_reference(matcher, found[0][2]):
        query, content_id, matches = found[0]
        reference = await run_in_threadpool(_reference_of, request, image)
        found[0] = (query, content_id, with_reference(matcher, matches, reference))
    settled: Settled = [([], None)] * len(found)
    if any(matches for _, _, matches in found):
        scans = Scans(
            api_key_id=key.id,
            found=[(content_id, matches) for _, content_id, matches in found],
            bank_ids={b.name: b.id for b in matcher.banks.values()},
        )
        settled = await part(request, ScanIntake).settle(scans)
    counts = part(request, ScanCounts)
    results = []
    for (query, content_id, _), (matches, scan_id) in zip(found, settled, strict=True):
        verdict = verdict_of(matches)
        counts.count(key.id, verdict.value)
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


async def _upload_query(
    request: Request,
) -> tuple[tuple[Query, str | None], bytes | None, bool]:
    """The uploaded file's query, an image's bytes (for its provenance, if it matches),
    and whether to register it in the content index."""
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise RequestValidationError(
            [{"loc": ("body", "file"), "msg": "an image or a video is required", "type": "missing"}]
        )
    content_id = form.get("content_id")
    if content_id is not None and (not isinstance(content_id, str) or len(content_id) > 200):
        raise RequestValidationError(
            [{"loc": ("body", "content_id"), "msg": "at most 200 characters", "type": "value"}]
        )
    index = form.get("index_content") in ("true", "1")
    if index and not content_id:
        raise RequestValidationError(
            [{"loc": ("body", "index_content"), "msg": "needs a content_id", "type": "value"}]
        )
    # The form parser has spooled the upload to a local file: a first read blocks nothing.
    if is_video(upload.file):
        video = await run_in_threadpool(_video_of, request, upload.file)
        return (Query.from_video(video), content_id), None, index
    data = await upload.read()
    signals = await run_in_threadpool(_signals_of, request, data)
    return (Query.from_signals(signals), content_id), data, index


def _signals_of(request: Request, data: bytes) -> ImageSignals:
    with part(request, Admission).admitted():
        return compute_signals(data, max_pixels=request.app.state.settings.max_image_pixels)


def _reference_of(request: Request, data: bytes) -> list[PdqHash]:
    with part(request, Admission).admitted():
        max_pixels = request.app.state.settings.max_image_pixels
        return list(compute_pdq(data, max_pixels=max_pixels, exact=True).variants)


def _video_of(request: Request, stream: BinaryIO) -> VideoSignals:
    with part(request, Admission).admitted():
        limits = VideoLimits.of(request.app.state.settings)
        return hash_video_stream(stream, limits=limits, query=True)


def _attach_signals(request: Request, scan_id: int, data: bytes) -> None:
    """Provenance of a matched upload (C2PA, generator metadata: cheap, offline) is kept
    with its scan record for the reviewer; forensic detectors are left to `inspect`."""
    settings = request.app.state.settings
    findings = inspect(
        data,
        detectors=provenance_detectors(settings.c2pa_trust_anchors),
        max_pixels=settings.max_image_pixels,
    )
    with session_scope(request.app.state.engine) as session:
        session.get_one(ScanRecord, scan_id).signals = [f.to_json() for f in findings]


def _may_index(key: KeyIdentity) -> None:
    """`index_content` needs `content:write`: refused before anything is matched or kept."""
    if Scope.CONTENT_WRITE not in key.scopes:
        raise Problem(
            HTTPStatus.FORBIDDEN,
            "forbidden",
            "index_content needs an API key with the scope 'content:write'",
        )


def _index_content(request: Request, key: KeyIdentity, items: list[tuple[str, Query]]) -> None:
    """Register scanned uploads in the content index (`index_content`): their values of
    the kinds that stand alone (a PDQ as uploaded, digests). Already matched against the
    banks by this scan; the copy finder searches them when a bank value comes later."""
    values = [
        (content_id, kind, value)
        for content_id, query in items
        for kind, variant, value in query.values
        if kind in INDEXED and variant == KINDS[kind].value_variant
    ]
    if values:
        with session_scope(request.app.state.engine) as session:
            register(session=session, api_key_id=key.id, items=values, scanned=True)


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
    """Match an upload: the image or video (multipart field `file`) or one hash (a
    video's frames, as `vpdq`) as JSON."""
    matcher = part(request, LiveIndex).ready()
    data = None
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        item, data, index = await _upload_query(request)
    else:
        body: HashScan = _parse(HashScan, await request.body())
        item, index = (body.query(), body.content_id), body.index_content
    if index:
        _may_index(key)
    [result] = await _conclude(request, key, matcher, [item], image=data)
    query, content_id = item
    if index and content_id is not None:
        await run_in_threadpool(_index_content, request, key, [(content_id, query)])
    if data is not None and result.scan_id is not None:
        await run_in_threadpool(_attach_signals, request, result.scan_id, data)
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
                                "items": _SCAN_SCHEMA,
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
    matcher = part(request, LiveIndex).ready()
    batch: BatchScan = _parse(BatchScan, await request.body())
    items = [(item.query(), item.content_id) for item in batch.items]
    if any(item.index_content for item in batch.items):
        _may_index(key)
    results = await _conclude(request, key, matcher, items)
    indexed = [
        (item.content_id, query)
        for item, (query, _) in zip(batch.items, items, strict=True)
        if item.index_content and item.content_id is not None
    ]
    if indexed:
        await run_in_threadpool(_index_content, request, key, indexed)
    return _json(BatchResult(results=results))
