"""The content index: hashes of what a platform already holds, so that a hash confirmed
later finds the copies already posted (not only the next upload)."""
