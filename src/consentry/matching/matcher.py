"""The matcher: an image's signals (or a bare value) in, every bank match with its tier out.

It holds one index per signal kind and what it knows of each entry, and is
kept current by applying the bank change log (`consentry.matching.follower`).
Only matchable entries (pending, confirmed) are ever in it: a withdrawn or
revoked entry leaves the index when its change is applied, and is checked
again at match time.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

from consentry.banks.models import EntryStatus
from consentry.hashing.pdq import MIN_RELIABLE_QUALITY
from consentry.hashing.signals import ImageSignals
from consentry.hashing.video import VideoSignals
from consentry.matching.registry import EntryRegistry
from consentry.matching.schemas import BankConfig, Match, Tier
from consentry.matching.video import (
    ALIGNED_RADIUS,
    ALIGNED_SEED,
    CLIP_FRAMES,
    FramePair,
    Shares,
    detail,
)
from consentry.signals.base import Hit, SignalIndex, SignalKind
from consentry.signals.registry import KINDS, kind_of


@dataclass(frozen=True, slots=True)
class Query:
    """The values to look up, as (kind, variant, value), and the image's PDQ quality."""

    values: tuple[tuple[str, str, str], ...] = ()
    quality: int | None = None
    # Where in the queried image each window value lies, for showing a reviewer.
    regions: dict[str, dict[str, float]] = field(default_factory=dict)
    # A video's frames: each frame value's time in it (seconds), and which frame (of the
    # video's sampling intervals) it stands for: an interval matches by any of its values.
    times: dict[str, float] = field(default_factory=dict)
    frames: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_signals(cls, signals: ImageSignals) -> Query:
        size = {"width": float(signals.width), "height": float(signals.height)}
        return cls(
            values=tuple(
                (kind.name, variant, value)
                for kind in KINDS.values()
                for variant, value in kind.of_image(signals)
            ),
            quality=signals.quality,
            regions={
                window.to_hex(): {**asdict(region), **size}
                for window, region in zip(signals.windows, signals.regions, strict=True)
            },
        )

    @classmethod
    def from_value(cls, signal_type: str, value: str) -> Query:
        return cls.from_values(signal_type, [value])

    @classmethod
    def from_values(cls, signal_type: str, values: list[str]) -> Query:
        """Bare values of one kind (a grouped kind's values of one image, say)."""
        kind = kind_of(signal_type)
        return cls(values=tuple((kind.name, kind.value_variant, kind.normalise(v)) for v in values))

    @classmethod
    def from_video(cls, signals: VideoSignals) -> Query:
        """Every frame, also mirrored and inside its bars (one frame, however many of its
        values match), and the file's digests."""
        frames: list[tuple[float, int, str, str]] = []
        for f in signals.frames:
            frames.append((f.at, f.interval, "frame", f.pdq.to_hex()))
            if f.mirrored is not None:
                frames.append((f.at, f.interval, "frame_mirrored", f.mirrored.to_hex()))
            if f.trimmed is not None:
                frames.append((f.at, f.interval, "frame_trimmed", f.trimmed.to_hex()))
        return cls._video(frames, (signals.sha256, signals.md5))

    @classmethod
    def from_frames(cls, frames: Sequence[tuple[float, str]]) -> Query:
        """A video's frames as (seconds, PDQ hex), as a platform hashed them."""
        return cls._video([(at, n, "frame", value) for n, (at, value) in enumerate(frames)])

    @classmethod
    def _video(
        cls, frames: Sequence[tuple[float, int, str, str]], digests: Sequence[str] = ()
    ) -> Query:
        """A value repeated later in the video counts once, at its first time."""
        kind = KINDS["vpdq"]
        times: dict[str, float] = {}
        keys: dict[str, int] = {}
        variants: dict[str, str] = {}
        for at, key, variant, value in frames:
            normal = kind.normalise(value)
            if normal not in times:
                times[normal], keys[normal], variants[normal] = at, key, variant
        exact = [("sha256", "exact", d) for d in digests[:1]]
        exact += [("md5", "exact", d) for d in digests[1:2]]
        values = (*((kind.name, variants[v], v) for v in times), *exact)
        return cls(values=values, times=times, frames=keys)

    @property
    def low_quality(self) -> bool:
        return self.quality is not None and self.quality < MIN_RELIABLE_QUALITY


def new_indexes() -> dict[str, SignalIndex]:
    return {name: kind.new_index() for name, kind in KINDS.items()}


