"""Product issues: what R&D is asked to fix, found in complaints, and the news that it is.

Managers and admins act for R&D (there is no R&D role): they record an issue with the
tickets that show it and mark it fixed. Marking it fixed can tell the customers of those
tickets, through engagement's one send path (purpose "service": consent and the customer's
opt-outs apply there; service messages are not capped).
"""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.actors import actor_for
from core.channels import Channel
from core.errors import Forbidden, Invalid, NotFound
from core.events import emit
from customers.models import Customer
from engagement.models import Message, Purpose, Status
from engagement.services import Cause, SendRequest, send_many
from sales.models import Product
from service.models import Category, ProductIssue, Ticket

MAX_TICKETS = 500  # tickets linked in one go: an issue is a finding, not an export
RECORDED = "product_issue.recorded"  # data: {"tickets"}
FIXED = "product_issue.fixed"  # data: {"notified"}
CAUSE = "product_issue"  # the notices' Message.cause_kind


def may_manage_issues(user: User) -> bool:
    """Return whether the user may record product issues and mark them fixed."""
    return user.is_active and (user.is_admin or user.role == Role.MANAGER)


def _check_may_manage(user: User) -> None:
    if not may_manage_issues(user):
        raise Forbidden(_("Only managers and admins record product issues and mark them fixed."))


def create_issue(
    user: User,
    title: str,
    product: Product | None,
    category: Category | None,
    ticket_numbers: Sequence[str],
) -> ProductIssue:
    """Record an issue for R&D on a product and/or category, linked to the tickets named."""
    _check_may_manage(user)
    title = title.strip()
    if not title:
        raise Invalid(_("Say what the issue is."), "title")
    if product is None and category is None:
        raise Invalid(_("Choose the product or the category the issue is about."), "product")
    wanted = sorted({number.strip() for number in ticket_numbers if number.strip()})
    if len(wanted) > MAX_TICKETS:
        raise Invalid(
            _("Link at most %(limit)d tickets at once.") % {"limit": MAX_TICKETS}, "tickets"
        )
    tickets = list(Ticket.objects.filter(number__in=wanted))
    missing = sorted(set(wanted) - {ticket.number for ticket in tickets})
    if missing:
        raise Invalid(_("No ticket numbered %(number)s.") % {"number": missing[0]}, "tickets")
    with transaction.atomic():
        issue = ProductIssue.objects.create(
            title=title, product=product, category=category, created_by=user
        )
        issue.tickets.set(tickets)
        emit(RECORDED, actor_for(user), subject_id=issue.pk, data={"tickets": len(tickets)})
    return issue


def mark_fixed(
    user: User,
    issue_id: int,
    note: str,
    tell_customers: bool,
    now: datetime.datetime | None = None,
) -> ProductIssue:
    """Mark the issue fixed and, if asked, queue a notice to each affected customer.

    Marking an issue fixed again changes nothing and sends nothing (a repeated click or
    retried request); the notices' idempotency keys guard the send path too.
    """
    _check_may_manage(user)
    now = now or timezone.now()
    with transaction.atomic():
        issue = ProductIssue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None:
            raise NotFound(_("There is no such product issue."))
        if issue.fixed_at is not None:
            return issue
        issue.fixed_at, issue.fixed_by, issue.fix_note = now, user, note.strip()
        if tell_customers:
            issue.notified = sum(_is_notice_queued(issue, m) for m in _tell_customers(issue, now))
        issue.save(update_fields=["fixed_at", "fixed_by", "fix_note", "notified"])
        emit(FIXED, actor_for(user), subject_id=issue.pk, data={"notified": issue.notified})
    return issue


def affected_customers(issue: ProductIssue) -> list[Customer]:
    """Return the customers of the issue's tickets, each once, not archived."""
    return list(Customer.objects.active().filter(tickets__issues=issue).distinct().order_by("pk"))


def notice_text(issue: ProductIssue, language: str) -> str:
    """Return the notice in the customer's language (braces doubled: the send path fills
    {placeholders}, and an issue's title is not one)."""
    title = issue.title.replace("{", "{{").replace("}", "}}")
    with translation.override(language):
        return _(
            "Dear {name}, the problem you told us about has been fixed: %(issue)s. Thank you "
            "for helping us improve."
        ) % {"issue": title}


def channel_for(customer: Customer) -> str:
    """Return the channel a notice goes on: SMS when the customer has a mobile, else email."""
    return Channel.SMS if customer.mobile else Channel.EMAIL


def _is_notice_queued(issue: ProductIssue, message: Message) -> bool:
    """Return whether the message is this issue's notice and will reach the customer (not
    skipped by consent or a missing address, nor another message holding the day's key)."""
    return (
        message.cause_kind == CAUSE and message.cause_id == issue.pk
        and message.status != Status.SKIPPED
    )  # fmt: skip


def _tell_customers(issue: ProductIssue, now: datetime.datetime) -> list[Message]:
    """Queue the notices through the send path; return the messages (sent or skipped)."""
    customers = affected_customers(issue)
    texts = {language: notice_text(issue, language) for language in {c.language for c in customers}}
    requests = [
        SendRequest(
            customer,
            channel_for(customer),
            Purpose.SERVICE,
            text=texts[customer.language],
            cause=Cause(CAUSE, issue.pk),
        )
        for customer in customers
    ]
    # The company tells them, not the manager who marked it: a manager may not see every
    # affected customer (the access rule), yet the news is owed to all of them.
    return send_many(None, requests, now=now)
