"""For any history, opt-outs and batch, `send_many` reaches exactly the decisions of `send`
called once per request in the same order, never exceeds the cap and never sends on a
channel the customer opted out of; so does the morning run's path, the customers read as
rows (recipients) and only the messages' ids returned (send_many_ids)."""

import datetime

from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.channels import Channel
from customers.models import Consent
from customers.services import set_consent
from engagement import policy, services
from engagement.models import Message, Purpose, Status
from engagement.recipients import recipients
from engagement.tests.conftest import DAYTIME
from engagement.tests.test_tier_caps import good_run, score

CHANNELS = [Channel.SMS, Channel.EMAIL, Channel.PHONE, Channel.POST]
# Capped purposes drawn more often, so the windows fill up.
PURPOSES = [Purpose.CARE, Purpose.MARKETING, Purpose.CARE, Purpose.MARKETING, *Purpose]
CUSTOMERS = 3
CAPS_BY_TIER = {"A": (3, 5), "B": (1, 1)}

history_step = st.tuples(
    st.integers(0, CUSTOMERS - 1),
    st.sampled_from(CHANNELS),
    st.sampled_from(PURPOSES),
    st.integers(-45 * 24, 3 * 24),  # hours from the batch: the windows either side
)
request_step = st.tuples(
    st.integers(0, CUSTOMERS - 1),
    st.sampled_from(CHANNELS),
    st.sampled_from(PURPOSES),
    st.sampled_from([None, 0, 1, 2]),  # occasion: today or a day after (repeats collide)
)


class Rollback(Exception):
    """Undo the one-by-one run, so the bulk run starts from the same state."""


def _outcome(message: Message) -> tuple[object, ...]:
    return (
        message.customer_id, message.channel, message.purpose, message.occasion_date,
        message.status, message.skip_reason, message.scheduled_for, message.text,
    )  # fmt: skip


def _bulk(requests, now, chunk, as_rows):
    """Send the batch in bulk: as the callers with instances do, or as the morning run."""
    if not as_rows:
        return services.send_many(None, requests, now=now, chunk=chunk)
    rows = recipients([r.customer.pk for r in requests])
    requests = [r._replace(customer=rows[r.customer.pk]) for r in requests]
    ids = services.send_many_ids(None, requests, now=now, chunk=chunk)
    messages = Message.objects.in_bulk(ids)
    return [messages[pk] for pk in ids]


def _requests(customers, steps):
    return [
        services.SendRequest(
            customers[index],
            channel,
            purpose,
            text="Hi {name}",
            occasion_date=None if day is None else DAYTIME.date() + datetime.timedelta(days=day),
        )
        for index, channel, purpose, day in steps
    ]


def _assert_within_caps(customer_ids, caps):
    reached = Message.objects.filter(
        customer_id__in=customer_ids,
        purpose__in=policy.CAPPED_PURPOSES,
        status__in=policy.COUNTED_STATUSES,
    )
    for customer_id, (cap_7, cap_30) in zip(customer_ids, caps, strict=True):
        times = sorted(
            reached.filter(customer_id=customer_id).values_list("scheduled_for", flat=True)
        )
        for i, start in enumerate(times):
            assert len([t for t in times[i:] if t - start < datetime.timedelta(days=7)]) <= cap_7
            assert len([t for t in times[i:] if t - start < datetime.timedelta(days=30)]) <= cap_30


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.lists(history_step, max_size=12),
    opt_outs=st.sets(st.tuples(st.integers(0, CUSTOMERS - 1), st.sampled_from(CHANNELS))),
    steps=st.lists(request_step, min_size=1, max_size=20),
    hour=st.integers(0, 23),
    chunk=st.integers(1, 6),
    # A tier with its own caps, one not named (the default caps), or no score at all.
    tiers=st.lists(st.sampled_from(["A", "B", "C", ""]), min_size=CUSTOMERS, max_size=CUSTOMERS),
    as_rows=st.booleans(),
)
def test_send_many_decides_as_send_one_after_another(
    rep, make_customer, settings, history, opt_outs, steps, hour, chunk, tiers, as_rows
):
    Message.objects.all().delete()
    Consent.objects.all().delete()
    customers = [
        make_customer(rep, email="a@example.com"),
        make_customer(rep, time_zone="Europe/Berlin"),  # no email: a recorded skip
        make_customer(rep, email="c@example.com", time_zone="America/New_York"),
    ]
    settings.CONTACT_CAPS_BY_TIER = CAPS_BY_TIER
    run = good_run()
    for customer, tier in zip(customers, tiers, strict=True):
        if tier:
            score(run, customer, tier)
    for index, channel, purpose, hours in history:
        at = DAYTIME + datetime.timedelta(hours=hours)
        services.send(None, customers[index], channel, purpose, text="Old", now=at,
                      occasion_date=at.date())  # fmt: skip
    for index, channel in opt_outs:
        set_consent(None, customers[index], channel, False)
    known = set(Message.objects.values_list("pk", flat=True))
    now = DAYTIME + datetime.timedelta(hours=hour)
    requests = _requests(customers, steps)

    one_by_one: list[tuple[object, ...]] = []
    try:
        with transaction.atomic():
            for r in requests:
                message = services.send(
                    None, r.customer, r.channel, r.purpose, text=r.text,
                    occasion_date=r.occasion_date, now=now,
                )  # fmt: skip
                one_by_one.append(_outcome(message))
            raise Rollback
    except Rollback:
        pass

    bulk = _bulk(requests, now, chunk, as_rows)
    assert [_outcome(message) for message in bulk] == one_by_one
    stored = {
        message.pk: _outcome(message)
        for message in Message.objects.filter(pk__in=[m.pk for m in bulk])
    }
    assert [stored[message.pk] for message in bulk] == one_by_one  # as written, too

    new = Message.objects.exclude(pk__in=known)
    closed = {(customers[i].pk, channel) for i, channel in opt_outs}
    for message in new.filter(status__in=policy.COUNTED_STATUSES):
        assert (message.customer_id, message.channel) not in closed
    caps = [CAPS_BY_TIER.get(tier, (2, 4)) for tier in tiers]
    _assert_within_caps([customer.pk for customer in customers], caps)
    assert not new.filter(status=Status.FAILED).exists()
