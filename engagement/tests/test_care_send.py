"""Sending a care greeting: one send path, once per day and channel, the access rule."""

import datetime
from decimal import Decimal

import pytest

from core.errors import Invalid, NotFound
from engagement.care import send_care
from engagement.models import Audience, CareOccasion, Message, MessageTemplate, Purpose, Status
from interactions.models import FollowUp

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("care_defaults")]
BIRTHDAY = D(2026, 12, 5)


@pytest.fixture
def birthday_customer(rep, make_customer):
    return make_customer(rep, name="Wang Fang", birthday=D(1990, 12, 5))


def test_the_greeting_goes_through_the_send_path_in_the_customers_language(rep, make_customer):
    rep.first_name, rep.last_name = "Li", "Na"
    rep.save()
    chinese = make_customer(rep, name="王芳", birthday=D(1990, 12, 5))
    english = make_customer(rep, name="Amy Brown", birthday=D(1990, 12, 5), language="en")
    zh = send_care(rep, chinese, "birthday", BIRTHDAY)
    en = send_care(rep, english, "birthday", BIRTHDAY)
    assert (zh.purpose, zh.channel, zh.cause_kind, zh.occasion_date) == (
        Purpose.CARE, "sms", "birthday", BIRTHDAY,
    )  # fmt: skip
    assert zh.template == "care_birthday"
    assert zh.text.startswith("王芳，生日快乐！") and zh.text.endswith("——Li Na")
    assert en.text.startswith("Happy birthday, Amy Brown!") and en.text.endswith("— Li Na")


def test_a_missing_language_falls_back_to_the_other(rep, make_customer):
    english = make_customer(rep, birthday=D(1990, 12, 5), language="en")
    MessageTemplate.objects.filter(code="care_birthday", language="en").delete()
    assert "生日快乐" in send_care(rep, english, "birthday", BIRTHDAY).text


def test_sending_again_returns_the_first_message(rep, birthday_customer):
    first = send_care(rep, birthday_customer, "birthday", BIRTHDAY)
    again = send_care(rep, birthday_customer, "birthday", BIRTHDAY)
    assert again.pk == first.pk
    assert Message.objects.count() == 1


def test_one_greeting_a_day_and_channel_whatever_the_occasion(rep, make_customer):
    noel = make_customer(rep, birthday=D(1980, 12, 25))
    birthday = send_care(rep, noel, "birthday", D(2026, 12, 25), "sms")
    christmas = send_care(rep, noel, "christmas", D(2026, 12, 25), "sms")
    assert christmas.pk == birthday.pk and christmas.cause_kind == "birthday"


def test_an_occasion_the_customer_does_not_have_is_refused(rep, birthday_customer):
    with pytest.raises(Invalid) as wrong_day:
        send_care(rep, birthday_customer, "birthday", D(2026, 12, 6))
    assert wrong_day.value.field == "occasion_date"
    with pytest.raises(Invalid) as unknown:
        send_care(rep, birthday_customer, "easter", BIRTHDAY)
    assert unknown.value.field == "occasion"
    assert not Message.objects.exists()


def test_an_unknown_placeholder_is_refused_with_its_name(rep, birthday_customer):
    MessageTemplate.objects.filter(code="care_birthday").update(body="{name} {birthday}")
    with pytest.raises(Invalid) as refused:
        send_care(rep, birthday_customer, "birthday", BIRTHDAY)
    assert refused.value.field == "text" and "{birthday}" in str(refused.value.message)
    MessageTemplate.objects.filter(code="care_birthday").update(body="{name.__class__}")
    with pytest.raises(Invalid):
        send_care(rep, birthday_customer, "birthday", BIRTHDAY)
    assert not Message.objects.exists()


def test_a_gift_by_post_is_a_task_for_the_owner_with_its_budget(rep, make_customer):
    CareOccasion.objects.filter(code="mid_autumn").update(audience=Audience.ALL)
    customer = make_customer(rep)
    gift = send_care(None, customer, "mid_autumn", D(2026, 9, 25))  # the morning run
    assert (gift.channel, gift.status, gift.cost) == ("post", Status.SENT, Decimal("120.00"))
    task = FollowUp.objects.get(customer=customer)
    assert task.assignee == rep and "中秋快乐" in task.note


def test_the_anniversary_counts_its_years(rep, make_customer, make_order):
    customer = make_customer(rep, language="en")
    make_order(customer, D(2024, 12, 8))
    message = send_care(rep, customer, "first_purchase_anniversary", D(2026, 12, 8))
    assert "2 year(s) since your first purchase" in message.text


def test_access_per_role(rep, teammate, other_rep, manager, admin_user, birthday_customer):
    with pytest.raises(NotFound):
        send_care(other_rep, birthday_customer, "birthday", BIRTHDAY)
    with pytest.raises(NotFound):
        send_care(teammate, birthday_customer, "birthday", BIRTHDAY)
    assert not Message.objects.exists()
    assert send_care(manager, birthday_customer, "birthday", BIRTHDAY, "email").channel == "email"
    assert send_care(admin_user, birthday_customer, "birthday", BIRTHDAY, "wechat").pk
    assert send_care(rep, birthday_customer, "birthday", BIRTHDAY, "sms").created_by == rep


def test_the_admin_refuses_a_template_with_an_unknown_placeholder(admin_user):
    from django.test import Client

    template = MessageTemplate.objects.get(code="care_birthday", channel="sms", language="en")
    client = Client()
    client.force_login(admin_user)
    url = f"/admin/engagement/messagetemplate/{template.pk}/change/"
    fields = {"code": template.code, "channel": "sms", "language": "en", "subject": ""}
    refused = client.post(url, {**fields, "body": "Hi {name}, from {owner} {mobile}"})
    assert (
        refused.status_code == 200 and "Unknown placeholder {mobile}." in refused.content.decode()
    )
    template.refresh_from_db()
    assert "{mobile}" not in template.body
    saved = client.post(url, {**fields, "body": "Hi {name}, {years} years! {owner}"})
    assert saved.status_code == 302


def test_a_tencent_sms_template_gets_the_occasions_values(
    rep, make_customer, make_order, sms_endpoint, settings
):
    from engagement.services import deliver

    settings.TENCENT_SMS_TEMPLATES = {"care_first_purchase_anniversary": "654321"}
    rep.first_name = "Li"
    rep.save()
    customer = make_customer(rep, name="王芳", mobile="13912345678")
    make_order(customer, D(2024, 12, 8))
    message = send_care(rep, customer, "first_purchase_anniversary", D(2026, 12, 8))
    assert deliver(message.pk, message.scheduled_for) == Status.SENT
    [request] = sms_endpoint.requests
    assert request["TemplateId"] == "654321"
    assert request["TemplateParamSet"] == ["王芳", "2", "Li"]


def test_a_person_greets_near_the_day_and_only_managers_send_seasonal_care(
    rep, manager, make_customer
):
    from django.utils import timezone

    from core.errors import Forbidden

    customer = make_customer(rep)
    today = timezone.localdate()
    with pytest.raises(Forbidden) as refused:
        send_care(rep, customer, "seasonal", today)
    assert refused.value.field == "occasion"
    with pytest.raises(Invalid) as too_late:
        send_care(manager, customer, "seasonal", today - datetime.timedelta(days=8))
    assert too_late.value.field == "occasion_date"
    with pytest.raises(Invalid):
        send_care(manager, customer, "seasonal", today + datetime.timedelta(days=31))
    assert not Message.objects.exists()
    assert send_care(manager, customer, "seasonal", today).cause_kind == "seasonal"
