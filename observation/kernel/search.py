"""Text search that ignores case in every script, on SQLite and PostgreSQL alike
(docs/architecture.md, "Searching text").

PostgreSQL's ``UPPER`` follows the database's locale, so Django's ``icontains``
(``UPPER(col) LIKE UPPER(pattern)``) finds ``Рынок``, ``рынок`` and ``РЫНОК`` alike, and
an index on ``UPPER(col)`` with ``gin_trgm_ops`` serves it. SQLite's ``LIKE`` and
``LOWER`` fold ASCII letters only; there the columns and the pattern are folded by
Python's ``str.casefold`` through a function registered on each new connection."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db import connections
from django.db.models import F, Func, Q, QuerySet, TextField

SQLITE_CASEFOLD = "baikoo_casefold"


def _casefold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: gives SQLite connections ``baikoo_casefold``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_CASEFOLD, 1, _casefold, deterministic=True)


def contains_text(queryset: QuerySet, fields: list[str], text: str) -> QuerySet:
    """Rows of ``queryset`` where any of ``fields`` contains ``text``, whatever the case
    (Cyrillic included). Blank ``text`` filters nothing."""
    text = text.strip()
    if not text:
        return queryset
    if connections[queryset.db].vendor == "sqlite":
        folded = {
            f"_folded_{name}": Func(F(name), function=SQLITE_CASEFOLD, output_field=TextField())
            for name in fields
        }
        needle = text.casefold()
        return queryset.alias(**folded).filter(
            reduce(or_, (Q(**{f"{alias}__contains": needle}) for alias in folded))
        )
    return queryset.filter(reduce(or_, (Q(**{f"{name}__icontains": text}) for name in fields)))
