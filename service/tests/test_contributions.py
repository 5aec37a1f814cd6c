"""The owner sees their customers' open tickets on Today and on the 360° page; the outcome
lands on the customer's timeline."""

import datetime

from django.test import Client
from django.utils import timezone

from customers.extensions import today_items
from service import services
from service.models import Ticket

from .test_workflow import open_complaint


def test_the_owner_sees_open_tickets_on_today_overdue_first(agent, rep, other_rep, make_customer):
    customer = make_customer(rep)
    overdue = open_complaint(agent, customer, subject="Overdue one")
    later = open_complaint(agent, customer, subject="Later one")
    open_complaint(agent, make_customer(other_rep), subject="Not mine")
    now = timezone.now()
    # Both the deadline and the next one due, as service.sla keeps them together.
    past, ahead = now - datetime.timedelta(days=2), now + datetime.timedelta(days=3)
    Ticket.objects.filter(pk=overdue.pk).update(first_response_due=past, next_due=past)
    Ticket.objects.filter(pk=later.pk).update(first_response_due=ahead, next_due=ahead)
    items = [item for item in today_items(rep, timezone.localdate()) if item.kind == "ticket"]
    assert [item.ref for item in items] == [f"ticket:{overdue.pk}", f"ticket:{later.pk}"]
    assert [item.priority for item in items] == [1, 3]
    assert overdue.number in items[0].reason and "Overdue one" in items[0].reason
    services.acknowledge(agent, overdue, "")
    services.resolve(agent, overdue, "c", "o", "")
    refs = [item.ref for item in today_items(rep, timezone.localdate()) if item.kind == "ticket"]
    assert refs == [f"ticket:{later.pk}"]


def test_the_customer_page_shows_open_tickets_and_the_outcome(agent, rep, make_customer):
    customer = make_customer(rep)
    done = open_complaint(agent, customer, subject="Scratched disc")
    services.acknowledge(agent, done, "")
    services.resolve(agent, done, "Bad batch", "Replaced the disc", "")
    still = open_complaint(agent, customer, subject="Missing booklet")
    client = Client()
    client.force_login(rep)
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    panel = html.split('id="customer-open-tickets"')[1].split("</ul>")[0]
    assert still.number in panel and done.number not in panel
    assert "Outcome: Replaced the disc" in html
    assert f"/service/customers/{customer.pk}/new/" in html


def test_a_merge_moves_the_tickets(admin_user, rep, make_customer):
    from customers.services import merge_customers

    survivor, duplicate = make_customer(rep), make_customer(rep)
    ticket = open_complaint(admin_user, duplicate)
    merge_customers(admin_user, survivor, duplicate)
    assert Ticket.objects.get(pk=ticket.pk).customer == survivor


def test_a_persons_export_and_erasure_cover_their_tickets(agent, rep, make_customer):
    from service import personal_data

    customer = make_customer(rep)
    ticket = open_complaint(agent, customer, description="My neighbour Li Lei broke it")
    services.acknowledge(agent, ticket, "Called Li Lei's mobile")
    sections = {s.name: s for s in personal_data.personal_data(customer)}
    assert sections["tickets"].rows[0]["description"] == "My neighbour Li Lei broke it"
    assert [row["action"] for row in sections["ticket_steps"].rows] == ["created", "acknowledged"]
    personal_data.erase_customer_data(customer, None)  # type: ignore[arg-type]
    kept = Ticket.objects.get(pk=ticket.pk)
    assert "Li Lei" not in kept.description + kept.subject
    assert not kept.steps.exclude(note="").exists()
    assert kept.kind == "complaint" and kept.status == "acknowledged"


def test_the_owners_today_page_lists_the_open_ticket(agent, rep, make_customer):
    ticket = open_complaint(agent, make_customer(rep), subject="Wrong colour")
    client = Client()
    client.force_login(rep)
    html = client.get("/engagement/today/").content.decode()
    assert f"open ticket {ticket.number}, received: Wrong colour" in html
