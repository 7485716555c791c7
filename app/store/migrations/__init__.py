"""Alembic migrations of the registry schema (run by ``SqlStore`` when it opens a database)."""
