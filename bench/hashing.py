"""Hashing speed and drift: consentry's PDQ against full decode + pdqhash (what HMA does).

Run: .venv/bin/python bench/hashing.py [--quick]
Writes bench/results/hashing.md. Needs ../shared/data/photos-bsds500.
"""

from __future__ import annotations

import argparse
import io
import sys

import numpy as np
import pdqhash
from common import RESULTS, header, load_rgb, median, photo_paths, rate, resized_jpeg, table
from PIL import Image

from consentry.hashing import PdqHash, compute_pdq
from consentry.hashing.signals import digests


def baseline_all_pdq(data: bytes) -> object:
    """Full decode + pdqhash: plain and 8 variants (pdqhash has no trimming)."""
    with Image.open(io.BytesIO(data)) as image:
        return pdqhash.compute_dihedral(np.asarray(image.convert("RGB")))


def baseline_plain(data: bytes) -> object:
    with Image.open(io.BytesIO(data)) as image:
        return pdqhash.compute(np.asarray(image.convert("RGB")))


def draft_512(data: bytes) -> object:
    """A plain DCT-scaled decode to >= 512 px, then pdqhash (the obvious speed-up)."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (512, 512))
        return pdqhash.compute_dihedral(np.asarray(image.convert("RGB")))


def consentry_pdq(data: bytes) -> object:
    return compute_pdq(data)


def reference(data: bytes) -> PdqHash:
    with Image.open(io.BytesIO(data)) as image:
        return PdqHash.from_vector(*pdqhash.compute(np.asarray(image.convert("RGB"))))


def drift(inputs: list[bytes]) -> list[int]:
    return [compute_pdq(d).variants[0].distance(reference(d)) for d in inputs]


def drift_row(label: str, values: list[int]) -> list[object]:
    array = np.asarray(values)
    return [
        label,
        len(values),
        f"{median(values):.0f}",
        f"{np.percentile(array, 99):.0f}",
        int(array.max()),
        f"{(array <= 10).mean() * 100:.1f}%",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer photos and shorter timings")
    args = parser.parse_args()
    count = 30 if args.quick else 300
    seconds = 1.0 if args.quick else 4.0
    photos = [load_rgb(p) for p in photo_paths(count)]

    speed_rows = []
    inputs_by_size: dict[str, list[bytes]] = {}
    for label, megapixels, n in (("1 MP", 1.0, 40), ("12 MP", 12.0, 12)):
        inputs = [resized_jpeg(photo, megapixels) for photo in photos[:n]]
        inputs_by_size[label] = inputs
        base = rate(baseline_plain, inputs, seconds)
        base_all = rate(baseline_all_pdq, inputs, seconds)
        drafted = rate(draft_512, inputs, seconds)
        ours = rate(consentry_pdq, inputs, seconds)
        digest = rate(digests, inputs, seconds)
        speed_rows.append(
            [
                label,
                f"{sum(map(len, inputs)) / len(inputs) / 1e6:.2f} MB",
                f"{base:.1f}",
                f"{base_all:.1f}",
                f"{drafted:.1f}",
                f"**{ours:.1f}**",
                f"**{ours / base:.1f}x**",
                f"{1000 / digest:.2f} ms",
            ]
        )
        print(speed_rows[-1], file=sys.stderr)

    native = [resized_jpeg(p, p.width * p.height / 1e6) for p in photos]
    drift_rows = [drift_row("native (481x321, q90)", drift(native))]
    drift_rows.append(drift_row("1 MP (q90)", drift([resized_jpeg(p, 1.0) for p in photos])))
    large = count if not args.quick else 10
    drift_rows.append(
        drift_row("12 MP (q90)", drift([resized_jpeg(p, 12.0) for p in photos[:large]]))
    )
    for row in drift_rows:
        print(row, file=sys.stderr)

    lines = header("Hashing: speed and drift", "python bench/hashing.py")
    lines += [
        "Images per second on one core, from JPEG file bytes (quality 90) to PDQ. Inputs: "
        "photographs from BSDS500 resized with Lanczos to about 1 MP and 12 MP.",
        "",
        "- *full decode + pdqhash*: the baseline, what HMA does (plain hash only).",
        "- *... + 8 variants*: the same with `pdqhash.compute_dihedral` (plain + rotations/flips).",
        "- *draft >= 512 + pdqhash*: the obvious speed-up, a DCT-scaled decode to >= 512 px.",
        "- *consentry*: `compute_pdq`, all PDQ signals (plain, 8 variants, border-trimmed).",
        "- *digests*: SHA-256 + MD5 of the bytes, reported separately (paid once per file).",
        "",
    ]
    lines += table(
        [
            "size",
            "file",
            "full decode + pdqhash",
            "... + 8 variants",
            "draft >= 512 + pdqhash",
            "consentry",
            "ratio to baseline",
            "digests",
        ],
        speed_rows,
    )
    lines += [
        "## Drift from the full-resolution reference",
        "",
        "Bits between consentry's PDQ and `pdqhash.compute` on the fully decoded image "
        "(Meta's tolerance between implementations: 10 bits).",
        "",
    ]
    lines += table(["input", "photos", "median", "p99", "max", "within 10 bits"], drift_rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hashing.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
