"""Styling a form must not validate it before its choices are narrowed."""

from django.test import Client
from django.urls import reverse

from customers.forms import ReassignForm


def test_owner_filter_on_the_list_keeps_every_filter(manager, rep, teammate, make_customer):
    make_customer(rep, name="Mine A")
    make_customer(teammate, name="Theirs B")
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("customers:list"), {"owner": rep.pk})
    assert page.context["form"].is_valid()
    assert [c.name for c in page.context["page"]] == ["Mine A"]


def test_reassign_form_accepts_an_owner_of_the_team(manager, rep, teammate):
    form = ReassignForm({"customer_ids": ["1"], "new_owner": teammate.pk}, owners=[rep, teammate])
    assert form.is_valid(), form.errors
    assert "is-invalid" not in form.fields["new_owner"].widget.attrs["class"]
    bad = ReassignForm({"customer_ids": ["1"]}, owners=[rep])
    assert not bad.is_valid()
    assert "is-invalid" in bad.fields["new_owner"].widget.attrs["class"]


def test_a_crafted_owner_outside_the_team_is_refused(rep, other_rep):
    from customers.models import Customer

    client = Client()
    client.force_login(rep)
    data = {"kind": "person", "name": "Sneaky", "owner": other_rep.pk, "birthday_calendar": "solar"}
    page = client.post(reverse("customers:create"), data)
    assert page.status_code == 200 and "owner" in page.context["form"].errors
    assert not Customer.objects.filter(name="Sneaky").exists()
