"""The customer archive's extension points: what the apps above register shows up, in order."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers import extensions
from customers.extensions import ListAction, Panel, TimelineEntry, TodayItem
from customers.services import merge_customers, reassign_customers, timeline
from interactions.services import create_follow_up
from sales.models import CustomerStats


@pytest.fixture
def contribute():
    """Register contributors for one test and take them out again afterwards."""
    added = []

    def add(registry, name, item, order=100):
        assert name not in registry, "a test contributor must not replace a real one"
        registry.register(name, item, order)
        added.append((registry, name))

    yield add
    for registry, name in added:
        registry.unregister(name)


@pytest.fixture
def test_templates(settings, tmp_path):
    """Return a folder the template engine reads, for a contributor's own template."""
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], str(tmp_path)]}
    ]
    return tmp_path


def names(registry):
    return [contribution.name for contribution in registry.contributions()]


def test_the_apps_above_fill_the_customer_registries():
    assert names(extensions.timeline_sources) == [
        "orders", "interactions", "engagement", "profile-history", "points", "tickets",
        "loyalty-tiers",
    ]  # fmt: skip
    assert names(extensions.page_panels) == [
        "log-interaction", "open-follow-ups", "purchase-summary", "new-ticket", "open-tickets",
        "scores", "send-message", "care", "points", "referrals", "reservations", "personal-data",
    ]  # fmt: skip
    assert names(extensions.merge_participants) == [
        "orders", "interactions", "life-events", "messages", "tickets", "referrals",
        "reservations",
    ]  # fmt: skip
    assert names(extensions.owner_followers) == ["purchase-summary"]
    assert names(extensions.list_actions) == ["import", "care-calendar", "limited-products"]
    assert names(extensions.today_sources) == [
        "follow-ups-due", "care", "churn-warnings", "open-tickets", "no-contact"
    ]  # fmt: skip
    assert names(extensions.personal_data_sources) == [
        "archive", "orders", "interactions", "messages", "scores", "life-events", "tickets",
        "referrals", "surveys",
    ]  # fmt: skip
    assert names(extensions.erasure_participants) == [
        "orders", "interactions", "imports", "messages", "scores", "tickets", "life-events",
        "referrals", "surveys",
    ]  # fmt: skip
    assert names(extensions.creation_fields) == ["referral-code"]


def test_a_timeline_source_appears_and_same_moment_events_keep_registry_order(
    rep, make_customer, contribute
):
    customer = make_customer(rep)
    created_at = customer.changes.get(field="created").changed_at

    def source(name):
        return lambda customer, limit: [TimelineEntry(created_at, name, customer, "unused.html")]

    contribute(extensions.timeline_sources, "test-late", source("late"), order=35)
    contribute(extensions.timeline_sources, "test-early", source("early"), order=5)
    assert [entry.kind for entry in timeline(customer)] == ["early", "change", "late"]


def test_a_timeline_entry_renders_with_its_own_template(
    rep, make_customer, contribute, test_templates
):
    (test_templates / "test_entry.html").write_text('<em id="test-entry">{{ entry.item }}</em>')
    customer = make_customer(rep, name="Ms Test")
    entry = TimelineEntry(timezone.now(), "note", "Sent a catalogue", "test_entry.html")
    contribute(extensions.timeline_sources, "test-notes", lambda customer, limit: [entry])
    client = Client()
    client.force_login(rep)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert '<li class="note">' in html and '<em id="test-entry">Sent a catalogue</em>' in html


