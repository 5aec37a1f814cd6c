"""Campaigns: the stratified holdout, the sends to the treated only, approval, cancel."""

from collections import Counter
from typing import Any

import numpy as np
import pytest

from accounts.models import User
from core.channels import Channel
from core.errors import Conflict, Forbidden, Invalid
from customers.services import set_consent
from engagement import campaigns
from engagement.models import CampaignStatus, Group, Message, Recipient, SkipReason, Status
from engagement.tests.campaign_support import SEND_ON, campaign, segment

pytestmark = pytest.mark.django_db


def _customers(make_customer: Any, owner: User, count: int) -> list[Any]:
    return [make_customer(owner) for _ in range(count)]


@pytest.fixture
def send_now(immediate_queue: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Ask for a campaign's send and run what it queues (the preparing task) at once."""

    def send(actor: User, chosen: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            campaigns.request_send(actor, chosen, SEND_ON)
        chosen.refresh_from_db()

    return send


def test_the_holdout_is_drawn_within_each_stratum_and_fixed_by_the_seed() -> None:
    ids = np.arange(1, 401, dtype=np.int64)
    strata = ["A1"] * 100 + ["B2"] * 300
    groups = campaigns.draw_groups(ids, strata, 10, seed=3)
    held = Counter(s for s, g in zip(strata, groups, strict=True) if g == Group.CONTROL)
    assert held == {"A1": 10, "B2": 30}
    assert campaigns.draw_groups(ids, strata, 10, seed=3) == groups
    assert campaigns.draw_groups(ids, strata, 10, seed=4) != groups


def test_the_global_control_is_the_same_customers_for_every_campaign(settings: Any) -> None:
    settings.CAMPAIGN_GLOBAL_CONTROL_PERCENT = 20
    ids = np.arange(1, 2001, dtype=np.int64)
    first = campaigns.draw_groups(ids, ["x"] * 2000, 10, seed=1)
    second = campaigns.draw_groups(ids, ["x"] * 2000, 30, seed=2)
    held_out = [g == Group.GLOBAL_CONTROL for g in first]
    assert held_out == [g == Group.GLOBAL_CONTROL for g in second]
    assert 0.17 < sum(held_out) / 2000 < 0.23


def test_prepare_sends_to_the_treated_only_through_the_send_path(
    manager: User, rep: User, make_customer: Any, send_now: Any
) -> None:
    customers = _customers(make_customer, rep, 40)
    set_consent(None, customers[0], Channel.SMS, False, "asked")
    chosen = campaign(manager, segment(manager))
    send_now(manager, chosen)
    assert chosen.status == CampaignStatus.SENT
    groups = dict(Recipient.objects.filter(campaign=chosen).values_list("customer_id", "group"))
    assert len(groups) == 40 and Counter(groups.values())[Group.CONTROL] == 4
    messages = Message.objects.filter(cause_kind="campaign", cause_id=chosen.pk)
    contacted = set(messages.values_list("customer_id", flat=True))
    assert contacted == {pk for pk, group in groups.items() if group == Group.TREATED}
    if groups[customers[0].pk] == Group.TREATED:
        skipped = messages.get(customer=customers[0])
        assert (skipped.status, skipped.skip_reason) == (Status.SKIPPED, SkipReason.OPTED_OUT)
    assert campaigns.prepare(chosen.pk) == 0  # sent: a second run does nothing


def test_a_segment_reaches_only_customers_its_author_may_see(
    manager: User, rep: User, other_rep: User, make_customer: Any, send_now: Any
) -> None:
    mine = _customers(make_customer, rep, 5)
    _customers(make_customer, other_rep, 5)  # another team's
    chosen = campaign(manager, segment(manager), holdout_percent=1)
    send_now(manager, chosen)
    recipients = set(
        Recipient.objects.filter(campaign=chosen).values_list("customer_id", flat=True)
    )
    assert recipients == {c.pk for c in mine}


def test_a_large_campaign_waits_for_another_managers_approval(
    manager: User, admin_user: User, rep: User, make_customer: Any, settings: Any,
    send_now: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    settings.CAMPAIGN_APPROVAL_SIZE = 3
    _customers(make_customer, rep, 5)
    chosen = campaign(manager, segment(manager))
    send_now(manager, chosen)
    assert chosen.status == CampaignStatus.AWAITING_APPROVAL
    assert not Recipient.objects.filter(campaign=chosen).exists()
    with pytest.raises(Forbidden):
        campaigns.approve(manager, chosen)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.approve(admin_user, chosen)
    chosen.refresh_from_db()
    assert chosen.status == CampaignStatus.SENT and chosen.approved_by == admin_user


def test_a_cancel_stops_every_queued_message(manager: User, rep: User, make_customer: Any) -> None:
    _customers(make_customer, rep, 20)
    chosen = campaign(manager, segment(manager))
    # Prepared here, its deliveries left queued (their tasks are never run).
    campaigns.request_send(manager, chosen, SEND_ON)
    campaigns.prepare(chosen.pk)
    messages = Message.objects.filter(cause_kind="campaign", cause_id=chosen.pk)
    queued = messages.filter(status=Status.QUEUED).count()
    assert queued == 18
    assert campaigns.cancel(manager, chosen) == queued
    assert not messages.filter(status=Status.QUEUED).exists()
    assert messages.filter(skip_reason=SkipReason.CANCELLED).count() == queued
    with pytest.raises(Conflict):
        campaigns.cancel(manager, chosen)


def test_a_campaign_cancelled_before_it_is_prepared_sends_nothing(
    manager: User, rep: User, make_customer: Any
) -> None:
    _customers(make_customer, rep, 5)
    chosen = campaign(manager, segment(manager))
    campaigns.request_send(manager, chosen, SEND_ON)  # queued, not yet run
    campaigns.cancel(manager, chosen)
    assert campaigns.prepare(chosen.pk) == 0
    assert not Message.objects.filter(cause_kind="campaign").exists()


def test_only_managers_and_admins_run_campaigns(rep: User, agent: User) -> None:
    for user in (rep, agent):
        with pytest.raises(Forbidden):
            campaigns.save_segment(user, None, "Mine", {})


def test_a_campaign_needs_a_known_template_or_text(manager: User) -> None:
    chosen = segment(manager)
    with pytest.raises(Invalid) as error:
        campaign(manager, chosen, template_code="no-such-template", text="")
    assert error.value.field == "template_code"
    with pytest.raises(Invalid) as error:
        campaign(manager, chosen, text="  ")
    assert error.value.field == "text"


def test_the_send_day_is_the_idempotency_day(
    manager: User, rep: User, make_customer: Any, send_now: Any
) -> None:
    _customers(make_customer, rep, 3)
    chosen = campaign(manager, segment(manager), holdout_percent=1)
    send_now(manager, chosen)
    assert set(Message.objects.values_list("occasion_date", flat=True)) == {SEND_ON}


def test_a_new_campaigns_seed_fits_the_database(manager: User) -> None:
    for _ in range(50):
        created = campaign(manager, segment(manager), seed=None)
        assert 0 <= created.seed <= campaigns.MAX_SEED
