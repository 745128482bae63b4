"""Reference-exact PDQ for the automatic decision.

consentry's fast hasher reads only the block means PDQ needs and lands within a few
bits of Meta's reference (measured: 2-4 bits on 55 of 300 photos). A bank hash that a
partner computed with the reference (python-threatexchange, HMA, StopNCII) is then 2-4
bits from an identical copy hashed here, and the automatic tier (default: identical
hashes only) sent those copies to review. So where a match of a confirmed PDQ entry,
in a bank that acts automatically, is just outside the bank's automatic distance, the
upload is hashed once more with the reference and the decision is taken on that
distance: identical copies are automatic whoever hashed the bank, and nothing further
away is (no tolerance is added to the automatic tier).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from consentry.banks.models import EntryStatus
from consentry.hashing.pdq import MIN_RELIABLE_QUALITY, PdqHash
from consentry.matching.matcher import Matcher
from consentry.matching.schemas import BankConfig, Match, Tier

# How far outside the automatic distance a fast-hash match may be for the reference to
# be asked: above the fast hasher's largest measured drift from it.
DRIFT_BITS = 8


def _bank(matcher: Matcher, name: str) -> BankConfig | None:
    return next((bank for bank in matcher.banks.values() if bank.name == name), None)


def _candidate(matcher: Matcher, match: Match) -> BankConfig | None:
    if match.signal_type != "pdq" or match.tier is Tier.AUTO:
        return None
    bank = _bank(matcher, match.bank)
    if bank is None or bank.auto_max_distance < 0:
        return None
    if matcher.registry.status(match.entry_id) is not EntryStatus.CONFIRMED:
        return None
    return bank if match.distance <= bank.auto_max_distance + DRIFT_BITS else None


def needs_reference(matcher: Matcher, matches: Sequence[Match]) -> bool:
    """Would the reference hash decide any of these matches' tier?"""
    return any(_candidate(matcher, match) is not None for match in matches)


def with_reference(
    matcher: Matcher, matches: Sequence[Match], reference: Sequence[PdqHash]
) -> list[Match]:
    """The matches, automatic where the upload's reference hashes (its 8 rotations and
    flips) are within the bank's automatic distance of the entry."""
    reliable = bool(reference) and (reference[0].quality or 0) >= MIN_RELIABLE_QUALITY
    decided = []
    for match in matches:
        bank = _candidate(matcher, match)
        if bank is not None and reliable:
            value = PdqHash.from_hex(match.value)
            distance = min(hash_.distance(value) for hash_ in reference)
            if distance <= bank.auto_max_distance:
                match = replace(match, tier=Tier.AUTO, distance=distance, variant="reference")
        decided.append(match)
    return decided
