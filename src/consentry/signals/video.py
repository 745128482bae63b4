"""vPDQ (`consentry.hashing.video`): a bank video is the group of its frames' PDQ
hashes, each stamped with its time and held in the same kind of Hamming index as
PDQ. Every frame of a queried video is looked up at once; a bank video matches by
the share of frames in common (`consentry.matching.video`), not frame by frame."""

from __future__ import annotations

from consentry.hashing.signals import ImageSignals
from consentry.signals.pdq import Pdq


class Vpdq(Pdq):
    name = "vpdq"
    value_variant = "frame"
    grouped = True
    timed = True

    def of_image(self, signals: ImageSignals) -> list[tuple[str, str]]:
        return []  # an image has no frames
