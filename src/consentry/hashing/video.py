"""vPDQ: the PDQ hashes of a video's frames, sampled at an interval, decoded safely.

Frame selection follows Meta's vPDQ: frames are counted as decoded from 0, and
every `int(seconds_per_hash * fps)`-th is hashed, stamped `number / fps`, so our
hashes line up with `vpdq.computeHash` (PDQ of the same frame, within a few bits:
we hash grey block means from FFmpeg's scaler where vPDQ converts to RGB first). Frames below
PDQ's reliable quality are dropped and a frame within `COLLAPSE_DISTANCE` of the
last kept one is collapsed into it, as vPDQ's dedupe does with identical ones.

Every video is hostile until decoded: the container's declared size is checked
before a frame is decoded, and decoding stops at a limit of duration, frames and
wall-clock time, each reported as a `HashingError` with a plain message.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import av
import av.error
import numpy as np
import numpy.typing as npt

from consentry.config import Settings
from consentry.hashing.decode import block_for
from consentry.hashing.errors import (
    DecodeFailed,
    EmptyFile,
    HashingError,
    ImageTooLarge,
    TruncatedImage,
    UnsupportedFormat,
)
from consentry.hashing.pdq import MIN_RELIABLE_QUALITY, PdqHash
from consentry.hashing.pdq_core import VARIANT_NAMES, Axis, pdq_from_blocks
from consentry.hashing.trim import content_box

COLLAPSE_DISTANCE = 4
MIRRORED = VARIANT_NAMES.index("flip_y")  # columns reversed: a horizontally mirrored copy
MAX_FRAME_PIXELS = 8192 * 8192


class VideoTooLong(HashingError):
    kind = "video_too_long"


class HashingTimedOut(HashingError):
    kind = "timed_out"


@dataclass(frozen=True, slots=True)
class VideoLimits:
    seconds_per_hash: float = 1.0
    # A video looked up (not banked) is sampled this many times per interval: a copy cut
    # half a second off the bank's samples still lands within a fraction of a second of
    # each of them, however fast the camera moves.
    query_samples: int = 4
    max_seconds: float = 3 * 3600.0  # declared or decoded duration
    max_pixels: int = MAX_FRAME_PIXELS
    max_frames: int = 1_000_000  # decoded, sampled or not
    max_wall_seconds: float = 600.0  # decoding and hashing, end to end

    @classmethod
    def of(cls, settings: Settings) -> VideoLimits:
        return cls(
            seconds_per_hash=settings.video_seconds_per_hash,
            max_seconds=settings.max_video_seconds,
            max_pixels=min(settings.max_image_pixels, MAX_FRAME_PIXELS),
            max_wall_seconds=settings.max_video_hash_seconds,
        )


@dataclass(frozen=True, slots=True)
class Frame:
    at: float  # seconds from the start
    pdq: PdqHash  # vPDQ's value: the whole frame as decoded
    # Which sampling interval the frame falls in: a query sampled densely counts an
    # interval as matched when any of its frames is.
    interval: int = field(default=0, compare=False)
    # Looked up too when the video is a query: the frame mirrored, and inside its
    # letterbox or pillarbox bars when it has any.
    mirrored: PdqHash | None = field(default=None, compare=False)
    trimmed: PdqHash | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"t": round(self.at, 3), "pdq": self.pdq.to_hex(), "quality": self.pdq.quality}


@dataclass(frozen=True, slots=True)
class VideoSignals:
    frames: tuple[Frame, ...]  # quality-filtered and collapsed, in time order
    sampled: int  # intervals sampled, before filtering
    duration: float
    fps: float
    width: int
    height: int
    format: str
    sha256: str = ""  # of the file's bytes
    md5: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "vpdq": [frame.to_json() for frame in self.frames],
            "sha256": self.sha256,
            "md5": self.md5,
            "frames_sampled": self.sampled,
            "duration": round(self.duration, 3),
            "fps": round(self.fps, 3),
            "width": self.width,
            "height": self.height,
            "format": self.format,
        }


def collapse(frames: list[Frame]) -> list[Frame]:
    """Reliable frames, each differing from the last kept one by more than
    COLLAPSE_DISTANCE bits (a still scene is one frame, however long)."""
    kept: list[Frame] = []
    for frame in frames:
        if (frame.pdq.quality or 0) < MIN_RELIABLE_QUALITY:
            continue
        if kept and kept[-1].pdq.distance(frame.pdq) <= COLLAPSE_DISTANCE:
            continue
        kept.append(frame)
    return kept


def hash_video(
    path: str | Path, *, limits: VideoLimits | None = None, query: bool = False
) -> VideoSignals:
    """The vPDQ frames of the video file at `path`; a `HashingError` for anything else.

    `query`: the video is to be looked up, not banked: sampled `limits.query_samples`
    times as densely, each frame also hashed mirrored and inside its bars.
    """
    limits = limits or VideoLimits()
    if Path(path).stat().st_size == 0:
        raise EmptyFile("the file is empty")
    deadline = time.monotonic() + limits.max_wall_seconds
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.error.InvalidDataError, av.error.EOFError) as error:
        raise UnsupportedFormat("not a video file, or not a format consentry reads") from error
    except av.error.FFmpegError as error:
        raise DecodeFailed(f"the video could not be opened: {_reason(error)}") from error
    with container:
        signals = _hash_container(container, limits, deadline, query)
    sha256, md5 = _digests(Path(path))
    return replace(signals, sha256=sha256, md5=md5)


def hash_video_stream(
    stream: BinaryIO, *, limits: VideoLimits | None = None, query: bool = False
) -> VideoSignals:
    """`hash_video` of an upload: copied to a temporary file (the demuxer seeks), which
    is deleted as soon as the frames are hashed, whatever happens."""
    with tempfile.NamedTemporaryFile(prefix="consentry-video-") as copy:
        shutil.copyfileobj(stream, copy, 1 << 20)
        copy.flush()
        return hash_video(copy.name, limits=limits, query=query)


def _digests(path: Path) -> tuple[str, str]:
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            sha256.update(chunk)
            md5.update(chunk)
    return sha256.hexdigest(), md5.hexdigest()


def _hash_container(
    container: Any, limits: VideoLimits, deadline: float, query: bool
) -> VideoSignals:
    demuxer = str(container.format.name)
    if not container.streams.video or demuxer == "image2" or demuxer.endswith("_pipe"):
        raise UnsupportedFormat("the file holds no video stream")
    stream = container.streams.video[0]
    width, height = stream.codec_context.width, stream.codec_context.height
    if width <= 0 or height <= 0:
        raise DecodeFailed("the video declares no frame size")
    if width * height > limits.max_pixels:
        raise ImageTooLarge(
            f"frames of {width}x{height} exceed the limit of {limits.max_pixels:,} pixels"
        )
    duration = _declared_seconds(container, stream)
    if duration > limits.max_seconds:
        raise VideoTooLong(
            f"the video lasts {duration:,.0f} s; the limit is {limits.max_seconds:,.0f} s"
        )
    rate = stream.average_rate or stream.guessed_rate or Fraction(0)
    fps = float(rate) if rate > 0 else 1.0
    every = max(int(limits.seconds_per_hash * fps), 1)
    step = max(every // limits.query_samples, 1) if query else every
    stream.thread_type = "AUTO"
    sampled: list[Frame] = []
    decoded = 0
    for frame in _frames(container, stream):
        # The interval's first frame is vPDQ's; the others only densify a query.
        position = decoded % every
        if position % step == 0 and position < step * limits.query_samples:
            variants = query and position == 0
            sampled.append(_hashed(decoded / fps, decoded // every, frame, variants=variants))
        decoded += 1
        if decoded > limits.max_frames:
            raise VideoTooLong(f"the video has more than {limits.max_frames:,} frames")
        if decoded / fps > limits.max_seconds:
            raise VideoTooLong(f"the video runs past the limit of {limits.max_seconds:,.0f} s")
        if time.monotonic() > deadline:
            raise HashingTimedOut(
                f"hashing the video took longer than {limits.max_wall_seconds:,.0f} s"
            )
    if not sampled:
        raise TruncatedImage("the video has no decodable frame")
    return VideoSignals(
        tuple(collapse(sampled)),
        len({frame.interval for frame in sampled}),
        max(duration, decoded / fps),
        fps,
        width,
        height,
        demuxer.split(",")[0],
    )


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    try:
        yield from container.decode(stream)
    except av.error.FFmpegError as error:
        raise TruncatedImage(f"the video is damaged or cut short: {_reason(error)}") from error


def _declared_seconds(container: Any, stream: Any) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / av.time_base
    return 0.0


def _hashed(at: float, interval: int, frame: Any, *, variants: bool) -> Frame:
    plane, rows, cols = _plane(frame)
    hashes, _ = pdq_from_blocks(plane, rows, cols)
    if not variants:
        return Frame(at, hashes[0], interval)
    box = content_box(plane)
    trimmed = None
    if not box.is_whole(plane.shape):
        inside = np.ascontiguousarray(plane[box.top : box.bottom, box.left : box.right])
        cut_rows, cut_cols = rows.crop(box.top, box.bottom), cols.crop(box.left, box.right)
        trimmed = pdq_from_blocks(inside, cut_rows, cut_cols)[0][0]
    return Frame(at, hashes[0], interval, hashes[MIRRORED], trimmed)


def _plane(frame: Any) -> tuple[npt.NDArray[np.float64], Axis, Axis]:
    """The frame's luma as means of square blocks, as an image's plane is decoded (1080p:
    2x2), by FFmpeg's scaler (area averaging, full-range grey): PDQ of it is within a few
    bits of vPDQ's on the RGB frame, at a fraction of the cost. The partial blocks at the
    right and bottom edges (a few pixels) are left out."""
    block = block_for(frame.width, frame.height)
    rows, cols = frame.height // block, frame.width // block
    grey = frame.reformat(width=cols, height=rows, format="gray", interpolation="AREA")
    plane: npt.NDArray[np.float64] = np.asarray(grey.to_ndarray(), dtype=np.float64)
    return plane, Axis(rows * block, block), Axis(cols * block, block)


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or type(error).__name__
