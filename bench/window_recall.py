"""Recall under hard edits with anchored windows (pdq_windows): the bank hashed in
Chromium by the portal's own code, the edited copies hashed by the server; false
matches over every (edited copy, different original) pair; cost on both sides.

Run: .venv/bin/python bench/window_recall.py [--quick]   (or as part of robustness.py)
Writes its section to bench/results/robustness-windows.md and returns it to robustness.py.
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import RESULTS, header, load_rgb, median, photo_paths, resized_jpeg, table  # noqa: E402
from edits import EDITS  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from consentry.hashing.pdq import PdqHash  # noqa: E402
from consentry.hashing.signals import ImageSignals, compute_signals  # noqa: E402
from tests.browser import ARGS, CHROMIUM, start_server  # noqa: E402
from tests.portal.browser_support import reference_pdq  # noqa: E402

THRESHOLD = 31
HASH_IN_PAGE = """async (encoded) => {
    const { hashPhoto } = await import("/portal/static/photo.js");
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    return await hashPhoto(new Blob([bytes], { type: "image/jpeg" }));
}"""


@dataclass(frozen=True)
class Banked:
    pdq: PdqHash
    windows: list[PdqHash]
    ms: float


def words(hashes: list[PdqHash]) -> np.ndarray:
    raw = b"".join(h.value for h in hashes)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, 4)


def distances(query: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """Hamming distances, query rows x bank rows."""
    if len(query) == 0 or len(bank) == 0:
        return np.full((len(query), len(bank)), 256, dtype=np.int64)
    return np.bitwise_count(query[:, None, :] ^ bank[None, :, :]).sum(axis=2)


def browser_bank(files: list[bytes]) -> list[Banked]:
    """Each photo hashed by photo.js in a real portal page (Chromium's own decoder)."""
    banked = []
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_server(Path(folder) / "data")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page()
                page.goto(f"{base}/request")
                for data in files:
                    result = page.evaluate(HASH_IN_PAGE, base64.b64encode(data).decode())
                    hashes = result["hashes"]
                    banked.append(
                        Banked(
                            PdqHash.from_hex(hashes[0]["value"]),
                            [
                                PdqHash.from_hex(h["value"])
                                for h in hashes
                                if h["signal_type"] == "pdq_windows"
                            ],
                            float(result["milliseconds"]),
                        )
                    )
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    return banked


def jpeg_bytes(image: object, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)  # type: ignore[attr-defined]
    return buffer.getvalue()


def plain_signals(query: ImageSignals) -> list[PdqHash]:
    return [*query.variants, query.trimmed, query.content]


def run(limit: int | None) -> list[str]:
    paths = photo_paths(limit)
    files = [p.read_bytes() for p in paths]
    photos = [load_rgb(p) for p in paths]
    n = len(photos)
    print(f"hashing {n} bank photos in Chromium", file=sys.stderr)
    browser = browser_bank(files)
    server = [compute_signals(data, bank=True) for data in files]
    browser_windows = [words(b.windows) for b in browser]
    browser_plain = words([b.pdq for b in browser])
    server_windows = [words(list(s.windows)) for s in server]
    owner = np.concatenate([np.full(len(w), i) for i, w in enumerate(browser_windows)])
    all_windows = np.concatenate(browser_windows)

    columns = [
        "PDQ",
        "consentry before (8 rotations/flips + trimmed)",
        "+ content area",
        "pdq_windows alone",
        "consentry now, browser-hashed bank",
        "consentry now, server-hashed bank",
    ]
    rows: list[list[object]] = []
    false = {"pdq_windows": 0, "all signals": 0, "auto (2+ windows)": 0}
    closest = {"pdq_windows": 256, "all signals": 256}
    pairs = 0
    query_ms: list[float] = []
    query_windows: list[int] = []
    for name, edit in EDITS.items():
        hits = dict.fromkeys(columns, 0)
        for index, photo in enumerate(photos):
            rng = np.random.default_rng([2026, index, zlib.crc32(name.encode())])
            edited = edit(photo, rng)
            started = time.perf_counter()
            query = compute_signals(jpeg_bytes(edited))
            query_ms.append((time.perf_counter() - started) * 1000)
            query_windows.append(len(query.windows))
            own_pdq = server[index].pdq
            before = min(h.distance(own_pdq) for h in (*query.variants, query.trimmed))
            content = min(before, query.content.distance(own_pdq))
            q_windows = words(list(query.windows))
            alone = int(distances(q_windows, browser_windows[index]).min(initial=256))
            q_plain = words(plain_signals(query))
            browser_all = min(
                alone, int(distances(q_plain, browser_plain[index : index + 1]).min())
            )
            server_all = min(
                content, int(distances(q_windows, server_windows[index]).min(initial=256))
            )
            for column, distance in zip(
                columns,
                [query.pdq.distance(own_pdq), before, content, alone, browser_all, server_all],
                strict=True,
            ):
                hits[column] += distance <= THRESHOLD
            # Every other original: what a different image would be matched by.
            window_d = distances(q_windows, all_windows)  # query windows x all bank windows
            per_entry = window_d.min(axis=0, initial=256)  # each bank window's closest query
            others = owner != index
            pair_closest = np.full(n, 256)
            np.minimum.at(pair_closest, owner, per_entry)
            plain_d = distances(q_plain, browser_plain).min(axis=0)
            mask = np.arange(n) != index
            closest["pdq_windows"] = min(closest["pdq_windows"], int(pair_closest[mask].min()))
            both = np.minimum(pair_closest, plain_d)
            closest["all signals"] = min(closest["all signals"], int(both[mask].min()))
            false["pdq_windows"] += int((pair_closest[mask] <= THRESHOLD).sum())
            false["all signals"] += int((both[mask] <= THRESHOLD).sum())
            near = np.bincount(owner[others & (per_entry <= THRESHOLD)], minlength=n)
            false["auto (2+ windows)"] += int((near[mask] >= 2).sum())
            pairs += n - 1
        rows.append([name, *(f"{hits[c] / n * 100:.0f}%" for c in columns)])
        print(rows[-1], file=sys.stderr)

    one_mp = [resized_jpeg(photo, 1.0) for photo in photos[:40]]
    compute_signals(one_mp[0])
    server_ms, plain_ms = [], []
    for data in one_mp:
        started = time.perf_counter()
        compute_signals(data)
        server_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        reference_pdq(data)
        plain_ms.append((time.perf_counter() - started) * 1000)
    counts = [len(b.windows) for b in browser]
    lines = [
        "## Hard edits: anchored windows (pdq_windows)",
        "",
        f"{n} photographs; each edit draws its own random parameters per photo (see "
        "`bench/edits.py`). The bank side is hashed **in Chromium** by the portal's own "
        "`photo.js` (plain PDQ and window hashes, as a person's device sends them); the "
        "edited copy is hashed by the server (`compute_signals`: 8 rotations/flips, trimmed "
        "and content-area PDQ, windows over the content area). Found: any query value within "
        f"{THRESHOLD} bits of a bank value of its own kind.",
        "",
    ]
    lines += table(["edit", *columns], rows)
    lines += [
        "### False matches: every (edited copy, different original) pair",
        "",
    ]
    lines += table(
        ["signals", "pairs", "false matches (review tier)", "closest distance"],
        [
            ["pdq_windows", pairs, false["pdq_windows"], closest["pdq_windows"]],
            ["all signals", pairs, false["all signals"], closest["all signals"]],
            [
                "auto tier: 2+ windows of one different image within the threshold",
                pairs,
                false["auto (2+ windows)"],
                "",
            ],
        ],
    )
    lines += ["### Cost", ""]
    lines += table(
        ["", "value"],
        [
            [
                "bank windows per image (browser), mean / max",
                f"{np.mean(counts):.1f} / {max(counts)}",
            ],
            ["bank bytes per image (32 per window, + 32 PDQ)", f"{32 * (np.mean(counts) + 1):.0f}"],
            [
                "browser: ms per photo (decode, PDQ, windows, SHA-256), median",
                f"{median([b.ms for b in browser]):.0f}",
            ],
            ["server: query windows per edited copy, mean", f"{np.mean(query_windows):.1f}"],
            [
                "server: ms per edited copy (all signals, ~0.15-0.4 MP), median",
                f"{median(query_ms):.1f}",
            ],
            [
                "server: ms per 1 MP JPEG upload, all signals, median / p95",
                f"{median(server_ms):.1f} / {sorted(server_ms)[int(0.95 * len(server_ms))]:.1f}",
            ],
            [
                "baseline: Meta's reference PDQ alone (full decode, pdqhash), ms per 1 MP, median",
                f"{median(plain_ms):.1f}",
            ],
        ],
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="30 photos instead of all")
    args = parser.parse_args()
    lines = header("Robustness: hard edits with anchored windows", "python bench/window_recall.py")
    lines += run(30 if args.quick else None)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "robustness-windows.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
