"""Arbitrary rows into the row parser: a record or errors with the row number, never a crash."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.mapping import CUSTOMER_FIELDS, ORDER_FIELDS
from imports.models import Kind
from imports.rows import CustomerRow, OrderRow, RowParser

cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(
        [
            "¥1,234.50",
            "-5",
            "2024年2月30日",
            "=1+1",
            "+86 138 0013 8000",
            "45000",
            "1e400",
            "NaN",
            "'=x",
            "\x00",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(min_value=datetime.date(1, 1, 1)),
    st.datetimes(),
    st.booleans(),
)


def parser_for(kind: str) -> RowParser:
    fields = CUSTOMER_FIELDS if kind == Kind.CUSTOMERS else ORDER_FIELDS
    headers = [spec.name for spec in fields]
    return RowParser(kind, headers, {name: name for name in headers})


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Kind.CUSTOMERS, Kind.ORDERS])
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(number=st.integers(min_value=2, max_value=10**7), row=st.lists(cells, max_size=25))
def test_parser_returns_a_record_or_errors_with_the_row_number(kind, number, row):
    result = parser_for(kind).parse(number, row)

    if isinstance(result, list):
        assert result and all(error.row == number and error.reason for error in result)
    else:
        assert isinstance(result, CustomerRow if kind == Kind.CUSTOMERS else OrderRow)
        assert result.row == number
        if isinstance(result, OrderRow):
            assert result.amount >= 0 and result.amount == result.amount.quantize(Decimal("0.01"))
            assert result.quantity >= 1 and result.number
