"""Many values at once, as an import or an exchange brings them: new ones added, and the
statuses they carry applied to the values held (withdrawals win, nothing is revived).

A newer export of a bank in which a value became withdrawn must withdraw it here too:
that is how a withdrawal follows the hash to whoever imported it. Keyword-only; the
caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from consentry.audit.service import record
from consentry.banks.models import Bank, BankChange, BankEntry, ChangeAction, EntryStatus
from consentry.banks.service import NewEntry, entry_values, lock_banks, log_change, new_group
from consentry.core.actor import Actor
from consentry.db.base import utcnow
from consentry.db.lookups import one_each, unnested, unnests
from consentry.signals.registry import normalise_value

_CHANGES = ("confirmed", "withdrawn", "revoked")


@dataclass
class BatchSummary:
    added: int = 0
    unchanged: int = 0
    confirmed: int = 0
    withdrawn: int = 0
    revoked: int = 0

    def __iadd__(self, other: BatchSummary) -> BatchSummary:
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def changed(self) -> int:
        return self.confirmed + self.withdrawn + self.revoked

    def words(self) -> str:
        """What a person reads: "3 added, 1 withdrawn, 900 unchanged" (changes when any)."""
        parts = [f"{self.added} added"]
        parts += [f"{getattr(self, name)} {name}" for name in _CHANGES if getattr(self, name)]
        return ", ".join([*parts, f"{self.unchanged} unchanged"])


# The statuses a batch may carry onto a value held, and the change each makes.
_APPLIED = {
    EntryStatus.WITHDRAWN: ChangeAction.WITHDRAWN,
    EntryStatus.REVOKED: ChangeAction.REVOKED,
    EntryStatus.CONFIRMED: ChangeAction.CONFIRMED,
}


def _groups_for(
    session: Session, bank: Bank, batch: Sequence[NewEntry], known: dict[str, int]
) -> dict[str, int]:
    """The entry group of every group key in the batch, made where `known` lacks it."""
    for new in batch:
        if new.group is not None and new.group not in known:
            group = new_group(
                session=session,
                bank=bank,
                label=new.label or new.group,
                source_kind=new.source_kind,
                source_ref=new.source_ref,
            )
            known[new.group] = group.id
    return known


def _held(
    session: Session, bank: Bank, wanted: dict[tuple[str, str], NewEntry]
) -> dict[tuple[str, str], BankEntry]:
    held: dict[tuple[str, str], BankEntry] = {}
    postgres = unnests(session)
    for signal_type in {key[0] for key in wanted}:
        values = [value for kind, value in wanted if kind == signal_type]
        of_kind = select(BankEntry).where(
            BankEntry.bank_id == bank.id, BankEntry.signal_type == signal_type
        )
        if postgres:
            sent = unnested("sent", value=values)
            lookup = of_kind.where(BankEntry.value == sent.c.value)
            found = session.scalars(one_each(sent, lookup, BankEntry))
            held.update(((signal_type, entry.value), entry) for entry in found)
            continue
        for start in range(0, len(values), 5_000):  # bound the statement's parameters
            chunk = values[start : start + 5_000]
            found = session.scalars(of_kind.where(BankEntry.value.in_(chunk)))
            held.update(((signal_type, entry.value), entry) for entry in found)
    return held


def _apply(entry: BankEntry, new: NewEntry, confirms_from: str | None) -> ChangeAction | None:
    """The change `new` makes to a value held, if any: a withdrawal or revocation of a
    matchable value; a confirmation of a pending value that the same source brought."""
    current, wanted = EntryStatus(entry.status), new.status
    if not current.matchable or wanted is current or wanted not in _APPLIED:
        return None
    if wanted is EntryStatus.CONFIRMED and (
        confirms_from is None or current is not EntryStatus.PENDING
        or entry.source_ref != confirms_from or entry.source_kind != new.source_kind
    ):  # fmt: skip
        return None
    return _APPLIED[wanted]


def add_entries(
    *,
    session: Session,
    bank: Bank,
    batch: Sequence[NewEntry],
    actor: Actor,
    groups: dict[str, int] | None = None,
    confirms_from: str | None = None,
    adds_final: bool = True,
) -> BatchSummary:
    """Add new values (one lookup and one insert per batch) and apply the withdrawals and
    revocations the batch carries to values held; a withdrawn or revoked value is never
    revived. With `confirms_from` (a source reference), a confirmation confirms a pending
    value that this same source brought, and nothing else. Without `adds_final`, a new
    value that arrives withdrawn or revoked is not kept (an exchange telling of a value
    this bank never held).

    Values with a group key join that key's entry group; `groups` (key -> group id)
    carries the groups across batches of one import.
    """
    lock_banks(session=session)
    summary = BatchSummary()
    wanted: dict[tuple[str, str], NewEntry] = {}
    for new in batch:
        key = (new.signal_type, normalise_value(new.signal_type, new.value))
        if key in wanted:
            summary.unchanged += 1
        wanted[key] = new  # the last line about a value says its current status
    held = _held(session, bank, wanted)
    for key, entry in held.items():
        action = _apply(entry, wanted[key], confirms_from)
        if action is None:
            summary.unchanged += 1
            continue
        entry.status = wanted[key].status
        if action is ChangeAction.CONFIRMED and entry.confirmed_at is None:
            entry.confirmed_at = utcnow()
        log_change(session=session, bank_id=bank.id, entry_id=entry.id, action=action)
        setattr(summary, wanted[key].status.value, getattr(summary, wanted[key].status.value) + 1)
    adding = [
        (value, new)
        for (kind, value), new in wanted.items()
        if (kind, value) not in held and (adds_final or new.status.matchable)
    ]
    summary.unchanged += len(wanted) - len(held) - len(adding)
    # Groups are made for what is added: an image already held makes no empty group.
    known = {} if groups is None else groups
    group_ids = _groups_for(session, bank, [new for _, new in adding], known)
    rows = [
        entry_values(bank, new, value, group_ids.get(new.group) if new.group is not None else None)
        for value, new in adding
    ]
    summary.added = len(rows)
    if rows:
        # A bulk insert, not the unit of work: an import or a sync adds 10^4 values at once.
        ids = session.scalars(
            insert(BankEntry).returning(BankEntry.id, sort_by_parameter_order=True), rows
        ).all()
        added = {"bank_id": bank.id, "action": ChangeAction.ADDED, "at": utcnow()}
        session.execute(insert(BankChange), [added | {"entry_id": id_} for id_ in ids])
    changes = {name: getattr(summary, name) for name in _CHANGES if getattr(summary, name)}
    record(
        session=session,
        actor=actor,
        action="bank.entries.added",
        subject_type="bank",
        subject_id=bank.id,
        details={"added": summary.added, "unchanged": summary.unchanged} | changes,
    )
    return summary
