"""What the portal's browser tests share: a server, a page that records every request,
and generated photos on disk."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageOps
from playwright.sync_api import Browser, Page, Request

from consentry.hashing.pdq import PdqHash
from tests.browser import chromium, require_chromium, start_server
from tests.images import jpeg, pattern, png

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def reference_pdq(data: bytes) -> PdqHash:
    """Meta's reference on the fully decoded, upright image."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    vector, quality = pdqhash.compute(np.ascontiguousarray(np.asarray(image)))
    return PdqHash.from_vector(vector, int(quality))


def write_photos(folder: Path, count: int, width: int = 800, height: int = 600) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(count):
        image = pattern(seed, width, height)
        path = folder / (f"photo-{seed}.jpg" if seed % 2 == 0 else f"photo-{seed}.png")
        path.write_bytes(jpeg(image) if seed % 2 == 0 else png(image))
        paths.append(path)
    return paths


@dataclass
class Recorded:
    page: Page
    base: str
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def portal(tmp_path: Path, **settings: str) -> Iterator[tuple[Browser, str]]:
    require_chromium()
    server, base = start_server(tmp_path / "data", **settings)
    try:
        with chromium() as browser:
            yield browser, base
    finally:
        server.terminate()
        server.wait(timeout=15)


def recording_page(browser: Browser, base: str, width: int = 1000) -> Recorded:
    page = browser.new_page(viewport={"width": width, "height": 900})
    recorded = Recorded(page, base)
    page.on("request", lambda request: recorded.requests.append(request))
    page.on("pageerror", lambda error: recorded.errors.append(str(error)))
    page.on(
        "console",
        lambda message: recorded.errors.append(message.text) if message.type == "error" else None,
    )
    return recorded


def pick_photos(page: Page, paths: list[Path]) -> list[str]:
    """Choose photos on the form and wait until each is hashed; the hash fields' values."""
    page.locator("#photo-input").set_input_files([str(p) for p in paths])
    page.wait_for_function(
        "n => document.querySelectorAll('#photo-list li[data-done], #photo-list li[data-failed]')"
        ".length === n",
        arg=len(paths),
        timeout=120_000,  # a bound, not a measure: a busy machine runs every test at once
    )
    values = page.locator("#photo-list input[name=hash]").evaluate_all(
        "els => els.map(e => e.value)"
    )
    return [str(value) for value in values]


def fill_request(page: Page) -> None:
    page.get_by_label("Links to the content").fill("https://example.org/post/1")
    page.get_by_label("Nudity").check()
    page.get_by_label("It was made or changed with AI").check()
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_label("Email address").fill("person@example.org")
    page.get_by_label("I believe in good faith").check()
    page.get_by_label("accurate and complete").check()
    page.get_by_label("Your full name").fill("Alex Example")
    page.get_by_label("I sign this request").check()
