"""python-threatexchange itself reads a consentry text export: every value it has a
name for arrives (it silently dropped our sha256/md5 lines before they used its names)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from threatexchange.exchanges.impl.file_api import (
    FileCollaborationConfig,
    LocalFileSignalExchangeAPI,
)
from threatexchange.extensions.vpdq.vpdq import VPDQSignal
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.signal_type.sha256 import VideoSHA256Signal

from consentry.banks.formats import write_lines
from consentry.banks.records import EntryRecord


def _entry(
    n: int, kind: str, value: str, group: int | None, at_ms: int | None = None
) -> EntryRecord:
    return EntryRecord(n, kind, value, 90, "confirmed", "manual", None, {}, group, "x", at_ms)


def test_pytx_reads_every_kind_it_names(tmp_path: Path) -> None:
    frames = [_entry(n, "vpdq", f"{n:02x}" * 32, 7, n * 1000) for n in (1, 2)]
    entries = [
        _entry(10, "pdq", "ab" * 32, 5),
        _entry(11, "sha256", "cd" * 32, 5),  # a photo's digest: pytx has no name for it
        _entry(12, "md5", "ef" * 16, 7),
        _entry(13, "sha256", "12" * 32, 7),
        *frames,
    ]
    left_out: Counter[str] = Counter()
    path = tmp_path / "bank.txt"
    lines = write_lines(entries, ".txt", video_groups={7}, left_out=left_out)
    path.write_text("".join(line + "\n" for line in lines))
    assert left_out == {"sha256": 1}

    types = [PdqSignal, VideoMD5Signal, VideoSHA256Signal, VPDQSignal]
    api = LocalFileSignalExchangeAPI.for_collab(
        FileCollaborationConfig(name="consentry", filename=str(path))
    )
    [delta] = list(api.fetch_iter(types, None))
    read = api.naive_convert_to_signal_type(types, api.collab, delta.updates)
    assert set(read[PdqSignal]) == {"ab" * 32}
    assert set(read[VideoMD5Signal]) == {"ef" * 16}
    assert set(read[VideoSHA256Signal]) == {"12" * 32}
    [video] = read[VPDQSignal]
    assert [f.split(",")[0] for f in VPDQSignal.validate_signal_str(video)[2:-2].split('","')] == [
        "01" * 32,
        "02" * 32,
    ]
