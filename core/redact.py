"""Find and remove a person's values in stored JSON and text, for an erasure.

A JSON column is searched as text. Its stored text differs by database: SQLite keeps what
json.dumps wrote (non-ASCII as \\uXXXX escapes), PostgreSQL's jsonb prints non-ASCII as it
is; both escape quotes and backslashes. So each value is looked for in both spellings.
"""

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet, TextField
from django.db.models.functions import Cast

# What a removed value reads as wherever it stood.
ERASED = "[erased]"

M = TypeVar("M", bound=Model)


def _spellings(text: str) -> set[str]:
    """Return the value as it appears inside a JSON document's text, on either database."""
    return {json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}


def json_containing(queryset: QuerySet[M], field: str, texts: Iterable[str]) -> QuerySet[M]:
    """Return the rows whose JSON `field` holds any of the texts anywhere (a superset)."""
    match = Q(pk__in=[])
    for text in texts:
        for spelling in _spellings(text):
            match |= Q(_as_text__contains=spelling)
    return queryset.annotate(_as_text=Cast(field, TextField())).filter(match)


def contains_any(value: str, texts: Iterable[str]) -> bool:
    """Return whether the string holds any of the texts."""
    return any(text in value for text in texts)


def redact(data: Any, texts: tuple[str, ...]) -> Any:
    """Return JSON data with every string that holds one of the texts replaced by ERASED.

    Whole strings, not just the matching part: "Zhang San's order" says who it was about
    even with the name cut out.
    """
    if isinstance(data, str):
        return ERASED if contains_any(data, texts) else data
    if isinstance(data, list):
        return [redact(item, texts) for item in data]
    if isinstance(data, dict):
        return {key: redact(value, texts) for key, value in data.items()}
    return data
