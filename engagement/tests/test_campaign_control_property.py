"""For any segment, holdout, seed, opt-outs and global control, a campaign never contacts
a customer of its control groups, and every treated customer has exactly one decision."""

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import User
from core.channels import Channel
from customers.services import set_consent
from engagement import campaigns
from engagement.models import Group, Message, Recipient
from engagement.tests.campaign_support import SEND_ON, campaign, segment

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    """Undo one example, so the next starts from the same empty base."""


@hypothesis_settings(
    max_examples=12, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    size=st.integers(1, 25),
    holdout=st.integers(1, 50),
    seed=st.integers(0, 2**31 - 1),
    global_percent=st.sampled_from([0, 30]),
    opted_out=st.sets(st.integers(0, 24), max_size=6),
)
def test_the_control_groups_are_never_contacted(
    manager: User, rep: User, make_customer: Any, settings: Any,
    size: int, holdout: int, seed: int, global_percent: int, opted_out: set[int],
) -> None:  # fmt: skip
    settings.CAMPAIGN_GLOBAL_CONTROL_PERCENT = global_percent
    try:
        with transaction.atomic():
            customers = [make_customer(rep) for _ in range(size)]
            for index in opted_out & set(range(size)):
                set_consent(None, customers[index], Channel.SMS, False, "asked")
            chosen = campaign(manager, segment(manager), holdout_percent=holdout, seed=seed)
            campaigns.request_send(manager, chosen, SEND_ON)
            campaigns.prepare(chosen.pk)
            groups = dict(
                Recipient.objects.filter(campaign=chosen).values_list("customer_id", "group")
            )
            assert set(groups) == {c.pk for c in customers}
            messaged = list(Message.objects.values_list("customer_id", flat=True))
            assert sorted(messaged) == sorted(
                pk for pk, group in groups.items() if group == Group.TREATED
            )
            raise Rollback
    except Rollback:
        pass
