"""A deterministic, benign forgery set from the BSDS500 photographs, with exact masks.

Splices paste a generated shape (ellipse or polygon) from one photo into another;
copy-moves duplicate a shape within one photo, shifted. Each edited image and each
untouched negative is saved lossless (PNG) and as JPEG at quality 75 and 90.

The BSDS500 files are all JPEG at about quality 94, so a plain splice carries almost no
compression history of its own. "jpeg_splice" is the common real case that adds one: the
donor photo was a lower-quality JPEG (q 50-80, as images saved from the web are) before
its region was pasted, off the host's 8-pixel grid."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

SAVES = ("png", "jpeg75", "jpeg90")


@dataclass(frozen=True)
class Sample:
    name: str
    kind: str  # "authentic", "splice", "jpeg_splice" or "copy_move"
    save: str
    data: bytes
    mask: npt.NDArray[np.bool_]  # True where the image was edited


def _mask(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    width, height = size
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    w, h = int(width * rng.uniform(0.15, 0.3)), int(height * rng.uniform(0.15, 0.3))
    x, y = int(rng.uniform(0, width - w)), int(rng.uniform(0, height - h))
    if rng.random() < 0.5:
        draw.ellipse((x, y, x + w, y + h), fill=255)
    else:
        points = [(x + rng.uniform(0, w), y + rng.uniform(0, h)) for _ in range(6)]
        draw.polygon(
            sorted(points, key=lambda p: np.arctan2(p[1] - y - h / 2, p[0] - x - w / 2)), fill=255
        )
    return mask


def _save(image: Image.Image, save: str) -> bytes:
    buffer = io.BytesIO()
    if save == "png":
        image.save(buffer, "PNG")
    else:
        image.save(buffer, "JPEG", quality=int(save.removeprefix("jpeg")))
    return buffer.getvalue()


def samples(paths: list[Path], seed: int = 2026) -> Iterator[Sample]:
    rng = np.random.default_rng(seed)
    for index, path in enumerate(paths):
        photo = Image.open(path).convert("RGB")
        donor = Image.open(paths[(index + 7) % len(paths)]).convert("RGB").resize(photo.size)
        mask = _mask(rng, photo.size)
        edits = {"authentic": (photo, Image.new("L", photo.size, 0))}
        spliced = photo.copy()
        # An object lifted from elsewhere in the donor: its JPEG grid no longer aligns.
        across, down = rng.integers(9, 40, 2) * rng.choice([-1, 1], 2)
        shift = (int(across), int(down))
        moved_donor = Image.new("RGB", photo.size)
        moved_donor.paste(donor, shift)
        spliced.paste(moved_donor, (0, 0), mask)
        edits["splice"] = (spliced, mask)
        web_donor = Image.open(io.BytesIO(_save(donor, f"jpeg{int(rng.integers(50, 81))}")))
        moved_donor.paste(web_donor, shift)
        jpeg_spliced = photo.copy()
        jpeg_spliced.paste(moved_donor, (0, 0), mask)
        edits["jpeg_splice"] = (jpeg_spliced, mask)
        box = mask.getbbox() or (0, 0, 1, 1)
        dx = int(rng.choice([-1, 1]) * photo.width * rng.uniform(0.2, 0.4))
        dy = int(rng.choice([-1, 1]) * photo.height * rng.uniform(0.1, 0.3))
        moved = Image.new("L", photo.size, 0)
        moved.paste(mask, (dx, dy))
        copied = photo.copy()
        shifted = Image.new("RGB", photo.size)
        shifted.paste(photo, (dx, dy))
        copied.paste(shifted, (0, 0), moved)
        if moved.getbbox() and box:
            edits["copy_move"] = (copied, moved)
        for kind, (image, edited) in edits.items():
            for save in SAVES:
                yield Sample(
                    f"{path.stem}-{kind}-{save}",
                    kind,
                    save,
                    _save(image, save),
                    np.asarray(edited) > 127,
                )
