"""The rewards catalogue and redemption (积分兑换): points for a gift, coupon or service.

A redemption locks the member (their points) and then the reward (its stock), in that order
everywhere, takes the points soonest-expiring first (loyalty.points.debit) and one from the
stock, or refuses and changes nothing. It is idempotent by its key: the same key again
returns the first redemption, so a retried request from the counter never redeems twice.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_edit_owned_by
from accounts.models import User
from core.actors import actor_for
from core.errors import Conflict, Forbidden, Invalid, NotFound
from customers.models import Customer
from loyalty import notices
from loyalty.members import member_for
from loyalty.models import EntryKind, Redemption, Reward
from loyalty.points import announce, debit, lock_member

MAX_KEY_LENGTH = 160


def available_rewards(day: datetime.date) -> QuerySet[Reward]:
    """Return the rewards that may be redeemed on `day` (active, valid, in stock)."""
    return Reward.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        Q(stock__isnull=True) | Q(stock__gt=0),
        active=True,
    ).order_by("cost", "code")


def may_redeem(user: User, customer: Customer) -> bool:
    """Return whether the user may redeem points for the customer (whoever may change the
    customer: their rep, the rep's managers, admins)."""
    return can_edit_owned_by(user, customer.owner_id)


def redeem(actor: User, customer: Customer, reward_id: int, key: str) -> Redemption:
    """Give the customer the reward for its points; return the redemption (the first one
    again for a key already used). Refused, with nothing changed, when the points or the
    stock do not suffice or the reward is not valid today."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Invalid(_("Give a key of 1 to 160 characters for this redemption."), "key")
    if not may_redeem(actor, customer):
        raise Forbidden(_("You may not redeem points for this customer."))
    known = Redemption.objects.filter(key=key).first()
    if known is not None:
        return _replayed(known, customer, reward_id)
    try:
        with transaction.atomic():
            redemption = _redeem(actor, customer, reward_id, key)
    except IntegrityError:
        # A concurrent twin with the same key won; answer with its redemption.
        known = Redemption.objects.filter(key=key).first()
        if known is None:
            raise
        return _replayed(known, customer, reward_id)
    return redemption


def _replayed(known: Redemption, customer: Customer, reward_id: int) -> Redemption:
    if known.reward_id != reward_id or known.member.customer_id != customer.pk:
        raise Conflict(_("This key was already used for another redemption; use a new key."), "key")
    return known


def _redeem(actor: User, customer: Customer, reward_id: int, key: str) -> Redemption:
    member = lock_member(member_for(customer.pk).pk)
    reward = Reward.objects.select_for_update().filter(pk=reward_id).first()
    if reward is None:
        raise NotFound(_("Unknown reward."))
    today = timezone.localdate()
    if not available_rewards(today).filter(pk=reward.pk).exists():
        if reward.stock == 0:
            raise Invalid(
                _("%(reward)s is out of stock.") % {"reward": reward.shown_name}, "reward"
            )
        raise Invalid(
            _("%(reward)s cannot be redeemed today.") % {"reward": reward.shown_name}, "reward"
        )
    if member.points_balance < reward.cost:
        raise Invalid(
            _("%(reward)s needs %(cost)s points; the customer has %(balance)s.")
            % {
                "reward": reward.shown_name,
                "cost": f"{reward.cost:,}",
                "balance": f"{member.points_balance:,}",
            },
            "points",
        )
    if reward.stock is not None:
        # Conditional, so the stock cannot pass zero even if a lock were missed.
        taken = Reward.objects.filter(pk=reward.pk, stock__gt=0).update(stock=F("stock") - 1)
        if not taken:
            raise Invalid(
                _("%(reward)s is out of stock.") % {"reward": reward.shown_name}, "reward"
            )
    who = actor_for(actor)
    entry = debit(
        member, reward.cost, EntryKind.REDEEM, who, owe_rest=False,
        reason=reward.name[:200], ref=f"redemption:{key}",
    )  # fmt: skip
    redemption = Redemption.objects.create(
        member=member, reward=reward, points=reward.cost, key=key, entry=entry, created_by=actor
    )
    announce(who, member, entry)
    transaction.on_commit(lambda: notices.reward_issued(redemption.pk))
    return redemption
