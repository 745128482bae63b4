"""A bank image or video: every value it yields, as one entry group."""

from __future__ import annotations

from consentry.banks.models import EntryStatus, SourceKind
from consentry.banks.service import NewEntry
from consentry.hashing.pdq import PdqHash
from consentry.hashing.signals import ImageSignals
from consentry.hashing.video import VideoSignals
from consentry.signals.registry import KINDS


def image_entries(
    signals: ImageSignals,
    *,
    label: str,
    status: EntryStatus = EntryStatus.PENDING,
    source_kind: SourceKind = SourceKind.MANUAL,
    source_ref: str | None = None,
) -> list[NewEntry]:
    """Plain PDQ, its trimmed and content-area hashes, the anchored windows (computed
    over the whole image, as `compute_signals(bank=True)` gives them) and the digests,
    all in one group keyed by `label`. Values a kind finds unreliable are left out."""
    pdq: dict[PdqHash, None] = dict.fromkeys((signals.pdq, signals.trimmed, signals.content))
    values: list[_Value] = [
        ("pdq", h.to_hex(), signals.quality, None)
        for h in pdq
        if KINDS["pdq"].usable(signals.quality)
    ]
    values += [("pdq_windows", w.to_hex(), w.quality, None) for w in signals.windows]
    values += [("sha256", signals.sha256, None, None), ("md5", signals.md5, None, None)]
    return _group(values, label, status, source_kind, source_ref)


def video_entries(
    signals: VideoSignals,
    *,
    label: str,
    status: EntryStatus = EntryStatus.PENDING,
    source_kind: SourceKind = SourceKind.MANUAL,
    source_ref: str | None = None,
) -> list[NewEntry]:
    """A video's frame hashes (vPDQ, each with its time) and its file's digests, in one
    group keyed by `label`: withdrawn, revoked and exported together."""
    values: list[_Value] = [
        ("vpdq", f.pdq.to_hex(), f.pdq.quality, round(f.at * 1000)) for f in signals.frames
    ]
    values += [("sha256", signals.sha256, None, None), ("md5", signals.md5, None, None)]
    return _group(values, label, status, source_kind, source_ref)


# (signal type, value, quality, a frame's time in ms)
_Value = tuple[str, str, int | None, int | None]


def _group(
    values: list[_Value],
    label: str,
    status: EntryStatus,
    source_kind: SourceKind,
    source_ref: str | None,
) -> list[NewEntry]:
    return [
        NewEntry(
            signal_type=kind,
            value=value,
            status=status,
            quality=quality,
            source_kind=source_kind,
            source_ref=source_ref,
            group=label,
            label=label,
            at_ms=at_ms,
        )
        for kind, value, quality, at_ms in values
    ]
