"""The `consentry` command."""
