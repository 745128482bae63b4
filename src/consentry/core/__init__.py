"""The kernel every domain may import: its error type, periodic jobs, the audited actor
and the clock. It imports no other consentry package."""
