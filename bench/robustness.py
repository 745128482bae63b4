"""Robustness of PDQ matching under everyday edits, and false matches between different photos.

Run: .venv/bin/python bench/robustness.py [--quick]
Writes bench/results/robustness.md: everyday edits against plain PDQ, then the hard edits
(crops, tilts, bands, screenshots) with anchored windows (`window_recall.py`, which hashes
the bank in Chromium). Needs ../shared/data/photos-bsds500 and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import io
import sys

import imagehash
import numpy as np
import window_recall
from common import RESULTS, header, load_rgb, photo_paths, table
from PIL import Image
from transforms import TRANSFORMS

from consentry.hashing import ImageSignals, compute_signals

PDQ_THRESHOLD = 31
# pHash is 64 bits: 8 bits is the same share (12.5%) as PDQ's 31 of 256.
PHASH_THRESHOLD = 8


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def as_bits(hex_values: list[str], bits: int) -> np.ndarray:
    raw = np.array([bytes.fromhex(h) for h in hex_values], dtype=f"S{bits // 8}")
    return np.unpackbits(
        np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(len(hex_values), -1), axis=1
    )


def pairwise(bits_a: np.ndarray, bits_b: np.ndarray) -> np.ndarray:
    a = bits_a.astype(np.int32)
    b = bits_b.astype(np.int32)
    return a @ (1 - b).T + (1 - a) @ b.T


class Methods:
    """Distance of a query (a transformed copy) to the original, per matching method."""

    @staticmethod
    def plain(query: ImageSignals, original: ImageSignals) -> int:
        return query.pdq.distance(original.pdq)

    @staticmethod
    def dihedral(query: ImageSignals, original: ImageSignals) -> int:
        return min(v.distance(original.pdq) for v in query.variants)

    @staticmethod
    def trimmed(query: ImageSignals, original: ImageSignals) -> int:
        return min(query.pdq.distance(original.pdq), query.trimmed.distance(original.pdq))

    @staticmethod
    def all_signals(query: ImageSignals, original: ImageSignals) -> int:
        plain = (*query.variants, query.trimmed, query.content)
        return min(h.distance(original.pdq) for h in plain)


METHODS = {
    "PDQ": Methods.plain,
    "PDQ + 8 rotations/flips": Methods.dihedral,
    "PDQ + trimmed": Methods.trimmed,
    "consentry (all signals)": Methods.all_signals,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="30 photos instead of 300")
    args = parser.parse_args()
    photos = [load_rgb(p) for p in photo_paths(30 if args.quick else None)]
    originals = [compute_signals(png_bytes(p)) for p in photos]
    phashes = [imagehash.phash(p) for p in photos]

    rows = []
    for name, transform in TRANSFORMS.items():
        hits = dict.fromkeys([*METHODS, "pHash"], 0)
        for photo, original, phash in zip(photos, originals, phashes, strict=True):
            copy = transform(photo)
            query = compute_signals(png_bytes(copy))
            for method, distance in METHODS.items():
                hits[method] += distance(query, original) <= PDQ_THRESHOLD
            hits["pHash"] += (imagehash.phash(copy) - phash) <= PHASH_THRESHOLD
        rows.append([name, *(f"{hits[m] / len(photos) * 100:.0f}%" for m in hits)])
        print(rows[-1], file=sys.stderr)

    n = len(photos)
    plain = as_bits([o.pdq.to_hex() for o in originals], 256)
    off_diagonal = ~np.eye(n, dtype=bool)
    pairs = n * (n - 1) // 2
    false_rows = []
    plain_distances = pairwise(plain, plain)[np.triu(off_diagonal)]
    false_rows.append(
        ["PDQ", pairs, int((plain_distances <= PDQ_THRESHOLD).sum()), int(plain_distances.min())]
    )
    signals = [[*o.variants, o.trimmed] for o in originals]
    per_signal = [pairwise(as_bits([s[k].to_hex() for s in signals], 256), plain) for k in range(9)]
    # Signal 0 is the plain hash, 0-7 the rotations/flips, 8 the trimmed hash.
    for label, chosen in (
        ("PDQ + 8 rotations/flips", range(8)),
        ("PDQ + trimmed", (0, 8)),
        ("consentry (all signals)", range(9)),
    ):
        closest = np.minimum.reduce([per_signal[k] for k in chosen])[off_diagonal]
        false_rows.append(
            [
                f"{label}, each photo queried against every other",
                n * (n - 1),
                int((closest <= PDQ_THRESHOLD).sum()),
                int(closest.min()),
            ]
        )
    ph = as_bits([str(p) for p in phashes], 64)
    ph_distances = pairwise(ph, ph)[np.triu(off_diagonal)]
    false_rows.append(
        ["pHash", pairs, int((ph_distances <= PHASH_THRESHOLD).sum()), int(ph_distances.min())]
    )

    lines = header("Robustness: recall under edits, false matches", "python bench/robustness.py")
    lines += [
        f"{n} BSDS500 photographs (benign). Each edit is applied to the photo; the copy is hashed "
        f"and compared with the original's plain PDQ. A copy is found when the distance is <= "
        f"{PDQ_THRESHOLD} of 256 bits (pHash: <= {PHASH_THRESHOLD} of 64 bits).",
        "",
        "- *PDQ + 8 rotations/flips*: the copy's 8 dihedral hashes against the original's hash.",
        "- *PDQ + trimmed*: the copy's plain and border-trimmed hashes.",
        "- *consentry*: the 8 rotations/flips, trimmed and content-area hashes against the "
        "original's plain PDQ (windows: next section).",
        "",
    ]
    lines += table(["edit", *METHODS, "pHash (imagehash)"], rows)
    lines += ["## False matches between different photographs", ""]
    lines += table(["method", "pairs compared", "false matches", "closest distance"], false_rows)
    lines += window_recall.run(30 if args.quick else None)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "robustness.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
