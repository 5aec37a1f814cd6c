"""Member notices (balance, expiring points, tier change, reward issued) and the statement.

All go through the one send path (engagement.services) with purpose "loyalty", so consent,
quiet hours and the send key apply there. The send key is (customer, purpose, occasion day,
channel): an expiry warning's occasion is the day the points expire, so a member warned of
two expiry days gets two warnings, and a second warning for the same day is the first one.
A notice goes by SMS to a customer with a mobile, else by email; a statement by email.
"""

import datetime
import logging

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.channels import Channel
from core.errors import DomainError, Invalid
from customers.models import Customer
from engagement.models import Message, Purpose
from engagement.services import SendRequest, send, send_many
from loyalty.models import EntryKind, Member, Redemption
from loyalty.points import expiring_on, statement

logger = logging.getLogger(__name__)


def channel_for(customer: Customer) -> str | None:
    """Return the channel a notice goes by: SMS with a mobile, else email, else none."""
    if customer.mobile:
        return Channel.SMS
    if customer.email:
        return Channel.EMAIL
    return None


def balance_text(customer: Customer, member: Member) -> str:
    """Return the balance notice's text in the customer's language."""
    with translation.override(customer.language):
        return _("Dear {name}, you have %(balance)s points.") % {
            "balance": f"{member.points_balance:,}"
        }


def send_balance(actor: User, customer: Customer, member: Member) -> Message:
    """Send the customer their points balance (a rep's button); return the message."""
    channel = channel_for(customer)
    if channel is None:
        raise Invalid(_("The customer has neither a mobile number nor an email address."))
    return send(actor, customer, channel, Purpose.LOYALTY, text=balance_text(customer, member))


def reward_issued(redemption_id: int) -> None:
    """Tell the customer their reward was issued (after the redemption committed). A refusal
    of the send path (no address, opted out) is logged, not raised: the reward stands."""
    redemption = Redemption.objects.select_related("member__customer", "reward").get(
        pk=redemption_id
    )
    customer = redemption.member.customer
    channel = channel_for(customer)
    if channel is None:
        return
    reward = redemption.reward
    name = (reward.name_zh if customer.language != "en" else "") or reward.name
    with translation.override(customer.language):
        text = _("Dear {name}, your reward %(reward)s was issued for %(points)s points.") % {
            "reward": name, "points": f"{redemption.points:,}"
        }  # fmt: skip
    try:
        send(
            None, customer, channel, Purpose.LOYALTY, text=text,
            occasion_date=timezone.localdate(redemption.created_at),
        )  # fmt: skip
    except DomainError:
        logger.warning("reward notice for redemption %s refused", redemption_id)


def expiry_warnings(today: datetime.date, days: int) -> int:
    """Warn every member whose points expire `days` from today; return how many notices.

    One send_many for them all (the send path's bulk form)."""
    day = today + datetime.timedelta(days=days)
    due = dict(expiring_on(day))
    customers = Customer.objects.filter(pk__in=list(due)) if due else Customer.objects.none()
    requests = []
    for customer in customers.iterator(chunk_size=2000):
        channel = channel_for(customer)
        if channel is None or customer.is_archived:
            continue
        with translation.override(customer.language):
            text = _("Dear {name}, %(points)s of your points expire on %(day)s.") % {
                "points": f"{due[customer.pk]:,}", "day": day.isoformat()
            }  # fmt: skip
        requests.append(
            SendRequest(customer, channel, Purpose.LOYALTY, text=text, occasion_date=day)
        )
    return len(send_many(None, requests)) if requests else 0


def tier_changed(customer: Customer, tier_name: str) -> Message | None:
    """Tell the customer their membership tier is now `tier_name` (called by the tier review);
    return the message, or None without an address."""
    channel = channel_for(customer)
    if channel is None:
        return None
    with translation.override(customer.language):
        text = _("Dear {name}, your membership tier is now %(tier)s.") % {"tier": tier_name}
    return send(None, customer, channel, Purpose.LOYALTY, text=text)


def statement_text(customer: Customer, member: Member, limit: int = 50) -> str:
    """Return the member's statement as plain text in the customer's language."""
    labels = dict(EntryKind.choices)
    with translation.override(customer.language):
        lines = [
            _("Points statement for {name}"),
            _("Balance: %(balance)s points") % {"balance": f"{member.points_balance:,}"},
        ]
        if member.points_debt:
            lines.append(_("Owed: %(debt)s points") % {"debt": f"{member.points_debt:,}"})
        for entry in statement(member, limit):
            day = timezone.localtime(entry.created_at).date().isoformat()
            what = str(labels.get(entry.kind, entry.kind))
            reason = f" — {entry.reason}" if entry.reason else ""
            lines.append(f"{day}  {what}  {entry.points:+,}{reason}")
    return "\n".join(lines)


def send_statement(actor: User, customer: Customer, member: Member) -> Message:
    """Email the customer their points statement; return the message."""
    if not customer.email:
        raise Invalid(_("The customer has no email address."))
    text = statement_text(customer, member)
    return send(actor, customer, Channel.EMAIL, Purpose.LOYALTY, text=text)
