"""Querysets compiled once per process and run again with new values.

Django compiles a queryset to SQL each time it is evaluated: for the answer's
queries (the participant locked with their study, a few trials with their
clips and answers) that compilation was about 40 % of an answer's CPU
(BENCHMARKS.md, "Launch day"), and the answer is the request a study serves
most. Those queries have the same shape every time; only their values change.
``Prepared`` compiles a shape once per database connection, with placeholder
values, and from then on binds the new values in the placeholders' places,
executes the SQL and builds the model instances as a queryset's iteration does
(``select_related`` objects and the database's value converters included), so
callers get the same objects the queryset would have given.

Only the values of the placeholders may change between calls: the queryset a
``build`` function returns must not depend on them in any other way (no
branching on a value, no ``None`` that turns ``=`` into ``IS NULL``).
"""

from __future__ import annotations

import itertools
from collections import namedtuple
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

_markers = itertools.count(1)


def _placeholder(kind: type):
    """A value of type ``kind`` that stands for one value to bind: unusual, yet inside
    the range of every integer column (Django drops a comparison with a value out of
    a column's range from the SQL)."""
    n = next(_markers)
    return 31_000 + n if kind is int else f"\x1fprepared-{n}\x1f"


class _Compiled(NamedTuple):
    """A queryset's SQL with where its values go, and how its rows become objects."""

    sql: str
    params: list
    slots: dict[str, list[int]]
    compiler: Any
    converters: dict
    model: type
    start: int  # the model's own columns in a row: start .. end - 1
    end: int
    columns: list[str]
    populators: list
    locking: bool
    row: type  # a named tuple of ``columns`` (fetch_rows)


class Prepared:
    """``build(**values)`` -> QuerySet, compiled once per connection and run with
    ``values`` bound: ``Prepared(build, slug=str, pk=int).fetch(slug=..., pk=...)``."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type):
        self.build = build
        self.placeholders = {name: _placeholder(kind) for name, kind in kinds.items()}
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        queryset = self.build(**self.placeholders)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()  # also fills select and klass_info
        slots = {name: [i for i, p in enumerate(params) if p == value]
                 for name, value in self.placeholders.items()}
        missing = [name for name, where in slots.items() if not where]
        if missing:
            raise ValueError(f"the compiled query does not use {', '.join(missing)} as a value")
        info = compiler.klass_info
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        columns = [s[0].target.attname for s in compiler.select[start:end]]
        converters = compiler.get_converters([s[0] for s in compiler.select[:compiler.col_count]])
        return _Compiled(sql, list(params), slots, compiler, converters, info["model"], start,
                         end, columns, get_related_populators(info, compiler.select, alias),
                         bool(queryset.query.select_for_update),
                         namedtuple(f"{info['model'].__name__}Row", columns))

    def _run(self, using: str, values: dict) -> tuple[list, _Compiled]:
        """The rows of the query with ``values`` bound (converted), and its compilation."""
        if values.keys() != self.placeholders.keys():
            raise TypeError(f"values for {sorted(self.placeholders)} expected, "
                            f"got {sorted(values)}")
        connection = connections[using]
        key = (using, connection.vendor)
        if key not in self._compiled:
            self._compiled[key] = self._compile(using)
        compiled = self._compiled[key]
        if compiled.locking and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction.")
        params = list(compiled.params)
        for name, value in values.items():
            for i in compiled.slots[name]:
                params[i] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return rows, compiled

    def fetch_rows(self, using: str = "default", **values) -> list[tuple]:
        """The model's selected fields of each row, as named tuples (``row.id``,
        ``row.group``): for many rows, without the cost of a model instance each
        (enrolment reads a study's clips this way)."""
        rows, c = self._run(using, values)
        return [c.row(*row[c.start:c.end]) for row in rows]

    def fetch(self, using: str = "default", **values) -> list:
        """The model instances the queryset built with ``values`` would yield."""
        rows, c = self._run(using, values)
        found = []
        for row in rows:
            obj = c.model.from_db(using, c.columns, row[c.start:c.end])
            for populator in c.populators:
                populator.populate(row, obj)
            found.append(obj)
        return found


_statements: dict[tuple, str] = {}


def _statement(key: tuple, make: Callable[[], str]) -> str:
    if key not in _statements:
        _statements[key] = make()
    return _statements[key]


def row_insert(instance, using: str = "default") -> None:
    """INSERT ``instance`` as ``instance.save()`` would a new row (field defaults and
    ``auto_now_add`` included, the new primary key set on it), with the statement
    written once per model and connection instead of compiled each time. No
    signals are sent: use it only for models that have no receivers."""
    connection = connections[using]
    meta = type(instance)._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    quote = connection.ops.quote_name
    returning = connection.features.can_return_columns_from_insert

    def make():
        columns = ", ".join(quote(f.column) for f in fields)
        values = ", ".join(["%s"] * len(fields))
        tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
        return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values}){tail}"

    sql = _statement(("insert", meta.label, using, connection.vendor), make)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    setattr(instance, meta.pk.attname, pk)
    instance._state.adding, instance._state.db = False, using


