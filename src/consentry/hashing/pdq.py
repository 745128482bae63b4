"""The PDQ hash as a value: 256 bits, hex round trip, Hamming distance.

Bit order follows Meta's reference and python-threatexchange: the hex string
is most significant bit first, and element 0 of `pdqhash.compute`'s vector is
that most significant bit. A hash exported here therefore equals the one those
tools compute for the same image.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from consentry.core.errors import DomainError

PDQ_BITS = 256
PDQ_HEX_LENGTH = PDQ_BITS // 4
# Meta's guidance: hashes below this quality are unreliable for matching.
MIN_RELIABLE_QUALITY = 50

_HEX = re.compile(r"[0-9a-fA-F]{64}")


class InvalidHash(DomainError, ValueError):
    """A value that is not a valid hash of its signal type."""

    slug = "invalid-hash"


@dataclass(frozen=True, slots=True)
class PdqHash:
    """A 256-bit PDQ hash; `quality` (0-100) travels with it but is not part of its identity."""

    value: bytes
    quality: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if len(self.value) != PDQ_BITS // 8:
            raise InvalidHash(f"a PDQ hash has 32 bytes, not {len(self.value)}")
        if self.quality is not None and not 0 <= self.quality <= 100:
            raise InvalidHash(f"PDQ quality is 0-100, not {self.quality}")

    @classmethod
    def from_hex(cls, text: str, quality: int | None = None) -> PdqHash:
        text = text.strip()
        if not _HEX.fullmatch(text):
            raise InvalidHash(f"a PDQ hash is {PDQ_HEX_LENGTH} hexadecimal digits")
        return cls(bytes.fromhex(text), quality)

    @classmethod
    def from_bits(cls, bits: npt.NDArray[np.bool_], quality: int | None = None) -> PdqHash:
        """From PDQ's bit array, where bit k is DCT coefficient (k // 16, k % 16)."""
        return cls(np.packbits(bits[::-1].astype(np.uint8)).tobytes(), quality)

    @classmethod
    def from_vector(cls, vector: Sequence[int] | npt.NDArray[np.integer], quality: int) -> PdqHash:
        """From `pdqhash.compute`'s 256-element 0/1 vector (most significant bit first)."""
        array = np.asarray(vector, dtype=np.uint8)
        if array.shape != (PDQ_BITS,):
            raise InvalidHash(f"a PDQ vector has {PDQ_BITS} elements")
        return cls(np.packbits(array).tobytes(), quality)

    def to_hex(self) -> str:
        return self.value.hex()

    def to_int(self) -> int:
        return int.from_bytes(self.value, "big")

    def distance(self, other: PdqHash) -> int:
        """Hamming distance: the number of differing bits (0-256)."""
        return (self.to_int() ^ other.to_int()).bit_count()

    @property
    def low_quality(self) -> bool:
        return self.quality is not None and self.quality < MIN_RELIABLE_QUALITY

    def __str__(self) -> str:
        return self.to_hex()

    def __repr__(self) -> str:
        # Hashes of reported images are personal data: keep them out of reprs and logs.
        return f"PdqHash(<{PDQ_BITS} bits>, quality={self.quality})"
