"""Benign generated images for tests: geometric patterns from a seeded generator, pure numpy."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image


def pattern(seed: int, width: int = 640, height: int = 480) -> Image.Image:
    """A busy, photo-sized pattern of gradients, discs and bars (high PDQ quality)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = x / width, y / height
    canvas = np.empty((height, width, 3))
    for channel in range(3):
        a, b, c = rng.uniform(-1, 1, 3)
        canvas[:, :, channel] = 128 + 60 * (a * u + b * v) + 30 * np.sin(2 * np.pi * (c * u + v))
    for _ in range(12):
        cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.05, 0.25)
        disc = (u - cx) ** 2 + ((v - cy) * height / width) ** 2 < r**2
        canvas[disc] = rng.uniform(0, 255, 3)
    for _ in range(6):
        x0, x1 = sorted(rng.uniform(0, 1, 2))
        y0, y1 = sorted(rng.uniform(0, 1, 2))
        bar = (u > x0) & (u < x1) & (v > y0) & (v < y1)
        canvas[bar] = 0.5 * canvas[bar] + 0.5 * rng.uniform(0, 255, 3)
    return Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), "RGB")


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def jpeg(image: Image.Image, quality: int = 90, **options: Any) -> bytes:
    return encode(image, "JPEG", quality=quality, **options)


def png(image: Image.Image, **options: Any) -> bytes:
    return encode(image, "PNG", **options)


def blobs(seed: int, width: int = 640, height: int = 480) -> Image.Image:
    """Soft light and dark blobs of many sizes on a gradient: the scale-space structure
    the window detector anchors on (generated patterns' hard discs give it little)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    grey = 100 + 40 * x / width + 30 * y / height
    for _ in range(45):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        sigma = rng.uniform(0.01, 0.06) * max(width, height)
        grey += (
            rng.choice([-1, 1])
            * rng.uniform(40, 110)
            * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma**2))
        )
    tint = rng.uniform(0.8, 1.2, 3)
    rgb = np.clip(grey[:, :, None] * tint[None, None, :], 0, 255).astype(np.uint8)
    return Image.fromarray(rgb, "RGB")
