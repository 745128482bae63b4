"""Video matches: one per bank video, by the shares of frames in common (both ways), with
a clip rule and the matched time ranges; automatic only on identical frames."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.banks.models import EntryStatus
from consentry.matching.matcher import Matcher, Query
from consentry.matching.schemas import Tier
from consentry.matching.video import CLIP_FRAMES, FramePair, Shares, alignment, segments
from tests.videos import video_matcher


def _frame(seed: int) -> str:
    return random.Random(seed).getrandbits(256).to_bytes(32, "big").hex()


def _near(value: str, bits: int) -> str:
    return f"{int(value, 16) ^ ((1 << bits) - 1):064x}"


BANK_VIDEO = [_frame(n) for n in range(60)]  # one frame a second for a minute


def _matcher(
    frames: list[str] = BANK_VIDEO,
    *,
    auto: int = 0,
    status: EntryStatus = EntryStatus.CONFIRMED,
    shares: tuple[int, int] = (80, 80),
) -> Matcher:
    timed = [(float(n), value) for n, value in enumerate(frames)]
    return video_matcher([timed], auto=auto, status=status, shares=shares)


def _query(frames: list[str], start: float = 0.0) -> Query:
    return Query.from_frames([(start + n, value) for n, value in enumerate(frames)])


def test_the_same_video_matches_automatically_on_identical_frames() -> None:
    [match] = _matcher().match(_query(BANK_VIDEO))
    assert (match.signal_type, match.group, match.variant, match.tier) == (
        "vpdq", 1, "frame", Tier.AUTO
    )  # fmt: skip
    assert (match.query_share, match.bank_share) == (100.0, 100.0)
    assert match.segments == [{"query": [0.0, 59.0], "bank": [0.0, 59.0]}]


def test_a_reencoded_copy_matches_for_review() -> None:
    copy = [_near(v, 9) for v in BANK_VIDEO]
    [match] = _matcher().match(_query(copy))
    assert match.tier is Tier.REVIEW
    assert match.distance == 9


def test_a_ten_second_clip_is_found_with_where_it_comes_from() -> None:
    clip = [_near(v, 5) for v in BANK_VIDEO[30:40]]
    [match] = _matcher().match(_query(clip))
    assert (match.query_share, match.bank_share) == (100.0, 16.7)
    assert match.segments == [{"query": [0.0, 9.0], "bank": [30.0, 39.0]}]
    assert match.tier is Tier.REVIEW  # a clip alone is never automatic


def test_a_bank_video_inside_a_longer_upload_is_found() -> None:
    upload = (
        [_frame(1000 + n) for n in range(100)] + BANK_VIDEO + [_frame(2000 + n) for n in range(100)]
    )
    [match] = _matcher().match(_query(upload))
    assert match.bank_share == 100.0
    assert match.query_share == 23.1
    assert match.segments == [{"query": [100.0, 159.0], "bank": [0.0, 59.0]}]


def test_too_few_frames_in_common_is_no_match() -> None:
    few = BANK_VIDEO[: CLIP_FRAMES - 1] + [_frame(3000 + n) for n in range(20)]
    assert _matcher().match(_query(few)) == []
    assert _matcher().match(_query([_frame(4000 + n) for n in range(60)])) == []


def test_the_banks_shares_decide() -> None:
    half = BANK_VIDEO[:4]  # 4 of 60 frames: under the clip rule, and 7 % of the bank video
    assert _matcher().match(_query(half)) == []
    [match] = _matcher(shares=(80, 5)).match(_query(half))
    assert match.bank_share == 6.7


def test_automatic_needs_confirmed_entries_and_an_opted_in_bank() -> None:
    assert _matcher(status=EntryStatus.PENDING).match(_query(BANK_VIDEO))[0].tier is Tier.REVIEW
    assert _matcher(auto=-1).match(_query(BANK_VIDEO))[0].tier is Tier.REVIEW
    near = [_near(v, 2) for v in BANK_VIDEO]
    assert _matcher(auto=2).match(_query(near))[0].tier is Tier.AUTO


def test_withdrawn_frames_leave_the_video() -> None:
    matcher = _matcher()
    for entry_id, value in enumerate(BANK_VIDEO, start=1):
        matcher.apply_entry(
            entry_id=entry_id,
            bank_id=1,
            signal_type="vpdq",
            value=value,
            status=EntryStatus.WITHDRAWN,
            group_id=1,
            at_ms=(entry_id - 1) * 1000,
        )
    assert matcher.match(_query(BANK_VIDEO)) == []
    assert matcher.registry.frames(1) == 0


def test_segments_follow_the_bank_video_in_both_videos() -> None:
    pairs = [FramePair(n, float(n), n, float(n + 30), 3) for n in range(5)]
    pairs += [FramePair(5 + n, float(20 + n), 100 + n, float(n), 3) for n in range(4)]
    assert segments(pairs) == [
        {"query": [0.0, 4.0], "bank": [30.0, 34.0]},
        {"query": [20.0, 23.0], "bank": [0.0, 3.0]},
    ]


@settings(max_examples=40, deadline=None)
@given(
    bank=st.lists(st.integers(0, 40), min_size=1, max_size=30, unique=True),
    query=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=30),
)
def test_shares_are_what_brute_force_finds(bank: list[int], query: list[tuple[int, int]]) -> None:
    """Every query frame against every bank frame: the matcher's shares are exactly the
    brute-force shares (frames are distinct seeds, each perturbed by up to 40 bits)."""
    bank_frames = [_frame(seed) for seed in bank]
    wanted: dict[str, float] = {}
    for n, (seed, bits) in enumerate(query):
        wanted.setdefault(_near(_frame(seed), bits), float(n))
    pairs = [
        (q, b)
        for q in wanted
        for b, value in enumerate(bank_frames)
        if (int(q, 16) ^ int(value, 16)).bit_count() <= 31
    ]
    expected = Shares.of(
        [FramePair(hash(q), 0.0, b, 0.0, 0) for q, b in pairs], len(wanted), len(bank_frames)
    )
    found = _matcher(bank_frames, shares=(1, 1)).match(
        Query.from_frames([(t, v) for v, t in wanted.items()])
    )
    if not pairs:
        assert found == []
        return
    [match] = found
    assert match.query_share == round(expected.query, 1)
    assert match.bank_share == round(expected.bank, 1)


def test_frames_at_one_offset_make_a_match_that_scattered_frames_do_not() -> None:
    """A heavily re-encoded copy matches about 70 % of its frames, all at one offset; the
    same share matched at scattered offsets is coincidence, not a copy."""
    steady = [FramePair(n, float(n), n, float(n + 12), 20) for n in range(0, 40) if n % 10 < 7]
    scattered = [FramePair(p.query, p.query_at, p.entry_id, float((p.query * 7) % 40), 20)
                 for p in steady]  # fmt: skip
    assert alignment(steady) == (28, 12.0)
    assert alignment(scattered)[0] < CLIP_FRAMES
    assert Shares.of(steady, 40, 40).passes(80, 80)
    assert not Shares.of(scattered, 40, 40).passes(80, 80)
    # Fewer than CLIP_FRAMES frames never make a match by time alone.
    assert not Shares.of(steady[:4], 6, 6).passes(80, 80)


def test_a_short_copy_is_looked_at_again_at_its_offset_only() -> None:
    """A small, low-quality clip keeps a third of its frames within 31 bits and most of
    the rest within ALIGNED_RADIUS: those count only at the offset the close ones found,
    and only once ALIGNED_SEED frames did."""
    close = [_near(v, 20) for v in BANK_VIDEO[20:23]]
    wider = [_near(v, 36) for v in BANK_VIDEO[23:30]]
    [match] = _matcher().match(_query(close + wider, start=5.0))
    assert (match.tier, match.query_share) == (Tier.REVIEW, 100.0)
    assert match.segments == [{"query": [5.0, 14.0], "bank": [20.0, 29.0]}]

    scattered = [_near(BANK_VIDEO[(7 * n) % 60], 36) for n in range(23, 30)]
    assert _matcher().match(_query(close + scattered, start=5.0)) == []
    # One still shot (a photo two videos share) matched again and again: 3 bank frames.
    still = [(5.0 + n, v) for n, v in enumerate(close)]
    still += [(7.0 + n / 5, _near(BANK_VIDEO[22], 36 + n)) for n in range(1, 5)]
    assert _matcher().match(Query.from_frames(still)) == []
    too_few = [_near(v, 20) for v in BANK_VIDEO[20:22]]
    wider = [_near(v, 36) for v in BANK_VIDEO[22:30]]
    assert _matcher().match(_query(too_few + wider, start=5.0)) == []
