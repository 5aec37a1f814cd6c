"""The SLA sweep: a warning at 75 %, a breach at the deadline, escalation to the team lead
with the first breach; marks set once and never cleared; events; notices to the people
concerned; deadlines worked out again when the calendar or a policy changes."""

import datetime

import pytest
from django.core import mail

from accounts.models import Role
from conftest import make_user
from core.events import events_in
from core.models import OutboxEvent, WorkingDayOverride
from service import sla
from service.models import SlaPolicy, Status, Ticket
from service.tasks import sweep_sla
from service.tests.sla_support import at, local, open_ticket, seeded_policies, step

# Every test here starts from the seeded policies.
pytestmark = pytest.mark.usefixtures(seeded_policies.__name__)


def events_of(kind):
    return [event for row in OutboxEvent.objects.filter(kind=kind) for event in events_in(row)]


@pytest.fixture
def owned(team, make_customer, rep):
    """An agent in the team East, whose manager leads it."""
    agent = make_user("li.agent", Role.AGENT, team)
    agent.email = "li@example.com"
    agent.save()
    return agent


@pytest.mark.django_db
def test_the_sweep_warns_then_breaches_then_escalates_once(manager, owned, rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-03-02", "09:00"), "urgent", assignee=owned)
    assert sla.sweep(at("2026-03-02", "09:44")).warned == 0
    warned = sla.sweep(at("2026-03-02", "09:45"))
    assert (warned.warned, warned.breached, warned.escalated) == (1, 0, 0)
    ticket.refresh_from_db()
    assert local(ticket.sla_warned_at) == "2026-03-02 09:45"
    breached = sla.sweep(at("2026-03-02", "10:00"))
    assert (breached.warned, breached.breached, breached.escalated) == (0, 1, 1)
    assert breached.notices == {
        owned.pk: [[ticket.pk, "breached", "first_response"]],
        manager.pk: [[ticket.pk, "escalated", ""]],
    }
    again = sla.sweep(at("2026-03-02", "10:30"))
    assert (again.warned, again.breached, again.escalated) == (0, 0, 0)
    [warning] = events_of("ticket.warned")
    assert (warning.subject_id, warning.data["clock"]) == (ticket.pk, "first_response")
    [breach] = events_of("ticket.breached")
    assert breach.customer_id == ticket.customer_id
    [escalation] = events_of("ticket.escalated")
    assert escalation.data["leads"] == [manager.pk]


@pytest.mark.django_db
def test_a_breach_stays_a_breach(owned, rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-03-02", "09:00"), "urgent", assignee=owned)
    sla.sweep(at("2026-03-02", "10:05"))
    late = at("2026-03-02", "10:10")
    step(ticket, late, first_responded_at=late, status=Status.ACKNOWLEDGED)
    step(ticket, at("2026-03-02", "11:00"), status=Status.RESOLVED, resolved_at=late)
    ticket.refresh_from_db()
    assert local(ticket.first_response_breached_at) == "2026-03-02 10:05"
    assert ticket.escalated_at is not None
    assert local(ticket.first_response_due) == "2026-03-02 10:00"  # not moved to excuse it


@pytest.mark.django_db
def test_the_resolution_clock_warns_and_breaches_on_its_own(owned, rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-03-02", "09:00"), "urgent", assignee=owned)
    step(ticket, at("2026-03-02", "09:10"), first_responded_at=at("2026-03-02", "09:10"))
    assert sla.sweep(at("2026-03-02", "15:59")).warned == 0
    assert sla.sweep(at("2026-03-02", "16:00")).warned == 1  # 6 of 8 hours
    result = sla.sweep(at("2026-03-02", "18:00"))
    assert (result.breached, result.escalated) == (1, 1)
    ticket.refresh_from_db()
    assert ticket.first_response_breached_at is None
    assert local(ticket.resolution_breached_at) == "2026-03-02 18:00"
    assert [e.data["clock"] for e in events_of("ticket.breached")] == ["resolution"]


@pytest.mark.django_db
def test_no_breach_while_waiting_on_the_customer(owned, rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-03-02", "09:00"), "urgent", assignee=owned)
    step(ticket, at("2026-03-02", "09:10"), first_responded_at=at("2026-03-02", "09:10"))
    step(ticket, at("2026-03-02", "09:20"), waiting_since=at("2026-03-02", "09:20"))
    result = sla.sweep(at("2026-03-04", "09:00"))
    assert (result.warned, result.breached) == (0, 0)
    step(ticket, at("2026-03-04", "09:00"), waiting_since=None)
    # Paused 09:20 Monday to 09:00 Wednesday: 15 h 40 of working time.
    assert local(ticket.resolution_due) == "2026-03-04 17:40"
    assert sla.sweep(at("2026-03-04", "17:39")).breached == 0
    assert sla.sweep(at("2026-03-04", "17:40")).breached == 1


@pytest.mark.django_db
def test_resolved_and_closed_tickets_are_left_alone(owned, rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-03-02", "09:00"), "urgent", assignee=owned)
    step(ticket, at("2026-03-02", "09:30"), status=Status.RESOLVED, resolved_at=at("2026-03-02"))
    result = sla.sweep(at("2026-03-09", "09:00"))
    assert (result.warned, result.breached, result.escalated) == (0, 0, 0)


@pytest.mark.django_db
def test_the_team_lead_is_a_manager_of_the_owners_team(team, other_team, manager, rep):
    west_manager = make_user("west.manager", Role.MANAGER, other_team)
    loner = make_user("loner", Role.AGENT)
    inactive = make_user("gone.manager", Role.MANAGER, team)
    inactive.is_active = False
    inactive.save()
    agent = make_user("east.agent", Role.AGENT, team)
    leads = sla.team_leads([agent.pk, loner.pk, None])
    assert leads[agent.pk] == [manager.pk]
    # Nobody leads the loner's team (no team at all): every active manager hears of it.
    assert leads[loner.pk] == leads[None] == sorted([manager.pk, west_manager.pk])
    # A manager owning a ticket is escalated to the other managers, not to themself.
    assert sla.team_leads([manager.pk])[manager.pk] == sorted([manager.pk, west_manager.pk])


@pytest.mark.django_db(transaction=True)
def test_the_periodic_sweep_emails_the_owner_and_the_lead_after_commit(
    immediate_queue, manager, owned, rep, make_customer, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    manager.email, manager.language = "boss@example.com", "zh-hans"
    manager.save()
    # Opened months before the sweep runs (now): warned, breached and escalated at once.
    open_ticket(make_customer(rep), at("2026-03-02", "09:00"), "urgent", assignee=owned)
    assert sweep_sla.call_local() == 5  # both clocks warned and breached, one escalation
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"li@example.com", "boss@example.com"}
    assert "first response overdue" in by_address["li@example.com"].body
    assert "T0" in by_address["boss@example.com"].body
    # In the lead's language.
    assert by_address["boss@example.com"].subject.startswith("SLA：")


@pytest.mark.django_db(transaction=True)
def test_a_calendar_override_moves_the_open_deadlines(immediate_queue, owned, rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-02-13", "17:55"), "urgent", assignee=owned)
    done = open_ticket(make_customer(rep), at("2026-02-13", "17:55"), "urgent")
    step(done, at("2026-02-13", "17:58"), status=Status.RESOLVED, resolved_at=at("2026-02-13"))
    before = done.resolution_due
    assert local(ticket.resolution_due) == "2026-02-14 17:55"
    # The company closes on the make-up Saturday: the work moves after the holiday.
    WorkingDayOverride.objects.create(date=datetime.date(2026, 2, 14), is_working=False)
    ticket.refresh_from_db()
    done.refresh_from_db()
    assert local(ticket.first_response_due) == "2026-02-24 09:55"
    assert local(ticket.resolution_due) == "2026-02-24 17:55"
    assert local(ticket.next_due) == "2026-02-24 09:55"
    assert done.resolution_due == before  # a resolved ticket's record is history
    WorkingDayOverride.objects.all().delete()
    ticket.refresh_from_db()
    assert local(ticket.resolution_due) == "2026-02-14 17:55"


@pytest.mark.django_db(transaction=True)
def test_a_changed_policy_moves_its_open_tickets(immediate_queue, admin_client, rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-03-02", "09:00"), "urgent")
    policy = SlaPolicy.objects.get(priority="urgent", value_tier="")
    response = admin_client.post(
        f"/admin/service/slapolicy/{policy.pk}/change/",
        {"priority": "urgent", "value_tier": "", "first_response_minutes": "120",
         "resolution_minutes": "960"},
    )  # fmt: skip
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert local(ticket.first_response_due) == "2026-03-02 11:00"
    assert local(ticket.resolution_due) == "2026-03-03 18:00"


@pytest.mark.django_db
def test_a_policy_refuses_a_target_of_nothing(admin_client):
    response = admin_client.post(
        "/admin/service/slapolicy/add/",
        {"priority": "urgent", "value_tier": "B", "first_response_minutes": "0",
         "resolution_minutes": "60"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not SlaPolicy.objects.filter(value_tier="B").exists()


@pytest.mark.django_db
def test_a_backlog_is_worked_off_a_sweep_at_a_time_the_earliest_first(owned, rep, make_customer):
    opened = ["2026-03-02", "2026-03-03", "2026-03-04"]
    tickets = [
        open_ticket(make_customer(rep), at(day, "09:00"), "urgent", assignee=owned)
        for day in opened
    ]
    late = at("2026-03-20", "09:00")
    assert sla.sweep(late, limit=1).escalated == 1
    assert sla.sweep(late, limit=1).escalated == 1
    marked = [t.pk for t in Ticket.objects.filter(escalated_at__isnull=False).order_by("pk")]
    assert marked == [tickets[0].pk, tickets[1].pk]
    assert sla.sweep(late, limit=1).escalated == 1
    assert sla.sweep(late, limit=1).escalated == 0
