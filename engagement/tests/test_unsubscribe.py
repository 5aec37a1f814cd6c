"""Opting out: the one-click link in a marketing email and an SMS reply of TD / 退订."""

from django.core import signing

from core.channels import Channel
from customers.models import Consent
from engagement import services
from engagement.models import Purpose
from engagement.tests.conftest import DAYTIME


def _link(customer):
    message = services.send(
        None, customer, Channel.EMAIL, Purpose.MARKETING, text="Sale", now=DAYTIME
    )
    return services.unsubscribe_url(message).removeprefix("http://127.0.0.1:8000")


def test_link_asks_once_then_records_the_opt_out_without_login(client, rep, make_customer):
    customer = make_customer(rep, email="a@example.com")
    link = _link(customer)
    page = client.get(link)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert customer.may_contact(Channel.EMAIL)  # a mail scanner's GET changes nothing
    done = client.post(link)
    assert done.status_code == 200 and "no more messages by Email" in done.content.decode()
    assert not customer.may_contact(Channel.EMAIL)
    assert customer.may_contact(Channel.SMS)
    assert Consent.objects.get(customer=customer).source == "unsubscribe link"
    # The next marketing email is skipped.
    again = services.send(None, customer, Channel.EMAIL, Purpose.MARKETING, text="x", now=DAYTIME,
                          occasion_date=DAYTIME.date().replace(day=20))  # fmt: skip
    assert again.skip_reason == "opted_out"


def test_one_click_post_from_a_mail_client_needs_no_csrf_token(rep, make_customer):
    from django.test import Client

    customer = make_customer(rep, email="a@example.com")
    client = Client(enforce_csrf_checks=True)
    response = client.post(_link(customer), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not customer.may_contact(Channel.EMAIL)


def test_forged_link_is_refused_in_chinese(client, rep, make_customer):
    customer = make_customer(rep)
    forged = signing.dumps({"c": customer.pk, "ch": "email"}, salt="other")
    response = client.post(f"/engagement/unsubscribe/{forged}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "此退订链接无效" in response.content.decode()
    assert customer.may_contact(Channel.EMAIL)


def test_sms_reply_td_records_an_opt_out(rep, make_customer):
    customer = make_customer(rep, mobile="13800138000")
    assert services.handle_sms_reply("+86 138 0013 8000", "hello") == 0
    assert customer.may_contact(Channel.SMS)
    assert services.handle_sms_reply("+86 138 0013 8000", " td ") == 1
    assert not customer.may_contact(Channel.SMS)


def test_sms_reply_in_chinese_records_an_opt_out(rep, make_customer):
    customer = make_customer(rep, mobile="13800138001")
    assert services.handle_sms_reply("13800138001", "退订") == 1
    assert not customer.may_contact(Channel.SMS)
    assert customer.may_contact(Channel.EMAIL)
    assert services.handle_sms_reply("not a number", "TD") == 0
