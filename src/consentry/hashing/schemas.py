"""The JSON shape of an image's signals, shared by the API and the CLI."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SignalsOut(BaseModel):
    pdq: str = Field(description="PDQ hash, 64 lowercase hex digits, most significant bit first.")
    pdq_quality: int = Field(ge=0, le=100, description="PDQ quality; below 50 is unreliable.")
    pdq_variants: list[str] = Field(
        description="PDQ of the 8 rotations/flips: original, rot90, rot180, rot270, "
        "flip_x, flip_y, flip_plus1, flip_minus1."
    )
    pdq_trimmed: str = Field(description="PDQ after removing uniform borders.")
    pdq_content: str = Field(
        description="PDQ of the content area: caption bands, status bars and frames removed."
    )
    pdq_windows: list[str] = Field(
        description="PDQ of the keypoint-anchored windows over the whole image (what a bank "
        "holds for it; a copy's crops, tilts and frames keep some of them)."
    )
    sha256: str
    md5: str
    width: int = Field(description="Width after EXIF orientation.")
    height: int = Field(description="Height after EXIF orientation.")
    format: str = Field(description="The decoder's format name, e.g. JPEG, PNG, WEBP, HEIF.")
