"""Database engine and sessions: SQLite by default, PostgreSQL in production."""
