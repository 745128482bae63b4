"""Video (vPDQ): recall on edited copies, false matches, hashing speed, lookup time.

Run: .venv/bin/python bench/video.py [--videos 200] [--quick]
Writes bench/results/video.md. Bank videos are made here: shots that pan and zoom over
the shared photos (which show no people; a photo reused gets another path) and over
generated blobs, 20-120 s at 30 fps, 320x180. Each is edited two of eight ways (every
edit on a quarter of the videos: two cores' worth of re-encoding) with FFmpeg's encoders
(tests/videos.py); every copy is hashed as an upload is and looked up in a bank
holding every original. Baselines in the same run: Meta's `vpdq` hasher, and vPDQ's
rule (80 % / 80 % of frames, no clip rule, frames as hashed) with its linear matcher.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import numpy as np  # noqa: E402
import vpdq  # type: ignore[import-not-found]  # noqa: E402
from PIL import Image  # noqa: E402

from bench.common import RESULTS, header, photo_paths, table  # noqa: E402
from consentry.hashing.video import VideoSignals, hash_video  # noqa: E402
from consentry.matching.matcher import Matcher, Query  # noqa: E402
from consentry.matching.schemas import BankConfig  # noqa: E402
from consentry.signals.hamming import words_from_bytes  # noqa: E402
from tests.images import blobs  # noqa: E402
from tests.videos import frames_of, reencode, video_matcher  # noqa: E402

SIZE = (320, 180)
SHARE = 4  # each edit is made of one bank video in SHARE
FPS = 30
EDITS: dict[str, dict[str, Any]] = {
    "re-encoded at low quality (x264 crf 38)": {"crf": 38},
    "resized 0.5x": {"scale": 0.5},
    "frame rate 30 -> 24": {"fps": 24},
    "10-s clip from the middle": {"clip": "middle"},
    "mirrored": {"mirror": True},
    "letterboxed (bars 1/6 of the height)": {"bars": 1 / 6},
    "watermarked (translucent logo)": {"mark": True},
    "10-s clip, resized 0.5x, crf 32": {"clip": "third", "scale": 0.5, "crf": 32},
}


# -- making the videos ---------------------------------------------------------------


def _shot_source(rng: np.random.Generator, photos: list[Path]) -> Image.Image:
    if rng.random() < 0.2:
        return blobs(int(rng.integers(1 << 30)), 640, 480)  # a generated motion pattern
    with Image.open(photos[int(rng.integers(len(photos)))]) as image:
        return image.convert("RGB")


def _rect(rng: np.random.Generator, image: Image.Image) -> np.ndarray:
    """A 16:9 crop of the image: zoom 55-95 % of the side that limits it, anywhere."""
    zoom = rng.uniform(0.55, 0.95)
    width = min(image.width, image.height * 16 / 9) * zoom
    height = width * 9 / 16
    left = rng.uniform(0, image.width - width)
    top = rng.uniform(0, image.height - height)
    return np.array([left, top, left + width, top + height])


def make_bank_video(args: tuple[int, Path, list[Path]]) -> None:
    number, path, photos = args
    rng = np.random.default_rng(1000 + number)
    seconds = int(rng.integers(20, 121))
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}
        frame_number, total = 0, seconds * FPS
        while frame_number < total:
            image = _shot_source(rng, photos)
            start, end = _rect(rng, image), _rect(rng, image)  # a pan and a zoom
            length = min(int(rng.integers(4, 13)) * FPS, total - frame_number)
            for step in range(length):
                box = start + (end - start) * step / max(length - 1, 1)
                shown = image.resize(SIZE, Image.Resampling.BILINEAR, box=tuple(box))
                frame = av.VideoFrame.from_ndarray(np.asarray(shown), format="rgb24")
                for packet in stream.encode(frame):
                    out.mux(packet)
                frame_number += 1
        for packet in stream.encode():
            out.mux(packet)


def hash_duration(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return float((stream.duration or 0) * (stream.time_base or 0))


def make_copy(args: tuple[Path, Path, float, dict[str, Any]]) -> Path:
    source, target, seconds, edit = args
    options = dict(edit)
    clip = options.pop("clip", None)
    if clip == "middle":
        options.update(start=seconds / 2 - 5, length=10)
    elif clip == "third":
        options.update(start=seconds / 3, length=10)
    return reencode(source, target, **options)


def hash_bank(path: Path) -> VideoSignals:
    return hash_video(path)


def hash_query(path: Path) -> VideoSignals:
    return hash_video(path, query=True)


def reference_words(path: Path) -> np.ndarray:
    """Meta's vpdq on the file, as pytx keeps its frames: quality 50 and up, each
    distinct hash once."""
    kept = dict.fromkeys(f.hex for f in vpdq.computeHash(str(path)) if f.quality >= 50)
    return (
        words_from_bytes([bytes.fromhex(h) for h in kept]) if kept else np.zeros((0, 4), np.uint64)
    )


# -- matching --------------------------------------------------------------------------


def bank_matcher(banked: list[VideoSignals]) -> Matcher:
    return video_matcher([frames_of(signals) for signals in banked])


def frame_words(signals: VideoSignals) -> np.ndarray:
    return words_from_bytes([f.pdq.value for f in signals.frames])


def linear_shares(query: np.ndarray, bank: list[np.ndarray]) -> list[tuple[float, float]]:
    """vPDQ's linear matcher: every query frame against every frame of every bank video;
    (query share, bank share) for each bank video."""
    found = []
    for frames in bank:
        close = np.bitwise_count(query[:, None, :] ^ frames[None, :, :]).sum(axis=2) <= 31
        found.append((100 * close.any(axis=1).mean(), 100 * close.any(axis=0).mean()))
    return found


def recall_tables(count: int, folder: Path, bank_dir: Path | None) -> list[str]:
    """Each bank video gets a quarter of the edits (in turn): every edit is tried on a
    quarter of the videos, and every copy is looked up against every bank video."""
    photos = photo_paths()
    bank_paths = [(bank_dir or folder) / f"bank-{n:03d}.mp4" for n in range(count)]
    names = list(EDITS)
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        missing = [(n, p, photos) for n, p in enumerate(bank_paths) if not p.exists()]
        list(pool.map(make_bank_video, missing))
        durations = [float(hash_duration(p)) for p in bank_paths]
        print(f"{count} bank videos: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        jobs = [
            (path, folder / f"copy-{n:03d}-{e}.mp4", durations[n], EDITS[names[e]])
            for n, path in enumerate(bank_paths)
            for e in range(n % SHARE, len(names), SHARE)
        ]
        edit_of = [names[e] for n in range(count) for e in range(n % SHARE, len(names), SHARE)]
        source_of = [n for n in range(count) for _ in range(n % SHARE, len(names), SHARE)]
        copies = list(pool.map(make_copy, jobs, chunksize=4))
        print(f"{len(copies)} copies: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        banked = list(pool.map(hash_bank, bank_paths, chunksize=4))
        queried = list(pool.map(hash_query, copies, chunksize=4))
        print(f"hashed: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        bank_words = list(pool.map(reference_words, bank_paths, chunksize=4))
        copy_words = list(pool.map(reference_words, copies, chunksize=4))
    print(f"hashed by vpdq: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    matcher = bank_matcher(banked)
    matcher.match(Query.from_video(queried[0]))  # compiled and warm before timing
    found = {name: 0 for name in EDITS}
    tried = {name: edit_of.count(name) for name in EDITS}
    linear_found = {name: 0 for name in EDITS}
    false_ours = false_linear = pairs = 0
    lookup_ms = []
    for number, signals in enumerate(queried):
        source, name = source_of[number], edit_of[number]
        query = Query.from_video(signals)
        began = time.perf_counter()
        matches = [m for m in matcher.match(query) if m.signal_type == "vpdq"]
        lookup_ms.append((time.perf_counter() - began) * 1000)
        groups = {m.group for m in matches}
        found[name] += (source + 1) in groups
        false_ours += len(groups - {source + 1})
        shares = linear_shares(copy_words[number], bank_words)
        passed = {g for g, (q, b) in enumerate(shares, start=1) if q >= 80 and b >= 80}
        linear_found[name] += (source + 1) in passed
        false_linear += len(passed - {source + 1})
        pairs += count - 1
    frames = [len(s.frames) for s in banked]
    lines = [
        f"{count} bank videos, {sum(durations) / 3600:.1f} hours; frames kept per "
        f"video (one a second, collapsed) mean {np.mean(frames):.0f}, max {max(frames)}.",
        "",
        "## Recall: the edited copy finds its original",
        "",
    ]
    lines += table(
        ["edit", "copies", "consentry", "vPDQ (Meta's vpdq hashes, 80 % / 80 %, linear)"],
        [
            [
                name,
                tried[name],
                f"**{found[name] / tried[name]:.1%}**",
                f"{linear_found[name] / tried[name]:.1%}",
            ]
            for name in EDITS
        ],
    )
    lines += ["## False matches: every edited copy against every *other* bank video", ""]
    lines += table(
        ["matcher", "pairs", "false matches"],
        [["consentry", f"{pairs:,}", false_ours], ["vPDQ", f"{pairs:,}", false_linear]],
    )
    ms = np.array(lookup_ms)
    lines += [
        f"Lookup of each copy in this bank (all its frames, mirrored and trimmed variants "
        f"too): p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms.",
        "",
    ]
    return lines


# -- hashing speed ---------------------------------------------------------------------


def make_1080p(path: Path, seconds: int, keyframes: int) -> None:
    """A pan across a photo, 1080p30 H.264, a keyframe every `keyframes` frames."""
    photo = photo_paths()[0]
    with Image.open(photo) as image:
        source = np.asarray(image.convert("RGB").resize((2400, 1600), Image.Resampling.BICUBIC))
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = 1920, 1080, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23", "g": str(keyframes)}
        for n in range(seconds * FPS):
            x = int(440 * n / (seconds * FPS))
            shown = np.ascontiguousarray(source[200 : 200 + 1080, x : x + 1920])
            for packet in stream.encode(av.VideoFrame.from_ndarray(shown, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def speed_table(folder: Path, browser: bool) -> list[str]:
    phone, long_gop = folder / "hd-phone.mp4", folder / "hd-x264.mp4"
    make_1080p(phone, 60, 60)  # a keyframe every 2 s, as phones record
    make_1080p(long_gop, 60, 250)  # x264's default
    rows = []
    looked_up = "consentry, as looked up (4 frames/s, mirrored, trimmed)"
    for name, run in (
        ("consentry, as banked (1 frame/s)", lambda: hash_video(phone)),
        (looked_up, lambda: hash_video(phone, query=True)),
        ("Meta's vpdq.computeHash (same run)", lambda: vpdq.computeHash(str(phone))),
    ):
        run()
        took = min(_timed(run) for _ in range(3))
        rows.append([name, f"{took:.2f} s", f"{60 * FPS / took:,.0f}", f"**{60 / took:.1f}x**"])
    lines = ["## Hashing speed: a 60-s 1080p30 H.264 video (1,800 frames decoded)", ""]
    lines += table(["hasher", "time", "frames decoded / s", "x real time"], rows)
    if browser:
        lines += browser_rows(phone, long_gop)
    return lines


def browser_rows(phone: Path, long_gop: Path) -> list[str]:
    return [
        *table(
            ["in headless Chromium (the portal's page)", "seconds"],
            [
                ["keyframe every 2 s (as phones record)", f"**{browser_seconds(phone):.1f}**"],
                [
                    "keyframe every 250 frames (x264's default)",
                    f"**{browser_seconds(long_gop):.1f}**",
                ],
            ],
        ),
        "The page decodes an MP4 with WebCodecs, every frame once, in order (demuxed by "
        "MP4Box.js), and hashes the frame shown at each second in its worker; other "
        "containers are read by seeking `<video>` elements, where a seek decodes from the "
        "last keyframe (before WebCodecs, the same files took 7.2 s and 18.4 s).",
        "",
    ]


def rerun_browser() -> None:
    """The browser rows of video.md, measured again (the rest is left as it was)."""
    out = RESULTS / "video.md"
    text = out.read_text()
    start = text.index("| in headless Chromium")
    end = text.index("## Lookup:")
    with tempfile.TemporaryDirectory() as folder:
        phone, long_gop = Path(folder) / "hd-phone.mp4", Path(folder) / "hd-x264.mp4"
        make_1080p(phone, 60, 60)
        make_1080p(long_gop, 60, 250)
        lines = browser_rows(phone, long_gop)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines.append(f"Browser rows measured again by `bench/video.py --browser-only` on {stamp}.\n")
    out.write_text(text[:start] + "\n".join(lines) + "\n" + text[end:])
    print("\n".join(lines))


def _timed(run: Any) -> float:
    began = time.perf_counter()
    run()
    return time.perf_counter() - began


def browser_seconds(path: Path) -> float:
    from playwright.sync_api import sync_playwright

    from tests.browser import ARGS, CHROMIUM, start_server

    with tempfile.TemporaryDirectory() as data_dir, sync_playwright() as playwright:
        server, base = start_server(Path(data_dir))
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            page.goto(f"{base}/request")
            began = time.perf_counter()
            page.locator("#photo-input").set_input_files(str(path))
            page.wait_for_selector("#photo-list li[data-done]", timeout=300_000)
            took = time.perf_counter() - began
            frames = page.locator("#photo-list li").get_attribute("data-frames")
            print(f"browser: {frames} frames kept in {took:.1f} s", file=sys.stderr)
            browser.close()
            return took
        finally:
            server.terminate()
            server.wait(timeout=15)


# -- lookup at scale -------------------------------------------------------------------


def lookup_table(sizes: list[int], queries: int) -> list[str]:
    rng = np.random.default_rng(11)
    rows = []
    for videos in sizes:
        frames = 60
        bank = rng.integers(0, 256, (videos * frames, 32), dtype=np.uint8)
        matcher = Matcher()
        matcher.set_bank(BankConfig(1, "ncii", 31, 0, True))
        began = time.perf_counter()
        index = matcher.indexes["vpdq"]
        ids = np.arange(1, len(bank) + 1, dtype=np.int64)
        index.stage(ids.tolist(), [row.tobytes().hex() for row in bank])
        index.commit()
        groups = (ids - 1) // frames + 1
        matcher.registry.set_many(
            ids,
            np.ones(len(ids), dtype=np.int64),
            np.full(len(ids), 2, dtype=np.int8),
            groups,
            ((ids - 1) % frames).astype(np.float32),
        )
        build = time.perf_counter() - began
        ours, linear = [], []
        kept: list[np.ndarray] = []
        bank_words = words_from_bytes([row.tobytes() for row in bank])
        for q in range(-20, queries):  # the first 20 warm the index up, untimed
            video = int(rng.integers(videos))
            rows_of = bank[video * frames : (video + 1) * frames].copy()
            flips = np.bitwise_and.reduce(  # each bit flipped with chance 1/16: ~16 bits
                rng.integers(0, 256, (4, *rows_of.shape), dtype=np.uint8), axis=0
            )
            noisy = rows_of ^ flips
            query = Query.from_frames([(float(t), r.tobytes().hex()) for t, r in enumerate(noisy)])
            began = time.perf_counter()
            [match] = matcher.match(query)
            if q >= 0:
                ours.append((time.perf_counter() - began) * 1000)
            assert match.group == video + 1
            if 0 <= q < 5:
                kept.append(noisy)
        # The linear baseline afterwards: its passes over every bank frame would evict
        # the index from the caches between timed lookups.
        for noisy in kept:
            qwords = words_from_bytes([r.tobytes() for r in noisy])
            began = time.perf_counter()
            close = np.zeros(len(bank_words), dtype=bool)
            for row in qwords:
                close |= np.bitwise_count(bank_words ^ row).sum(axis=1) <= 31
            linear.append((time.perf_counter() - began) * 1000)
        p50, p99 = np.percentile(ours, 50), np.percentile(ours, 99)
        lin = float(np.median(linear))
        rows.append([f"{videos:,}", f"{len(bank):,}", f"{build:.1f} s", f"**{p50:.1f}**",
                     f"**{p99:.1f}**", f"{lin:,.0f}", f"{lin / p50:,.0f}x"])  # fmt: skip
        print(f"lookup at {videos:,}: p50 {p50:.1f} ms, linear {lin:.0f} ms", file=sys.stderr)
        del matcher, index, bank, bank_words
    lines = ["## Lookup: a 60-s query (60 frames, each ~16 bits off) against N bank videos", ""]
    lines += [
        "Bank frames synthesised (60 a video, uniform random), one core, after 20 untimed "
        "queries. Linear: every query frame against every bank frame (vPDQ's matcher, "
        "vectorised in numpy).",
        "",
    ]
    lines += table(
        ["bank videos", "bank frames", "index build", "p50 ms", "p99 ms", "linear ms", "speed-up"],
        rows,
    )
    return lines


def rerun_lookup() -> None:
    """The lookup section of video.md, measured again (the rest is left as it was)."""
    out = RESULTS / "video.md"
    text = out.read_text()
    start = text.index("## Lookup:")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = lookup_table([1_000, 10_000, 100_000], 200)
    lines.insert(2, f"Measured again by `bench/video.py --lookup-only` on {stamp}, machine idle.\n")
    out.write_text(text[:start] + "\n".join(lines))
    print("\n".join(lines))


def rerun_recall(count: int, bank_dir: Path | None) -> None:
    """The recall and false-match sections of video.md, measured again in place."""
    out = RESULTS / "video.md"
    text = out.read_text()
    start, end = text.index("\n200 bank videos") + 1, text.index("## Hashing speed")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    with tempfile.TemporaryDirectory() as folder:
        lines = recall_tables(count, Path(folder), bank_dir)
    lines.insert(1, f"\nRecall measured again by `bench/video.py --recall-only` on {stamp}.")
    out.write_text(text[:start] + "\n".join(lines) + "\n" + text[end:])
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="a few videos, small banks")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--bank-dir", type=Path, help="reuse (or keep) the bank videos here")
    parser.add_argument(
        "--lookup-only", action="store_true", help="rerun the lookup table alone, in place"
    )
    parser.add_argument(
        "--browser-only", action="store_true", help="rerun the browser rows alone, in place"
    )
    parser.add_argument(
        "--recall-only", action="store_true", help="rerun the recall tables alone, in place"
    )
    args = parser.parse_args()
    if args.recall_only:
        rerun_recall(args.videos, args.bank_dir)
        return
    if args.lookup_only:
        rerun_lookup()
        return
    if args.browser_only:
        rerun_browser()
        return
    count = 6 if args.quick else args.videos
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    lines = header("Video (vPDQ): recall, false matches, speed, lookup", "bench/video.py")
    with tempfile.TemporaryDirectory() as folder:
        lines += recall_tables(count, Path(folder), args.bank_dir)
        lines += speed_table(Path(folder), browser=not args.no_browser)
    lines += lookup_table(sizes, 20 if args.quick else 200)
    out = RESULTS / ("video-quick.md" if args.quick else "video.md")
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
