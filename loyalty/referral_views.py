"""Pages of priority purchase and referrals: parse, call the service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import request_user
from core.errors import DomainError, Invalid
from core.forms import add_domain_error
from customers.models import Erasure
from customers.services import get_visible_customer
from loyalty import priority, referrals
from loyalty.forms import LimitedProductForm, ReserveForm
from loyalty.models import ReferralCode


def referral_landing(request: HttpRequest, code: str) -> HttpResponse:
    """Show a referral code to the person its QR code or link reached (no sign-in; the page
    names nobody, it only says how to use the code)."""
    found = ReferralCode.objects.filter(code=referrals.normalize(code)).first()
    if found is None:
        raise Http404
    erased = Erasure.objects.filter(customer_id=found.customer_id).exists()
    context = {"code": referrals.shown(found.code), "valid": not erased}
    return render(request, "loyalty/referral_landing.html", context)


@login_required
def referral_qr(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Return the customer's referral QR code as a PNG to print or send."""
    customer = get_visible_customer(request_user(request), customer_id)
    code = referrals.code_for(customer).code
    response = HttpResponse(referrals.qr_png(referrals.link_for(code)), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="referral-{code}.png"'
    return response


@login_required
@require_POST
def reserve(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Reserve a limited product for the customer; back to the customer's page."""
    user = request_user(request)
    form = ReserveForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise Invalid(str(errors[0]), field)
    priority.reserve(user, form.cleaned_data["limited"], customer_id, form.cleaned_data["quantity"])
    messages.success(request, _("Reserved."))
    return redirect("customers:detail", pk=customer_id)


@login_required
def limited_products(request: HttpRequest) -> HttpResponse:
    """List the limited products; managers and admins add them here."""
    user = request_user(request)
    may_manage = priority.may_manage(user)
    form = LimitedProductForm(request.POST or None) if may_manage else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            priority.create_limited(
                user, data["product"], data["quantity"], data["sale_starts_at"],
                data["closes_at"], data["per_customer"],
            )  # fmt: skip
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Limited product added."))
            return redirect("loyalty:limited")
    context = {"products": priority.limited_list(), "form": form, "may_manage": may_manage}
    status = 422 if form is not None and form.errors else 200
    return render(request, "loyalty/limited.html", context, status=status)


@login_required
@require_POST
def announce(request: HttpRequest, pk: int) -> HttpResponse:
    """Tell the members with early access about the product; say how many were reached."""
    outcome = priority.announce(request_user(request), pk)
    skipped = sum(outcome.skipped.values())
    messages.success(
        request,
        _("Notices queued: %(queued)d; skipped: %(skipped)d (consent, contact cap or no address).")
        % {"queued": outcome.queued, "skipped": skipped},
    )
    return redirect("loyalty:limited")