@dataclass
class Matcher:
    indexes: dict[str, SignalIndex] = field(default_factory=new_indexes)
    registry: EntryRegistry = field(default_factory=EntryRegistry)
    banks: dict[int, BankConfig] = field(default_factory=dict)
    seq: int = 0  # the last change log sequence number applied
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __len__(self) -> int:
        """How many entries are indexed, of every kind."""
        return sum(len(index) for index in self.indexes.values())

    # -- keeping current -------------------------------------------------------------

    def set_bank(self, bank: BankConfig) -> None:
        with self.lock:
            self.banks[bank.id] = bank

    def apply_entry(
        self,
        *,
        entry_id: int,
        bank_id: int,
        signal_type: str,
        value: str,
        status: EntryStatus,
        group_id: int | None = None,
        at_ms: int | None = None,
    ) -> None:
        """Bring one entry to its current status (idempotent: applying twice changes nothing)."""
        index = self.indexes.get(signal_type)
        if index is None:
            return  # a kind this version does not know: nothing can look it up
        with self.lock:
            before = self.registry.status(entry_id)
            at = None if at_ms is None else at_ms / 1000
            self.registry.set(entry_id, bank_id, status, group_id or 0, at)
            was_in = before is not None and before.matchable
            if status.matchable and not was_in:
                index.add([entry_id], [value])
            elif was_in and not status.matchable:
                index.remove([entry_id])

    # -- matching --------------------------------------------------------------------

    def _radius(self, kind: SignalKind) -> int:
        enabled = [kind.threshold(b.pdq_threshold) for b in self.banks.values() if b.enabled]
        return max(enabled, default=-1)

    def match(self, query: Query, *, bank: str | None = None) -> list[Match]:
        """Every match of the query, best first; withdrawn and revoked entries never match."""
        by_kind: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        for name, variant, value in query.values:
            by_kind[name].append((variant, value))
        found: list[Match] = []
        with self.lock:
            for name, wanted in by_kind.items():
                found.extend(self._match_kind(KINDS[name], wanted, query))
        if bank is not None:
            found = [m for m in found if m.bank == bank]
        return sorted(found, key=lambda m: (m.distance, m.bank, m.entry_id))

    def _usable(self, entry_id: int) -> tuple[BankConfig, EntryStatus] | None:
        status = self.registry.status(entry_id)
        config = self.banks.get(self.registry.bank(entry_id))
        if status is None or not status.matchable or config is None or not config.enabled:
            return None
        return config, status

    def _match_kind(
        self, kind: SignalKind, wanted: list[tuple[str, str]], query: Query
    ) -> list[Match]:
        radius = self._radius(kind)
        if radius < 0:
            return []  # no enabled bank
        hits = self.indexes[kind.name].search([value for _, value in wanted], radius)
        if kind.timed:
            return self._video_matches(kind, hits, wanted, query)
        best: dict[int, tuple[int, int, str]] = {}
        for hit in hits:
            current = best.get(hit.entry_id)
            if current is None or (hit.distance, hit.query) < current[:2]:
                best[hit.entry_id] = (hit.distance, hit.query, hit.value)
        # The PDQ quality says nothing of a digest, which is equality.
        unreliable = kind.uses_quality and query.low_quality
        found: list[_Found] = []
        for entry_id, (distance, position, value) in best.items():
            usable = self._usable(entry_id)
            if usable is None:
                continue
            config, status = usable
            if distance > kind.threshold(config.pdq_threshold):
                continue
            variant, queried = wanted[position]
            found.append(_Found(entry_id, config, status, distance, variant, value, queried))
        if kind.grouped:
            return [
                self._group_match(kind, group, unreliable, query.regions)
                for group in self._groups(found)
            ]
        return [self._entry_match(kind, f, unreliable) for f in found]

    def _groups(self, found: list[_Found]) -> list[list[_Found]]:
        """The hits by bank image: its entry group (an entry outside any is its own)."""
        groups: defaultdict[tuple[int, int], list[_Found]] = defaultdict(list)
        for hit in found:
            group = self.registry.group(hit.entry_id)
            groups[(hit.config.id, group) if group else (hit.config.id, -hit.entry_id)].append(hit)
        return [sorted(g, key=lambda f: (f.distance, f.entry_id)) for g in groups.values()]

    @staticmethod
    def _automatic(found: _Found, unreliable: bool) -> bool:
        config = found.config
        return (
            found.status is EntryStatus.CONFIRMED
            and 0 <= found.distance <= config.auto_max_distance
            and not unreliable
        )

    def _entry_match(self, kind: SignalKind, found: _Found, unreliable: bool) -> Match:
        return found.match(
            kind,
            self.registry.group(found.entry_id),
            Tier.AUTO if self._automatic(found, unreliable) else Tier.REVIEW,
        )

    def _group_match(
        self,
        kind: SignalKind,
        hits: list[_Found],
        unreliable: bool,
        regions: dict[str, dict[str, float]],
    ) -> Match:
        """One match per bank image: its closest value, and how many of its values matched.
        Automatic only where the bank opted in and two or more windows qualify on their own."""
        closest = hits[0]
        qualifying = sum(self._automatic(hit, unreliable) for hit in hits)
        automatic = closest.config.windows_auto and qualifying >= WINDOWS_FOR_AUTO
        match = closest.match(
            kind, self.registry.group(closest.entry_id), Tier.AUTO if automatic else Tier.REVIEW
        )
        return replace(match, windows=len(hits), region=regions.get(closest.queried))

    def _video_matches(
        self, kind: SignalKind, hits: list[Hit], wanted: list[tuple[str, str]], query: Query
    ) -> list[Match]:
        """One match per bank video whose shares of frames in common pass its bank's rules
        (a video that falls short with frames at one offset is looked at again there,
        `_at_offset`); automatic only under the exact rule: identical-enough frames of
        confirmed entries alone make both shares, in a bank that acts automatically at all."""
        query_frames = len(set(query.frames.values()))
        matches, short = [], {}
        for group, paired in self._frame_pairs(kind, hits, wanted, query).items():
            shares = Shares.of(
                [pair for pair, _ in paired], query_frames, self.registry.frames(group)
            )
            config = paired[0][1].config
            if shares.passes(config.video_query_share, config.video_bank_share):
                matches.append(self._video_match(kind, group, paired, shares))
            elif shares.aligned >= ALIGNED_SEED:
                short[group] = (paired, shares)
        if short:
            matches += self._at_offset(kind, short, wanted, query)
        return matches

    def _frame_pairs(
        self,
        kind: SignalKind,
        hits: list[Hit],
        wanted: list[tuple[str, str]],
        query: Query,
        radius: int = -1,
    ) -> defaultdict[int, list[_Paired]]:
        """The hits within their bank's threshold (or `radius`, where wider), by bank video."""
        by_video: defaultdict[int, list[_Paired]] = defaultdict(list)
        for hit in hits:
            usable = self._usable(hit.entry_id)
            group = self.registry.group(hit.entry_id)
            if usable is None or not group:
                continue
            config, status = usable
            if hit.distance > max(kind.threshold(config.pdq_threshold), radius):
                continue
            variant, queried = wanted[hit.query]
            pair = FramePair(
                query.frames.get(queried, hit.query),
                query.times.get(queried, 0.0),
                hit.entry_id,
                self.registry.time(hit.entry_id),
                hit.distance,
            )
            found = _Found(hit.entry_id, config, status, hit.distance, variant, hit.value, queried)
            by_video[group].append((pair, found))
        return by_video

    def _at_offset(
        self,
        kind: SignalKind,
        short: dict[int, tuple[list[_Paired], Shares]],
        wanted: list[tuple[str, str]],
        query: Query,
    ) -> list[Match]:
        """The query's unmatched values (of the variants that matched) looked up again at
        `ALIGNED_RADIUS`: a short video matches if those landing at its offset complete
        it. One more search, only when some bank video falls short at one offset."""
        used = {f.queried for paired, _ in short.values() for _, f in paired}
        variants = {f.variant for paired, _ in short.values() for _, f in paired}
        again = [(v, value) for v, value in wanted if v in variants and value not in used]
        hits = self.indexes[kind.name].search([value for _, value in again], ALIGNED_RADIUS)
        wider = self._frame_pairs(kind, hits, again, query, ALIGNED_RADIUS)
        query_frames = len(set(query.frames.values()))
        matches = []
        for group, (paired, before) in short.items():
            paired = paired + [p for p in wider.get(group, []) if before.at_offset(p[0])]
            # As many distinct bank frames as a clip has, at that offset: one still shot
            # matched over and over (a photo two videos share) is not a copy.
            spanned = {pair.entry_id for pair, _ in paired if before.at_offset(pair)}
            shares = Shares.of([pair for pair, _ in paired], query_frames, before.bank_frames)
            config = paired[0][1].config
            if len(spanned) >= CLIP_FRAMES and shares.passes(
                config.video_query_share, config.video_bank_share
            ):
                matches.append(self._video_match(kind, group, paired, shares))
        return matches

    def _video_match(
        self, kind: SignalKind, group: int, paired: list[_Paired], shares: Shares
    ) -> Match:
        config = paired[0][1].config
        exact = [pair for pair, found in paired if self._automatic(found, unreliable=False)]
        automatic = Shares.of(exact, shares.query_frames, shares.bank_frames).whole(
            config.video_query_share, config.video_bank_share
        )
        closest = min((found for _, found in paired), key=lambda f: (f.distance, f.entry_id))
        match = closest.match(kind, group, Tier.AUTO if automatic else Tier.REVIEW)
        return detail(match, [pair for pair, _ in paired], shares)


# Distinct windows of one bank image, each close enough to act on alone, that make a
# window match automatic (in a bank that allows it).
WINDOWS_FOR_AUTO = 2


@dataclass(frozen=True, slots=True)
class _Found:
    entry_id: int
    config: BankConfig
    status: EntryStatus
    distance: int
    variant: str
    value: str  # the bank's value
    queried: str  # the query's value that found it

    def match(self, kind: SignalKind, group: int, tier: Tier) -> Match:
        return Match(
            bank=self.config.name,
            entry_id=self.entry_id,
            signal_type=kind.name,
            value=self.value,
            distance=self.distance,
            threshold=kind.threshold(self.config.pdq_threshold),
            variant=self.variant,
            tier=tier,
            group=group or None,
        )


_Paired = tuple[FramePair, _Found]