def row_update(instance, names: tuple[str, ...], using: str = "default") -> None:
    """UPDATE ``instance``'s row with the fields ``names`` as
    ``instance.save(update_fields=names)`` would (``auto_now`` included). No
    signals are sent."""
    values = {name: type(instance)._meta.get_field(name).pre_save(instance, False)
              for name in names}
    rows_update(type(instance), instance.pk, values, using=using)


def rows_update(model, pk, values: dict, *, where: dict | None = None,
                using: str = "default") -> int:
    """UPDATE the row ``pk`` of ``model`` with ``values`` ({field name: value}) if its
    fields also hold ``where`` (a value, or None for NULL), as
    ``model.objects.filter(pk=pk, **where).update(**values)`` does, with the
    statement written once per model, fields and connection; how many rows
    changed (0 or 1). A conditional update lets exactly one of two concurrent
    requests move a participant on (services.participant_advance)."""
    connection = connections[using]
    meta = model._meta
    where = where or {}
    fields = [meta.get_field(name) for name in values]
    conditions = [(meta.get_field(name), value) for name, value in where.items()]
    quote = connection.ops.quote_name

    def make():
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        tests = "".join(f" AND {quote(f.column)} " + ("IS NULL" if value is None else "= %s")
                        for f, value in conditions)
        return (f"UPDATE {quote(meta.db_table)} SET {sets} "
                f"WHERE {quote(meta.pk.column)} = %s{tests}")

    key = ("update", meta.label, tuple(values), tuple((n, v is None) for n, v in where.items()),
           using, connection.vendor)
    sql = _statement(key, make)
    params = [f.get_db_prep_save(value, connection)
              for f, value in zip(fields, values.values(), strict=True)]
    params.append(pk)
    params += [f.get_db_prep_save(value, connection) for f, value in conditions
               if value is not None]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


#: Column types that take a value of the given Python type (or None) as it is:
#: their ``get_db_prep_save`` would return it unchanged.
_PLAIN = {"AutoField": int, "BigAutoField": int, "SmallAutoField": int, "IntegerField": int,
          "BigIntegerField": int, "SmallIntegerField": int, "PositiveIntegerField": int,
          "PositiveSmallIntegerField": int, "PositiveBigIntegerField": int,
          "BooleanField": bool, "CharField": str, "TextField": str}


def _plain(field) -> type | None:
    """The Python type ``field``'s column takes as it is (a foreign key: its target's),
    or None where every value goes through ``get_db_prep_save``."""
    target = field.target_field if field.is_relation else field
    return _PLAIN.get(target.get_internal_type())


def rows_insert(model, names: tuple[str, ...], rows: list[tuple], using: str = "default") -> None:
    """INSERT ``rows`` (tuples of Python values for the fields ``names``) into ``model``'s
    table as few statements as the database allows, written once per batch size:
    ``bulk_create`` without a model object per row nor a compilation per call
    (enrolment writes a participant's trials this way). No defaults are filled in
    and no signals are sent: ``names`` must cover every column without a database
    default other than the primary key."""
    if not rows:
        return
    connection = connections[using]
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    kinds = [_plain(f) for f in fields]
    quote = connection.ops.quote_name
    size = max(1, connection.ops.bulk_batch_size(fields, rows) or len(rows))
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    for start in range(0, len(rows), size):
        batch = rows[start:start + size]
        key = ("rows", meta.label, names, len(batch), using, connection.vendor)
        if key not in _statements:
            _statements[key] = (f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
                                + ", ".join([placeholders] * len(batch)))
        sql = _statements[key]
        params = [value if kind is not None and (value is None or type(value) is kind)
                  else f.get_db_prep_save(value, connection)
                  for row in batch for f, kind, value in zip(fields, kinds, row, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
