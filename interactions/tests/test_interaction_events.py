"""A logged contact, a planned and a completed follow-up are announced as domain events and
the follow-up's steps join the customer's history in words, with who acted."""

import datetime

from django.utils import timezone, translation

from core.models import OutboxEvent
from customers.history import in_words
from customers.models import ProfileChange
from interactions.services import complete_follow_up, log_interaction, plan_follow_up


def test_a_logged_contact_with_a_next_date_announces_both(rep, make_customer):
    customer = make_customer(rep)
    next_day = timezone.localdate() + datetime.timedelta(days=3)
    interaction = log_interaction(
        rep, customer, {"kind": "phone", "summary": "Asked about jazz", "next_contact_on": next_day}
    )
    events = OutboxEvent.objects.filter(customer_id=customer.pk).order_by("id")
    logged, planned = [e for e in events if e.kind != "customer.created"]
    assert (logged.kind, logged.subject_id) == ("interaction.logged", interaction.pk)
    assert logged.data == {"kind": "phone", "channel": "phone", "direction": "out"}
    assert planned.kind == "follow_up.created"
    assert planned.data == {"due_on": next_day.isoformat(), "assignee_id": rep.pk}


def test_planning_and_completing_a_follow_up_reads_in_the_history(rep, make_customer):
    customer = make_customer(rep)
    due = timezone.localdate()
    follow_up = plan_follow_up(rep, customer, due, "call back", None)
    complete_follow_up(rep, follow_up)
    complete_follow_up(rep, follow_up)  # a retried click records nothing more
    rows = ProfileChange.objects.filter(customer=customer, subject="follow_up").order_by("id")
    assert [row.field for row in rows] == ["created", "done_at"]
    assert {row.changed_by_id for row in rows} == {rep.pk}
    with translation.override("zh-hans"):
        planned, done = (in_words(row) for row in rows)
    assert (planned.subject, planned.field, planned.before_after) == ("回访", "计划于", False)
    assert done.field == "已完成" and done.new != "∅"
    kinds = OutboxEvent.objects.filter(subject_id=follow_up.pk).values_list("kind", flat=True)
    assert sorted(kinds) == ["follow_up.completed", "follow_up.created"]
