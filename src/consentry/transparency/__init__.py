"""Statements of reasons for the EU DSA Transparency Database (Art. 24(5), NT-03, NT-04)."""
