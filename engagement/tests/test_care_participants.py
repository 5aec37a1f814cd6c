"""Life events in a merge, an erasure, a person's data export and the customer's history."""

import datetime

import pytest
from django.utils import translation

from customers.services import erase_customer, merge_customers, timeline
from engagement.care import add_life_event
from engagement.models import LifeEvent
from imports.personal_data import sections_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("care_defaults")]
WEDDING = {"kind": "wedding", "date": datetime.date(2020, 6, 6), "yearly": True, "note": "Li Lei"}


def test_a_merge_moves_life_events_to_the_survivor(rep, admin_user, make_customer):
    survivor, duplicate = make_customer(rep), make_customer(rep)
    event = add_life_event(rep, duplicate.pk, WEDDING)
    merge_customers(admin_user, survivor, duplicate)
    event.refresh_from_db()
    assert event.customer_id == survivor.pk


def test_an_erasure_deletes_life_events_and_the_export_lists_them(rep, admin_user, make_customer):
    customer = make_customer(rep)
    add_life_event(rep, customer.pk, WEDDING)
    [section] = [s for s in sections_of(customer) if s.name == "life_events"]
    assert [(row["kind"], row["note"]) for row in section.rows] == [("wedding", "Li Lei")]
    erase_customer(admin_user, customer, "asked by the customer")
    assert not LifeEvent.objects.exists()


def test_the_history_says_a_life_event_was_recorded(rep, make_customer):
    customer = make_customer(rep)
    add_life_event(rep, customer.pk, WEDDING)
    with translation.override("zh-hans"):
        lines = [e.item for e in timeline(customer) if e.kind == "change"]
        [line] = [line for line in lines if line.subject == "人生大事"]
    assert line.field == "已记录" and line.new.startswith("婚礼 · 2020")
