"""The local SQLite store (SQLModel tables, migrations, outbox, audit log, evidence files)."""
