"""Campaigns: a message to a segment, with a randomised holdout, and what it changed.

A campaign is prepared once: its segment, read through its author's view, is frozen into
recipients; a seeded draw, stratified by value tier and recency, holds `holdout_percent` of
each stratum back as the control, and the global control (a fixed share of all customers,
the same for every campaign) is held back too. Only the treated are sent to, through the one
send path (consent, quiet hours and the contact cap apply; each skip is on its message).
Preparing is resumable: recipients are drawn in one transaction, then sent to chunk by chunk,
and a second run sends only to those without a message. A cancel stops every queued
message and every chunk not yet sent.
"""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.bulk import insert_columns
from core.errors import Conflict, Forbidden, Invalid
from engagement import segments
from engagement.models import (
    Campaign,
    CampaignStatus,
    Group,
    Message,
    MessageTemplate,
    Purpose,
    Recipient,
    Segment,
    SkipReason,
    Status,
)
from engagement.services import Cause, SendRequest, send_many
from insights.models import CustomerScore
from insights.services import latest_run
from sales.models import CustomerStats

CAUSE = "campaign"
SEND_CHUNK = 5_000
# Days since the last purchase that bound the recency bands of the stratified draw.
RECENCY_BANDS = (90, 180, 365)


def may_run_campaigns(user: User) -> bool:
    """Return whether the user builds segments and runs campaigns (managers and admins)."""
    return user.is_active and user.role in (Role.MANAGER, Role.ADMIN)


def check_may_run(user: User) -> None:
    if not may_run_campaigns(user):
        raise Forbidden(_("Only managers and admins run campaigns."))


def save_segment(
    actor: User, segment: Segment | None, name: str, definition: dict[str, Any]
) -> Segment:
    """Create or change a saved segment."""
    check_may_run(actor)
    if segment is None:
        return Segment.objects.create(name=name, definition=definition, created_by=actor)
    segment.name, segment.definition = name, definition
    segment.save(update_fields=["name", "definition", "updated_at"])
    return segment


def visible_campaigns(user: User) -> Any:
    """Return the campaigns the user may read (managers and admins: all)."""
    if not may_run_campaigns(user):
        return Campaign.objects.none()
    return Campaign.objects.select_related("segment", "created_by")


def create_campaign(actor: User, fields: dict[str, Any]) -> Campaign:
    """Create a draft campaign from the form's cleaned fields."""
    check_may_run(actor)
    check_message(fields["channel"], fields.get("template_code", ""), fields.get("text", ""))
    seed = fields.pop("seed", None) or _new_seed()
    return Campaign.objects.create(created_by=actor, seed=seed, **fields)


def check_message(channel: str, template_code: str, text: str) -> None:
    """Refuse a campaign message the send path would refuse: an unknown template for the
    channel, or neither a template nor text."""
    if template_code:
        if not MessageTemplate.objects.filter(code=template_code, channel=channel).exists():
            raise Invalid(_("No template with this code for this channel."), "template_code")
    elif not text.strip():
        raise Invalid(_("Enter the message text or choose a template."), "text")


# Seeds fit the database's signed 32-bit integer (PostgreSQL's integer column).
MAX_SEED = 2**31 - 1


def _new_seed() -> int:
    """Return a fresh seed for a campaign's draw, from the moment it was created."""
    digest = hashlib.sha256(str(timezone.now().timestamp()).encode()).digest()
    return int.from_bytes(digest[:4]) & MAX_SEED


def approval_size() -> int:
    return int(settings.CAMPAIGN_APPROVAL_SIZE)


def request_send(actor: User, campaign: Campaign, today: datetime.date) -> Campaign:
    """Send the campaign, or put it before another manager when it is larger than the size
    that needs approval; return it."""
    check_may_run(actor)
    _check_status(campaign, (CampaignStatus.DRAFT, CampaignStatus.APPROVED))
    if campaign.status == CampaignStatus.DRAFT and _size(campaign, today) > approval_size():
        campaign.status = CampaignStatus.AWAITING_APPROVAL
        campaign.save(update_fields=["status"])
        return campaign
    _start(campaign)
    return campaign


