"""Contact caps by value tier: the tier of the latest good scoring run, the default caps
without a run, a score or a named tier, and the setting read from the environment."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.channels import Channel
from core.env import env_int_pairs
from engagement import policy, services
from engagement.models import Purpose, SkipReason, Status
from engagement.tests.conftest import DAYTIME
from insights.models import CustomerScore, RunStatus, ScoreRun


def score(run, customer, tier):
    return CustomerScore.objects.create(
        run=run, customer=customer, purchase_count=1, first_purchase_on=datetime.date(2026, 2, 1),
        last_purchase_on=datetime.date(2026, 2, 1), revenue=30, is_returning=False,
        typical_interval_days=None, p_alive=1.0, churn_risk=0.5, expected_purchases_30=0.1,
        expected_purchases_90=0.2, expected_purchases_365=0.5, expected_spend=30.0, clv=12.0,
        value_tier=tier, r_score=3, f_score=1, m_score=2, segment="promising",
    )  # fmt: skip


def good_run(as_of=datetime.date(2026, 3, 1)):
    return ScoreRun.objects.create(as_of=as_of, status=RunStatus.SUCCEEDED)


def care_days(customer, days, bulk=False):
    """Send a care SMS for each of `days` consecutive occasions; return the statuses."""
    occasions = [DAYTIME.date() + datetime.timedelta(days=d) for d in range(days)]
    if bulk:
        requests = [
            services.SendRequest(customer, Channel.SMS, Purpose.CARE, text="Hi", occasion_date=day)
            for day in occasions
        ]
        messages = services.send_many(None, requests, now=DAYTIME)
    else:
        messages = [
            services.send(None, customer, Channel.SMS, Purpose.CARE, text="Hi", now=DAYTIME,
                          occasion_date=day)
            for day in occasions
        ]  # fmt: skip
    return [(m.status, m.skip_reason) for m in messages]


QUEUED = (Status.QUEUED, "")
CAPPED = (Status.SKIPPED, SkipReason.CAP_7_DAYS)


@pytest.mark.parametrize("bulk", [False, True])
def test_a_tier_with_its_own_caps_gets_them(rep, make_customer, settings, bulk):
    settings.CONTACT_CAPS_BY_TIER = {"A": (3, 6), "B": (1, 2)}
    a, b, c = make_customer(rep), make_customer(rep), make_customer(rep)
    run = good_run()
    score(run, a, "A"), score(run, b, "B"), score(run, c, "C")
    assert care_days(a, 4, bulk) == [QUEUED] * 3 + [CAPPED]
    assert care_days(b, 2, bulk) == [QUEUED, CAPPED]
    assert care_days(c, 3, bulk) == [QUEUED] * 2 + [CAPPED]  # C not named: the default 2


@pytest.mark.parametrize("bulk", [False, True])
def test_the_latest_good_run_decides_the_tier(rep, make_customer, settings, bulk):
    settings.CONTACT_CAPS_BY_TIER = {"A": (3, 6)}
    customer = make_customer(rep)
    score(good_run(datetime.date(2026, 1, 1)), customer, "C")
    score(good_run(datetime.date(2026, 2, 1)), customer, "A")
    failed = ScoreRun.objects.create(as_of=datetime.date(2026, 3, 1), status=RunStatus.FAILED)
    score(failed, customer, "C")
    assert care_days(customer, 4, bulk) == [QUEUED] * 3 + [CAPPED]


@pytest.mark.parametrize("bulk", [False, True])
def test_no_scoring_run_means_the_default_caps(rep, make_customer, settings, bulk):
    settings.CONTACT_CAPS_BY_TIER = {"A": (3, 6)}
    assert care_days(make_customer(rep), 3, bulk) == [QUEUED] * 2 + [CAPPED]


def test_a_customer_scored_after_the_run_has_the_default_caps(rep, make_customer, settings):
    settings.CONTACT_CAPS_BY_TIER = {"A": (5, 9)}
    scored, new = make_customer(rep), make_customer(rep)
    score(good_run(), scored, "A")
    assert policy.customer_caps(scored) == policy.Caps(5, 9)
    assert policy.customer_caps(new) == policy.Caps(2, 4)


def test_transactional_messages_read_no_tier(
    rep, make_customer, settings, django_assert_num_queries
):
    settings.CONTACT_CAPS_BY_TIER = {"A": (3, 6)}
    customer = make_customer(rep)
    score(good_run(), customer, "A")
    with django_assert_num_queries(2):  # erasure, consent: no run, no score
        policy.decide(customer, Channel.SMS, Purpose.TRANSACTIONAL, DAYTIME)


def test_caps_by_tier_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CONTACT_CAPS_BY_TIER", " A:3/6, B:2/4 ")
    assert env_int_pairs("CONTACT_CAPS_BY_TIER", {}) == {"A": (3, 6), "B": (2, 4)}
    monkeypatch.setenv("CONTACT_CAPS_BY_TIER", "")
    assert env_int_pairs("CONTACT_CAPS_BY_TIER", {}) == {}


@pytest.mark.parametrize("raw", ["A:3", "A:3/x", ":3/6", "A:-1/4", "A3/6"])
def test_a_malformed_tier_setting_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("CONTACT_CAPS_BY_TIER", raw)
    with pytest.raises(ImproperlyConfigured, match="CONTACT_CAPS_BY_TIER"):
        env_int_pairs("CONTACT_CAPS_BY_TIER", {})
