"""The profile says what lifetime value and expected spend each count."""

import pytest
from django.test import Client
from django.utils import translation

from accounts.models import User
from insights.services import run_scoring
from insights.tests.conftest import AS_OF

pytestmark = pytest.mark.django_db(transaction=True)


def test_lifetime_value_says_margin_discounting_and_horizon(
    client: Client, rep: User, simulated_base, settings
):
    settings.INSIGHTS = {**settings.INSIGHTS, "margin": 0.25, "clv_months": 24}
    run_scoring(AS_OF)
    customer = next(c for c in simulated_base if c.owner_id == rep.pk)
    client.force_login(rep)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Lifetime value is the margin (25% of the spend)" in page
    assert "in the next 24 months, discounted by 1% a month" in page
    assert "before margin and discounting" in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    translation.activate("en")
    assert "客户终身价值" in page and "毛利" in page and "25%" in page
