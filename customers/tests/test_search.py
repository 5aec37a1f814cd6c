"""Searching and filtering the customer list."""

import datetime
from decimal import Decimal

from customers.models import Tag, TagGroup
from customers.services import CustomerFilter, autocomplete, filter_customers, set_tags


def names(user, **filters):
    return sorted(c.name for c in filter_customers(user, CustomerFilter(**filters)))


def test_search_by_mobile_prefix_and_last_digits(rep, make_customer):
    make_customer(rep, name="Wang", mobile="13912345678")
    make_customer(rep, name="Zhao", mobile="13800001111")
    assert names(rep, query="1391") == ["Wang"]
    assert names(rep, query="5678") == ["Wang"]
    assert names(rep, query="139 1234") == ["Wang"]
    assert names(rep, query="+86 138") == ["Zhao"]


def test_search_by_name_company_and_tag(rep, make_customer, db):
    wang = make_customer(rep, name="Wang Fang", company="Acme Trading")
    make_customer(rep, name="Zhao Lei")
    tag = Tag.objects.create(group=TagGroup.objects.create(name="Interests"), name="Jazz")
    set_tags(rep, wang, [tag])
    assert names(rep, query="fang") == ["Wang Fang"]
    assert names(rep, query="acme") == ["Wang Fang"]
    assert names(rep, query="jazz") == ["Wang Fang"]
    assert names(rep, tag_id=tag.pk) == ["Wang Fang"]


def test_filters_by_last_purchase_and_spend(rep, make_customer, make_order):
    early = make_customer(rep, name="Early")
    late = make_customer(rep, name="Late")
    make_customer(rep, name="Never")
    make_order(early, datetime.date(2026, 1, 10), "500.00")
    make_order(late, datetime.date(2026, 6, 10), "20.00")
    assert names(rep, last_purchase_from=datetime.date(2026, 6, 1)) == ["Late"]
    assert names(rep, last_purchase_to=datetime.date(2026, 2, 1)) == ["Early"]
    assert names(rep, spend_min=Decimal("100")) == ["Early"]
    assert names(rep, spend_max=Decimal("100")) == ["Late"]


def test_search_and_autocomplete_obey_the_access_rule(rep, other_rep, make_customer):
    make_customer(rep, name="Mine Wang", mobile="13911112222")
    make_customer(other_rep, name="Theirs Wang", mobile="13911113333")
    assert names(rep, query="wang") == ["Mine Wang"]
    assert names(rep, query="139111") == ["Mine Wang"]
    assert [c.name for c in autocomplete(rep, "Wang")] == ["Mine Wang"]
    assert [c.name for c in autocomplete(other_rep, "1391111")] == ["Theirs Wang"]


def test_archived_customers_are_hidden_unless_asked(rep, make_customer):
    from customers.services import archive_customer

    gone = make_customer(rep, name="Gone")
    make_customer(rep, name="Here")
    archive_customer(rep, gone)
    assert names(rep) == ["Here"]
    assert names(rep, include_archived=True) == ["Gone", "Here"]


def test_digits_from_the_middle_of_a_mobile_are_found_when_no_end_matches(rep, make_customer):
    make_customer(rep, name="Wang", mobile="13912345678")
    assert names(rep, query="2345") == ["Wang"]
