"""Queries on the busiest paths, written with the ORM and compiled to SQL once.

Building a query's SQL costs the ORM a millisecond or two of CPU each time, far more than
the database takes to answer an indexed lookup; on a call an app makes hundreds of times a
second (an Open311 status check, say) that is most of the call. A PreparedQuery is an ORM
values_list query built once per database connection with stand-in values, whose SQL and
column converters are then kept: each run sends the same SQL with the real values and
converts the rows as the ORM would (datetimes made aware, decimals and JSON read).

The query is whatever the ORM would send, so it is right on SQLite and PostgreSQL alike; the
one rule is that each named value, a string, must reach the SQL as given: compared for
equality, not lowered or wrapped in wildcards by the build (give it lowered instead), not in a
list. The first run checks it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


class _StandIn(str):
    """A value given while compiling, found again among the compiled query's parameters."""

    __slots__ = ()


class PreparedQuery:
    """`build(**values)` gives a values_list queryset; `rows(**values)` runs it."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *names: str) -> None:
        self._build = build
        self._names = names
        self._compiled = threading.local()

    def rows(self, **values: Any) -> list[Sequence[Any]]:
        if set(values) != set(self._names):
            raise TypeError(f"Give exactly {', '.join(self._names)}")
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = getattr(self._compiled, "value", None)
        if compiled is None or compiled[0] is not connection:
            compiled = (connection, *self._compile(connection))
            self._compiled.value = compiled
        _, compiler, sql, slots = compiled
        params = [values[slot[1]] if slot[0] else slot[1] for slot in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))

    def first(self, **values: Any) -> Sequence[Any] | None:
        found = self.rows(**values)
        return found[0] if found else None

    def _compile(self, connection: Any) -> tuple[Any, str, list[tuple[bool, Any]]]:
        stand_ins = {name: _StandIn(f"\x00{name}\x00") for name in self._names}
        queryset = self._build(**stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        # Found by identity: a value the build changed on its way in (lowered, wrapped in
        # wildcards) is a new string, and the real value would not be changed the same way.
        by_identity = {id(value): name for name, value in stand_ins.items()}
        slots: list[tuple[bool, Any]] = [
            (True, by_identity[id(p)]) if id(p) in by_identity else (False, p) for p in params
        ]
        missing = set(self._names) - {name for named, name in slots if named}
        if missing:
            raise ValueError(f"{', '.join(sorted(missing))} did not reach the SQL as given")
        return compiler, sql, slots
