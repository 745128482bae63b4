"""The content index split into shards held by Ray actors: for a platform's content
beyond one machine's memory.

Each shard (`ContentShard`) loads the content hashes whose id it picks (`id % shards`)
and follows the content log itself, as bank shards follow the bank change log
(`consentry.matching.shards`); the copy finder searches every shard at once at the log
position it has reached (`RemoteIndex`). Each shard is an exact index of its values,
so the union is what one index over everything returns. The actors are detached and
named by the database and the shard count: a finder that restarts, or another worker
that takes the finder's lease, finds them loaded."""

from __future__ import annotations

from consentry.content.following import follow_content, load_content
from consentry.content.schemas import INDEXED
from consentry.db.engine import make_engine
from consentry.db.session import session_scope
from consentry.matching.shards import FollowingShard, ShardOf
from consentry.matching.share import Share
from consentry.signals.registry import KINDS


class ContentShard(FollowingShard):
    """One shard of the content index: loaded, then following the content log."""

    def __init__(self, database_url: str, shard: int, shards: int) -> None:
        self.engine = make_engine(database_url, read_only=True)
        share = Share(shard, shards)
        self.indexes = {kind: ShardOf(KINDS[kind].new_index(), share) for kind in INDEXED}
        with session_scope(self.engine) as session:
            self.applied = load_content(session=session, indexes=self.indexes, share=share)
        self._follow_in_background()

    def position(self) -> int:
        return self.applied

    def apply_log(self) -> None:
        with session_scope(self.engine) as session:
            self.applied = follow_content(
                session=session, indexes=self.indexes, applied=self.applied
            )
