"""Exchanges: hash lists that travel between deployments, with their withdrawals."""
