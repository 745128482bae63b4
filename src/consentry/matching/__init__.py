"""Exact matching: a multi-index Hamming index for PDQ, digest lookup, and the matcher."""
