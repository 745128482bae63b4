import numpy as np
import pdqhash
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.hashing import PdqHash
from consentry.hashing.decode import luma_of
from consentry.hashing.pdq_core import Axis, pdq_from_blocks
from tests.images import pattern


@pytest.mark.parametrize(
    ("seed", "width", "height"),
    [(1, 640, 480), (2, 481, 321), (3, 97, 61), (4, 1300, 700), (5, 64, 64), (6, 20, 300)],
)
def test_full_resolution_equals_the_reference_bit_for_bit(
    seed: int, width: int, height: int
) -> None:
    image = pattern(seed, width, height)
    rgb = np.asarray(image)
    vectors, quality = pdqhash.compute_dihedral(rgb)
    hashes, ours = pdq_from_blocks(luma_of(image), Axis(height), Axis(width))
    assert ours == quality
    assert [h.to_hex() for h in hashes] == [
        PdqHash.from_vector(v, quality).to_hex() for v in vectors
    ]


def test_block_means_stay_close_to_the_reference() -> None:
    image = pattern(7, 2000, 1500)
    reference = PdqHash.from_vector(*pdqhash.compute(np.asarray(image)))
    for block in (2, 4, 8):
        reduced = np.asarray(image.convert("L").reduce(block), dtype=np.float64)
        hashes, _ = pdq_from_blocks(reduced, Axis(1500, block), Axis(2000, block))
        assert hashes[0].distance(reference) <= 10


def test_plane_shape_must_match_axes() -> None:
    with pytest.raises(ValueError, match="shape"):
        pdq_from_blocks(np.zeros((10, 10)), Axis(80, 4), Axis(80, 4))


@settings(max_examples=200)
@given(
    size=st.integers(1, 5000),
    block=st.sampled_from([1, 2, 4, 8]),
    partial_first=st.booleans(),
    data=st.data(),
)
def test_axis_blocks_cover_every_pixel_once(
    size: int, block: int, partial_first: bool, data: st.DataObject
) -> None:
    axis = Axis(size, block, partial_first)
    edges = np.append(axis.block_edges(), size)
    widths = np.diff(edges)
    assert len(widths) == axis.block_count
    assert widths.sum() == size
    assert (widths[1:-1] == block).all()
    start = data.draw(st.integers(0, axis.block_count - 1))
    stop = data.draw(st.integers(start + 1, axis.block_count))
    cropped = axis.crop(start, stop)
    assert cropped.size == edges[stop] - edges[start]
    assert cropped.block_count == stop - start
