"""vPDQ hashing of video files: agreement with Meta's `vpdq`, sampling, collapsing, and
every hostile file refused with its own error."""

from __future__ import annotations

from pathlib import Path

import pytest
import vpdq  # type: ignore[import-not-found]  # Meta's reference, built from source

from consentry.hashing.errors import (
    DecodeFailed,
    EmptyFile,
    ImageTooLarge,
    TruncatedImage,
    UnsupportedFormat,
)
from consentry.hashing.media import SNIFF_BYTES, looks_like_video
from consentry.hashing.pdq import PdqHash
from consentry.hashing.video import (
    Frame,
    HashingTimedOut,
    VideoLimits,
    VideoTooLong,
    collapse,
    hash_video,
    hash_video_stream,
)
from tests.images import jpeg, pattern, png
from tests.videos import make_video, reencode


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("videos")
    make_video(folder / "a.mp4", seed=1, seconds=6, scene_seconds=2)
    make_video(folder / "a.webm", seed=1, seconds=6, scene_seconds=2, codec="libvpx-vp9")
    make_video(folder / "b.mp4", seed=2, seconds=6, fps=25, width=256, height=144)
    return folder


@pytest.mark.parametrize("name", ["a.mp4", "a.webm", "b.mp4"])
def test_frames_agree_with_metas_vpdq_within_pdqs_tolerance(videos: Path, name: str) -> None:
    ours = hash_video(videos / name)
    reference = {round(f.timestamp, 3): f for f in vpdq.computeHash(str(videos / name))}
    assert ours.sampled == len(reference)
    assert ours.frames
    for frame in ours.frames:
        theirs = reference[round(frame.at, 3)]  # the same frames, at the same times
        assert PdqHash.from_hex(theirs.hex).distance(frame.pdq) <= 10
        assert abs((frame.pdq.quality or 0) - theirs.quality) <= 5


def test_one_frame_a_second_is_sampled_at_vpdqs_times(videos: Path) -> None:
    signals = hash_video(videos / "b.mp4")
    assert (signals.fps, signals.width, signals.height) == (25.0, 256, 144)
    assert signals.sampled == 6
    assert [f.at for f in signals.frames] == sorted(f.at for f in signals.frames)
    assert all(f.at == int(f.at) for f in signals.frames)
    half = hash_video(videos / "b.mp4", limits=VideoLimits(seconds_per_hash=0.5))
    assert half.sampled == 13  # every int(0.5 * 25) = 12th of 150 frames, as vPDQ picks
    assert [round(f.at, 2) for f in half.frames][:2] == [0.0, 0.48]


def test_the_json_names_each_frames_time_hash_and_quality(videos: Path) -> None:
    record = hash_video(videos / "a.mp4").to_json()
    assert set(record) >= {"vpdq", "sha256", "md5", "duration", "fps", "width", "height"}
    first = record["vpdq"][0]
    assert set(first) == {"t", "pdq", "quality"}
    assert len(first["pdq"]) == 64
    assert record["format"] == "mov"


def test_still_scenes_and_unreliable_frames_collapse() -> None:
    still = PdqHash.from_hex("a" * 64, 100)
    near = PdqHash(bytes([0xAA] * 31 + [0xAB]), 90)  # one bit away
    other = PdqHash.from_hex("5" * 64, 100)
    dull = PdqHash.from_hex("f" * 64, 20)
    frames = [Frame(0, still), Frame(1, near), Frame(2, dull), Frame(3, other), Frame(4, still)]
    assert [f.at for f in collapse(frames)] == [0, 3, 4]


def test_a_still_video_is_one_frame(tmp_path: Path) -> None:
    path = make_video(tmp_path / "still.mp4", seed=3, seconds=4, scene_seconds=400)
    # A slow pan of a few pixels a second keeps most frames within a few bits.
    assert len(hash_video(path).frames) < hash_video(path).sampled


