"""Path and query parameters shared by routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

# Row ids are 64-bit: a larger number is refused here rather than overflowing the driver.
MAX_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
AfterId = Annotated[int, Query(ge=0, le=MAX_ID, description="Page on from this id.")]
