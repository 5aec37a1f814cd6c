"""The send path: idempotency, the access rule per role, tasks for a person, events, the
timeline, and refusals that name their field."""

import datetime

import pytest
from django.utils import translation

from core.channels import Channel
from core.errors import Forbidden, Invalid, NotFound
from core.models import OutboxEvent
from customers.services import set_consent, timeline
from engagement import services
from engagement.models import Message, MessageTemplate, Purpose, SkipReason, Status
from engagement.tests.conftest import DAYTIME
from interactions.models import FollowUp


def _send(actor, customer, channel=Channel.SMS, purpose=Purpose.CARE, **kwargs):
    kwargs.setdefault("text", "Hello {name}")
    return services.send(actor, customer, channel, purpose, now=DAYTIME, **kwargs)


def test_a_double_call_never_sends_twice(rep, make_customer, django_capture_on_commit_callbacks):
    customer = make_customer(rep)
    with django_capture_on_commit_callbacks() as queued:
        first = _send(rep, customer)
        second = _send(rep, customer)
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    deliveries = [callback for callback in queued if callback.__qualname__.startswith("send.")]
    assert len(deliveries) == 1  # one delivery task, not two


def test_another_occasion_or_channel_is_another_message(rep, make_customer):
    customer = make_customer(rep, email="a@example.com")
    first = _send(None, customer, purpose=Purpose.SERVICE)
    other_day = _send(
        None, customer, purpose=Purpose.SERVICE, occasion_date=datetime.date(2026, 1, 1)
    )
    other_channel = _send(None, customer, Channel.EMAIL, purpose=Purpose.SERVICE)
    assert len({first.pk, other_day.pk, other_channel.pk}) == 3


def test_sent_on_commit_through_the_queue(
    rep, make_customer, settings, immediate_queue, django_capture_on_commit_callbacks
):
    settings.TENCENT_SMS_SECRET_ID = ""
    customer = make_customer(rep)
    with django_capture_on_commit_callbacks(execute=True):
        message = _send(rep, customer)
    message.refresh_from_db()
    assert message.status == Status.SENT and message.sent_at is not None


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("rep", None),  # their own customer
        ("manager", None),  # a customer of their team
        ("admin_user", None),
        ("agent", None),  # service agents contact every customer
        ("teammate", NotFound),  # another rep's customer: not even visible
        ("other_rep", NotFound),
    ],
)
def test_access_rule_per_role(request, rep, make_customer, who, outcome):
    actor = request.getfixturevalue(who)
    customer = make_customer(rep)
    if outcome is None:
        assert _send(actor, customer).status == Status.QUEUED
    else:
        with pytest.raises(outcome) as error:
            _send(actor, customer)
        assert error.value.field == "customer_id"
        assert not Message.objects.exists()


def test_manager_of_another_team_may_not_send(rep, make_customer, other_team):
    from conftest import make_user

    outsider = make_user("outsider", "manager", other_team)
    with pytest.raises(NotFound):
        _send(outsider, make_customer(rep))


def test_read_only_viewer_is_refused_with_403(rep, make_customer, monkeypatch):
    customer = make_customer(rep)
    monkeypatch.setattr(services, "can_log_interaction", lambda user, owner_id: False)
    with pytest.raises(Forbidden):
        _send(rep, customer)


# Each bad argument of a send, and the field its refusal names (send_many's tests too).
BAD_INPUT = [
    ({"channel": "fax"}, "channel"),
    ({"purpose": "spam"}, "purpose"),
    ({"text": "  "}, "text"),
    ({"text": "Hi {mobile}"}, "text"),
    ({"text": "Hi {name.__class__}"}, "text"),
    ({"text": "", "template_code": "nope"}, "template_code"),
]


@pytest.mark.parametrize(("kwargs", "field"), BAD_INPUT)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    rep, make_customer, kwargs, field
):
    customer = make_customer(rep)
    with pytest.raises(Invalid) as error:
        _send(rep, customer, **kwargs)
    assert error.value.field == field
    assert not Message.objects.exists()


