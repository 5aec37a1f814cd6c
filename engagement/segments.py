"""Saved segments: live definitions of customers, read through the author's view.

A definition is a dict of conditions, each optional, all of which must hold (the segment
form, engagement.forms.SegmentForm, validates and stores it):

    value_tiers: ["A", "B"]           segments: ["champions", ...]    (the latest scoring run)
    p_alive: [low, high]              clv: [low, high]                 (either end may be None)
    lifecycle: "returning" | "new"    tags: [tag id, ...] (any of)     regions: ["Zhejiang", ...]
    products: [id, ...], categories: ["tea", ...], bought_within_days: N (bought any of them)
    owners: [user id, ...]            not_contacted_days: N (no logged contact or message)
    consent: channel                  (only customers who have not opted out of it)

The same definition finds different customers from day to day; a campaign freezes it into
its recipients when it is prepared. Whoever reads a segment sees only the customers they may
see (the access rule), so a segment can never reach a customer its author may not see.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.access import visible_owner_q
from accounts.models import User
from customers.models import Consent, Customer
from engagement.models import Message, Status
from insights.models import CustomerScore
from insights.services import latest_run
from interactions.models import Interaction
from sales.models import OrderLine, OrderStatus

Definition = dict[str, Any]


def customers_in(definition: Definition, user: User, today: datetime.date) -> QuerySet[Customer]:
    """Return the active customers the user may see who meet every condition on the day."""
    customers = Customer.objects.filter(
        visible_owner_q(user), archived_at__isnull=True, merged_into__isnull=True
    )
    customers = customers.filter(_profile_q(definition))
    scores = _scores_q(definition, today)
    if scores is not None:
        customers = customers.filter(Exists(scores.filter(customer_id=OuterRef("pk"))))
    if definition.get("bought_within_days"):
        customers = customers.filter(Exists(_bought(definition, today)))
    if definition.get("not_contacted_days"):
        since = timezone.now() - datetime.timedelta(days=definition["not_contacted_days"])
        customers = customers.exclude(
            Exists(Interaction.objects.filter(customer_id=OuterRef("pk"), occurred_at__gte=since))
        ).exclude(Exists(_messaged_since(since)))
    if definition.get("consent"):
        customers = customers.exclude(
            Exists(
                Consent.objects.filter(
                    customer_id=OuterRef("pk"), channel=definition["consent"], granted=False
                )
            )
        )
    return customers


def _profile_q(definition: Definition) -> Q:
    condition = Q()
    if definition.get("tags"):
        condition &= Q(pk__in=Customer.tags.through.objects.filter(
            tag_id__in=definition["tags"]).values("customer_id"))  # fmt: skip
    if definition.get("regions"):
        condition &= Q(region__in=definition["regions"])
    if definition.get("owners"):
        condition &= Q(owner_id__in=definition["owners"])
    return condition


def _scores_q(definition: Definition, today: datetime.date) -> QuerySet[CustomerScore] | None:
    """Return the latest run's scores that meet the score conditions, or None when the
    definition has none (no run needed)."""
    wanted = ("value_tiers", "segments", "p_alive", "clv", "lifecycle")
    if not any(definition.get(name) for name in wanted):
        return None
    run = latest_run()
    if run is None:
        return CustomerScore.objects.none()
    scores = CustomerScore.objects.of_run(run.pk)
    if definition.get("value_tiers"):
        scores = scores.filter(value_tier__in=definition["value_tiers"])
    if definition.get("segments"):
        scores = scores.filter(segment__in=definition["segments"])
    for name in ("p_alive", "clv"):
        low, high = definition.get(name) or (None, None)
        if low is not None:
            scores = scores.filter(**{f"{name}__gte": low})
        if high is not None:
            scores = scores.filter(**{f"{name}__lte": high})
    returning_since = today - datetime.timedelta(days=settings.RETURNING_CUSTOMER_DAYS)
    if definition.get("lifecycle") == "returning":
        scores = scores.filter(first_purchase_on__lte=returning_since)
    elif definition.get("lifecycle") == "new":
        scores = scores.filter(first_purchase_on__gt=returning_since)
    return scores


def _bought(definition: Definition, today: datetime.date) -> QuerySet[OrderLine]:
    """Return the paid order lines of the products or categories in the window, per
    customer (for Exists)."""
    since = today - datetime.timedelta(days=definition["bought_within_days"])
    lines = OrderLine.objects.filter(
        order__customer_id=OuterRef("pk"),
        order__status=OrderStatus.PAID,
        order__ordered_on__gt=since,
        order__ordered_on__lte=today,
    )
    products = Q()
    if definition.get("products"):
        products |= Q(product_id__in=definition["products"])
    if definition.get("categories"):
        products |= Q(product__category__in=definition["categories"])
    return lines.filter(products)


def _messaged_since(since: datetime.datetime) -> QuerySet[Message]:
    return Message.objects.filter(
        customer_id=OuterRef("pk"),
        scheduled_for__gte=since,
        status__in=(Status.QUEUED, Status.SENT, Status.DELIVERED),
    )
