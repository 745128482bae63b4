"""The portal's in-browser PDQ in headless Chromium: parity with Meta's reference and speed.

Run: `python bench/browser_pdq.py` (needs /usr/bin/chromium and ../shared/data).
Each photo's JPEG bytes go into a real portal page, which decodes them with the
browser's own decoder and hashes them with our JavaScript (`photo.js`, as the
page's worker does); the reference is `pdqhash` on the fully decoded image.
"""

from __future__ import annotations

import base64
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from bench.common import (  # noqa: E402
    RESULTS,
    header,
    load_rgb,
    median,
    photo_paths,
    resized_jpeg,
    table,
)
from consentry.hashing.pdq import PdqHash  # noqa: E402
from tests.browser import ARGS, CHROMIUM, start_server  # noqa: E402
from tests.portal.browser_support import reference_pdq  # noqa: E402

HASH_IN_PAGE = """async (encoded) => {
    const { hashPhoto } = await import("/portal/static/photo.js");
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    const result = await hashPhoto(new Blob([bytes], { type: "image/jpeg" }));
    return { hash: result.hashes[0].value, ms: result.milliseconds };
}"""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _measure(page: Page, inputs: list[bytes]) -> dict[str, object]:
    distances, browser_ms, reference_ms = [], [], []
    for data in inputs:
        answer = page.evaluate(HASH_IN_PAGE, base64.b64encode(data).decode())
        started = time.perf_counter()
        reference = reference_pdq(data)
        reference_ms.append((time.perf_counter() - started) * 1000)
        browser_ms.append(float(answer["ms"]))
        distances.append(PdqHash.from_hex(answer["hash"]).distance(reference))
    within = sum(1 for d in distances if d <= 10) / len(distances)
    return {
        "photos": len(inputs),
        "median": f"{median(distances):g}",
        "p99": _percentile(distances, 0.99),
        "max": max(distances),
        "within": f"{within:.1%}",
        "browser_ms": median(browser_ms),
        "browser_p95": _percentile(browser_ms, 0.95),
        "reference_ms": median(reference_ms),
    }


def main() -> None:
    paths = photo_paths()
    sets = {
        "native (481x321, as stored)": [p.read_bytes() for p in paths],
        "12 MP (Lanczos, q90), first 40": [resized_jpeg(load_rgb(p), 12.0) for p in paths[:40]],
    }
    rows = []
    with tempfile.TemporaryDirectory() as data_dir, sync_playwright() as playwright:
        server, base = start_server(Path(data_dir))
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            page.goto(f"{base}/request")
            for name, inputs in sets.items():
                print(f"{name}: {len(inputs)} photos", file=sys.stderr)
                m = _measure(page, inputs)
                ratio = float(m["reference_ms"]) / float(m["browser_ms"])  # type: ignore[arg-type]
                rows.append(
                    [
                        name,
                        m["photos"],
                        m["median"],
                        m["p99"],
                        m["max"],
                        f"**{m['within']}**",
                        f"**{m['browser_ms']:.0f} ms**",
                        f"{m['browser_p95']:.0f} ms",
                        f"{m['reference_ms']:.0f} ms",
                        f"{ratio:.2f}x",
                    ]
                )
            browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    lines = header("Browser PDQ: parity and speed", "python bench/browser_pdq.py")
    lines += [
        "The victim portal hashes photos on the person's device. Here each BSDS500 photo's",
        "JPEG bytes are decoded by headless Chromium (Debian's package, one tab) and hashed",
        "by the portal's JavaScript PDQ (`photo.js`: decode with EXIF orientation, luma,",
        "Jarosz weights, 16x16 DCT, median), plus SHA-256 by WebCrypto. The baseline is",
        "Meta's reference, `pdqhash.compute` on the image fully decoded by Pillow, timed in",
        "the same run (decode included); the ratio is baseline time / browser time.",
        "Distances are bits between the browser's hash and the reference's; Meta's",
        "tolerance between PDQ implementations is 10 bits.",
        "",
    ]
    lines += table(
        [
            "input",
            "photos",
            "median bits",
            "p99",
            "max",
            "within 10 bits",
            "browser, median",
            "browser p95",
            "reference (Pillow + pdqhash)",
            "ratio",
        ],
        rows,
    )
    lines += [
        "Browser time is measured inside the page (`performance.now()`) around decode,",
        "hash and SHA-256 of one photo; it excludes moving the bytes into the page.",
        "",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "browser_pdq.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
