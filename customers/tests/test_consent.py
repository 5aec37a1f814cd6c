"""An opt-out is honoured everywhere at once."""

from django.test import Client
from django.urls import reverse

from core.channels import Channel
from customers.services import set_consent


def test_opt_out_then_opt_in(rep, make_customer):
    customer = make_customer(rep)
    assert customer.may_contact("sms")
    set_consent(rep, customer, "sms", False, "customer asked")
    assert not customer.may_contact("sms")
    assert customer.may_contact("phone")
    set_consent(rep, customer, "sms", True, "signed form")
    assert customer.may_contact("sms")
    assert customer.consents.count() == 1


def test_consent_is_kept_on_every_channel_of_the_one_vocabulary(rep, make_customer):
    customer = make_customer(rep)
    for channel in Channel.values:
        set_consent(rep, customer, channel, False, "asked")
    assert sorted(customer.consents.values_list("channel", flat=True)) == sorted(Channel.values)
    assert not any(customer.may_contact(channel) for channel in Channel.values)


def test_the_customer_page_lists_every_channel_in_chinese(rep, make_customer):
    customer = make_customer(rep)
    set_consent(rep, customer, Channel.IN_APP, False, "asked")
    rep.language = "zh-hans"
    rep.save(update_fields=["language"])
    client = Client()
    client.force_login(rep)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    consents = page[page.index('id="consents"') :]
    for label in ("电话", "短信", "邮箱", "微信", "拜访", "邮寄", "应用内消息"):
        assert label in consents
