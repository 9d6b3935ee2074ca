"""The store's read queries, one module per service area.

Each is a small function taking the session (or, for the sync, its own connection) and
keyword arguments, written as SQLModel/SQLAlchemy ``select()`` expressions. Where a
query is a SQL string, a comment beside it says why (FTS5, PRAGMA, a recursive CTE, a
plain sqlite3 connection, a measured hot path). Writes go through ``store.unit.Tx``.
"""
