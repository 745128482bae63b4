"""Classical forensic traces: our own implementations of published methods.

Each gives an image-level score in 0..1 and a heatmap of where. Classical traces are weak
by nature: recompression or resizing by a platform erases most of them, a wholly
generated image is self-consistent, and texture imitates them. So a low score never means
"authentic" and a high one is a reason to look, never a reason to decide
(bench/results/detection.md has the measured numbers)."""

from consentry.detection.forensics.copymove import CopyMove
from consentry.detection.forensics.ela import ErrorLevel
from consentry.detection.forensics.ghost import JpegGhost
from consentry.detection.forensics.noise import NoiseLevel

__all__ = ["CopyMove", "ErrorLevel", "JpegGhost", "NoiseLevel"]
