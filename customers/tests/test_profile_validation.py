"""Bad profile input is rejected with the field and the reason, and nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from customers.models import Customer, ProfileChange
from customers.services import create_customer, update_customer


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"mobile": "12345"}, "mobile"),
        ({"mobile": "phone me"}, "mobile"),
        ({"email": "not-an-email"}, "email"),
        ({"birthday": timezone.localdate() + datetime.timedelta(days=1)}, "birthday"),
        (
            {"birthday_calendar": "lunar", "lunar_birth_month": 13, "lunar_birth_day": 1},
            "lunar_birth_month",
        ),
        ({"birthday_calendar": "lunar", "lunar_birth_month": 8}, "lunar_birth_day"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_fields_are_rejected(rep, fields, field):
    with pytest.raises(ValidationError) as error:
        create_customer(rep, {"name": "Li Lei", "owner": rep, **fields})
    assert field in error.value.message_dict
    assert not Customer.objects.exists()
    assert not ProfileChange.objects.exists()


def test_error_is_in_the_users_language(rep):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        create_customer(rep, {"name": "李雷", "owner": rep, "mobile": "123"})
    assert error.value.message_dict["mobile"] == ["请输入有效的手机号码。"]


@pytest.mark.parametrize(
    "typed", ["138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "008613800138000"]
)
def test_mobile_is_normalised(rep, typed):
    customer = create_customer(rep, {"name": "Han Meimei", "owner": rep, "mobile": typed})
    assert customer.mobile == "13800138000"
    assert customer.mobile_reversed == "00083100831"


def test_failed_update_changes_nothing(rep, make_customer):
    customer = make_customer(rep, email="a@example.com")
    history = ProfileChange.objects.count()
    with pytest.raises(ValidationError):
        update_customer(rep, customer, {"email": "broken", "name": "New name"})
    customer.refresh_from_db()
    assert (customer.email, customer.name) == ("a@example.com", customer.name)
    assert Customer.objects.get(pk=customer.pk).name != "New name"
    assert ProfileChange.objects.count() == history
