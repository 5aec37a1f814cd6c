"""Schema types shared by every app's API."""

import datetime
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, field_validator
from pydantic_core import PydanticCustomError

from core.text import control_characters_message, has_control_characters

# A primary key as the databases store it (64-bit): a larger number is answered with the
# one error format instead of overflowing in the database driver.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]

# The API's lists, one page at a time (core.pagination).
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
PAGINATION_NOTE = (
    f"Paginated: `page` (from 1) and `page_size` ({PAGE_SIZE}; at most {MAX_PAGE_SIZE})."
)


def refusal(message: str) -> PydanticCustomError:
    """Return a schema error whose message the API answers as it is (already translated)."""
    # A custom "value_error" keeps the words without pydantic's "Value error, " prefix;
    # braces would be read as placeholders.
    return PydanticCustomError("value_error", message.replace("{", "(").replace("}", ")"))


def _checked_value(value: Any) -> Any:
    if isinstance(value, str) and has_control_characters(value):
        raise refusal(control_characters_message())
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _checked_value(item)
    if isinstance(value, datetime.datetime):
        _check_storable(value)
    return value


def _check_storable(value: datetime.datetime) -> None:
    """Refuse a date/time whose offset moves it out of the years a database stores (1-9999).

    0001-01-01T00:00:00+01:00 is year 0 in UTC: SQLite's adapter overflowed on it (a 500).
    A naive time is read in the current time zone, as Django stores it.
    """
    try:
        aware = value if timezone.is_aware(value) else timezone.make_aware(value)
        aware.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise PydanticCustomError("datetime_range", "out of range") from None


class Input(Schema):
    """Base of every schema the API reads: no text field may hold a control character, and
    no date/time may lie outside the years a database stores (core.text)."""

    @field_validator("*", mode="after")
    @classmethod
    def check_values(cls, value: Any) -> Any:
        return _checked_value(value)


T = TypeVar("T")


def checked(check: Callable[[T], None]) -> AfterValidator:
    """Return a schema validator running a Django validator (raising ValidationError)."""

    def run(value: T) -> T:
        try:
            check(value)
        except ValidationError as error:
            raise refusal(error.messages[0]) from None
        return value

    return AfterValidator(run)
