"""Safe decoding of untrusted image bytes into the planes PDQ needs.

Every file here is hostile until decoded: formats are limited to the ones we
read (so Pillow never reaches for Ghostscript or an exotic plugin), the
declared pixel count is checked before any pixel is decoded, and every failure
becomes a `HashingError` with a plain message.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pillow_heif
from PIL import Image, UnidentifiedImageError

from consentry.config import DEFAULT_MAX_PIXELS
from consentry.hashing.errors import (
    DecodeFailed,
    EmptyFile,
    HashingError,
    ImageTooLarge,
    TruncatedImage,
    UnsupportedFormat,
)
from consentry.hashing.pdq_core import Axis

pillow_heif.register_heif_opener()

# Planes are decoded down to block means, but never below this many pixels on
# the short side (coarser blocks than about half PDQ's filter window drift), nor
# below this many on the long side (the keypoint detector's working plane).
MIN_PLANE_SIDE = 256
MIN_PLANE_LONG_SIDE = 512

# Multi-picture JPEGs (MPO, as many phones write) are opened by the JPEG plugin.
READABLE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP", "HEIF", "AVIF")
_DRAFTABLE = frozenset({"JPEG", "MPO"})
_BLOCKS = (8, 4, 2, 1)
_ORIENTATION_TAG = 0x0112

# EXIF orientation -> (transpose first, then flip rows, flip columns) of the stored pixels,
# and the Pillow operation that does the same.
_ORIENTATION_STEPS: dict[int, tuple[bool, bool, bool]] = {
    2: (False, False, True),
    3: (False, True, True),
    4: (False, True, False),
    5: (True, False, False),
    6: (True, False, True),
    7: (True, True, True),
    8: (True, True, False),
}
_ORIENTATION_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class LumaPlane:
    """Luma as block means, upright (EXIF orientation applied), with its axes."""

    values: FloatArray
    rows: Axis
    cols: Axis
    format: str

    @property
    def width(self) -> int:
        return self.cols.size

    @property
    def height(self) -> int:
        return self.rows.size


def open_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Identify the image and check its declared size; no pixel is decoded yet."""
    if not data:
        raise EmptyFile("the file is empty")
    try:
        with warnings.catch_warnings():
            # Our own pixel limit below replaces Pillow's bomb warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=READABLE_FORMATS)
    except UnidentifiedImageError:
        raise UnsupportedFormat("not an image file, or not a format consentry reads") from None
    except Image.DecompressionBombError:
        # Pillow's own, coarser guard fired first; answer with ours.
        raise ImageTooLarge(
            f"the image declares more pixels than the limit of {max_pixels:,} pixels"
        ) from None
    except HashingError:
        raise
    except Exception as error:  # hostile headers reach many code paths in Pillow
        raise _classify(error) from None
    width, height = image.size
    if width <= 0 or height <= 0:
        raise DecodeFailed(f"the image declares an impossible size ({width}x{height})")
    if width * height > max_pixels:
        raise ImageTooLarge(
            f"the image has {width}x{height} pixels, over the limit of {max_pixels:,} pixels"
        )
    return image


def _classify(error: BaseException) -> HashingError:
    text = str(error)
    if isinstance(error, EOFError) or "truncated" in text.lower():
        return TruncatedImage("the file ends before the image does (truncated)")
    if isinstance(error, MemoryError):
        return ImageTooLarge("the image needs more memory to decode than is allowed")
    detail = f": {text}" if text and len(text) < 200 else ""
    return DecodeFailed(f"the image data could not be decoded{detail}")


def _load(image: Image.Image) -> tuple[Image.Image, int]:
    """Decode the first frame: a plain 8-bit L or RGB image (alpha on white), and its orientation.

    Pixels are decoded before EXIF is read: for some formats reading EXIF decodes
    the image, and a failure there must not pass silently.
    """
    try:
        image.load()
        return _normalise(image), orientation_of(image)
    except HashingError:
        raise
    except Exception as error:  # see open_image
        raise _classify(error) from None


