"""Detection signals: provenance and forensic traces of manipulation, explained with their
limits. A signal informs a reviewer; it never decides a removal (consent is the test,
not authenticity: IN-17)."""
