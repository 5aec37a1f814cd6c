"""The one chunked IN (...) look-up helper, and the one way to read a text field's limit."""

import pytest
from django.db import connection

from accounts.models import User
from core.chunks import IN_CHUNK, chunked, distinct_chunks, filter_in, rows_in
from core.fields import max_length
from customers.models import Customer


def test_chunks_keep_order_or_sort_distinct_values():
    assert list(chunked(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(distinct_chunks([3, 1, 3, 2], 2)) == [[1, 2], [3]]
    assert list(chunked([])) == []


@pytest.mark.django_db
def test_look_ups_over_more_keys_than_one_statement_binds():
    User.objects.bulk_create(User(username=f"u{i}") for i in range(IN_CHUNK * 2 + 7))
    ids = list(User.objects.values_list("pk", flat=True)) * 2

    found = list(filter_in(User.objects.all(), "pk", ids))
    table = connection.ops.quote_name(User._meta.db_table)
    rows = rows_in(f"SELECT id FROM {table} WHERE id IN ({{}})", [(pk,) for pk in set(ids)])

    assert len(found) == len(rows) == IN_CHUNK * 2 + 7
    assert rows_in("SELECT 1 WHERE 1 IN ({})", []) == []


def test_max_length_reads_the_model_field():
    assert max_length(Customer, "name") == Customer._meta.get_field("name").max_length
    with pytest.raises(ValueError, match="no max_length"):
        max_length(Customer, "notes")
