"""The send path over the API and from the customer's page: the same rule, the same errors."""

import json

from django.test import Client

from core.channels import Channel
from engagement.models import Message


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: object, **headers: str):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def url(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/messages"


def test_api_sends_once_per_key_and_lists(rep, make_customer):
    customer = make_customer(rep)
    client = client_for(rep)
    body = {"channel": "sms", "purpose": "care", "text": "Hi {name}", "occasion_date": "2026-05-01"}
    first = post(client, url(customer), body)
    second = post(client, url(customer), body)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["text"] == f"Hi {customer.name}"
    assert first.json()["status"] == "queued"
    listed = client.get(url(customer)).json()
    assert [item["id"] for item in listed["items"]] == [first.json()["id"]]


def test_api_hides_another_reps_customer(rep, other_rep, make_customer):
    customer = make_customer(rep)
    response = post(
        client_for(other_rep), url(customer), {"channel": "sms", "purpose": "care", "text": "x"}
    )
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_api_error_names_the_field_in_chinese(rep, make_customer):
    customer = make_customer(rep)
    body = {"channel": "sms", "purpose": "care", "text": "您好 {mobile}"}
    response = post(client_for(rep), url(customer), body, **{"Accept-Language": "zh-hans"})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "text" and "未知的占位符 {mobile}" in error["message"]
    body = {"channel": "fax", "purpose": "care", "text": "x"}
    response = post(client_for(rep), url(customer), body)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"channel"}
    assert not Message.objects.exists()


def test_page_send_goes_back_to_the_customer(rep, make_customer):
    customer = make_customer(rep)
    response = client_for(rep).post(
        f"/engagement/customers/{customer.pk}/send/",
        {"channel": Channel.PHONE, "purpose": "care", "text": "Call {name}"},
    )
    assert response.status_code == 302
    assert Message.objects.get(customer=customer).text == f"Call {customer.name}"


def test_page_send_refusal_is_422_with_the_message(rep, make_customer):
    customer = make_customer(rep)
    response = client_for(rep).post(
        f"/engagement/customers/{customer.pk}/send/",
        {"channel": Channel.SMS, "purpose": "care", "text": "Hi {mobile}"},
    )
    assert response.status_code == 422
    assert "Unknown placeholder {mobile}" in response.content.decode()
    assert not Message.objects.exists()


def test_page_send_to_an_invisible_customer_is_404(rep, other_rep, make_customer):
    customer = make_customer(rep)
    response = client_for(other_rep).post(
        f"/engagement/customers/{customer.pk}/send/",
        {"channel": Channel.SMS, "purpose": "care", "text": "x"},
    )
    assert response.status_code == 404


def test_customer_page_offers_the_send_form_only_to_who_may_send(rep, manager, make_customer):
    from conftest import make_user

    customer = make_customer(rep)
    page = client_for(rep).get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="send-message"' in page and f"/engagement/customers/{customer.pk}/send/" in page
    outsider = make_user("viewer", "admin")
    assert (
        'id="send-message"'
        in client_for(outsider).get(f"/customers/{customer.pk}/").content.decode()
    )
    zh = client_for(rep).get(f"/customers/{customer.pk}/", headers={"Accept-Language": "zh-hans"})
    assert "发送消息" in zh.content.decode()


def test_customer_page_has_no_send_form_for_an_archived_customer(rep, make_customer):
    from customers.services import archive_customer

    customer = make_customer(rep)
    archive_customer(rep, customer)
    page = client_for(rep).get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="send-message"' not in page
