"""Perceptual (PDQ) and exact (SHA-256, MD5) hashing of images, safe on hostile files."""

from consentry.config import DEFAULT_MAX_PIXELS
from consentry.hashing.decode import READABLE_FORMATS
from consentry.hashing.errors import (
    DecodeFailed,
    EmptyFile,
    HashingError,
    ImageTooLarge,
    ReadFailed,
    TruncatedImage,
    UnsupportedFormat,
)
from consentry.hashing.pdq import MIN_RELIABLE_QUALITY, InvalidHash, PdqHash
from consentry.hashing.pdq_core import VARIANT_NAMES
from consentry.hashing.signals import ImageSignals, PdqSignals, compute_pdq, compute_signals

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "MIN_RELIABLE_QUALITY",
    "READABLE_FORMATS",
    "VARIANT_NAMES",
    "DecodeFailed",
    "EmptyFile",
    "HashingError",
    "ImageSignals",
    "ImageTooLarge",
    "InvalidHash",
    "PdqHash",
    "PdqSignals",
    "ReadFailed",
    "TruncatedImage",
    "UnsupportedFormat",
    "compute_pdq",
    "compute_signals",
]
