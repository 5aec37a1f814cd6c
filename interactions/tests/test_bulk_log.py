"""Contacts logged in bulk keep log_interaction's rules; follow-ups completed in bulk."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from conftest import CustomerMaker
from core.errors import Forbidden, Invalid
from core.models import OutboxEvent
from customers.models import Customer, ProfileChange
from interactions.models import FollowUp, Interaction
from interactions.services import bulk_complete_follow_ups, bulk_log_interactions

pytestmark = pytest.mark.django_db

EARLIER = timezone.now() - datetime.timedelta(days=3)


def contact(customer: Customer, user: User, next_on: datetime.date | None = None) -> Interaction:
    return Interaction(
        customer=customer, user=user, kind="phone", occurred_at=EARLIER, summary="Called",
        next_contact_on=next_on,
    )  # fmt: skip


def test_a_next_contact_date_plans_a_follow_up_for_the_owner_dated_at_the_contact(
    rep: User, agent: User, make_customer: CustomerMaker
) -> None:
    customer = make_customer(rep)
    due = timezone.localdate() - datetime.timedelta(days=1)
    follow_ups = bulk_log_interactions([contact(customer, agent, due), contact(customer, rep)])
    assert Interaction.objects.count() == 2
    [follow_up] = follow_ups
    assert (follow_up.assignee_id, follow_up.due_on, follow_up.created_at) == (
        rep.pk, due, EARLIER
    )  # fmt: skip
    assert follow_up.source is not None and follow_up.source.user_id == agent.pk
    assert FollowUp.objects.get().pk == follow_up.pk


def test_a_contact_the_user_may_not_log_refuses_the_whole_batch(
    rep: User, other_rep: User, make_customer: CustomerMaker
) -> None:
    mine, theirs = make_customer(rep), make_customer(other_rep)
    with pytest.raises(Forbidden):
        bulk_log_interactions([contact(mine, rep), contact(theirs, rep)])
    archived = make_customer(rep, archived_at=timezone.now())
    with pytest.raises(Invalid):
        bulk_log_interactions([contact(archived, rep)])
    assert not Interaction.objects.exists()


def test_completing_in_bulk_sets_the_time_given_once(
    rep: User, make_customer: CustomerMaker
) -> None:
    customer = make_customer(rep)
    [follow_up] = bulk_log_interactions([contact(customer, rep, timezone.localdate())])
    done_at = EARLIER + datetime.timedelta(days=1)
    assert bulk_complete_follow_ups([(follow_up, done_at)]) == 1
    assert bulk_complete_follow_ups([(follow_up, timezone.now())]) == 0
    follow_up.refresh_from_db()
    assert follow_up.done_at == done_at


def test_bulk_contacts_and_follow_ups_are_announced_and_recorded_by_who_acted(
    rep: User, agent: User, make_customer: CustomerMaker
) -> None:
    customer = make_customer(rep)
    due = timezone.localdate()
    [follow_up] = bulk_log_interactions([contact(customer, agent, due), contact(customer, rep)])
    bulk_complete_follow_ups([(follow_up, timezone.now())])
    logged = OutboxEvent.objects.filter(kind="interaction.logged")
    assert set(logged.values_list("actor_user_id", flat=True)) == {agent.pk, rep.pk}
    planned = OutboxEvent.objects.get(kind="follow_up.created")
    assert (planned.subject_id, planned.actor_user_id) == (follow_up.pk, agent.pk)
    done = OutboxEvent.objects.get(kind="follow_up.completed")
    assert done.actor_user_id == rep.pk  # the assignee
    rows = ProfileChange.objects.filter(subject="follow_up", subject_id=follow_up.pk)
    assert sorted(rows.values_list("field", "changed_by_id")) == [
        ("created", agent.pk), ("done_at", rep.pk)
    ]  # fmt: skip
