"""A feed page is accepted only as the pinned key signed it."""

from __future__ import annotations

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.evidence.keys import fingerprint, raw_public
from consentry.exchanges.base import ExchangeError
from consentry.exchanges.signing import sign, verify

PAGE = {"format": "consentry-feed/1", "after": 0, "next": 2, "records": [{"value": "ab"}]}


def test_trust_on_first_use_then_the_key_itself_is_pinned() -> None:
    key = Ed25519PrivateKey.generate()
    page, pin = verify(sign(PAGE, key), None)
    assert page == PAGE
    assert pin == raw_public(key.public_key()).hex()
    assert verify(sign(PAGE, key), pin)[1] == pin
    assert verify(sign(PAGE, key), fingerprint(key.public_key()))[1] == pin


def test_a_tampered_page_is_refused() -> None:
    envelope = sign(PAGE, Ed25519PrivateKey.generate())
    altered = copy.deepcopy(envelope)
    altered["page"]["records"][0]["value"] = "cd"
    with pytest.raises(ExchangeError, match="does not verify"):
        verify(altered, None)


def test_a_page_signed_by_another_key_is_refused() -> None:
    pinned = Ed25519PrivateKey.generate()
    foreign = sign(PAGE, Ed25519PrivateKey.generate())
    with pytest.raises(ExchangeError, match="signing key changed"):
        verify(foreign, raw_public(pinned.public_key()).hex())
    # Swapping in the pinned public key does not help: the signature is not its own.
    foreign["public_key"] = sign(PAGE, pinned)["public_key"]
    with pytest.raises(ExchangeError, match="does not verify"):
        verify(foreign, raw_public(pinned.public_key()).hex())


@pytest.mark.parametrize(
    "envelope",
    [None, [], {"page": PAGE}, {"page": [], "public_key": "", "signature": ""}, {"x": 1}],
)
def test_garbage_is_refused_with_a_reason(envelope: object) -> None:
    with pytest.raises(ExchangeError, match="not a signed feed page"):
        verify(envelope, None)
