"""Anchored-window PDQ (`consentry.hashing.windows`): a bank image's set of window
hashes, each a plain 256-bit PDQ value in the same kind of Hamming index. One window
match is weak evidence, so matches count per image (entry group) and the number of
distinct windows matched travels with the match."""

from __future__ import annotations

from consentry.hashing.signals import ImageSignals
from consentry.signals.pdq import Pdq


class PdqWindows(Pdq):
    name = "pdq_windows"
    value_variant = "window"
    grouped = True

    def of_image(self, signals: ImageSignals) -> list[tuple[str, str]]:
        return [("window", window.to_hex()) for window in signals.windows]
