"""Signed evidence bundles of a case, verifiable offline (AU-03, AU-05, AU-06)."""
