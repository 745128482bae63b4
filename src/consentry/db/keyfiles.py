"""Key files: created readable by their owner only, never overwritten."""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, secret: bytes) -> None:
    """A new key file, created 0600 from the start: there is no moment when others could
    read it, and an existing file is never overwritten (FileExistsError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secret)
