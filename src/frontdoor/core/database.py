"""Housekeeping the database needs beside the work itself."""

from django.db import connection


def wal_checkpoint() -> None:
    """Copy SQLite's write-ahead log back into the database, without waiting for anyone
    (PASSIVE), so commits do not have to (see DATABASES in settings). PostgreSQL does its own."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
