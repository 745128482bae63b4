"""The signal kinds this service knows, by wire name. Adding a kind: its module in
`consentry.signals`, and one entry in KINDS; the contract test then covers it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field

from consentry.hashing.pdq import InvalidHash
from consentry.signals.base import SignalKind
from consentry.signals.digests import Md5, Sha256
from consentry.signals.pdq import Pdq
from consentry.signals.video import Vpdq
from consentry.signals.windows import PdqWindows

KINDS: dict[str, SignalKind] = {
    kind.name: kind for kind in (Pdq(), PdqWindows(), Vpdq(), Sha256(), Md5())
}
PDQ = KINDS["pdq"]


def kind_of(name: str) -> SignalKind:
    """The kind named `name` (any case, surrounding spaces ignored)."""
    kind = KINDS.get(name.strip().lower())
    if kind is None:
        known = ", ".join(KINDS)
        raise InvalidHash(f"unknown signal type {name[:20]!r} (known: {known})")
    return kind


def _known(name: str) -> str:
    return kind_of(name).name


def hex_value(kind: SignalKind) -> Any:
    """A request body's value of this kind: exactly its number of hexadecimal digits."""
    digits = kind.hex_digits
    return Annotated[str, Field(min_length=digits, max_length=digits, pattern="^[0-9a-fA-F]+$")]


# A signal type in a request body: one of the known kinds' names.
SignalName = Annotated[str, AfterValidator(_known), Field(json_schema_extra={"enum": list(KINDS)})]


def normalise_value(signal_type: str, text: str) -> str:
    """`text` as a `signal_type` value is stored and compared."""
    return kind_of(signal_type).normalise(text)


def signal_option(text: str) -> str:
    """A `--signal` value on the command line: a kind's name, or a usage error."""
    try:
        return kind_of(text).name
    except InvalidHash as error:
        raise ValueError(error.message) from None


SIGNAL_METAVAR = "[" + "|".join(KINDS) + "]"
