"""Entering orders and changing their status from the customer's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import request_user
from core.errors import DomainError
from core.forms import add_domain_error
from customers.services import get_visible_customer
from sales import services
from sales.forms import OrderForm, OrderLineFormSet, RefundForm


@login_required
def order_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Enter an order with its lines for a customer the user may change."""
    user = request_user(request)
    customer = get_visible_customer(user, customer_id)
    services.require_order_customer(user, customer)
    form = OrderForm(request.POST or None)
    lines = OrderLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = services.OrderInput(
            number=form.cleaned_data["number"], customer_id=customer.pk,
            ordered_on=form.cleaned_data["ordered_on"], channel=form.cleaned_data["channel"],
            lines=[
                services.LineInput(
                    sku=line["product"].sku, quantity=line["quantity"],
                    unit_price=line["unit_price"], discount=line["discount"],
                )
                for line in lines.cleaned_data if line
            ],
        )  # fmt: skip
        try:
            services.create_order(user, data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Order saved."))
            return redirect("customers:detail", pk=customer.pk)
    context = {"form": form, "lines": lines, "customer": customer}
    return render(request, "sales/order_form.html", context)


@login_required
def order_refund(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation and a reason, then refund the order."""
    return _with_reason(request, pk, reinstate=False)


@login_required
def order_reinstate(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation and a reason, then reverse the order's refund."""
    return _with_reason(request, pk, reinstate=True)


def _with_reason(request: HttpRequest, pk: int, *, reinstate: bool) -> HttpResponse:
    user = request_user(request)
    order = services.get_visible_order(user, pk)
    services.require_order_editor(user, order)
    services.require_refunder(user)
    form = RefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = services.reinstate_order if reinstate else services.refund_order
        try:
            action(user, order, form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            done = (
                _("Order %(number)s reinstated.") if reinstate else _("Order %(number)s refunded.")
            )
            messages.success(request, done % {"number": order.number})
            return redirect("customers:detail", pk=order.customer_id)
    context = {"form": form, "order": order, "reinstate": reinstate}
    return render(request, "sales/order_refund.html", context)
