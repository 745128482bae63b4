"""Window matches: one per bank image, never automatic alone; automatic only in a bank
that opted in, with two or more windows each close enough to act on."""

from __future__ import annotations

import pytest

from consentry.banks.models import EntryStatus
from consentry.matching.matcher import Matcher, Query
from consentry.matching.schemas import BankConfig, Tier

WINDOWS = [f"{n:02x}" * 32 for n in (0x11, 0x2C, 0x47, 0x9A)]


def _matcher(
    *, windows_auto: bool, auto: int = 0, status: EntryStatus = EntryStatus.CONFIRMED
) -> Matcher:
    matcher = Matcher()
    matcher.set_bank(BankConfig(1, "ncii", 31, auto, True, windows_auto))
    for entry_id, value in enumerate(WINDOWS, start=1):
        matcher.apply_entry(
            entry_id=entry_id,
            bank_id=1,
            signal_type="pdq_windows",
            value=value,
            status=status,
            group_id=7,
        )
    return matcher


@pytest.mark.parametrize(
    ("windows_auto", "given", "tier"),
    [
        (False, WINDOWS, Tier.REVIEW),  # every window, but the bank did not opt in
        (True, WINDOWS[:1], Tier.REVIEW),  # one window is never enough
        (True, WINDOWS[:2], Tier.AUTO),
        (True, WINDOWS, Tier.AUTO),
    ],
)
def test_window_tiers(windows_auto: bool, given: list[str], tier: Tier) -> None:
    [match] = _matcher(windows_auto=windows_auto).match(Query.from_values("pdq_windows", given))
    assert match.tier is tier
    assert match.signal_type == "pdq_windows"
    assert match.group == 7
    assert match.windows == len(given)


def test_pending_windows_are_never_automatic() -> None:
    matcher = _matcher(windows_auto=True, status=EntryStatus.PENDING)
    [match] = matcher.match(Query.from_values("pdq_windows", WINDOWS))
    assert match.tier is Tier.REVIEW


def test_automatic_windows_must_each_be_within_the_auto_distance() -> None:
    near = [f"{int(w, 16) ^ 0b111:064x}" for w in WINDOWS[:2]]  # 3 bits off each
    assert (
        _matcher(windows_auto=True, auto=0).match(Query.from_values("pdq_windows", near))[0].tier
        is Tier.REVIEW
    )
    assert (
        _matcher(windows_auto=True, auto=3).match(Query.from_values("pdq_windows", near))[0].tier
        is Tier.AUTO
    )


def test_a_bank_that_never_acts_alone_keeps_windows_for_review() -> None:
    matcher = _matcher(windows_auto=True, auto=-1)
    assert matcher.match(Query.from_values("pdq_windows", WINDOWS))[0].tier is Tier.REVIEW