def test_an_upload_is_hashed_from_a_temporary_file_that_is_then_gone(
    videos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    with (videos / "a.mp4").open("rb") as stream:
        signals = hash_video_stream(stream)
    assert signals == hash_video(videos / "a.mp4")
    assert list(tmp_path.iterdir()) == []


def test_videos_are_told_from_images_by_their_first_bytes(videos: Path) -> None:
    for name in ("a.mp4", "a.webm"):
        assert looks_like_video((videos / name).read_bytes()[:SNIFF_BYTES])
    for image in (
        jpeg(pattern(1)),
        png(pattern(1)),
        b"GIF89a" + bytes(200),
        b"Good morning\n" * 40,
    ):
        assert not looks_like_video(image[:SNIFF_BYTES])
    heif_like = b"\x00\x00\x00\x18ftypheic" + bytes(200)
    assert not looks_like_video(heif_like[:SNIFF_BYTES])


# -- hostile files -------------------------------------------------------------------


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(EmptyFile):
        hash_video(tmp_path / "empty.mp4")


def test_a_file_that_is_no_video_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"not a movie at all" * 50)
    with pytest.raises((UnsupportedFormat, DecodeFailed, TruncatedImage)) as raised:
        hash_video(fake)
    assert raised.value.message


def test_an_image_is_no_video(tmp_path: Path) -> None:
    image = tmp_path / "image.png"
    image.write_bytes(png(pattern(2)))
    with pytest.raises((UnsupportedFormat, TruncatedImage)):
        hash_video(image)


def test_a_truncated_video_is_refused_or_hashed_as_far_as_it_goes(
    videos: Path, tmp_path: Path
) -> None:
    data = (videos / "a.webm").read_bytes()
    cut = tmp_path / "cut.webm"
    cut.write_bytes(data[: len(data) // 3])
    try:
        signals = hash_video(cut)
    except (TruncatedImage, DecodeFailed) as error:
        message = error.message
    else:  # the frames before the cut, and no more
        message = "damaged"
        assert 0 < signals.sampled < hash_video(videos / "a.webm").sampled
    assert "damaged" in message or "no decodable frame" in message
    head = tmp_path / "head.mp4"
    head.write_bytes((videos / "a.mp4").read_bytes()[:2000])  # no index, no frames
    with pytest.raises((TruncatedImage, UnsupportedFormat, DecodeFailed)):
        hash_video(head)


def test_frames_over_the_pixel_limit_are_refused_before_decoding(videos: Path) -> None:
    with pytest.raises(ImageTooLarge, match="320x240"):
        hash_video(videos / "a.mp4", limits=VideoLimits(max_pixels=320 * 239))


def test_a_video_over_the_duration_limit_is_refused(videos: Path) -> None:
    with pytest.raises(VideoTooLong, match="lasts"):
        hash_video(videos / "a.mp4", limits=VideoLimits(max_seconds=3))


def test_an_endless_stream_stops_at_the_frame_limit(videos: Path) -> None:
    # A stream that declares no duration is stopped by the count of frames decoded.
    with pytest.raises(VideoTooLong, match="frames"):
        hash_video(videos / "a.mp4", limits=VideoLimits(max_frames=50))


def test_hashing_stops_at_the_time_limit(videos: Path) -> None:
    with pytest.raises(HashingTimedOut):
        hash_video(videos / "a.mp4", limits=VideoLimits(max_wall_seconds=0))


def test_a_resized_and_reencoded_copy_stays_within_the_threshold(
    videos: Path, tmp_path: Path
) -> None:
    original = {f.at: f.pdq for f in hash_video(videos / "a.mp4").frames}
    copy = reencode(videos / "a.mp4", tmp_path / "small.mp4", scale=0.5, crf=32)
    distances = [
        original[f.at].distance(f.pdq) for f in hash_video(copy).frames if f.at in original
    ]
    assert distances
    assert max(distances) <= 31
