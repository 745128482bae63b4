"""Signed feed pages: the hub signs each page with the deployment's Ed25519 key; a
partner pins that key and refuses a page signed by any other, or altered on the way.

An envelope is `{"page": {...}, "public_key": base64, "signature": base64}`; what is
signed is the page as canonical JSON (sorted keys, no spaces, UTF-8).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from consentry.audit.service import canonical_json
from consentry.evidence.keys import raw_public
from consentry.exchanges.base import ExchangeError


def canonical(page: dict[str, Any]) -> bytes:
    return canonical_json(page).encode()


def sign(page: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    return {
        "page": page,
        "public_key": base64.b64encode(raw_public(key.public_key())).decode(),
        "signature": base64.b64encode(key.sign(canonical(page))).decode(),
    }


def fingerprint_of(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def verify(envelope: Any, pinned: str | None) -> tuple[dict[str, Any], str]:
    """The page, and the pin to keep (the key's raw bytes in hex), if the envelope is
    signed by the pinned key (or, pinned as "sha256:<fingerprint>", by the key with that
    fingerprint; or, with no pin yet, by any key: trust on first use)."""
    try:
        page = envelope["page"]
        raw = base64.b64decode(envelope["public_key"], validate=True)
        signature = base64.b64decode(envelope["signature"], validate=True)
        key = Ed25519PublicKey.from_public_bytes(raw)
    except (TypeError, KeyError, ValueError, binascii.Error):
        raise ExchangeError("the hub's answer is not a signed feed page") from None
    if not isinstance(page, dict):
        raise ExchangeError("the hub's answer is not a signed feed page")
    if pinned is not None:
        expected = pinned if pinned.startswith("sha256:") else fingerprint_of(bytes.fromhex(pinned))
        if fingerprint_of(raw) != expected:
            raise ExchangeError(
                f"the hub's signing key changed (pinned {expected}, got {fingerprint_of(raw)}):"
                " nothing applied; if the hub really has a new key, check its fingerprint"
                " with its operator and add the exchange again with --pin"
            )
    try:
        key.verify(signature, canonical(page))
    except InvalidSignature:
        raise ExchangeError("a feed page's signature does not verify: nothing applied") from None
    return page, raw.hex()
