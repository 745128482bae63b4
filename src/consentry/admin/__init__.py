"""Administration pages: users and roles, API keys, banks, webhooks, clock settings."""
