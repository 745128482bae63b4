"""Counting attempts per client network and per subject, for every throttle."""
