"""The JSON shape of an image's or a video's signals, shared by the API and the CLI."""

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


class FrameOut(BaseModel):
    t: float = Field(ge=0, description="Seconds from the start of the video.")
    pdq: str = Field(description="PDQ hash of the frame, 64 lowercase hex digits.")
    quality: int = Field(ge=0, le=100)


class VideoSignalsOut(BaseModel):
    vpdq: list[FrameOut] = Field(
        description="vPDQ: the PDQ of a frame every second (as Meta's vPDQ samples them), "
        "frames below quality 50 dropped and still scenes collapsed, in time order."
    )
    sha256: str = Field(description="SHA-256 of the file's bytes.")
    md5: str = Field(description="MD5 of the file's bytes (StopNCII's and pytx's video_md5).")
    frames_sampled: int = Field(description="Frames hashed before dropping and collapsing.")
    duration: float = Field(description="Seconds.")
    fps: float
    width: int
    height: int
    format: str = Field(description="The demuxer's name, e.g. mov (MP4), matroska (WebM).")