def test_unknown_placeholder_is_named_in_chinese(rep, make_customer):
    customer = make_customer(rep)
    with translation.override("zh-hans"), pytest.raises(Invalid) as error:
        _send(rep, customer, text="您好 {mobile}")
    assert "{mobile}" in error.value.message and "占位符" in error.value.message


def test_template_renders_allow_listed_fields(rep, make_customer):
    MessageTemplate.objects.create(code="hello", channel=Channel.SMS, body="{name} of {company}")
    customer = make_customer(rep, name="Li Na", company="ACME")
    message = _send(rep, customer, text="", template_code="hello")
    assert (message.text, message.template) == ("Li Na of ACME", "hello")


def test_no_mobile_is_a_recorded_skip(rep, make_customer):
    customer = make_customer(rep, mobile="")
    message = _send(rep, customer)
    assert (message.status, message.skip_reason) == (Status.SKIPPED, SkipReason.NO_ADDRESS)


def test_opted_out_channel_is_a_recorded_skip_with_event(rep, make_customer):
    customer = make_customer(rep)
    set_consent(rep, customer, Channel.SMS, False)
    message = _send(rep, customer, cause=services.Cause("campaign", 7))
    assert (message.status, message.skip_reason) == (Status.SKIPPED, SkipReason.OPTED_OUT)
    assert (message.cause_kind, message.cause_id) == ("campaign", 7)
    event = OutboxEvent.objects.get(kind="message.skipped")
    assert event.data == {"channel": "sms", "purpose": "care", "reason": "opted_out"}
    assert event.customer_id == customer.pk


def test_a_call_becomes_a_follow_up_for_the_owner(agent, rep, make_customer):
    customer = make_customer(rep)
    message = _send(agent, customer, Channel.PHONE, text="Birthday call for {name}")
    follow_up = FollowUp.objects.get(customer=customer)
    assert follow_up.assignee == rep and follow_up.due_on == datetime.date(2026, 3, 10)
    assert customer.name in follow_up.note
    assert message.status == Status.SENT and message.provider_ref == f"follow_up:{follow_up.pk}"
    kinds = list(OutboxEvent.objects.values_list("kind", flat=True).order_by("id"))
    assert kinds == ["customer.created", "message.queued", "follow_up.created", "message.sent"]


def test_a_gift_by_post_records_its_cost(rep, make_customer):
    from decimal import Decimal

    customer = make_customer(rep)
    message = _send(rep, customer, Channel.POST, text="Mooncakes", cost=Decimal("88.00"))
    assert message.cost == Decimal("88.00") and FollowUp.objects.filter(customer=customer).exists()


def test_messages_appear_on_the_customer_timeline(rep, make_customer):
    customer = make_customer(rep)
    message = _send(rep, customer)
    entries = [entry for entry in timeline(customer) if entry.kind == "message"]
    assert [entry.item for entry in entries] == [message]


def test_customer_page_shows_the_message(client, rep, make_customer):
    customer = make_customer(rep)
    _send(rep, customer, text="Happy birthday {name}")
    client.force_login(rep)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"Happy birthday {customer.name}" in page


def test_erasure_blanks_messages_and_their_sink_copies(rep, admin_user, make_customer, settings):
    from customers.erasure import erase_customer
    from engagement.models import SinkMessage

    settings.TENCENT_SMS_SECRET_ID = ""
    customer = make_customer(rep, name="Zhang Wei")
    message = _send(rep, customer, text="Dear {name}")
    services.deliver(message.pk)
    assert SinkMessage.objects.filter(body__contains="Zhang Wei").exists()
    erase_customer(admin_user, customer, "request of 2026-03-01")
    message.refresh_from_db()
    assert "Zhang Wei" not in message.text and message.status == Status.SENT
    assert not SinkMessage.objects.exists()
