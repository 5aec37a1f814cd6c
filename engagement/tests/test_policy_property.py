"""Under any sequence of sends and opt-outs, no customer exceeds the contact cap of their
value tier in any rolling window, and nothing is sent on a channel the customer opted out of."""

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.channels import Channel
from customers.models import Consent
from customers.services import set_consent
from engagement import policy, services
from engagement.models import Message, Purpose, Status
from engagement.tests.conftest import DAYTIME
from engagement.tests.test_tier_caps import good_run, score

CHANNELS = [Channel.SMS, Channel.EMAIL, Channel.PHONE, Channel.WECHAT]
# Customer 0 is in tier A (its own caps), 1 in tier B (not named: the default caps).
TIERS = ["A", "B"]
CAPS_BY_TIER = {"A": (3, 5)}
send_step = st.tuples(
    st.just("send"),
    st.integers(0, 1),  # which customer
    st.sampled_from(CHANNELS),
    # Capped purposes drawn more often, so the windows fill up.
    st.sampled_from([Purpose.CARE, Purpose.MARKETING, *Purpose]),
    st.integers(1, 72),  # hours since the step before: quiet hours included
)
opt_out_step = st.tuples(st.just("opt_out"), st.integers(0, 1), st.sampled_from(CHANNELS))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Sends four times as often as opt-outs: otherwise every channel is soon closed.
@given(
    steps=st.lists(
        st.one_of(send_step, send_step, send_step, send_step, opt_out_step), min_size=5, max_size=30
    )
)
def test_no_customer_exceeds_the_cap_or_hears_on_an_opted_out_channel(
    rep, make_customer, settings, steps
):
    settings.EMAIL_HOST = settings.TENCENT_SMS_SECRET_ID = ""  # the sink: every send succeeds
    Message.objects.all().delete()
    Consent.objects.all().delete()
    settings.CONTACT_CAPS_BY_TIER = CAPS_BY_TIER
    customers = [make_customer(rep, email=f"c{n}@example.com") for n in range(2)]
    run = good_run()
    for customer, tier in zip(customers, TIERS, strict=True):
        score(run, customer, tier)
    opted_out: set[tuple[int, str]] = set()
    seen: set[int] = set()
    now = DAYTIME
    for step in steps:
        if step[0] == "opt_out":
            customer = customers[step[1]]
            set_consent(None, customer, step[2], False)
            opted_out.add((customer.pk, step[2]))
            continue
        _kind, index, channel, purpose, hours = step
        now += datetime.timedelta(hours=hours)
        customer = customers[index]
        message = services.send(None, customer, channel, purpose, text="Hi", now=now)
        if message.status == Status.QUEUED:
            services.deliver(message.pk, max(now, message.scheduled_for))
            message.refresh_from_db()
        if message.pk not in seen and message.status == Status.SENT:
            assert (customer.pk, channel) not in opted_out
        seen.add(message.pk)
    reached = Message.objects.filter(status__in=policy.COUNTED_STATUSES)
    for customer, tier in zip(customers, TIERS, strict=True):
        cap_7, cap_30 = CAPS_BY_TIER.get(tier, (2, 4))
        times = sorted(
            reached.filter(customer=customer, purpose__in=policy.CAPPED_PURPOSES).values_list(
                "scheduled_for", flat=True
            )
        )
        for i, start in enumerate(times):
            in_7 = [t for t in times[i:] if t - start < datetime.timedelta(days=7)]
            in_30 = [t for t in times[i:] if t - start < datetime.timedelta(days=30)]
            assert len(in_7) <= cap_7
            assert len(in_30) <= cap_30
