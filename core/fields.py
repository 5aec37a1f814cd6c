"""Model fields that make a primary key SQLite's own rowid."""

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class RowidKeyMixin:
    """Declare the column exactly INTEGER on SQLite, so that as the primary key it is the rowid.

    Only a column declared INTEGER PRIMARY KEY is the rowid. Declared BIGINT (Django's type
    for 64-bit keys and for references to them), it becomes a second B-tree, a unique index
    beside the table's rowid, that every look-up by key goes through first and every insert
    writes (docs/performance.md). PostgreSQL keeps the type Django gives it.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)  # type: ignore[misc]


class RowidOneToOneField(RowidKeyMixin, models.OneToOneField):  # type: ignore[type-arg]
    """A one-to-one primary key (a record extending another) that is the rowid on SQLite."""


def max_length(model: type[models.Model], field: str) -> int:
    """Return the max_length of a model's text field: the one limit forms, API and import read."""
    length = model._meta.get_field(field).max_length  # type: ignore[union-attr]
    if length is None:
        raise ValueError(f"{model.__name__}.{field} has no max_length")
    return int(length)