def test_panels_show_in_their_slot_in_registry_order_and_none_shows_nothing(
    rep, make_customer, make_order, contribute, test_templates
):
    (test_templates / "test_panel.html").write_text('<p id="{{ panel.data }}">panel</p>')
    customer = make_customer(rep)
    make_order(customer, datetime.date(2026, 1, 1))
    contribute(
        extensions.page_panels, "test-figures",
        lambda customer, user, today: Panel("summary", "test_panel.html", "test-figures"),
        order=15,
    )  # fmt: skip
    contribute(
        extensions.page_panels, "test-side",
        lambda customer, user, today: Panel("side", "test_panel.html", "test-side"), order=5,
    )  # fmt: skip
    contribute(extensions.page_panels, "test-nothing", lambda customer, user, today: None)
    client = Client()
    client.force_login(rep)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    # Summary: after the purchase figures (order 10). Side: before the follow-ups (order 10).
    assert html.index('id="key-figures"') < html.index('id="test-figures"')
    assert html.index('id="consents"') < html.index('id="test-side"')
    assert html.index('id="test-side"') < html.index("Open follow-ups")
    assert html.count("panel</p>") == 2


def test_merge_participants_move_their_rows_in_registry_order(
    rep, make_customer, make_order, contribute
):
    survivor = make_customer(rep, mobile="13900000001")
    duplicate = make_customer(rep, mobile="13900000002")
    make_order(duplicate, datetime.date(2026, 2, 1), "15.00")
    seen = []

    def watcher(name):
        def participant(source, target):
            seen.append((name, source, target, source.orders.count()))

        return participant

    contribute(extensions.merge_participants, "test-before", watcher("before"), order=5)
    contribute(extensions.merge_participants, "test-after", watcher("after"), order=15)
    merge_customers(rep, survivor, duplicate)
    # Sales (order 10) moved the duplicate's order between the two.
    assert seen == [("before", duplicate, survivor, 1), ("after", duplicate, survivor, 0)]
    assert survivor.orders.count() == 1


def test_owner_followers_hear_of_every_reassigned_customer(
    manager, rep, teammate, make_customer, make_order, contribute
):
    customers = [make_customer(rep), make_customer(rep)]
    make_order(customers[0], datetime.date(2026, 1, 1))
    heard: list[set[int]] = []
    contribute(extensions.owner_followers, "test-follower", heard.append)
    reassign_customers(manager, [c.pk for c in customers], teammate)
    assert heard == [{c.pk for c in customers}]
    assert CustomerStats.objects.get(customer=customers[0]).owner == teammate


def test_list_actions_show_to_the_users_they_name(manager, rep, agent, contribute):
    def report_action(user):
        if user != manager:
            return None
        return ListAction("Quarterly report", "/report/", "report-link")

    contribute(extensions.list_actions, "test-report", report_action, order=20)
    pages = {}
    for user in (manager, rep, agent):
        client = Client()
        client.force_login(user)
        pages[user.username] = client.get(reverse("customers:list")).content.decode()
    manager_page = pages[manager.username]
    assert manager_page.index('id="import-link"') < manager_page.index('id="report-link"')
    assert 'id="report-link"' not in pages[rep.username]
    assert 'id="import-link"' in pages[rep.username]  # imports: reps may import
    assert 'id="import-link"' not in pages[agent.username]  # agents may not


def test_today_items_come_by_priority_then_due_then_registry_order(rep, make_customer, contribute):
    today = timezone.localdate()
    day = today + datetime.timedelta(days=3)
    first, second, third = (make_customer(rep, name=f"C{n}") for n in range(3))
    create_follow_up(rep, first, day, "Call back about the order")
    create_follow_up(rep, second, today + datetime.timedelta(days=1), "Promised a price")
    create_follow_up(rep, third, day + datetime.timedelta(days=1), "Not due yet")

    def gift(user, day, limit):
        return [
            TodayItem(third, "gift", 2, day, "Birthday"),
            TodayItem(first, "gift", 1, today, "Anniversary"),
        ]

    contribute(extensions.today_sources, "test-gifts", gift, order=15)
    items = extensions.today_items(rep, day)
    assert [(i.customer, i.kind, i.priority, i.due) for i in items] == [
        (first, "gift", 1, today),  # earliest due among priority 1
        (second, "follow_up", 1, today + datetime.timedelta(days=1)),  # overdue
        (first, "follow_up", 2, day),  # due that day; follow-ups (10) before gifts (15)
        (third, "gift", 2, day),
    ]
    assert items[1].reason == "Promised a price"
    assert extensions.today_items(rep, day, limit=1) == items[:1]
