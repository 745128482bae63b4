"""Benign generated videos for tests: pans over generated patterns, a scene every few
seconds, encoded with PyAV (no people, no photographs)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from consentry.banks.models import EntryStatus
from consentry.hashing.video import VideoSignals
from consentry.matching.matcher import Matcher
from consentry.matching.schemas import BankConfig
from tests.images import blobs


def make_video(
    path: Path,
    *,
    seed: int,
    seconds: float = 8,
    fps: int = 30,
    width: int = 320,
    height: int = 240,
    codec: str = "libx264",
    scene_seconds: float = 4,
) -> Path:
    """A video panning across new generated blobs every `scene_seconds`."""
    scenes = int(np.ceil(seconds / scene_seconds))
    margin_x, margin_y = width // 4, height // 4
    canvases = [
        np.asarray(blobs(seed * 100 + s, width + margin_x, height + margin_y))
        for s in range(scenes)
    ]
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        total = int(seconds * fps)
        for number in range(total):
            at = number / fps
            scene = min(int(at / scene_seconds), scenes - 1)
            progress = (at - scene * scene_seconds) / scene_seconds
            x, y = int(progress * margin_x), int(progress * margin_y)
            crop = np.ascontiguousarray(canvases[scene][y : y + height, x : x + width])
            for packet in stream.encode(av.VideoFrame.from_ndarray(crop, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def reencode(
    source: Path,
    target: Path,
    *,
    start: float = 0.0,
    length: float | None = None,
    scale: float = 1.0,
    fps: int | None = None,
    crf: int | None = None,
    mirror: bool = False,
    bars: float = 0.0,
    mark: bool = False,
) -> Path:
    """A copy of `source`: cut to [start, start + length), resized, at another frame rate
    or quality, mirrored, letterboxed (black bars of `bars` of the height, top and bottom),
    watermarked (a translucent logo in a corner), re-encoded with H.264."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        given = inp.streams.video[0]
        rate = Fraction(fps) if fps else Fraction(given.average_rate or 30)
        stream = out.add_stream("libx264", rate=rate)
        assert isinstance(stream, av.VideoStream)
        width = int(given.codec_context.width * scale) // 2 * 2
        height = int(given.codec_context.height * scale) // 2 * 2
        band = int(height * bars) // 2 * 2
        stream.width, stream.height, stream.pix_fmt = width, height + 2 * band, "yuv420p"
        stream.options = {"preset": "veryfast", **({} if crf is None else {"crf": str(crf)})}
        emitted = 0
        for frame in inp.decode(given):
            at = float(frame.time or 0) - start
            if at < 0:
                continue
            if length is not None and at >= length:
                break
            edited = mirror or mark or band
            pixels: npt.NDArray[np.uint8] | None = None
            if edited:
                pixels = np.asarray(
                    frame.to_ndarray(width=width, height=height, format="rgb24"), dtype=np.uint8
                )
                if mirror:
                    pixels = pixels[:, ::-1]
                if mark:  # a translucent logo in the corner
                    logo = pixels[height // 25 : height // 10, width // 25 : width // 6]
                    logo[:] = (0.7 * logo + 76).astype(np.uint8)
                if band:
                    pixels = np.pad(pixels, ((band, band), (0, 0), (0, 0)))
            while emitted / rate <= at + 1e-6:  # frames repeated or dropped to the new rate
                if pixels is None:
                    copy = frame.reformat(width=width, height=height, format="yuv420p")
                else:
                    shown = np.ascontiguousarray(pixels, dtype=np.uint8)
                    copy = av.VideoFrame.from_ndarray(shown, format="rgb24")
                copy.pts, copy.time_base = emitted, 1 / rate
                for packet in stream.encode(copy):
                    out.mux(packet)
                emitted += 1
        for packet in stream.encode():
            out.mux(packet)
    return target


def video_matcher(
    videos: Sequence[Sequence[tuple[float, str]]],
    *,
    auto: int = 0,
    status: EntryStatus = EntryStatus.CONFIRMED,
    shares: tuple[int, int] = (80, 80),
) -> Matcher:
    """A matcher whose bank "ncii" holds these videos (each its frames as (seconds, PDQ
    hex)); video n is entry group n + 1."""
    matcher = Matcher()
    matcher.set_bank(BankConfig(1, "ncii", 31, auto, True, False, *shares))
    entry_id = 0
    for group, frames in enumerate(videos, start=1):
        for at, value in frames:
            entry_id += 1
            matcher.apply_entry(
                entry_id=entry_id,
                bank_id=1,
                signal_type="vpdq",
                value=value,
                status=status,
                group_id=group,
                at_ms=round(at * 1000),
            )
    return matcher


def frames_of(signals: VideoSignals) -> list[tuple[float, str]]:
    return [(frame.at, frame.pdq.to_hex()) for frame in signals.frames]
