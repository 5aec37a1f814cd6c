"""Chunked `IN (...)` look-ups: one helper instead of a loop in every module.

SQLite's old builds bind at most 999 variables per statement, and very long IN lists make
both databases plan badly; every look-up by a list of keys goes through here, IN_CHUNK keys
per query.
"""

from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

# Well below SQLite's 999 bound variables, leaving room for a query's other parameters.
IN_CHUNK = 500

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
M = TypeVar("M", bound=Model)


def chunked(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """Yield the values in lists of at most `size`, in the order given."""
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def distinct_chunks(values: Iterable[K], size: int = IN_CHUNK) -> Iterator[list[K]]:
    """Yield the distinct values, sorted, in lists of at most `size`.

    Sorted so that a look-up reads its index in key order and repeated runs ask the same
    queries.
    """
    yield from chunked(sorted(set(values)), size)  # type: ignore[type-var]


def filter_in(queryset: QuerySet[M], field: str, values: Iterable[Any]) -> Iterator[M]:
    """Yield the rows of `queryset` whose `field` is one of the values, a chunk per query."""
    for chunk in distinct_chunks(values):
        yield from queryset.filter(**{f"{field}__in": chunk})


def rows_in(
    sql: str,
    keys: Sequence[Sequence[Any]],
    each: str = "%s",
    between: str = ", ",
    before: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """Return the rows of raw `sql` for these keys, a chunk at a time.

    Each key (a tuple of values) fills `each`; a chunk of them, joined by `between`,
    replaces the `{}` of `sql`, after the `before` parameters. A plain cursor: the ORM's IN
    look-up prepares each value in Python, which costs more than the query itself at tens
    of thousands of keys.
    """
    if not keys:
        return []
    per_query = max(1, IN_CHUNK // len(keys[0]))
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for chunk in chunked(keys, per_query):
            params = [value for key in chunk for value in key]
            cursor.execute(sql.format(between.join([each] * len(chunk))), [*before, *params])
            rows += cursor.fetchall()
    return rows
