"""Hash banks: named lists of hashes with provenance, statuses and a change log."""
