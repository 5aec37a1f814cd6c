"""Customers registered in bulk: creation row dated at registration, tags and consents."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from customers.models import Consent, Customer, ProfileChange
from customers.services import Registration, bulk_register_customers, ensure_tags

pytestmark = pytest.mark.django_db

SIGNED_UP = datetime.datetime(2025, 3, 1, 23, 30, tzinfo=datetime.UTC)


def test_ensure_tags_creates_missing_groups_and_tags_once() -> None:
    first = ensure_tags({"Interest": ["Rock", "Jazz"], "Occasion": ["Gift"]})
    again = ensure_tags({"Interest": ["Jazz"]})
    assert again["Interest", "Jazz"] == first["Interest", "Jazz"]
    assert sorted(first) == [("Interest", "Jazz"), ("Interest", "Rock"), ("Occasion", "Gift")]


def test_each_customer_gets_its_creation_row_tags_and_consents_dated_at_sign_up(
    rep: User,
) -> None:
    tags = ensure_tags({"Interest": ["Rock", "Jazz"]})
    registrations = [
        Registration(
            Customer(name="Wang Fang", mobile="13800138000", owner=rep, created_at=SIGNED_UP),
            tags=(tags["Interest", "Rock"], tags["Interest", "Jazz"]),
            consents=(("sms", True), ("email", False)),
        ),
        Registration(Customer(name="Li Lei", mobile="13900139000", owner=rep)),
    ]
    created = bulk_register_customers(None, registrations, "Sign-up form")
    wang, li = created
    assert wang.mobile_reversed == "00083100831"
    row = ProfileChange.objects.get(customer=wang)
    assert (row.field, row.new_value, row.changed_at) == ("created", "Wang Fang", SIGNED_UP)
    assert sorted(tag.name for tag in wang.tags.all()) == ["Jazz", "Rock"]
    consents = Consent.objects.filter(customer=wang).order_by("channel")
    # Dated on the local day of sign-up (Asia/Shanghai: 2 March), not the UTC day.
    assert [(c.channel, c.granted, c.changed_on, c.source) for c in consents] == [
        ("email", False, datetime.date(2025, 3, 2), "Sign-up form"),
        ("sms", True, datetime.date(2025, 3, 2), "Sign-up form"),
    ]
    assert not li.tags.exists() and not li.consents.exists()
    assert abs(ProfileChange.objects.get(customer=li).changed_at - timezone.now()).seconds < 60
    assert ProfileChange.objects.count() == 2  # consents given at sign-up add no history
