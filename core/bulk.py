"""Raw bulk inserts for the paths that write hundreds of thousands of rows at once.

The ORM's bulk_create spends tens of microseconds per row building instances and SQL; at a
million rows (the nightly scores, the demo load, bulk orders) that costs more than the
database work. Values still pass through their field's get_db_prep_save where the driver
cannot take them as they are, so they are stored exactly as the ORM stores them, on SQLite
and PostgreSQL alike.
"""

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import DatabaseDefault

# Values of these field types go to the driver as they are.
PLAIN_TYPES = {
    "CharField", "TextField", "ForeignKey", "OneToOneField", "IntegerField", "BigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "FloatField",
    "BooleanField", "BigAutoField", "AutoField",
    # Django registers an SQLite adapter for Decimal; psycopg adapts it natively.
    "DecimalField",
}  # fmt: skip


def _converted(field: Field[Any, Any], values: list[Any]) -> list[Any]:
    """Return a column's values as the driver takes them, each distinct value converted once."""
    if field.get_internal_type() in PLAIN_TYPES:
        return values
    try:
        prepared = {value: field.get_db_prep_save(value, connection) for value in set(values)}
    except TypeError:  # unhashable, e.g. the list of a JSONField
        return [field.get_db_prep_save(value, connection) for value in values]
    return [prepared[value] for value in values]


def insert_columns(
    model: type[Model], fields: Sequence[str], columns: Sequence[Any], convert: bool = True
) -> int:
    """Insert rows given column by column (NumPy arrays or lists); return how many.

    Many rows go in per INSERT statement, as many as the database's parameter limit allows
    (SQLite's is 999 unless it was built with more), from one table of Python objects: at a
    million rows this takes half the time of executemany with a tuple per row
    (docs/performance.md). Values of types the driver cannot take (dates, JSON) pass through
    their field's conversion once per distinct value, unless `convert` is False: the caller
    then hands over what the driver takes (ISO dates, JSON text), which saves a dictionary
    look-up per value. Every other field takes its default (a database default is left to
    the database), so a field added later with a default needs no change in the callers.
    """
    names, table, per_statement = _parameter_table(model, fields, columns, convert)
    count = len(table)
    whole = count - count % per_statement
    with connection.cursor() as cursor:
        if whole:
            sql = _insert_sql(model, names, per_statement)
            cursor.executemany(sql, table[:whole].reshape(-1, per_statement * len(names)).tolist())
        if whole < count:
            cursor.execute(_insert_sql(model, names, count - whole), table[whole:].ravel().tolist())
    return count


def _parameter_table(
    model: type[Model], fields: Sequence[str], columns: Sequence[Any], convert: bool
) -> tuple[list[str], np.ndarray, int]:
    """Return the field names with the defaulted ones, a row per insert, and rows per INSERT."""
    count = len(columns[0]) if columns else 0
    named = _columns(model, fields)
    others = _defaulted_fields(model, named)
    names = [*fields, *(field.attname for field in others)]
    table = np.empty((count, len(names)), dtype=object)
    for index, (field, column) in enumerate(zip(named, columns, strict=True)):
        values = column.tolist() if isinstance(column, np.ndarray) else column
        table[:, index] = _converted(field, values) if convert else values
    for index, field in enumerate(others, start=len(named)):
        table[:, index] = field.get_db_prep_save(field.get_default(), connection)
    limit = connection.features.max_query_params or 8400
    return names, table, max(1, min(400, limit // len(names)))


def insert_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows whose values are in the order of `fields` (see insert_columns)."""
    columns = list(zip(*rows, strict=True))
    return insert_columns(model, fields, columns) if columns else 0


def _defaulted_fields(model: type[Model], named: list[Field[Any, Any]]) -> list[Field[Any, Any]]:
    """Return the fields a caller left out that take a default from Django."""
    return [
        field
        for field in model._meta.concrete_fields
        if field not in named and not field.primary_key
        and not isinstance(field.get_default(), DatabaseDefault)
    ]  # fmt: skip


def _columns(model: type[Model], fields: Sequence[str]) -> list[Field[Any, Any]]:
    by_name = {field.name: field for field in model._meta.concrete_fields}
    by_name.update({field.attname: field for field in model._meta.concrete_fields})
    return [by_name[name] for name in fields]


def _insert_sql(model: type[Model], fields: Sequence[str], rows: int = 1) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in _columns(model, fields))
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = ", ".join([marks] * rows)
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES {values}"