def _normalise(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode in ("L", "RGB"):
        return image
    if mode.startswith("I;16") or mode == "I":
        wide = np.asarray(image, dtype=np.float64)
        return Image.fromarray(np.clip(np.rint(wide / 257.0), 0, 255).astype(np.uint8), "L")
    if mode == "F":
        values = np.asarray(image, dtype=np.float64)
        if values.size and np.nanmax(values) <= 1.0:
            values = values * 255.0
        return Image.fromarray(np.clip(np.nan_to_num(values), 0, 255).astype(np.uint8), "L")
    if mode == "1":
        return image.convert("L")
    has_alpha = "A" in mode or "a" in mode or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def luma_of(image: Image.Image) -> FloatArray:
    """Luma exactly as the PDQ reference computes it (float32 precision)."""
    if image.mode == "L":
        return np.asarray(image, dtype=np.float64)
    rgb = np.asarray(image)
    luma = rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114
    return luma.astype(np.float32).astype(np.float64)


def orientation_of(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block must not stop hashing; upright is the safe guess
        return 1
    return value if isinstance(value, int) and value in _ORIENTATION_STEPS else 1


def decode_upright(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[Image.Image, str]:
    """The full-resolution, upright, 8-bit image: the reference's input."""
    image = open_image(data, max_pixels=max_pixels)
    fmt = image.format or "UNKNOWN"
    normalised, orientation = _load(image)
    if orientation in _ORIENTATION_TRANSPOSE:
        normalised = normalised.transpose(_ORIENTATION_TRANSPOSE[orientation])
    return normalised, fmt


def _fine_enough(width: int, height: int, block: int) -> bool:
    return (
        min(width, height) // block >= MIN_PLANE_SIDE
        and max(width, height) // block >= MIN_PLANE_LONG_SIDE
    )


def block_for(width: int, height: int) -> int:
    """The coarsest block whose means still hash as the full plane does (within a few bits)."""
    return next(b for b in _BLOCKS if _fine_enough(width, height, b) or b == 1)


def decode_luma_plane(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> LumaPlane:
    """Luma as block means, decoding as little as the format allows (JPEG: DCT scaling)."""
    image = open_image(data, max_pixels=max_pixels)
    fmt = image.format or "UNKNOWN"
    width, height = image.size
    if fmt in _DRAFTABLE:
        try:
            block = block_for(width, height)
            image.draft("L", (-(-width // block), -(-height // block)))
        except Exception as error:  # see open_image
            raise _classify(error) from None
    normalised, orientation = _load(image)
    drafted = normalised.size != (width, height)
    if drafted:
        found = [b for b in _BLOCKS if -(-width // b) == normalised.size[0]]
        if not found:
            raise DecodeFailed("the image decoded to a size its header does not declare")
        block = found[0]
        values = luma_of(normalised)
    else:
        block = block_for(width, height)
        if block == 1:
            values = luma_of(normalised)
        else:
            reduced = normalised.convert("L").reduce(block)
            values = np.asarray(reduced, dtype=np.float64)
    rows, cols = Axis(height, block), Axis(width, block)
    values, rows, cols = _orient(values, rows, cols, orientation)
    return LumaPlane(values, rows, cols, fmt)


def _orient(
    values: FloatArray, rows: Axis, cols: Axis, orientation: int
) -> tuple[FloatArray, Axis, Axis]:
    steps = _ORIENTATION_STEPS.get(orientation)
    if steps is None:
        return values, rows, cols
    transpose, flip_rows, flip_cols = steps
    if transpose:
        values, rows, cols = values.T, cols, rows
    if flip_rows:
        values = values[::-1, :]
        rows = Axis(rows.size, rows.block, not rows.partial_first)
    if flip_cols:
        values = values[:, ::-1]
        cols = Axis(cols.size, cols.block, not cols.partial_first)
    return np.ascontiguousarray(values), rows, cols
