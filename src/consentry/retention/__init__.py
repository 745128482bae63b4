"""Retention: personal data kept no longer than needed (AU-07, PR-05), legal holds first."""
