"""Statements the ORM builds once per process and PostgreSQL plans once per connection
(docs/benchmarks.md, filing).

A request that runs the same query shape on every call (filing an incident) pays, each
time, for the ORM to build and compile the queryset (milliseconds of Python) and for
PostgreSQL to parse and plan it. ``Template`` keeps the compiled SQL of one shape with
the positions of the values that change from call to call; ``Statement`` runs SQL, on
PostgreSQL as a prepared statement (``PREPARE`` once on each connection, then
``EXECUTE``; the connections must be direct or session-pooled, as Baikoo's are).

The SQL is still the ORM's: ``Template.build`` calls a function that builds the
queryset from *slots*, sentinel values standing for a call's values (an id, a reference,
the acting user's key), compiles it twice with two different sets of sentinels and keeps
it only if the two compilations differ exactly where the slots are. A rule that put
anything else of the call into the query (a value read in Python from the user, say)
makes the two compilations differ elsewhere, and ``build`` refuses to keep the shape:
the caller then runs the ORM as before.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connections, models
from django.db.models.query import get_related_populators

# Sentinels fit a 32-bit integer column (auth_user.id is one): a value out of a column's
# range would make Django drop the condition from the SQL instead of binding it.
_SENTINEL_BASE = 2_000_000_000
_generations = itertools.count(1)


class NotCacheable(Exception):
    """The shape cannot be kept: something other than its slots changed its SQL."""


class Slots:
    """The sentinel values of one build: ``slots.int("district")`` is a whole number and
    ``slots.uuid("id")`` a UUID, each unique to this build and name."""

    def __init__(self) -> None:
        self.generation = next(_generations)
        self.values: dict[str, Any] = {}
        self.required: set[str] = set()
        self.guards = 0

    def _number(self) -> int:
        return _SENTINEL_BASE + self.generation % 1_000_000 * 100 + len(self.values)

    def int(self, name: str, *, required: bool = True) -> int:
        """``required=False`` for a value the statement may or may not use (the acting
        user's key: a rule for one role reads it, for another not)."""
        if name not in self.values:
            self.values[name] = self._number()
            if required:
                self.required.add(name)
        return self.values[name]

    def text(self, name: str) -> str:
        if name not in self.values:
            self.values[name] = f"baikoo-slot-{self._number()}"
            self.required.add(name)
        return self.values[name]

    def uuid(self, name: str) -> uuid.UUID:
        if name not in self.values:
            self.values[name] = uuid.UUID(int=self._number())
            self.required.add(name)
        return self.values[name]

    def guard(self) -> int:
        """A sentinel that must NOT reach the SQL (a key the statement may not depend on,
        such as the acting user's profile): if it does, the two compilations differ where
        there is no slot and the shape is not kept."""
        self.guards += 1
        return _SENTINEL_BASE + self.generation % 1_000_000 * 100 + 50 + self.guards


def _compile(queryset: models.QuerySet, using: str) -> tuple[str, list[Any], Callable]:
    """The SQL and parameters of ``queryset``, and how to read one row of its result as
    the queryset would: a dict for ``.values()``, else a model instance with its
    ``select_related`` objects (what ``ModelIterable`` does)."""
    query = queryset.query
    compiler = query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    if compiler.get_converters([column[0] for column in compiler.select]):
        raise NotCacheable("a column needs a converter")
    if query.selected:
        names = tuple(query.selected)  # the names, in the order ValuesIterable gives them
        return sql, list(params), lambda row: dict(zip(names, row, strict=True))
    if compiler.annotation_col_map or queryset._known_related_objects:
        raise NotCacheable("annotations on model instances are not read here")
    klass_info, select = compiler.klass_info, compiler.select
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    attnames = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, using)

    def instance(row: tuple) -> models.Model:
        obj = model.from_db(using, attnames, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        return obj

    return sql, list(params), instance


class Statement:
    """SQL (``%s`` placeholders) run many times: on PostgreSQL as a prepared statement,
    prepared on each connection the first time it runs there."""

    def __init__(self, sql: str, types: Sequence[str] = ()) -> None:
        """``types``: the parameters' PostgreSQL types, one each, or none at all (each
        type is then inferred from where its parameter stands). A parameter standing in
        no context (a SELECT column) is inferred as text: a boolean there must say so."""
        self.sql = sql
        self.types = f" ({', '.join(types)})" if types else ""
        self.name = "baikoo_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:16]
        counter = itertools.count(1)
        # The same SQL with $1, $2... for PREPARE; a literal % stays written %%, because
        # the whole text still goes through the driver's parameter interpolation.
        self.dollar_sql = re.sub(
            r"%(%|s)", lambda m: "%%" if m.group(1) == "%" else f"${next(counter)}", sql
        )

    def execute(self, params: Sequence[Any], using: str = "default") -> tuple | None:
        """Execute with ``params`` and return the first row (``None`` if there is none)."""
        connection = connections[using]
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute(self.sql, params)
                return cursor.fetchone()
            name, prepared = _prepared_name(connection, self)
            execute = f"EXECUTE {name}({', '.join(['%s'] * len(params))})"
            if prepared:
                cursor.execute(execute, params)
            else:
                # PREPARE and EXECUTE in one round trip (and one query in the logs). A
                # prepared statement outlives a failed or rolled-back transaction, so it
                # counts as prepared only once this succeeded: after a failure the next
                # call prepares it again under a new name.
                cursor.execute(
                    f"PREPARE {name}{self.types} AS {self.dollar_sql}; {execute}", params
                )
                _remember(connection, self, name)
            return cursor.fetchone()


class Template:
    """One shape of query built by the ORM from slots (``Template.build``): its
    ``Statement``, its constant parameters and where each slot's value goes."""

    def __init__(
        self, sql: str, params: list[Any], positions: dict[int, str], read: Callable
    ) -> None:
        self.statement = Statement(sql, [_type(params[i]) for i in range(len(params))])
        self.params = params
        self.positions = positions
        self.read = read

    @classmethod
    def build(
        cls,
        make: Callable[[Slots], models.QuerySet],
        using: str = "default",
    ) -> Template:
        """Compile the queryset ``make(slots)`` returns twice, with two sets of
        sentinels; raises ``NotCacheable`` unless the two differ exactly at the slots."""
        first_slots, second_slots = Slots(), Slots()
        first_sql, first, read = _compile(make(first_slots), using)
        second_sql, second, _ = _compile(make(second_slots), using)
        if first_sql != second_sql or len(first) != len(second):
            raise NotCacheable("the SQL changed with the slots' values")
        names = {_key(value): name for name, value in first_slots.values.items()}
        positions: dict[int, str] = {}
        for index, (a, b) in enumerate(zip(first, second, strict=True)):
            name = names.get(_key(a))
            if name is not None:
                if _key(b) != _key(second_slots.values[name]):
                    raise NotCacheable(f"slot {name} moved")
                positions[index] = name
            elif _key(a) != _key(b):
                raise NotCacheable(f"parameter {index} changed but is no slot")
        if not first_slots.required <= set(positions.values()):
            # a slot that reached no parameter: its condition was left out of the SQL
            raise NotCacheable("a slot is not in the SQL")
        return cls(first_sql, first, positions, read)

    def parameters(self, values: Mapping[str, Any]) -> list[Any]:
        params = list(self.params)
        for index, name in self.positions.items():
            params[index] = values[name]
        return params

    def first(self, values: Mapping[str, Any], using: str = "default") -> Any:
        """The first row for ``values`` (one per slot), as the queryset gives it (a dict
        or a model instance), or ``None``."""
        row = self.statement.execute(self.parameters(values), using)
        return None if row is None else self.read(row)


def _type(value: Any) -> str:
    """The PostgreSQL type of a parameter of a kept shape (slots are whole numbers, text
    or UUIDs; constants whatever the rules put there)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, uuid.UUID):
        return "uuid"
    if isinstance(value, str):
        return "text"
    return "unknown"


def _key(value: Any) -> tuple:
    """Parameters compared by type and value; anything else never equal to another."""
    if isinstance(value, str | int | uuid.UUID | None):
        return (type(value), value)
    return (type(value), id(value))


# Prepared statements live on one PostgreSQL session: remembered per driver connection
# (a new connection after CONN_MAX_AGE or an error starts empty).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_attempts = itertools.count(1)


def _prepared_name(connection: Any, statement: Statement) -> tuple[str, bool]:
    raw = connection.connection
    names = _prepared.get(raw, {})
    name = names.get(statement.name)
    if name is not None:
        return name, True
    return f"{statement.name}_{next(_attempts)}", False


def _remember(connection: Any, statement: Statement, name: str) -> None:
    _prepared.setdefault(connection.connection, {})[statement.name] = name
