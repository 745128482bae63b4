"""Who may do what: API keys with scopes for machines (and, later, staff accounts)."""
