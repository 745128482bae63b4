"""POST /v1/inspect: an image in, its detection signals out; nothing is stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from pydantic import BaseModel, Field

from consentry.accounts.auth import ScanKey
from consentry.api.admission import Admission
from consentry.api.parts import part
from consentry.config import Settings
from consentry.detection.service import default_detectors, inspect

router = APIRouter(prefix="/v1", tags=["detection"])


class FindingOut(BaseModel):
    detector: str
    version: str
    applicability: str
    verdict: str | None
    score: float | None
    explanation: str
    details: dict[str, Any]
    heatmap_png: str | None = Field(
        None, description="Base64 PNG the size of the image, bright where the trace is."
    )


class InspectionOut(BaseModel):
    findings: list[FindingOut]
    caveat: str


CAVEAT = (
    "Signals inform a reviewer and never decide a removal: consent is the test, not"
    " authenticity. A positive is strong evidence; an absence proves nothing."
)


@router.post(
    "/inspect",
    response_model=InspectionOut,
    responses={
        413: {"description": "Too large."},
        503: {"description": "Too many images being decoded at once; see Retry-After."},
    },
)
def inspect_image(
    request: Request,
    file: Annotated[UploadFile, File()],
    _key: ScanKey,
    heatmaps: Annotated[
        bool, Query(description="Include each forensic detector's heatmap (base64 PNG).")
    ] = False,
) -> InspectionOut:
    """Content Credentials (verified offline against the deployment's trust anchors),
    generator metadata, and forensic traces (error level, noise level, JPEG ghosts,
    copy-move) of one uploaded file, each explained with its limits. The bytes are
    dropped once inspected."""
    settings: Settings = request.app.state.settings
    detectors = default_detectors(settings.c2pa_trust_anchors)
    data = file.file.read()
    with part(request, Admission).admitted():
        findings = inspect(data, detectors=detectors, max_pixels=settings.max_image_pixels)
    return InspectionOut(
        findings=[FindingOut.model_validate(f.to_json(heatmap=heatmaps)) for f in findings],
        caveat=CAVEAT,
    )
