"""A video against the bank's videos: matched by the share of frames in common.

As in Meta's vPDQ, a bank video matches when enough of the query's frames and enough
of its own frames have a counterpart within the threshold (defaults 80 % / 80 %).
Two more rules find what those shares miss: a clip of a bank video (most of the
query matched, `CLIP_FRAMES` or more distinct bank frames) and a bank video inside a
longer upload (most of the bank video matched, as many query frames). A third reads
time: frames matched at one steady offset between the two videos (`aligned`) are a
copy, not a coincidence, so half of either video so matched, in `CLIP_FRAMES` or more
frames, is enough (a heavily re-encoded or watermarked copy matches 65-78 % of its
frames, all at one offset; frames of other videos that match do so at scattered
offsets: `bench/results/video.md`). Every query frame is looked up in the same exact
index at once, so a query costs one search, whatever the number of bank videos.

A bank video that falls short with `ALIGNED_SEED` or more frames at one offset is
given a second look: the query's other frames are looked up again at `ALIGNED_RADIUS`,
and only those landing at that offset in that video count (spanning `CLIP_FRAMES` or
more of its frames there). A small clip re-encoded at half size and low quality keeps a
third of its frames within 31 bits, the rest mostly within 40 (unrelated frames lie 96
bits or more apart).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from consentry.matching.schemas import Match

# Distinct frames (about seconds, at one frame a second) that make a clip, or a bank
# video inside a longer one, count.
CLIP_FRAMES = 5
# Matched frames further apart than this (seconds, in either video) start a new segment.
SEGMENT_GAP = 3.0
# Matched frames whose offsets (bank time - query time) lie within this many seconds of
# one another are at one offset (re-timing and frame selection move a frame a little).
ALIGN_SECONDS = 2.0
# Percent of the query's or of the bank video's frames that, matched at one offset,
# make a match.
ALIGNED_SHARE = 50
# Frames at one offset that earn a short video a second look, and the radius it is
# looked at (never below the bank's threshold).
ALIGNED_SEED = 3
ALIGNED_RADIUS = 40


@dataclass(frozen=True, slots=True)
class FramePair:
    """A query frame within the threshold of a bank frame."""

    query: int  # the query's frame (sampling interval): one, however many values match
    query_at: float
    entry_id: int
    bank_at: float
    distance: int


@dataclass(frozen=True, slots=True)
class Shares:
    query: float  # percent of the query's frames matched
    bank: float  # percent of the bank video's frames matched
    query_matched: int
    bank_matched: int
    aligned: int = 0  # distinct query frames matched at one offset between the videos
    query_frames: int = 0
    bank_frames: int = 0
    offset: float = 0.0  # that offset: bank time - query time, seconds

    @classmethod
    def of(cls, pairs: Sequence[FramePair], query_frames: int, bank_frames: int) -> Shares:
        query_matched = len({p.query for p in pairs})
        bank_matched = len({p.entry_id for p in pairs})
        steady, offset = alignment(pairs)
        return cls(
            100.0 * query_matched / max(query_frames, 1),
            100.0 * bank_matched / max(bank_frames, bank_matched, 1),
            query_matched,
            bank_matched,
            steady,
            query_frames,
            max(bank_frames, bank_matched),
            offset,
        )

    def whole(self, query_share: int, bank_share: int) -> bool:
        """Both videos mostly in common (vPDQ's rule)."""
        return self.query >= query_share and self.bank >= bank_share

    def passes(self, query_share: int, bank_share: int) -> bool:
        """vPDQ's rule, or a clip of the bank video, or the bank video inside the query."""
        clip = self.query >= query_share and self.bank_matched >= CLIP_FRAMES
        inside = self.bank >= bank_share and self.query_matched >= CLIP_FRAMES
        steady = self.aligned >= CLIP_FRAMES and (
            100 * self.aligned >= ALIGNED_SHARE * self.query_frames
            or 100 * self.aligned >= ALIGNED_SHARE * self.bank_frames
        )
        return self.whole(query_share, bank_share) or clip or inside or steady

    def at_offset(self, pair: FramePair) -> bool:
        """Whether the pair lies at this match's offset."""
        return abs(pair.bank_at - pair.query_at - self.offset) <= ALIGN_SECONDS


def alignment(pairs: Sequence[FramePair]) -> tuple[int, float]:
    """The most distinct query frames matched at one offset (bank time - query time,
    within `ALIGN_SECONDS`), and the middle of their offsets: a sliding window over the
    sorted offsets."""
    ordered = sorted((p.bank_at - p.query_at, p.query) for p in pairs)
    inside: Counter[int] = Counter()
    best = start = 0
    middle = 0.0
    for offset, query in ordered:
        inside[query] += 1
        while offset - ordered[start][0] > ALIGN_SECONDS:
            gone = ordered[start][1]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            start += 1
        if len(inside) > best:
            best, middle = len(inside), (offset + ordered[start][0]) / 2
    return best, middle


def segments(pairs: Sequence[FramePair]) -> list[dict[str, list[float]]]:
    """The matched time ranges: runs of matched query frames whose bank counterparts
    advance with them, as {"query": [start, end], "bank": [start, end]} in seconds."""
    closest: dict[int, FramePair] = {}
    for pair in pairs:
        held = closest.get(pair.query)
        if held is None or (pair.distance, pair.bank_at) < (held.distance, held.bank_at):
            closest[pair.query] = pair
    ordered = sorted(closest.values(), key=lambda p: p.query_at)
    runs: list[list[FramePair]] = []
    for pair in ordered:
        if runs:
            last = runs[-1][-1]
            step = pair.query_at - last.query_at
            if step <= SEGMENT_GAP and abs(pair.bank_at - last.bank_at - step) <= SEGMENT_GAP:
                runs[-1].append(pair)
                continue
        runs.append([pair])
    return [
        {
            "query": [round(run[0].query_at, 3), round(run[-1].query_at, 3)],
            "bank": [round(min(p.bank_at for p in run), 3), round(max(p.bank_at for p in run), 3)],
        }
        for run in runs
    ]


def detail(match: Match, pairs: Sequence[FramePair], shares: Shares) -> Match:
    """The match of a bank video's closest frame, with what it says of the whole video."""
    return replace(
        match,
        windows=shares.bank_matched,
        query_share=round(shares.query, 1),
        bank_share=round(shares.bank, 1),
        segments=segments(pairs),
    )
