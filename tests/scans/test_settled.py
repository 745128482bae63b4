"""S2: in the second after a confirmation or a withdrawal the matcher may lag the
database; what a scan answers and the action it requests are decided on the same,
database-settled matches, so they always agree."""

from __future__ import annotations

from sqlalchemy.orm import Session

from consentry.banks.models import ChangeAction
from consentry.banks.service import NewEntry, add_entry, change_status, create_bank
from consentry.cases.copies import as_stored, entry_states
from consentry.core.actor import SYSTEM
from consentry.matching.schemas import Match, Tier
from consentry.scans.records import verdict_of

PENDING, CONFIRMED, WITHDRAWN = "a1" * 32, "b2" * 32, "c3" * 32


def _match(entry_id: int, value: str, tier: Tier) -> Match:
    return Match("ncii", entry_id, "pdq", value, 0, 31, "original", tier)


def test_matches_are_settled_against_the_database(session: Session) -> None:
    bank = create_bank(actor=SYSTEM, session=session, name="ncii")
    ids = {}
    for value, status in (
        (PENDING, None),
        (CONFIRMED, ChangeAction.CONFIRMED),
        (WITHDRAWN, ChangeAction.WITHDRAWN),
    ):
        entry, _ = add_entry(session=session, bank=bank, new=NewEntry("pdq", value))
        ids[value] = entry.id
        if status is not None:
            change_status(
                actor=SYSTEM,
                session=session,
                bank=bank,
                signal_type="pdq",
                value=value,
                action=status,
            )
    # The matcher still believes the pending entry confirmed and the withdrawn one live.
    lagging = [
        _match(ids[PENDING], PENDING, Tier.AUTO),
        _match(ids[WITHDRAWN], WITHDRAWN, Tier.AUTO),
        _match(ids[CONFIRMED], CONFIRMED, Tier.REVIEW),
    ]
    states = entry_states(session=session, matches=lagging)
    settled = as_stored(states=states, matches=lagging)
    assert [(m.value, m.tier) for m in settled] == [
        (PENDING, Tier.REVIEW),
        (CONFIRMED, Tier.REVIEW),
    ]
    assert verdict_of(settled).value == "review"
    assert as_stored(states=states, matches=[lagging[1]]) == []
