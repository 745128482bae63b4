"""Scans: platforms asking whether an upload matches a bank, and the record of those that do."""
