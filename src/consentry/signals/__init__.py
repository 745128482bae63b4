"""Signal kinds as plugins: each kind (PDQ, SHA-256, MD5, …) says how its values are
written, compared and indexed, and how an image produces them. Banks, the matcher,
its snapshots, notices and the scan API ask the kind rather than branching on it;
a new kind is one module here and one line in `registry`."""
