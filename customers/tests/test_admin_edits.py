"""Admin edits of a customer go through the archive's services."""

import datetime
from typing import Any

from django.forms import ModelForm

from customers.models import Customer
from sales.models import CustomerStats


def form_data(form: ModelForm[Customer]) -> dict[str, Any]:
    """Return what the browser would post back for the admin form as shown."""
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, datetime.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = value.date(), value.time()
        elif value is not None:
            data[name] = value
    return data


def test_an_admin_owner_change_is_recorded_and_reaches_the_summary(
    client, admin_user, rep, teammate, make_customer, make_order
):
    customer = make_customer(rep, name="Wang Fang", mobile="13900000001")
    make_order(customer, datetime.date(2026, 3, 1))
    client.force_login(admin_user)
    page = client.get(f"/admin/customers/customer/{customer.pk}/change/")
    form = page.context["adminform"].form
    data = form_data(form)
    data.update(
        {
            "owner": teammate.pk,
            "consents-TOTAL_FORMS": 0,
            "consents-INITIAL_FORMS": 0,
        }
    )
    response = client.post(f"/admin/customers/customer/{customer.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.owner == teammate
    change = customer.changes.get(field="owner")
    assert (change.old_value, change.new_value, change.changed_by) == (
        "rep",
        "teammate",
        admin_user,
    )
    assert CustomerStats.objects.get(customer=customer).owner == teammate


def test_an_admin_created_customer_has_its_creation_in_the_history(client, admin_user, rep):
    client.force_login(admin_user)
    page = client.get("/admin/customers/customer/add/")
    form = page.context["adminform"].form
    data = form_data(form)
    data.update(
        {
            "name": "Li Lei",
            "kind": "person",
            "owner": rep.pk,
            "consents-TOTAL_FORMS": 0,
            "consents-INITIAL_FORMS": 0,
        }
    )
    response = client.post("/admin/customers/customer/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer = Customer.objects.get(name="Li Lei")
    assert customer.changes.get(field="created").changed_by == admin_user


def test_the_admin_archives_customers_and_never_deletes_them(
    client, admin_user, rep, make_customer
):
    customer = make_customer(rep, name="Zhao Lei", mobile="13900000002")
    client.force_login(admin_user)
    response = client.post(f"/admin/customers/customer/{customer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_tags_and_consents_are_shown_not_edited_in_the_admin(
    client, admin_user, rep, make_customer
):
    customer = make_customer(rep, name="Sun Li", mobile="13900000003")
    client.force_login(admin_user)
    page = client.get(f"/admin/customers/customer/{customer.pk}/change/")
    form = page.context["adminform"].form
    assert "tags" not in form.fields  # changed on the customer page, with their history
    consents = page.context["inline_admin_formsets"][0]
    assert not consents.has_add_permission and not consents.has_delete_permission


def test_the_admin_refuses_control_characters_and_changes_nothing(
    client, admin_user, rep, make_customer
):
    customer = make_customer(rep, name="Wang Fang", mobile="13900000001")
    client.force_login(admin_user)
    form = client.get(f"/admin/customers/customer/{customer.pk}/change/").context["adminform"]
    data = form_data(form.form)
    data.update({"name": "Wang\x01Fang", "consents-TOTAL_FORMS": 0, "consents-INITIAL_FORMS": 0})
    response = client.post(f"/admin/customers/customer/{customer.pk}/change/", data)
    assert response.status_code == 200  # the form again, with its error
    assert "name" in response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.name == "Wang Fang"


def test_contacts_and_follow_ups_are_read_only_in_the_admin(client, admin_user, rep, make_customer):
    client.force_login(admin_user)
    assert client.get("/admin/interactions/interaction/add/").status_code == 403
    assert client.get("/admin/interactions/followup/add/").status_code == 403
    assert client.get("/admin/interactions/interaction/").status_code == 200
