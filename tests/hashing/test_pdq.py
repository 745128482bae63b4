import numpy as np
import pdqhash
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentry.hashing import InvalidHash, PdqHash
from tests.images import pattern

hash_bytes = st.binary(min_size=32, max_size=32)


@given(hash_bytes)
def test_hex_round_trip(value: bytes) -> None:
    h = PdqHash(value)
    assert PdqHash.from_hex(h.to_hex()) == h
    assert PdqHash.from_hex(h.to_hex().upper()) == h
    assert len(h.to_hex()) == 64


@given(hash_bytes, hash_bytes, hash_bytes)
def test_distance_is_a_metric(a: bytes, b: bytes, c: bytes) -> None:
    x, y, z = PdqHash(a), PdqHash(b), PdqHash(c)
    assert x.distance(x) == 0
    assert x.distance(y) == y.distance(x)
    assert x.distance(z) <= x.distance(y) + y.distance(z)
    complement = PdqHash(bytes(255 - byte for byte in a))
    assert x.distance(complement) == 256


@given(st.text(max_size=80))
def test_from_hex_refuses_anything_but_64_hex_digits(text: str) -> None:
    stripped = text.strip()
    is_hash = len(stripped) == 64 and all(ch in "0123456789abcdefABCDEF" for ch in stripped)
    if is_hash:
        assert PdqHash.from_hex(text).to_hex() == stripped.lower()
    else:
        with pytest.raises(InvalidHash):
            PdqHash.from_hex(text)


def test_quality_is_not_part_of_identity() -> None:
    assert PdqHash(bytes(32), 10) == PdqHash(bytes(32), 90)
    assert PdqHash(bytes(32), 10).low_quality
    assert not PdqHash(bytes(32), 50).low_quality


def test_repr_never_shows_the_hash() -> None:
    h = PdqHash.from_hex("ab" * 32, 80)
    assert "ab" not in repr(h)


def test_bit_order_matches_pdqhash_and_threatexchange() -> None:
    # python-threatexchange writes the vector's elements as bits, element 0 most significant.
    vector, quality = pdqhash.compute(np.asarray(pattern(3)))
    expected = f"{int(''.join(str(int(b)) for b in vector), 2):064x}"
    assert PdqHash.from_vector(vector, quality).to_hex() == expected


def test_wrong_sizes_are_refused() -> None:
    with pytest.raises(InvalidHash):
        PdqHash(bytes(31))
    with pytest.raises(InvalidHash):
        PdqHash.from_vector([0] * 255, 50)
    with pytest.raises(InvalidHash):
        PdqHash(bytes(32), 101)
