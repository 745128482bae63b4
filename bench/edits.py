"""The hard edits abuse material is re-shared with: crops, tilts, caption bands and app or
phone screenshots, each with random parameters per image (seeded, so reruns agree)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

Edit = Callable[[Image.Image, np.random.Generator], Image.Image]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def crop(share: float) -> Edit:
    """`share` of each side cut away, split at random between its two ends."""

    def edit(image: Image.Image, rng: np.random.Generator) -> Image.Image:
        w, h = image.size
        cut_x, cut_y = share * w, share * h
        left, top = rng.uniform(0, cut_x), rng.uniform(0, cut_y)
        return image.crop(
            (round(left), round(top), round(w - cut_x + left), round(h - cut_y + top))
        )

    return edit


def free_crop(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """60-90 % of each side kept, anywhere (the aspect ratio changes)."""
    w, h = image.size
    keep_x, keep_y = rng.uniform(0.6, 0.9), rng.uniform(0.6, 0.9)
    left, top = rng.uniform(0, (1 - keep_x) * w), rng.uniform(0, (1 - keep_y) * h)
    return image.crop((round(left), round(top), round(left + keep_x * w), round(top + keep_y * h)))


def rotate(degrees: float, inscribed: bool) -> Edit:
    """Tilted by +-`degrees` (sign at random): black corners, or cropped to the largest
    upright rectangle inside the picture (a straightened copy)."""

    def edit(image: Image.Image, rng: np.random.Generator) -> Image.Image:
        angle = degrees * rng.choice([-1.0, 1.0])
        turned = image.rotate(angle, resample=Image.Resampling.BICUBIC)
        if not inscribed:
            return turned
        w, h = image.size
        s, c = abs(math.sin(math.radians(angle))), abs(math.cos(math.radians(angle)))
        # The largest centred rectangle of the original's aspect inside the turned picture.
        scale = min(w / (w * c + h * s), h / (w * s + h * c))
        iw, ih = w * scale, h * scale
        return turned.crop(
            (round((w - iw) / 2), round((h - ih) / 2), round((w + iw) / 2), round((h + ih) / 2))
        )

    return edit


def _caption(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], rng: np.random.Generator
) -> None:
    x0, y0, x1, y1 = box
    size = max(10, (y1 - y0) // 3)
    words = ["when", "you", "see", "it", "lol", "this", "is", "fine", "me", "after"]
    text = " ".join(rng.choice(words, size=int(rng.integers(2, 6))))
    draw.text((x0 + (x1 - x0) // 12, y0 + (y1 - y0) // 3), text, fill="black", font=_font(size))


def meme(top_and_bottom: bool) -> Edit:
    """A white caption band (15-25 % of the height) above, and maybe below, with text."""

    def edit(image: Image.Image, rng: np.random.Generator) -> Image.Image:
        w, h = image.size
        top = round(h * rng.uniform(0.15, 0.25))
        bottom = round(h * rng.uniform(0.15, 0.25)) if top_and_bottom else 0
        out = Image.new("RGB", (w, h + top + bottom), "white")
        out.paste(image, (0, top))
        draw = ImageDraw.Draw(out)
        _caption(draw, (0, 0, w, top), rng)
        if bottom:
            _caption(draw, (0, top + h, w, top + h + bottom), rng)
        return out

    return edit


def app_screenshot(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A social app's post on a desktop: header with a name, side margins, action bar."""
    w, h = image.size
    top, bottom = round(h * rng.uniform(0.12, 0.22)), round(h * rng.uniform(0.12, 0.25))
    side = round(w * rng.uniform(0.03, 0.12))
    shade = int(rng.integers(235, 256))
    out = Image.new("RGB", (w + 2 * side, h + top + bottom), (shade, shade, shade))
    out.paste(image, (side, top))
    draw = ImageDraw.Draw(out)
    draw.ellipse((side, top // 4, side + top // 2, top // 4 + top // 2), fill=(90, 120, 200))
    draw.text(
        (side + top // 2 + 8, top // 3),
        "someone  2h",
        fill=(30, 30, 30),
        font=_font(max(10, top // 5)),
    )
    draw.text(
        (side, top + h + bottom // 4),
        "♡ 1,024   ↻ 87   ⤴",
        fill=(60, 60, 60),
        font=_font(max(10, bottom // 4)),
    )
    return _jpeg(out, int(rng.integers(80, 95)))


def phone_screenshot(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A phone screen (9:19.5) showing the photo full width: status bar, app bar, text
    and buttons around it, saved as a JPEG."""
    width = int(rng.choice([720, 828, 1080]))
    height = round(width * 19.5 / 9)
    scale = width / image.width
    shown = image.resize((width, round(image.height * scale)), Image.Resampling.BICUBIC)
    dark = bool(rng.integers(0, 2))
    background = (18, 18, 18) if dark else (255, 255, 255)
    ink = (235, 235, 235) if dark else (20, 20, 20)
    out = Image.new("RGB", (width, height), background)
    top = round(height * rng.uniform(0.12, 0.3))
    out.paste(shown, (0, top))
    draw = ImageDraw.Draw(out)
    bar = round(height * 0.03)
    draw.text((width // 20, bar // 4), "9:41", fill=ink, font=_font(bar // 2))
    draw.text((width // 20, bar + bar // 2), "< Back      Photo", fill=ink, font=_font(bar // 2))
    below = top + shown.height + bar
    draw.text((width // 20, below), "liked by 2,048 others", fill=ink, font=_font(bar // 2))
    draw.rounded_rectangle(
        (width // 20, height - 2 * bar, width - width // 20, height - bar),
        radius=bar // 3,
        outline=ink,
    )
    return _jpeg(out, int(rng.integers(75, 92)))


def chain(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Crop 10 %, tilt 3 degrees (straightened), a caption band, JPEG quality 75."""
    edited = crop(0.10)(image, rng)
    edited = rotate(3, inscribed=True)(edited, rng)
    edited = meme(top_and_bottom=False)(edited, rng)
    return _jpeg(edited, 75)


EDITS: dict[str, Edit] = {
    "crop 5%": crop(0.05),
    "crop 10%": crop(0.10),
    "crop 15%": crop(0.15),
    "crop 20%": crop(0.20),
    "free crop (60-90% of each side)": free_crop,
    "rotate 2°, black corners": rotate(2, inscribed=False),
    "rotate 5°, black corners": rotate(5, inscribed=False),
    "rotate 2°, inscribed crop": rotate(2, inscribed=True),
    "rotate 5°, inscribed crop": rotate(5, inscribed=True),
    "meme band, top": meme(top_and_bottom=False),
    "meme bands, top and bottom": meme(top_and_bottom=True),
    "app screenshot": app_screenshot,
    "phone screenshot": phone_screenshot,
    "chain: crop, rotate, caption, JPEG": chain,
}
