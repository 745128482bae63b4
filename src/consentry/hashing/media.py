"""Telling a video file from an image by its first bytes, before decoding either."""

from __future__ import annotations

from typing import BinaryIO

# ISO base media brands that are still images (HEIF, AVIF): Pillow reads those.
_IMAGE_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"})
# A transport stream is told by its sync byte repeating one 188-byte packet later.
SNIFF_BYTES = 189


def looks_like_video(head: bytes) -> bool:
    """Whether the file starting with `head` (at least SNIFF_BYTES of it) is a video
    container: MP4/MOV/3GP, Matroska/WebM, AVI, FLV, MPEG program or transport stream."""
    if head[4:8] == b"ftyp":
        return head[8:12] not in _IMAGE_BRANDS
    return (
        head.startswith(b"\x1a\x45\xdf\xa3")  # EBML: Matroska, WebM
        or (head.startswith(b"RIFF") and head[8:12] == b"AVI ")
        or head.startswith(b"FLV\x01")
        or head.startswith(b"\x00\x00\x01\xba")  # MPEG program stream
        or (len(head) >= SNIFF_BYTES and head[0] == head[188] == 0x47)  # transport stream
    )


def is_video(stream: BinaryIO) -> bool:
    """`looks_like_video` of a seekable file's first bytes; the file is left at its start."""
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    return looks_like_video(head)
