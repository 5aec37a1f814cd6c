"""Email to a real SMTP server on loopback, SMS to a stand-in of Tencent's endpoint, and the
local sink when neither is configured."""

from decimal import Decimal
from email import message_from_bytes
from email.policy import default

from core.channels import Channel
from engagement import services
from engagement.models import MessageTemplate, Purpose, SinkMessage, Status
from engagement.tests.conftest import DAYTIME


def test_email_arrives_at_the_smtp_server(rep, make_customer, smtp_server):
    customer = make_customer(rep, email="li@example.com", name="Li Na")
    message = services.send(
        None, customer, Channel.EMAIL, Purpose.CARE, text="Dear {name}", now=DAYTIME
    )
    assert services.deliver(message.pk) == Status.SENT
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["li@example.com"]
    assert "Dear Li Na" in envelope.content.decode()
    assert "unsubscribe" not in envelope.content.decode().lower()
    assert not SinkMessage.objects.exists()


def test_marketing_email_carries_a_one_click_unsubscribe_link(rep, make_customer, smtp_server):
    customer = make_customer(rep, email="li@example.com")
    message = services.send(
        None, customer, Channel.EMAIL, Purpose.MARKETING, text="Sale", now=DAYTIME
    )
    services.deliver(message.pk)
    mail = message_from_bytes(smtp_server.envelopes[0].content, policy=default)
    link = str(mail["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith("http://127.0.0.1:8000/engagement/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in mail.get_content()


def test_smtp_down_is_retried_later(rep, make_customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    customer = make_customer(rep, email="li@example.com")
    message = services.send(None, customer, Channel.EMAIL, Purpose.CARE, text="Hi", now=DAYTIME)
    assert services.deliver(message.pk) == Status.QUEUED
    message.refresh_from_db()
    assert message.attempts == 1 and "email" in message.last_error
    assert message.scheduled_for > message.created_at


def test_sms_goes_through_tencent_with_template_and_signature(rep, make_customer, sms_endpoint):
    MessageTemplate.objects.create(code="birthday", channel=Channel.SMS, body="生日快乐，{name}！")
    customer = make_customer(rep, name="王芳", mobile="13800138000")
    message = services.send(None, customer, Channel.SMS, Purpose.CARE, "birthday", now=DAYTIME)
    assert services.deliver(message.pk) == Status.SENT
    [request] = sms_endpoint.requests
    assert request["PhoneNumberSet"] == ["+8613800138000"]
    assert request["TemplateId"] == "123456"
    assert request["TemplateParamSet"] == ["王芳"]
    assert request["SignName"] == "回头客" and request["SmsSdkAppId"] == "1400000000"
    assert sms_endpoint.headers[0]["X-TC-Action"] == "SendSms"
    message.refresh_from_db()
    assert message.text == "生日快乐，王芳！"
    assert message.provider_ref == "serial-1"
    assert message.cost == Decimal("0.05")


def test_sms_refused_by_tencent_is_retried_then_failed(rep, make_customer, sms_endpoint, settings):
    settings.MESSAGE_MAX_ATTEMPTS = 2
    sms_endpoint.code = "LimitExceeded.PhoneNumberDailyLimit"
    MessageTemplate.objects.create(code="birthday", channel=Channel.SMS, body="Hi {name}")
    customer = make_customer(rep)
    message = services.send(None, customer, Channel.SMS, Purpose.CARE, "birthday", now=DAYTIME)
    assert services.deliver(message.pk) == Status.QUEUED
    message.refresh_from_db()
    assert services.deliver(message.pk, now=message.scheduled_for) == Status.FAILED
    message.refresh_from_db()
    assert "LimitExceeded" in message.last_error and message.attempts == 2


def test_sms_without_a_tencent_template_fails_at_once(rep, make_customer, sms_endpoint):
    customer = make_customer(rep)
    message = services.send(
        None, customer, Channel.SMS, Purpose.SERVICE, text="Free text", now=DAYTIME
    )
    assert services.deliver(message.pk) == Status.FAILED
    assert not sms_endpoint.requests


def test_without_credentials_sms_and_email_go_to_the_sink(rep, make_customer, settings):
    settings.EMAIL_HOST = ""
    settings.TENCENT_SMS_SECRET_ID = ""
    customer = make_customer(rep, email="li@example.com", mobile="13800138000")
    for channel in (Channel.SMS, Channel.EMAIL):
        message = services.send(
            None, customer, channel, Purpose.SERVICE, text="Your order", now=DAYTIME
        )
        assert services.deliver(message.pk) == Status.SENT
    assert sorted(SinkMessage.objects.values_list("channel", "to")) == [
        ("email", "li@example.com"),
        ("sms", "13800138000"),
    ]


def test_sink_is_readable_in_the_admin(client, admin_user, rep, make_customer, settings):
    settings.EMAIL_HOST = ""
    customer = make_customer(rep, email="li@example.com")
    message = services.send(
        None, customer, Channel.EMAIL, Purpose.SERVICE, text="Sink me", now=DAYTIME
    )
    services.deliver(message.pk)
    client.force_login(admin_user)
    page = client.get("/admin/engagement/sinkmessage/")
    assert page.status_code == 200 and "li@example.com" in page.content.decode()
