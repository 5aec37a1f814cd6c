"""The member's points page: balance, lots, rewards to redeem, statement, adjustments."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import request_user
from core.errors import DomainError, Invalid
from customers.models import Customer
from customers.services import get_visible_customer
from loyalty import notices, points, rewards
from loyalty.members import member_for
from loyalty.models import AdjustmentState, PointsAdjustment


def _context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    user = request_user(request)
    member = member_for(customer.pk)
    return {
        "customer": customer,
        "member": member,
        "lots": points.open_lots(member),
        "entries": points.statement(member, 100),
        "rewards": list(rewards.available_rewards(timezone.localdate())),
        "may_redeem": rewards.may_redeem(user, customer) and not customer.is_archived,
        "may_adjust": points.may_adjust(user, customer),
        "waiting": member.adjustments.filter(state=AdjustmentState.WAITING).select_related(
            "requested_by"
        ),
        # A fresh key per page view: submitting twice (a double click, a resent form) is
        # one redemption.
        "key": uuid.uuid4().hex,
        "approval_limit": settings.LOYALTY_ADJUSTMENT_APPROVAL_LIMIT,
    }


@login_required
def member_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Show a visible customer's points, rewards and statement."""
    customer = get_visible_customer(request_user(request), customer_id)
    return render(request, "loyalty/member.html", _context(request, customer))


def _refused(request: HttpRequest, customer: Customer, error: DomainError) -> HttpResponse:
    context = {**_context(request, customer), "error": error.message}
    return render(request, "loyalty/member.html", context, status=error.status)


@login_required
@require_POST
def redeem(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Redeem the chosen reward for the customer, once per page key."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    try:
        reward_id = int(request.POST.get("reward", ""))
    except ValueError:
        return _refused(request, customer, Invalid(_("Choose a reward."), "reward"))
    try:
        redemption = rewards.redeem(user, customer, reward_id, request.POST.get("key", ""))
    except DomainError as error:
        return _refused(request, customer, error)
    messages.success(
        request,
        _("%(reward)s redeemed for %(points)s points.")
        % {"reward": redemption.reward.shown_name, "points": f"{redemption.points:,}"},
    )
    return redirect("loyalty:member", customer.pk)


@login_required
@require_POST
def adjust(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Change the customer's points by hand (managers), with a reason."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    try:
        adjustment = points.adjust(
            user, customer, request.POST.get("points", ""), request.POST.get("reason", "")
        )
    except DomainError as error:
        return _refused(request, customer, error)
    if adjustment.state == AdjustmentState.WAITING:
        messages.info(request, _("The change waits for another manager's approval."))
    else:
        messages.success(request, _("Points changed."))
    return redirect("loyalty:member", customer.pk)


@login_required
@require_POST
def decide(request: HttpRequest, customer_id: int, adjustment_id: int) -> HttpResponse:
    """Approve or reject a change waiting for approval."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    adjustment = get_object_or_404(
        PointsAdjustment, pk=adjustment_id, member__customer_id=customer.pk
    )
    try:
        points.decide_adjustment(user, adjustment, request.POST.get("decision") == "approve")
    except DomainError as error:
        return _refused(request, customer, error)
    messages.success(request, _("Decision recorded."))
    return redirect("loyalty:member", customer.pk)


@login_required
@require_POST
def send_balance(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Send the customer their balance through the send path."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    try:
        message = notices.send_balance(user, customer, member_for(customer.pk))
    except DomainError as error:
        return _refused(request, customer, error)
    messages.success(
        request, _("Balance notice: %(status)s.") % {"status": message.get_status_display()}
    )
    return redirect("loyalty:member", customer.pk)


@login_required
@require_POST
def send_statement(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Email the customer their points statement through the send path."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    try:
        message = notices.send_statement(user, customer, member_for(customer.pk))
    except DomainError as error:
        return _refused(request, customer, error)
    messages.success(
        request, _("Statement: %(status)s.") % {"status": message.get_status_display()}
    )
    return redirect("loyalty:member", customer.pk)


@login_required
def statement(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Show the member's statement laid out for printing."""
    customer = get_visible_customer(request_user(request), customer_id)
    member = member_for(customer.pk)
    context = {
        "customer": customer,
        "member": member,
        "entries": points.statement(member, 1000),
        "today": timezone.localdate(),
    }
    return render(request, "loyalty/statement.html", context)
