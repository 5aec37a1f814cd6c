"""A complaint through every step of the workflow, by the services: steps, events, notices."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from core.errors import Forbidden, Invalid
from core.models import OutboxEvent
from engagement.models import Message
from service import services
from service.models import Kind, Status, Ticket
from service.services import Action, NewTicket

from .conftest import make_agent


def open_complaint(actor: Any, customer: Any, **fields: Any) -> Ticket:
    new = NewTicket(
        kind=fields.pop("kind", Kind.COMPLAINT), channel=fields.pop("channel", "phone"),
        customer=customer, subject=fields.pop("subject", "Cracked case"),
        description=fields.pop("description", "The CD case arrived cracked."), **fields,
    )  # fmt: skip
    return services.create_ticket(actor, new)


def actions(ticket: Ticket) -> list[str]:
    return list(ticket.steps.values_list("action", flat=True))


def kinds(ticket: Ticket) -> list[str]:
    return list(
        OutboxEvent.objects.filter(subject_id=ticket.pk, kind__startswith="ticket.")
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_a_complaint_goes_through_every_step_with_actor_and_time(rep, make_customer):
    li = make_agent("li", first_name="Li Na")
    customer = make_customer(rep, email="wang@example.com", language="en")
    ticket = open_complaint(li, customer)
    assert ticket.number == f"T{timezone.localdate():%y%m%d}-{ticket.pk:05d}"
    assert ticket.status == Status.RECEIVED and ticket.assignee == li

    services.acknowledge(li, ticket, "Called back")
    apology = Message.objects.get(customer=customer, cause_kind="ticket", cause_id=ticket.pk)
    assert apology.template == "ticket-apology" and apology.channel == "email"
    assert ticket.number in apology.text and "Li Na" in apology.text
    assert ticket.first_responded_at is not None

    services.propose(li, ticket, "factual", "Replace the case and apologise")
    assert ticket.status == Status.PROPOSED and ticket.waiting_since is not None
    with pytest.raises(Invalid) as error:
        services.resolve(li, ticket, "cause", "done", "")
    assert error.value.field == "answer"

    services.record_answer(li, ticket, "renegotiated", "Wants a refund instead")
    assert ticket.status == Status.ACKNOWLEDGED and ticket.waiting_since is None
    services.propose(li, ticket, "cannot_meet", "Refund the CD")
    services.record_answer(li, ticket, "accepted", "")
    services.resolve(li, ticket, "Packing too thin", "Refunded 15.00", "")
    services.follow_up(li, ticket, "Customer is happy")
    services.close(li, ticket, "")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.closed_at is not None
    assert ticket.root_cause == "Packing too thin" and ticket.outcome == "Refunded 15.00"
    assert actions(ticket) == [
        "created", "acknowledged", "proposed", "waiting", "answered", "resumed", "proposed",
        "waiting", "answered", "resumed", "resolved", "followed_up", "closed",
    ]  # fmt: skip
    assert set(ticket.steps.values_list("actor", flat=True)) == {li.pk}
    assert kinds(ticket) == [
        "ticket.created", "ticket.acknowledged", "ticket.proposed", "ticket.answered",
        "ticket.proposed", "ticket.answered", "ticket.resolved", "ticket.followed_up",
        "ticket.closed",
    ]  # fmt: skip


def test_reopening_is_counted_and_undoes_the_resolution(agent, rep, make_customer):
    ticket = open_complaint(agent, make_customer(rep))
    services.acknowledge(agent, ticket, "")
    services.resolve(agent, ticket, "cause", "fixed", "")
    with pytest.raises(Invalid) as error:
        services.reopen(agent, ticket, "")
    assert error.value.field == "note"
    services.reopen(agent, ticket, "Broke again")
    services.resolve(agent, ticket, "cause", "fixed again", "")
    services.follow_up(agent, ticket, "ok")
    services.close(agent, ticket, "")
    services.reopen(agent, ticket, "Broke a third time")
    ticket.refresh_from_db()
    assert ticket.reopen_count == 2 and ticket.status == Status.ACKNOWLEDGED
    assert ticket.resolved_at is None and ticket.closed_at is None
    assert kinds(ticket).count("ticket.reopened") == 2


def test_steps_out_of_order_are_refused_and_change_nothing(agent, rep, make_customer):
    ticket = open_complaint(agent, make_customer(rep))
    for step in (
        lambda: services.follow_up(agent, ticket, "x"),
        lambda: services.close(agent, ticket, ""),
        lambda: services.propose(agent, ticket, "minor", "x"),
    ):
        with pytest.raises(Invalid):
            step()
    services.acknowledge(agent, ticket, "")
    with pytest.raises(Invalid) as error:
        services.propose(agent, ticket, "nonsense", "x")
    assert error.value.field == "branch"
    with pytest.raises(Invalid) as error:
        services.resolve(agent, ticket, "", "done", "")
    assert error.value.field == "root_cause"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.ACKNOWLEDGED
    assert actions(ticket) == ["created", "acknowledged"]


def test_a_request_resolves_without_a_root_cause(agent, rep, make_customer):
    ticket = open_complaint(agent, make_customer(rep), kind=Kind.REQUEST)
    services.acknowledge(agent, ticket, "")
    services.resolve(agent, ticket, "", "Sent the manual", "")
    assert ticket.status == Status.RESOLVED


def test_reassignment_tells_the_customer_the_new_owner(manager, rep, make_customer):
    li = make_agent("li", first_name="Li Na")
    zhou = make_agent("zhou", first_name="Zhou Min", available=False)
    customer = make_customer(rep, language="en")
    ticket = open_complaint(li, customer)
    services.reassign(manager, ticket, zhou, "")
    ticket.refresh_from_db()
    assert ticket.assignee == zhou
    notice = Message.objects.get(customer=customer, template="ticket-owner")
    assert notice.channel == "sms" and "Zhou Min" in notice.text and ticket.number in notice.text
    step = ticket.steps.get(action=Action.REASSIGNED)
    assert step.actor == manager and step.note == "Zhou Min"
    with pytest.raises(Invalid):
        services.reassign(manager, ticket, zhou, "")
    with pytest.raises(Forbidden):
        services.reassign(rep, ticket, li, "")


def test_an_unowned_ticket_becomes_the_acknowledgers(agent, rep, make_customer):
    ticket = open_complaint(agent, make_customer(rep))
    assert ticket.assignee is None  # no agent is set up for routing
    services.acknowledge(agent, ticket, "")
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent


def test_a_promise_must_lie_ahead(agent, rep, make_customer):
    ticket = open_complaint(agent, make_customer(rep))
    with pytest.raises(Invalid) as error:
        services.promise(agent, ticket, timezone.now() - datetime.timedelta(hours=1), "")
    assert error.value.field == "promised_by"
    later = timezone.now() + datetime.timedelta(days=1)
    services.promise(agent, ticket, later, "By tomorrow")
    assert Ticket.objects.get(pk=ticket.pk).promised_by == later
    assert "ticket.promised" in kinds(ticket)


def test_an_order_of_another_customer_is_refused(agent, rep, make_customer, make_order):
    other_order = make_order(make_customer(rep), timezone.localdate())
    with pytest.raises(Invalid) as error:
        open_complaint(agent, make_customer(rep), order=other_order)
    assert error.value.field == "order_id"
    assert not Ticket.objects.exists()


def test_deadlines_are_asked_for_after_clock_steps(monkeypatch, agent, rep, make_customer):
    due = timezone.now() + datetime.timedelta(hours=8)
    calls: list[str] = []

    def refresh(ticket: Ticket, now: datetime.datetime) -> list[str]:
        calls.append(ticket.status)
        ticket.resolution_due = due
        return ["resolution_due"]

    monkeypatch.setattr("service.sla.refresh_deadlines", refresh)
    ticket = open_complaint(agent, make_customer(rep))
    services.acknowledge(agent, ticket, "")
    services.propose(agent, ticket, "minor", "x")
    services.record_answer(agent, ticket, "accepted", "")
    services.resolve(agent, ticket, "c", "o", "")
    assert calls == ["received", "acknowledged", "proposed", "proposed", "resolved"]
    assert Ticket.objects.get(pk=ticket.pk).resolution_due == due


def test_a_second_notice_the_same_day_takes_the_other_channel(manager, rep, make_customer):
    li, zhou = make_agent("li", first_name="Li Na"), make_agent("zhou", first_name="Zhou Min")
    customer = make_customer(rep, email="wang@example.com")
    first, second = open_complaint(li, customer), open_complaint(zhou, customer)
    services.acknowledge(li, first, "")
    services.acknowledge(zhou, second, "")
    sent = Message.objects.filter(customer=customer).order_by("pk")
    assert [(m.channel, m.cause_id) for m in sent] == [("email", first.pk), ("sms", second.pk)]
    # Both channels used today: the send path answers with the day's first message.
    services.reassign(manager, first, zhou, "")
    assert Message.objects.filter(customer=customer).count() == 2
