"""The bulk send path: the same answers as `send` one after another, in a few queries, with
events in bulk and one delivery task per chunk and sending time."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from core.channels import Channel
from core.errors import Forbidden, Invalid, NotFound
from core.events import events_in
from core.models import OutboxEvent
from customers.services import set_consent
from engagement import services
from engagement.models import Message, MessageTemplate, Purpose, SkipReason, Status
from engagement.recipients import Recipient, recipients
from engagement.services import SendRequest
from engagement.tests.conftest import DAYTIME
from engagement.tests.test_send import BAD_INPUT
from interactions.models import FollowUp

# 22:00 in Shanghai: inside the quiet hours, which end at 09:00 the next morning.
NIGHT = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)
MORNING = datetime.datetime(2026, 3, 11, 1, 0, tzinfo=datetime.UTC)


def _request(customer, channel=Channel.SMS, purpose=Purpose.CARE, **kwargs):
    kwargs.setdefault("text", "Hello {name}")
    return SendRequest(customer, channel, purpose, **kwargs)


def _kinds() -> list[str]:
    return list(OutboxEvent.objects.exclude(kind="customer.created").values_list("kind", flat=True))


def test_returns_each_request_s_message_in_order_rendered(rep, make_customer):
    first, second = make_customer(rep, name="Li Na"), make_customer(rep, name="Wang Fang")
    messages = services.send_many(
        rep, [_request(first), _request(second, cause=services.Cause("care", 3))], now=DAYTIME
    )
    assert [m.customer_id for m in messages] == [first.pk, second.pk]
    assert [m.text for m in messages] == ["Hello Li Na", "Hello Wang Fang"]
    assert all(m.pk and m.status == Status.QUEUED for m in messages)
    stored = Message.objects.get(pk=messages[1].pk)
    assert (stored.cause_kind, stored.cause_id, stored.created_by) == ("care", 3, rep)
    assert stored.occasion_date == datetime.date(2026, 3, 10)


def test_a_key_already_sent_or_asked_twice_is_one_message(rep, make_customer):
    customer, other = make_customer(rep), make_customer(rep)
    earlier = services.send(None, customer, Channel.SMS, Purpose.CARE, text="Hi", now=DAYTIME)
    events_before = OutboxEvent.objects.count()
    messages = services.send_many(
        None, [_request(customer), _request(other), _request(other)], now=DAYTIME
    )
    assert messages[0].pk == earlier.pk and messages[0].text == "Hi"  # returned, not re-sent
    assert messages[1].pk == messages[2].pk
    assert Message.objects.count() == 2
    assert OutboxEvent.objects.count() == events_before + 1  # one queued event for `other`


def test_the_cap_counts_earlier_requests_of_the_same_batch(rep, make_customer):
    customer = make_customer(rep)
    days = [datetime.date(2026, 3, d) for d in (8, 9, 10)]
    messages = services.send_many(
        None, [_request(customer, occasion_date=day) for day in days], now=DAYTIME
    )
    assert [m.status for m in messages] == [Status.QUEUED, Status.QUEUED, Status.SKIPPED]
    assert messages[2].skip_reason == SkipReason.CAP_7_DAYS


def test_the_cap_counts_chunks_already_committed(rep, make_customer):
    customer = make_customer(rep, email="a@example.com")
    requests = [
        _request(customer, Channel.SMS),
        _request(customer, Channel.EMAIL),
        _request(customer, Channel.SMS, Purpose.MARKETING),
    ]
    messages = services.send_many(None, requests, now=DAYTIME, chunk=1)
    assert [m.skip_reason for m in messages] == ["", "", SkipReason.CAP_7_DAYS]


def test_skips_are_recorded_with_their_reasons(rep, make_customer):
    opted_out, no_mobile, archived = (make_customer(rep) for _ in range(3))
    set_consent(None, opted_out, Channel.SMS, False)
    no_mobile.mobile = ""
    archived.archived_at = DAYTIME
    messages = services.send_many(
        None,
        [
            _request(opted_out),
            _request(no_mobile),
            _request(archived),
            _request(opted_out, Channel.PHONE),
        ],
        now=DAYTIME,
    )
    assert [m.skip_reason for m in messages[:3]] == [
        SkipReason.OPTED_OUT, SkipReason.NO_ADDRESS, SkipReason.ARCHIVED,
    ]  # fmt: skip
    assert messages[3].status == Status.SENT  # a call: the SMS opt-out does not apply


def test_quiet_hours_queue_until_the_morning_in_the_customer_s_zone(rep, make_customer):
    shanghai = make_customer(rep)
    berlin = make_customer(rep, time_zone="Europe/Berlin")  # 15:00 there: not quiet
    messages = services.send_many(None, [_request(shanghai), _request(berlin)], now=NIGHT)
    assert messages[0].scheduled_for == MORNING and messages[0].status == Status.QUEUED
    assert messages[1].scheduled_for == NIGHT


def test_events_are_one_outbox_row_per_kind_like_send_s(rep, make_customer):
    customers = [make_customer(rep) for _ in range(3)]
    set_consent(None, customers[2], Channel.SMS, False)
    OutboxEvent.objects.all().delete()
    messages = services.send_many(rep, [_request(c) for c in customers], now=DAYTIME)
    rows = {row.kind: row for row in OutboxEvent.objects.all()}
    assert set(rows) == {"message.queued", "message.skipped"}
    queued = events_in(rows["message.queued"])
    assert [(e.customer_id, e.subject_id) for e in queued] == [
        (m.customer_id, m.pk) for m in messages[:2]
    ]
    assert queued[0].data == {
        "channel": "sms", "purpose": "care", "scheduled_for": DAYTIME.isoformat()
    }  # fmt: skip
    assert rows["message.queued"].actor_user_id == rep.pk
    skipped = OutboxEvent.objects.get(kind="message.skipped")  # one event: a plain row
    assert skipped.data == {"channel": "sms", "purpose": "care", "reason": "opted_out"}


def test_one_delivery_task_per_chunk_and_sending_time(
    rep, make_customer, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    customers = [make_customer(rep) for _ in range(4)]
    customers[3].time_zone = "Europe/Berlin"
    with django_capture_on_commit_callbacks(execute=True):
        services.send_many(None, [_request(c) for c in customers], now=NIGHT, chunk=2)
    # Chunk one: two Shanghai customers, one time. Chunk two: Shanghai and Berlin, two.
    assert HUEY.pending_count() == 3


def test_delivered_on_commit_through_the_queue(
    rep, make_customer, settings, immediate_queue, django_capture_on_commit_callbacks
):
    settings.TENCENT_SMS_SECRET_ID = ""
    customers = [make_customer(rep) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        messages = services.send_many(None, [_request(c) for c in customers], now=DAYTIME)
    statuses = set(
        Message.objects.filter(pk__in=[m.pk for m in messages]).values_list("status", flat=True)
    )
    assert statuses == {Status.SENT}


def test_calls_and_gifts_become_follow_ups_for_the_owner(agent, rep, make_customer):
    customer = make_customer(rep)
    messages = services.send_many(
        agent,
        [
            _request(customer, Channel.PHONE, text="Call {name}"),
            _request(customer, Channel.POST, text="Mooncakes", cost=Decimal("88.00")),
        ],
        now=DAYTIME,
    )
    assert [m.status for m in messages] == [Status.SENT, Status.SENT]
    assert FollowUp.objects.filter(customer=customer, assignee=rep).count() == 2
    assert Message.objects.get(pk=messages[1].pk).cost == Decimal("88.00")


def test_a_template_renders_for_each_customer(rep, make_customer):
    MessageTemplate.objects.create(code="festival", channel=Channel.SMS, body="{name}, 节日快乐")
    customers = [make_customer(rep, name=f"客户{n}") for n in range(3)]
    messages = services.send_many(
        None, [_request(c, text="", template_code="festival") for c in customers], now=DAYTIME
    )
    assert [m.text for m in messages] == [f"客户{n}, 节日快乐" for n in range(3)]


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("rep", None),
        ("manager", None),
        ("admin_user", None),
        ("agent", None),
        ("teammate", NotFound),
        ("other_rep", NotFound),
    ],
)
def test_access_rule_per_role_refuses_the_whole_batch(request, rep, make_customer, who, outcome):
    actor = request.getfixturevalue(who)
    customers = [make_customer(rep), make_customer(rep)]
    requests = [_request(c) for c in customers]
    if outcome is None:
        assert len(services.send_many(actor, requests, now=DAYTIME)) == 2
        return
    with pytest.raises(outcome) as error:
        services.send_many(actor, requests, now=DAYTIME)
    assert error.value.field == "requests[0].customer_id"
    assert not Message.objects.exists()


def test_a_customer_of_another_rep_in_the_batch_refuses_it_all(rep, other_rep, make_customer):
    mine, theirs = make_customer(rep), make_customer(other_rep)
    with pytest.raises(NotFound) as error:
        services.send_many(rep, [_request(mine), _request(theirs)], now=DAYTIME)
    assert error.value.field == "requests[1].customer_id"
    assert not Message.objects.exists()


def test_read_only_viewer_is_refused_with_403(rep, make_customer, monkeypatch):
    customer = make_customer(rep)
    monkeypatch.setattr(services, "can_log_interaction", lambda user, owner_id: False)
    with pytest.raises(Forbidden):
        services.send_many(rep, [_request(customer)], now=DAYTIME)


@pytest.mark.parametrize(("kwargs", "field"), BAD_INPUT)
def test_bad_input_names_the_request_and_field_and_changes_nothing(
    rep, make_customer, kwargs, field
):
    good, bad = make_customer(rep), make_customer(rep)
    with pytest.raises(Invalid) as error:
        services.send_many(rep, [_request(good), _request(bad, **kwargs)], now=DAYTIME, chunk=1)
    assert error.value.field == f"requests[1].{field}"
    assert not Message.objects.exists()


def test_unknown_placeholder_is_named_in_chinese(rep, make_customer):
    with translation.override("zh-hans"), pytest.raises(Invalid) as error:
        services.send_many(rep, [_request(make_customer(rep), text="您好 {mobile}")], now=DAYTIME)
    assert "{mobile}" in error.value.message and "占位符" in error.value.message


def test_an_empty_batch_sends_nothing(rep):
    assert services.send_many(rep, [], now=DAYTIME) == []


def test_a_chunk_takes_a_bounded_number_of_queries(
    rep, make_customer, django_assert_max_num_queries
):
    customers = [make_customer(rep) for _ in range(40)]
    requests = [_request(c) for c in customers]
    # Access (2), then per chunk: transaction, messages stored, erasures, consents,
    # contacts, the largest id, insert, ids read back, the events.
    with django_assert_max_num_queries(14):
        services.send_many(rep, requests, now=DAYTIME)


def test_the_cap_window_spans_a_change_to_summer_time_in_real_hours(rep, make_customer):
    # New York moves to summer time on 8 March 2026: seven days after 09:00 EST on 4 March
    # is 10:00 EDT on 11 March, so a message at 09:00 EDT on the 11th is inside the window.
    customer = make_customer(rep, time_zone="America/New_York")
    for hours in (0, 22, -134):  # queued until 09:00 New York on 10, 11 and 4 March
        at = DAYTIME + datetime.timedelta(hours=hours)
        last = services.send(None, customer, Channel.SMS, Purpose.CARE, text="Hi", now=at,
                             occasion_date=at.date())  # fmt: skip
    assert (last.status, last.skip_reason) == (Status.SKIPPED, SkipReason.CAP_7_DAYS)


def test_the_quick_mobile_check_answers_as_normalize_mobile():
    import random

    from django.core.exceptions import ValidationError

    from customers.validators import normalize_mobile

    def full(raw):
        try:
            return normalize_mobile(raw)
        except ValidationError:
            return ""

    rng = random.Random(12)
    numbers = ["17951234567", "12012345678", "11012345678", "16101234567", "17405123456"]
    numbers += ["1" + "".join(rng.choice("0123456789") for _ in range(10)) for _ in range(5000)]
    assert [services._mobile(n) for n in numbers] == [full(n) for n in numbers]


def test_each_customer_gets_the_template_in_their_language_with_the_occasion(rep, make_customer):
    for language, body in (
        ("zh-hans", "{name}，{occasion}快乐！"),
        ("en", "Happy {occasion}, {name}!"),
    ):
        MessageTemplate.objects.create(
            code="festival", channel=Channel.SMS, language=language, body=body
        )
    chinese, english = (
        make_customer(rep, name="李娜"),
        make_customer(rep, name="Amy", language="en"),
    )
    names = {"zh-hans": "春节", "en": "Spring Festival"}
    requests = [
        _request(c, text="", template_code="festival", occasion={"occasion": names[c.language]})
        for c in (chinese, english, chinese)
    ]
    messages = services.send_many(None, requests, now=DAYTIME)
    assert [m.text for m in messages[:2]] == ["李娜，春节快乐！", "Happy Spring Festival, Amy!"]
    assert messages[2].pk == messages[0].pk


def test_an_occasion_placeholder_without_its_value_is_refused(rep, make_customer):
    with pytest.raises(Invalid) as error:
        services.send_many(
            None, [_request(make_customer(rep), text="Happy {occasion}")], now=DAYTIME
        )
    assert error.value.field == "requests[0].text" and "{occasion}" in error.value.message
    assert not Message.objects.exists()


def test_a_customer_read_as_a_row_is_the_instance_s_recipient(rep, make_customer):
    plain = make_customer(rep, name="Li Na", email="li@example.com", time_zone="Europe/Berlin")
    archived = make_customer(rep, company="Acme", city="Suzhou")
    archived.archived_at = DAYTIME
    archived.save()
    merged = make_customer(rep)
    merged.merged_into = plain
    merged.save()
    rows = recipients([plain.pk, archived.pk, merged.pk, plain.pk])
    assert rows == {c.pk: Recipient.of(c) for c in (plain, archived, merged)}
    assert [rows[c.pk].gone for c in (plain, archived, merged)] == [False, True, True]


def test_greetings_sent_as_rows_hand_a_person_s_task_to_the_owner(rep, make_customer):
    customer = make_customer(rep, name="Li Na")
    request = _request(recipients([customer.pk])[customer.pk], channel=Channel.PHONE)
    (pk,) = services.send_many_ids(None, [request], now=DAYTIME)
    message = Message.objects.get(pk=pk)
    assert (message.status, message.text) == (Status.SENT, "Hello Li Na")
    assert FollowUp.objects.filter(customer=customer, assignee=rep, done_at=None).exists()
    assert services.send_many_ids(None, [request], now=DAYTIME) == [pk]  # again: no second
