"""POST /v1/hash: an image in, its signals out; nothing is stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile

from consentry.accounts.auth import ScanKey
from consentry.api.admission import Admission
from consentry.api.parts import part
from consentry.hashing.schemas import SignalsOut
from consentry.hashing.signals import compute_signals

router = APIRouter(prefix="/v1", tags=["hashing"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    413: {"description": "The upload is over the size limit."},
    415: {"description": "Not an image format consentry reads."},
    422: {"description": "Undecodable, truncated, empty, or over the pixel limit."},
    503: {"description": "Too many images being decoded at once; see Retry-After."},
}


@router.post("/hash", response_model=SignalsOut, responses=_PROBLEMS)
def hash_image(request: Request, file: Annotated[UploadFile, File()], _key: ScanKey) -> SignalsOut:
    """Hash an uploaded image in memory. The bytes are dropped once hashed."""
    data = file.file.read()
    with part(request, Admission).admitted():
        signals = compute_signals(
            data, max_pixels=request.app.state.settings.max_image_pixels, bank=True
        )
    return SignalsOut.model_validate(signals.to_json())
