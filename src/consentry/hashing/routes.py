"""POST /v1/hash: an image or a video in, its signals out; nothing is stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile

from consentry.accounts.auth import ScanKey
from consentry.api.admission import Admission
from consentry.api.parts import part
from consentry.hashing.media import is_video
from consentry.hashing.schemas import SignalsOut, VideoSignalsOut
from consentry.hashing.signals import compute_signals
from consentry.hashing.video import VideoLimits, hash_video_stream

router = APIRouter(prefix="/v1", tags=["hashing"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    413: {"description": "The upload is over the size limit."},
    415: {"description": "Not an image or video format consentry reads."},
    422: {
        "description": "Undecodable, truncated, empty, over the pixel limit, or (a video) "
        "over the duration or hashing-time limit."
    },
    503: {"description": "Too many files being decoded at once; see Retry-After."},
}


@router.post("/hash", response_model=SignalsOut | VideoSignalsOut, responses=_PROBLEMS)
def hash_file(
    request: Request, file: Annotated[UploadFile, File()], _key: ScanKey
) -> SignalsOut | VideoSignalsOut:
    """Hash an uploaded image (in memory) or video (its frames, vPDQ, from a temporary
    file deleted once hashed). Nothing is kept."""
    settings = request.app.state.settings
    with part(request, Admission).admitted():
        if is_video(file.file):
            frames = hash_video_stream(file.file, limits=VideoLimits.of(settings))
            return VideoSignalsOut.model_validate(frames.to_json())
        signals = compute_signals(file.file.read(), max_pixels=settings.max_image_pixels, bank=True)
    return SignalsOut.model_validate(signals.to_json())
