"""Requests consentry makes to other servers (webhooks, the DSA Transparency Database)."""
