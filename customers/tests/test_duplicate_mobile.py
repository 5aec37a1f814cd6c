"""One mobile, one customer: the form, the API and the import refuse a second one alike,
and the answer names neither the other customer nor its owner."""

import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import Conflict
from customers.models import Customer
from customers.services import (
    MOBILE_TAKEN,
    archive_customer,
    check_mobile_free,
    create_customer,
    merge_customers,
    update_customer,
)
from imports import services as imports
from imports.models import Kind
from imports.tests.helpers import csv_bytes, rejected

MOBILE = "13900008888"


@pytest.fixture
def theirs(other_rep, make_customer) -> Customer:
    """Another team's customer, whom the rep may not see."""
    return make_customer(other_rep, name="Zhang Secret", mobile=MOBILE)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_names_nobody(text: str, other_rep) -> None:
    assert "Zhang Secret" not in text and other_rep.username not in text


def test_the_service_refuses_a_second_holder_on_create_and_update(rep, theirs, make_customer):
    with pytest.raises(Conflict) as refused:
        create_customer(rep, {"name": "Copy", "owner": rep, "mobile": MOBILE})
    assert (refused.value.field, refused.value.message) == ("mobile", str(MOBILE_TAKEN))
    mine = make_customer(rep, mobile="13900007777")
    with pytest.raises(Conflict):
        update_customer(rep, mine, {"mobile": f"+86 {MOBILE}"})  # normalised, then refused
    mine.refresh_from_db()
    assert mine.mobile == "13900007777"
    check_mobile_free(MOBILE, theirs)  # its own mobile is no duplicate


def test_archived_customers_keep_their_mobile_merged_ones_give_it_up(rep, make_customer):
    first = make_customer(rep, mobile=MOBILE)
    archive_customer(rep, first)
    with pytest.raises(Conflict):
        check_mobile_free(MOBILE)
    survivor = make_customer(rep, mobile="13900007777")
    merge_customers(rep, survivor, first)
    check_mobile_free(MOBILE)


def test_the_form_puts_the_answer_on_the_mobile_field(rep, other_rep, theirs):
    data = {
        "kind": "person", "name": "Copy", "mobile": MOBILE, "owner": rep.pk,
        "birthday_calendar": "solar",
    }  # fmt: skip
    page = client_for(rep).post(reverse("customers:create"), data)
    assert page.status_code == 200
    assert page.context["form"].errors["mobile"] == [str(MOBILE_TAKEN)]
    assert_names_nobody(page.content.decode(), other_rep)
    assert Customer.objects.filter(mobile=MOBILE).count() == 1


def test_the_api_answers_409_on_mobile(rep, other_rep, theirs):
    response = client_for(rep).post(
        "/api/v1/customers", json.dumps({"name": "Copy", "mobile": MOBILE}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 409
    assert response.json() == {"errors": [{"field": "mobile", "message": str(MOBILE_TAKEN)}]}
    assert_names_nobody(response.content.decode(), other_rep)
    assert Customer.objects.filter(mobile=MOBILE).count() == 1


def test_the_import_refuses_the_row_with_the_same_words(rep, other_rep, theirs):
    content = csv_bytes([["name", "mobile"], ["Copy", MOBILE]])
    job = imports.start_job(rep, Kind.CUSTOMERS, io.BytesIO(content), "c.csv")
    imports.prepare_run(rep, job, commit=False)
    job = imports.run_job(job.pk, commit=False)
    assert rejected(job) == [(2, "mobile", str(MOBILE_TAKEN))]
    assert_names_nobody(str(rejected(job)), other_rep)
    job = imports.run_job(job.pk, commit=True)
    assert not job.committed
    assert Customer.objects.filter(mobile=MOBILE).get() == theirs