def approve(actor: User, campaign: Campaign) -> Campaign:
    """Approve a large campaign (a manager or admin other than its author) and send it."""
    check_may_run(actor)
    _check_status(campaign, (CampaignStatus.AWAITING_APPROVAL,))
    if campaign.created_by_id == actor.pk:
        raise Forbidden(_("Another manager must approve a campaign of this size."))
    campaign.status = CampaignStatus.APPROVED
    campaign.approved_by, campaign.approved_at = actor, timezone.now()
    campaign.save(update_fields=["status", "approved_by", "approved_at"])
    _start(campaign)
    return campaign


def _start(campaign: Campaign) -> None:
    from engagement.tasks import prepare_campaign_task

    campaign.status = CampaignStatus.PREPARING
    campaign.save(update_fields=["status"])
    transaction.on_commit(lambda: prepare_campaign_task(campaign.pk))


def _check_status(campaign: Campaign, allowed: Sequence[str]) -> None:
    if campaign.status not in allowed:
        raise Conflict(_("The campaign is %(status)s.") % {"status": campaign.get_status_display()})


def _size(campaign: Campaign, today: datetime.date) -> int:
    author = campaign.created_by
    if author is None:
        return 0
    return segments.customers_in(campaign.segment.definition, author, today).count()


def cancel(actor: User, campaign: Campaign) -> int:
    """Cancel the campaign and skip every message of it still queued; return how many."""
    check_may_run(actor)
    _check_status(
        campaign,
        (CampaignStatus.DRAFT, CampaignStatus.AWAITING_APPROVAL, CampaignStatus.APPROVED,
         CampaignStatus.PREPARING, CampaignStatus.SENT),
    )  # fmt: skip
    with transaction.atomic():
        campaign.status, campaign.cancelled_at = CampaignStatus.CANCELLED, timezone.now()
        campaign.save(update_fields=["status", "cancelled_at"])
        return Message.objects.filter(
            cause_kind=CAUSE, cause_id=campaign.pk, status=Status.QUEUED
        ).update(status=Status.SKIPPED, skip_reason=SkipReason.CANCELLED)


# Preparing: the draw, then the sends ------------------------------------------------------


def prepare(campaign_id: int, today: datetime.date | None = None) -> int:
    """Freeze the segment into recipients (once) and send to the treated who have no
    message yet; return how many messages this run recorded."""
    campaign = Campaign.objects.select_related("segment", "created_by").get(pk=campaign_id)
    if campaign.status != CampaignStatus.PREPARING:
        return 0
    today = today or timezone.localdate()
    if not campaign.recipients.exists():
        _draw(campaign, today)
    sent = 0
    while batch := _unsent(campaign):
        if Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.CANCELLED).exists():
            return sent
        sent += _send_batch(campaign, batch)
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.PREPARING).update(
        status=CampaignStatus.SENT, prepared_at=timezone.now()
    )
    return sent


def _draw(campaign: Campaign, today: datetime.date) -> None:
    """Insert the recipients with their group and stratum, in one transaction."""
    author = campaign.created_by
    assert author is not None  # a campaign is created by a user and prepared once sent
    ids = np.array(
        sorted(segments.customers_in(campaign.segment.definition, author, today).values_list(
            "pk", flat=True)), dtype=np.int64,
    )  # fmt: skip
    strata = strata_of(ids, today)
    groups = draw_groups(ids, strata, campaign.holdout_percent, campaign.seed)
    with transaction.atomic():
        insert_columns(
            Recipient,
            ["campaign_id", "customer_id", "group", "stratum"],
            [[campaign.pk] * len(ids), ids.tolist(), groups, strata],
        )


