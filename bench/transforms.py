"""Everyday edits a copy of an image goes through, for the robustness benchmark."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

Transform = Callable[[Image.Image], Image.Image]


def _jpeg(quality: int) -> Transform:
    def apply(image: Image.Image) -> Image.Image:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")

    return apply


def _resize(factor: float) -> Transform:
    def apply(image: Image.Image) -> Image.Image:
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        return image.resize(size, Image.Resampling.BICUBIC)

    return apply


def _crop(share: float) -> Transform:
    def apply(image: Image.Image) -> Image.Image:
        dx, dy = round(image.width * share / 2), round(image.height * share / 2)
        return image.crop((dx, dy, image.width - dx, image.height - dy))

    return apply


def _rotate(degrees: float) -> Transform:
    def apply(image: Image.Image) -> Image.Image:
        return image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=degrees % 90 == 0)

    return apply


def _enhance(kind: type[ImageEnhance._Enhance], factor: float) -> Transform:
    def apply(image: Image.Image) -> Image.Image:
        return kind(image).enhance(factor)  # type: ignore[call-arg]

    return apply


def _noise(image: Image.Image) -> Image.Image:
    rng = np.random.default_rng(image.width * 7919 + image.height)
    pixels = np.asarray(image, dtype=np.float64) + rng.normal(0, 10, (image.height, image.width, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _caption(image: Image.Image) -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    size = max(12, image.height // 12)
    draw.text(
        (image.width // 20, image.height - size * 2),
        "when you see it lol",
        fill="white",
        font=_font(size),
        stroke_width=2,
        stroke_fill="black",
    )
    return out


def _watermark(image: Image.Image) -> Image.Image:
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(12, image.height // 8)
    draw.text(
        (image.width // 8, image.height // 2 - size // 2),
        "sample.example",
        fill=(255, 255, 255, 110),
        font=_font(size),
    )
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _corner_logo(image: Image.Image) -> Image.Image:
    out = image.copy()
    side = image.width // 6
    draw = ImageDraw.Draw(out)
    box = (image.width - side - 8, image.height - side - 8, image.width - 8, image.height - 8)
    draw.rounded_rectangle(box, radius=side // 5, fill=(230, 40, 90))
    draw.text((box[0] + side // 5, box[1] + side // 4), "tv", fill="white", font=_font(side // 2))
    return out


def _padding(image: Image.Image) -> Image.Image:
    dx, dy = image.width // 10, image.height // 10
    out = Image.new("RGB", (image.width + 2 * dx, image.height + 2 * dy), (0, 0, 0))
    out.paste(image, (dx, dy))
    return out


def _framed(
    share: float, colour: tuple[int, int, int], quality: int, sides: bool = True
) -> Transform:
    """Padding (or, without `sides`, a letterbox) in `colour`, then JPEG at `quality`:
    the lines next to the picture ring, which a trim that wants uniform lines stops at."""

    def transform(image: Image.Image) -> Image.Image:
        dx = int(image.width * share) if sides else 0
        dy = int(image.height * share)
        out = Image.new("RGB", (image.width + 2 * dx, image.height + 2 * dy), colour)
        out.paste(image, (dx, dy))
        return _jpeg(quality)(out)

    return transform


def _meme_band(image: Image.Image) -> Image.Image:
    band = image.height // 5
    out = Image.new("RGB", (image.width, image.height + band), "white")
    out.paste(image, (0, band))
    ImageDraw.Draw(out).text(
        (10, band // 4), "me explaining hashes", fill="black", font=_font(band // 3)
    )
    return out


def _screenshot(image: Image.Image) -> Image.Image:
    top, bottom, side = image.height // 6, image.height // 5, image.width // 12
    out = Image.new("RGB", (image.width + 2 * side, image.height + top + bottom), (246, 246, 246))
    out.paste(image, (side, top))
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, out.width, top // 3), fill=(20, 20, 20))
    draw.text((side, top // 2), "someone  2h", fill=(30, 30, 30), font=_font(max(10, top // 4)))
    draw.text(
        (side, top + image.height + bottom // 4),
        "♡ 1,024   ↻ 87",
        fill=(60, 60, 60),
        font=_font(max(10, bottom // 4)),
    )
    return out


def _social_chain(image: Image.Image) -> Image.Image:
    scale = 1080 / max(image.size)
    resized = image.resize(
        (round(image.width * scale), round(image.height * scale)), Image.Resampling.BICUBIC
    )
    return _jpeg(75)(resized)


def _aspect(image: Image.Image) -> Image.Image:
    return image.resize((round(image.width * 1.3), image.height), Image.Resampling.BICUBIC)


TRANSFORMS: dict[str, Transform] = {
    "jpeg q30": _jpeg(30),
    "jpeg q50": _jpeg(50),
    "jpeg q70": _jpeg(70),
    "jpeg q90": _jpeg(90),
    "resize 0.25x": _resize(0.25),
    "resize 0.5x": _resize(0.5),
    "resize 1.5x": _resize(1.5),
    "resize 2x": _resize(2.0),
    "aspect 1.3:1": _aspect,
    "crop 5%": _crop(0.05),
    "crop 10%": _crop(0.10),
    "crop 20%": _crop(0.20),
    "rotate 2°": _rotate(2),
    "rotate 5°": _rotate(5),
    "rotate 90°": _rotate(90),
    "mirror": lambda image: image.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "blur r2": lambda image: image.filter(ImageFilter.GaussianBlur(2)),
    "brightness +30%": _enhance(ImageEnhance.Brightness, 1.3),
    "contrast +30%": _enhance(ImageEnhance.Contrast, 1.3),
    "greyscale": lambda image: image.convert("L").convert("RGB"),
    "noise sigma 10": _noise,
    "caption": _caption,
    "watermark": _watermark,
    "corner logo": _corner_logo,
    "padding 10%": _padding,
    "padding 12% black, jpeg q90": _framed(0.12, (0, 0, 0), 90),
    "padding 12% black, jpeg q70": _framed(0.12, (0, 0, 0), 70),
    "padding 10% white, jpeg q90": _framed(0.10, (255, 255, 255), 90),
    "letterbox 15% black, jpeg q85": _framed(0.15, (0, 0, 0), 85, sides=False),
    "meme band": _meme_band,
    "screenshot frame": _screenshot,
    "social chain (1080 px, q75)": _social_chain,
}
