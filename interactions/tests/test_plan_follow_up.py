"""Planning a follow-up for a person: a contact they may make, a day not past, and an
assignee who may work on the customer."""

import datetime

import pytest
from django.utils import timezone

from core.errors import Forbidden, Invalid
from interactions.services import plan_follow_up


def test_the_owner_is_the_default_assignee(agent, rep, make_customer):
    follow_up = plan_follow_up(agent, make_customer(rep), timezone.localdate(), "x", None)
    assert follow_up.assignee == rep


def test_a_past_day_is_refused_on_due_on(rep, make_customer):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(Invalid) as refused:
        plan_follow_up(rep, make_customer(rep), yesterday, "x", None)
    assert refused.value.field == "due_on"


def test_the_assignee_must_be_someone_who_may_work_on_the_customer(
    manager, rep, teammate, other_rep, make_customer
):
    customer = make_customer(rep)
    today = timezone.localdate()
    assert plan_follow_up(manager, customer, today, "x", manager.pk).assignee == manager
    for stranger in (teammate, other_rep):  # neither may see the rep's customer
        with pytest.raises(Invalid) as refused:
            plan_follow_up(manager, customer, today, "x", stranger.pk)
        assert refused.value.field == "assignee_id"


def test_a_user_who_may_not_log_contacts_may_not_plan_them(other_rep, rep, make_customer):
    with pytest.raises(Forbidden):
        plan_follow_up(other_rep, make_customer(rep), timezone.localdate(), "x", None)
