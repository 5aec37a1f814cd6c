"""The order rows' fast path reads a row exactly as the full parser does, or leaves it to it."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.mapping import ORDER_FIELDS
from imports.models import Kind
from imports.rows import OrderRow, RowParser

HEADERS = [spec.name for spec in ORDER_FIELDS]

# Near-valid texts for each field, so that many rows are accepted and the rest decline on
# one detail: the interesting edge is where the two paths could part.
NEAR_VALID = {
    "number": ["SO-1", " SO-2 ", "", "'SO-3", "=1+1", "a\x00b", "x" * 41, "SO-\u00a0"],
    "customer_external_id": ["C-1", "", "'C-1", "'=x", "x" * 65, "C\t1"],
    "customer_mobile": ["", "13800138000", " 138 0013 8000 ", "+86 138 0013 8000", "12345"],
    "customer_name": ["王芳", "", "=A1", "x" * 121],
    "ordered_on": [
        "2024-01-05", "2024/1/5", "2024.12.31", " 2024-1-5 ", "2024-02-30", "1899-12-31",
        "2999-01-01", "２０２４-01-05", "2024-01-05 10:00", "45000", "2024年1月5日", "",
    ],
    "product": ["CD-ROCK", "", "'x", "x" * 121],
    "quantity": ["", "1", "2", " 3 ", "007", "0", "1000001", "²", "1.0", "1,000"],
    "amount": [
        "12", "¥1,234.50", "￥12", "1,2,3", "12.345", "1.", "-5", "999999999999.99",
        "1000000000000", "0", "RMB 12", "=1+2", "",
    ],
    "status": ["", "paid", "PAID", "已支付", "退款", "cancelled", "unknown", "'paid"],
    "channel": ["门店", "", "x" * 41, "@x"],
}  # fmt: skip


@st.composite
def rows(draw: st.DrawFn) -> list[str]:
    """Return a valid row with one or two cells swapped for an edge case or noise."""
    row = [NEAR_VALID.get(name, [""])[0] for name in HEADERS]
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        index = draw(st.integers(min_value=0, max_value=len(HEADERS) - 1))
        edge = st.sampled_from(NEAR_VALID.get(HEADERS[index], [""]))
        row[index] = draw(st.one_of(edge, edge, st.text(max_size=6)))
    return row


REQUIRED = ("number", "ordered_on", "amount")
ROWS = rows()


def slow_parse(parser: RowParser, number: int, row: list[str]) -> object:
    """Return what the full parser makes of the row, with the same mapping."""
    slow = RowParser(
        Kind.ORDERS, parser.headers, {f: parser.headers[i] for f, i in parser.columns.items()}
    )
    slow.fast = None
    return slow.parse(number, row)


@pytest.mark.django_db
@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(row=ROWS, mapped=st.sets(st.sampled_from(HEADERS)), extra=st.sampled_from([0, 0, 0, -1, 1]))
def test_fast_path_reads_a_row_as_the_full_parser_does(
    row: list[str], mapped: set[str], extra: int
) -> None:
    row = row[:extra] if extra < 0 else row + [""] * extra
    mapping = {name: name for name in HEADERS if name in mapped or name in REQUIRED}
    parser = RowParser(Kind.ORDERS, HEADERS, mapping)
    assert parser.fast is not None
    fast = parser.fast.parse(7, row)

    if fast is not None:
        assert fast == slow_parse(parser, 7, row)


@pytest.mark.django_db
def test_fast_path_takes_a_typical_csv_row_and_declines_what_needs_cleaning() -> None:
    parser = RowParser(Kind.ORDERS, HEADERS, {name: name for name in HEADERS})
    assert parser.fast is not None
    values = {
        "number": "SO-1",
        "customer_external_id": "C-1",
        "customer_mobile": "138 0013 8000",
        "customer_name": "王芳",
        "ordered_on": "2024-01-05",
        "product": "CD-ROCK",
        "quantity": "2",
        "amount": "¥1,234.50",
        "status": "已支付",
        "channel": "门店",
    }
    row = [values.get(name, "") for name in HEADERS]

    record = parser.fast.parse(3, row)

    assert isinstance(record, OrderRow)
    assert record == slow_parse(parser, 3, row)
    assert (record.customer_mobile, record.ordered_on) == ("13800138000", datetime.date(2024, 1, 5))
    for field, value in [("amount", "=1+2"), ("ordered_on", "45000"), ("number", "'SO-1")]:
        changed = [
            value if name == field else cell for name, cell in zip(HEADERS, row, strict=True)
        ]
        assert parser.fast.parse(3, changed) is None  # left to the full parser
