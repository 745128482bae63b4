import pytest
from PIL import Image
from sqlalchemy import Engine

from consentry.banks import service
from consentry.banks.models import ChangeAction, EntryStatus
from consentry.banks.service import NewEntry
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.hashing import PdqHash, compute_signals
from consentry.matching.follower import catch_up, load_matcher
from consentry.matching.matcher import Matcher, Query
from consentry.matching.schemas import Tier
from tests.images import jpeg, pattern, png


def flipped(value: PdqHash, bits: int) -> str:
    number = value.to_int() ^ ((1 << bits) - 1)
    return f"{number:064x}"


def add(engine: Engine, bank: str, value: str, status: EntryStatus, signal: str = "pdq") -> None:
    with session_scope(engine) as session:
        target = service.get_bank(session=session, name=bank)
        service.add_entry(
            session=session,
            bank=target,
            new=NewEntry(signal_type=signal, value=value, status=status),
        )


def bank(engine: Engine, name: str, threshold: int = 31, auto: int = 0) -> None:
    with session_scope(engine) as session:
        service.create_bank(
            actor=SYSTEM,
            session=session,
            name=name,
            pdq_threshold=threshold,
            auto_max_distance=auto,
        )


@pytest.fixture
def image_signals() -> tuple[bytes, PdqHash]:
    data = png(pattern(70))
    return data, compute_signals(data).pdq


def current(engine: Engine) -> Matcher:
    matcher = load_matcher(engine)
    catch_up(engine, matcher)
    return matcher


def test_tiers_follow_status_bank_and_distance(
    engine: Engine, image_signals: tuple[bytes, PdqHash]
) -> None:
    data, pdq = image_signals
    bank(engine, "strict", auto=0)
    bank(engine, "loose", auto=10)
    bank(engine, "never", auto=-1)
    add(engine, "strict", pdq.to_hex(), EntryStatus.CONFIRMED)
    add(engine, "loose", flipped(pdq, 5), EntryStatus.CONFIRMED)
    add(engine, "never", pdq.to_hex(), EntryStatus.CONFIRMED)
    add(engine, "strict", flipped(pdq, 3), EntryStatus.PENDING)
    matches = current(engine).match(Query.from_signals(compute_signals(data)))
    seen = {(m.bank, m.distance): m.tier for m in matches if m.signal_type == "pdq"}
    assert seen == {
        ("strict", 0): Tier.AUTO,
        ("never", 0): Tier.REVIEW,
        ("strict", 3): Tier.REVIEW,  # pending entries are never automatic
        ("loose", 5): Tier.AUTO,
    }
    assert all(m.variant == "original" for m in matches)


def test_threshold_is_per_bank_and_exact_at_the_edge(
    engine: Engine, image_signals: tuple[bytes, PdqHash]
) -> None:
    _, pdq = image_signals
    bank(engine, "b20", threshold=20)
    for bits in (19, 20, 21):
        add(engine, "b20", flipped(pdq, bits), EntryStatus.CONFIRMED)
    found = current(engine).match(Query.from_value("pdq", pdq.to_hex()))
    assert sorted(m.distance for m in found) == [19, 20]
    assert {m.threshold for m in found} == {20}


def test_withdrawn_hash_never_matches_again(
    engine: Engine, image_signals: tuple[bytes, PdqHash]
) -> None:
    data, pdq = image_signals
    bank(engine, "ncii")
    add(engine, "ncii", pdq.to_hex(), EntryStatus.CONFIRMED)
    matcher = current(engine)
    query = Query.from_signals(compute_signals(data))
    assert len(matcher.match(query)) == 1
    with session_scope(engine) as session:
        target = service.get_bank(session=session, name="ncii")
        service.change_status(
            actor=SYSTEM,
            session=session,
            bank=target,
            signal_type="pdq",
            value=pdq.to_hex(),
            action=ChangeAction.WITHDRAWN,
        )
        service.add_entry(
            session=session,
            bank=target,
            new=NewEntry("pdq", pdq.to_hex(), EntryStatus.CONFIRMED),
        )
    catch_up(engine, matcher)
    assert matcher.match(query) == []
    assert current(engine).match(query) == []


def test_mirrored_copy_matches_through_its_variant(engine: Engine) -> None:
    image = pattern(71, 800, 600)
    original = compute_signals(png(image))
    bank(engine, "ncii")
    add(engine, "ncii", original.pdq.to_hex(), EntryStatus.CONFIRMED)
    mirrored = compute_signals(jpeg(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    [match] = current(engine).match(Query.from_signals(mirrored))
    assert match.variant == "flip_y"
    assert match.distance <= 31
    assert match.tier is Tier.REVIEW  # a near match is for a human


def test_padded_copy_matches_through_trimmed(engine: Engine) -> None:
    image = pattern(72, 800, 600)
    bank(engine, "ncii")
    add(engine, "ncii", compute_signals(png(image)).pdq.to_hex(), EntryStatus.CONFIRMED)
    padded = Image.new("RGB", (1000, 800), "black")
    padded.paste(image, (100, 100))
    [match] = current(engine).match(Query.from_signals(compute_signals(jpeg(padded))))
    assert match.variant == "trimmed"


def test_digests_match_exactly_and_low_quality_pdq_is_review(engine: Engine) -> None:
    flat = png(Image.new("RGB", (200, 200), (120, 120, 120)))
    signals = compute_signals(flat)
    assert signals.quality < 50
    bank(engine, "ncii")
    add(engine, "ncii", signals.pdq.to_hex(), EntryStatus.CONFIRMED)
    add(engine, "ncii", signals.sha256, EntryStatus.CONFIRMED, "sha256")
    query = Query.from_signals(signals)
    assert query.low_quality
    tiers = {m.signal_type: (m.tier, m.variant) for m in current(engine).match(query)}
    assert tiers == {"pdq": (Tier.REVIEW, "original"), "sha256": (Tier.AUTO, "exact")}


def test_disabled_bank_and_bank_filter(
    engine: Engine, image_signals: tuple[bytes, PdqHash]
) -> None:
    _, pdq = image_signals
    bank(engine, "a")
    bank(engine, "b")
    add(engine, "a", pdq.to_hex(), EntryStatus.CONFIRMED)
    add(engine, "b", pdq.to_hex(), EntryStatus.CONFIRMED)
    matcher = current(engine)
    query = Query.from_value("pdq", pdq.to_hex())
    assert [m.bank for m in matcher.match(query, bank="b")] == ["b"]
    with session_scope(engine) as session:
        service.update_bank(
            actor=SYSTEM,
            session=session,
            bank=service.get_bank(session=session, name="a"),
            enabled=False,
        )
    catch_up(engine, matcher)
    assert [m.bank for m in matcher.match(query)] == ["b"]