def strata_of(ids: np.ndarray, today: datetime.date) -> list[str]:
    """Return each customer's stratum: value tier (latest run) and recency band."""
    run = latest_run()
    tiers: dict[int, str] = {}
    if run is not None:
        tiers = dict(
            CustomerScore.objects.of_run(run.pk).filter(customer_id__in=ids.tolist())
            .values_list("customer_id", "value_tier")
        )  # fmt: skip
    last = dict(
        CustomerStats.objects.filter(customer_id__in=ids.tolist()).values_list(
            "customer_id", "last_purchase_on")
    )  # fmt: skip
    return [f"{tiers.get(pk, '-')}{_band(last.get(pk), today)}" for pk in ids.tolist()]


def _band(last: datetime.date | None, today: datetime.date) -> int:
    if last is None:
        return len(RECENCY_BANDS) + 1
    days = (today - last).days
    return next((i for i, bound in enumerate(RECENCY_BANDS) if days <= bound), len(RECENCY_BANDS))


def draw_groups(ids: np.ndarray, strata: Sequence[str], percent: int, seed: int) -> list[str]:
    """Return each customer's group: the global control, then within each stratum a seeded
    random `percent` (rounded) held out as the control, the rest treated."""
    groups = [Group.TREATED.value] * len(ids)
    by_stratum: dict[str, list[int]] = defaultdict(list)
    for index, (pk, stratum) in enumerate(zip(ids.tolist(), strata, strict=True)):
        if in_global_control(pk):
            groups[index] = Group.GLOBAL_CONTROL.value
        else:
            by_stratum[stratum].append(index)
    rng = np.random.default_rng(seed)
    for stratum in sorted(by_stratum):
        members = by_stratum[stratum]
        held = round(len(members) * percent / 100)
        for index in rng.permutation(len(members))[:held]:
            groups[members[index]] = Group.CONTROL.value
    return groups


def in_global_control(customer_id: int) -> bool:
    """Return whether the customer is in the global control group, held out of every
    campaign: a fixed hash of the id, so the group never changes."""
    percent = float(settings.CAMPAIGN_GLOBAL_CONTROL_PERCENT)
    if percent <= 0:
        return False
    digest = hashlib.blake2b(f"{settings.CAMPAIGN_GLOBAL_CONTROL_SALT}:{customer_id}".encode(),
                             digest_size=4).digest()  # fmt: skip
    return int.from_bytes(digest) < percent / 100 * 2**32


def _unsent(campaign: Campaign) -> list[Recipient]:
    return list(
        campaign.recipients.filter(group=Group.TREATED, message__isnull=True)
        .select_related("customer").order_by("pk")[:SEND_CHUNK]
    )  # fmt: skip


def _send_batch(campaign: Campaign, batch: list[Recipient]) -> int:
    """Send to a batch of treated recipients and link each to its message, in one
    transaction per batch."""
    cause = Cause(CAUSE, campaign.pk)
    requests = [
        SendRequest(r.customer, campaign.channel, Purpose.MARKETING,
                    template_code=campaign.template_code, text=campaign.text, cause=cause,
                    occasion_date=campaign.send_on, cost=campaign.cost_per_contact)
        for r in batch
    ]  # fmt: skip
    with transaction.atomic():
        send_many(campaign.created_by, requests)
        # Each recipient's message by the send path's idempotency key, in one statement: a
        # key another campaign used that day gives that message (counted as not reached).
        by_key = Message.objects.filter(
            customer_id=OuterRef("customer_id"), purpose=Purpose.MARKETING,
            occasion_date=campaign.send_on, channel=campaign.channel,
        ).values("pk")[:1]  # fmt: skip
        Recipient.objects.filter(
            campaign=campaign, pk__gte=batch[0].pk, pk__lte=batch[-1].pk, group=Group.TREATED
        ).update(message=Subquery(by_key))
    return len(batch)


def progress(campaign: Campaign) -> tuple[int, int]:
    """Return how many treated recipients have their message, and how many there are."""
    treated = campaign.recipients.filter(group=Group.TREATED)
    return treated.exclude(message=None).count(), treated.count()


def segment_size(definition: dict[str, Any], user: User, today: datetime.date) -> int:
    """Return how many customers the user may see meet the definition today."""
    check_may_run(user)
    return segments.customers_in(definition, user, today).count()
