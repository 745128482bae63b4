"""Transparency reports (DSA Arts. 15 and 24, TAKE IT DOWN, Ofcom) computed from the event log."""
