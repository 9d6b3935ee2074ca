"""HQ's own store: SQLAlchemy Core tables and the engine (SQLite or PostgreSQL)."""
