"""Finding copies (MC-01, MC-02): a scan that matches a confirmed hash of a case
becomes a located item of that case. An exact match within the bank's automatic
distance gets a removal request at once; a near one waits for a human."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, NamedTuple

from sqlalchemy import Exists, Select, exists, select
from sqlalchemy.orm import Session

from consentry.actions.models import ActionKind
from consentry.banks.models import BankEntry, EntryGroup, EntryStatus
from consentry.cases.clocks import ClockSettings, window_for_new_item
from consentry.cases.events import EventKind, append
from consentry.cases.models import Case, CaseHash, CaseStatus, Item, ItemStatus
from consentry.cases.removal import request_action
from consentry.config import Settings
from consentry.core.actor import SYSTEM, Actor
from consentry.db.base import utcnow
from consentry.matching.schemas import Match, Tier


def locate_item(
    *,
    session: Session,
    case: Case,
    item: Item,
    clocks: ClockSettings,
    actor: Actor,
    details: dict[str, Any],
) -> Item:
    """Record located content on the clock it runs on (see `window_for_new_item`)."""
    deadline = window_for_new_item(session=session, case=case, now=item.located_at, clocks=clocks)
    item.case_id = case.id
    item.deadline_id = deadline.id if deadline else None
    session.add(item)
    session.flush()
    append(
        session=session,
        case=case,
        kind=EventKind.CONTENT_LOCATED,
        actor=actor,
        details={"item_id": item.id, "found_by": item.found_by, **details},
    )
    return item


def _holders(entry_ids: set[int]) -> Select[int, int]:
    """(case, entry) for each of these entries a confirmed case holds, confirmed."""
    return (
        select(CaseHash.case_id, BankEntry.id)
        .join(BankEntry, BankEntry.id == CaseHash.entry_id)
        .join(Case, Case.id == CaseHash.case_id)
        .where(
            CaseHash.entry_id.in_(entry_ids),
            BankEntry.status == EntryStatus.CONFIRMED,
            Case.status == CaseStatus.CONFIRMED,
        )
        .order_by(CaseHash.case_id)
    )


def held_by_case() -> Exists:
    """Whether a confirmed case holds the entry of the enclosing query (`BankEntry`), as
    a column: scans learn it with the entries' statuses, in one query for a batch (most
    matches are of hashes no case holds, and need nothing more)."""
    return exists().where(
        CaseHash.entry_id == BankEntry.id,
        CaseHash.case_id == Case.id,
        Case.status == CaseStatus.CONFIRMED,
    )


class EntryState(NamedTuple):
    status: str
    held: bool  # by a confirmed case
    label: str | None  # its entry group's (the bank image's name)


def entry_states(*, session: Session, matches: Sequence[Match]) -> dict[int, EntryState]:
    """Each matched entry's current status, whether a confirmed case holds it, and its
    group's label: one query for a whole batch."""
    if not matches:
        return {}
    rows = session.execute(states_of().where(BankEntry.id.in_({m.entry_id for m in matches})))
    return {entry_id: EntryState(status, held, label) for entry_id, status, held, label in rows}


def states_of() -> Select[int, EntryStatus, bool, str]:
    """Entries' (id, status, held, label), for a `where` to pick which."""
    return select(
        BankEntry.id.label("id"),
        BankEntry.status.label("status"),
        held_by_case().label("held"),
        EntryGroup.label.label("label"),
    ).outerjoin(EntryGroup, EntryGroup.id == BankEntry.group_id)


def as_stored(*, states: dict[int, EntryState], matches: Sequence[Match]) -> list[Match]:
    """The matches as the database has them now (S2; `states` from `entry_states`),
    named by their group's label.
    The matcher follows the change log within a second; in that second an entry may
    have been withdrawn (the match goes) or not yet confirmed (automatic action is not
    due). Verdict and action are then decided on the same matches, so a platform is
    never told `review` while an automated removal is requested, nor `auto_action` for
    a withdrawn hash."""
    current = []
    for match in matches:
        state = states.get(match.entry_id)
        if state is None or not EntryStatus(state.status).matchable:
            continue
        tier = match.tier
        if tier is Tier.AUTO and state.status != EntryStatus.CONFIRMED:
            tier = Tier.REVIEW
        current.append(replace(match, tier=tier, label=state.label))
    return current


def copies_found(
    *,
    session: Session,
    scan_id: int | None,
    content_id: str | None,
    matches: Sequence[Match],
    settings: Settings,
    found_by: str = "scan",
) -> list[Item]:
    """Items for the cases whose confirmed hashes this scan matched (one per case);
    `found_by` "content" for content the platform registered (no scan)."""
    rows = session.execute(_holders({m.entry_id for m in matches})).all()
    # A hash several requests hold: the copy goes to the earliest confirmed one, once.
    case_of: dict[int, int] = {}
    for holder, entry_id in rows:
        case_of.setdefault(entry_id, holder)
    best: dict[int, Match] = {}
    for match in sorted(matches, key=lambda m: m.distance):
        found_for = case_of.get(match.entry_id)
        if found_for is not None and found_for not in best:
            best[found_for] = match
    now = utcnow()
    clocks = ClockSettings.of(settings)
    items = []
    for case_id, match in sorted(best.items()):
        case = session.get_one(Case, case_id)
        if case.status != CaseStatus.CONFIRMED:
            continue
        # The scan's own tier decides, settled against the database (`scans.as_stored`):
        # what the platform is told and what it is sent always agree (S2).
        automatic = match.tier is Tier.AUTO
        known = (
            session.scalar(
                select(Item).where(Item.case_id == case_id, Item.content_id == content_id)
            )
            if content_id is not None
            else None
        )
        if known is not None:  # the platform scanned it again
            if not (automatic and known.status == ItemStatus.NEEDS_REVIEW):
                continue
            # Waiting for a human only because the hash was not yet confirmed everywhere.
            item, known.status = known, ItemStatus.LOCATED
        else:
            item = locate_item(
                session=session,
                case=case,
                item=Item(
                    content_id=content_id,
                    found_by=found_by,
                    scan_id=scan_id,
                    distance=match.distance,
                    status=ItemStatus.LOCATED if automatic else ItemStatus.NEEDS_REVIEW,
                    located_at=now,
                ),
                clocks=clocks,
                actor=SYSTEM,
                details={
                    "scan_id": scan_id,
                    "distance": match.distance,
                    "threshold": match.threshold,
                    "tier": match.tier.value,
                },
            )
        if automatic:
            request_action(
                session=session,
                case=case,
                item=item,
                kind=ActionKind.REMOVE,
                actor=SYSTEM,
                settings=settings,
                automated=True,
            )
        items.append(item)
    return items
