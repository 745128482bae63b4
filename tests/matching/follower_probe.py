"""A second process for the freshness test: follows the change log and answers queries.

Reads one value per line on stdin (PDQ hex, or `KIND VALUE`) and prints the number of
matches (a grouped kind's matches count bank images); prints
"ready" once its matcher is loaded and its follower runs.
"""

from __future__ import annotations

import sys

from consentry.db.engine import make_engine
from consentry.matching.follower import ChangeFollower, load_matcher
from consentry.matching.matcher import Query


def main() -> None:
    engine = make_engine(sys.argv[1], read_only=True)
    matcher = load_matcher(engine)
    ChangeFollower(engine, matcher).start()
    print("ready", flush=True)
    for line in sys.stdin:
        kind, _, value = line.strip().rpartition(" ")
        found = matcher.match(Query.from_value(kind or "pdq", value))
        print(len(found), flush=True)


if __name__ == "__main__":
    main()
