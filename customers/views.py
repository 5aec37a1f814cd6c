"""Pages of the customer archive: thin views over customers.services."""

from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import (
    assignable_owners,
    can_edit_owned_by,
    can_export,
    can_reassign,
    request_user,
)
from core.channels import Channel
from core.errors import DomainError
from core.forms import add_domain_error
from core.http import is_htmx
from core.pagination import page_of
from customers import extensions, services
from customers.forms import (
    ConsentForm,
    CustomerFilterForm,
    CustomerForm,
    ErasureForm,
    MergeForm,
    ReassignForm,
)
from customers.models import Customer


def _filters(form: CustomerFilterForm) -> services.CustomerFilter:
    data = form.cleaned_data
    return services.CustomerFilter(
        query=data.get("q") or "",
        owner_id=data["owner"].pk if data.get("owner") else None,
        tag_id=data["tag"].pk if data.get("tag") else None,
        region=data.get("region") or "",
        last_purchase_from=data.get("last_from"),
        last_purchase_to=data.get("last_to"),
        spend_min=data.get("spend_min"),
        spend_max=data.get("spend_max"),
        include_archived=bool(data.get("archived")),
    )


class AtLeast(int):
    """A count known only to be at least this much; templates show it as "2000+"."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class CappedPaginator(Paginator[Customer]):
    """A paginator that takes a count already made, capped or exact, instead of counting."""

    def __init__(self, object_list: Any, per_page: int, *, matches: int | None) -> None:
        super().__init__(object_list, per_page)
        self.matches = matches

    @cached_property
    def count(self) -> int:
        if self.matches is None:
            return super().count
        return AtLeast(self.matches) if self.matches >= services.COUNT_CAP else self.matches

    @cached_property
    def num_pages(self) -> int:
        pages = super().num_pages
        return AtLeast(pages) if isinstance(self.count, AtLeast) else pages


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    """List, search, filter and sort the customers the user may see."""
    user = request_user(request)
    owners = assignable_owners(user)
    form = CustomerFilterForm(request.GET or None, owners=owners)
    filters = _filters(form) if form.is_valid() else services.CustomerFilter()
    sort = (form.cleaned_data.get("sort") if form.is_valid() else "") or "name"
    customers, matches = services.list_customers(user, filters, sort)
    page = page_of(
        request, customers, settings.CUSTOMERS_PER_PAGE, CappedPaginator, matches=matches
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form, "page": page, "query": query.urlencode(), "owners": owners,
        "can_reassign": can_reassign(user), "today": timezone.localdate(),
        "can_export": can_export(user), "list_actions": extensions.list_actions_for(user),
    }  # fmt: skip
    template = "customers/_list_table.html" if is_htmx(request) else "customers/list.html"
    return render(request, template, context)


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show everything about one customer before a call: the 360° page."""
    user = request_user(request)
    customer = services.get_visible_customer(user, pk)
    today = timezone.localdate()
    consents = {consent.channel: consent for consent in customer.consents.all()}
    context = {
        "customer": customer,
        "today": today,
        "next_birthday": customer.next_birthday(today),
        "default_time_zone": settings.CUSTOMER_TIME_ZONE,
        "timeline": services.timeline(customer),
        "duplicates": list(services.possible_duplicates(user, customer)[:5]),
        "channels": [(value, label, consents.get(value)) for value, label in Channel.choices],
        "tags": customer.tags.select_related("group"),
        "can_edit": can_edit_owned_by(user, customer.owner_id),
        "consent_form": ConsentForm(),
        "panels": extensions.panels_for(customer, user, today),
    }
    return render(request, "customers/detail.html", context)


def _save_form(
    request: HttpRequest, form: CustomerForm, customer: Customer | None
) -> Customer | None:
    """Write a valid form through the services; put service errors back on the form."""
    if not form.is_valid():
        return None
    fields = {name: form.cleaned_data[name] for name in CustomerForm.Meta.fields}
    owner = fields.pop("owner")
    tags = form.cleaned_data["tags"]
    user = request_user(request)
    try:
        if customer is None:
            owner_id = owner.pk if owner else None
            return services.add_customer(user, fields, owner_id, tags, extras=form.extras())
        services.edit_customer(user, customer, {**fields, "owner": owner}, tags)
        return customer
    except ValidationError as error:
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    except DomainError as error:
        add_domain_error(form, error)
    return None


@login_required
def customer_create(request: HttpRequest) -> HttpResponse:
    """Create a customer owned by the user or, for a manager, by a rep of the team."""
    user = request_user(request)
    services.check_may_add_customers(user)
    form = CustomerForm(request.POST or None, owners=assignable_owners(user))
    if request.method == "POST" and (customer := _save_form(request, form, None)):
        messages.success(request, _("Customer created."))
        return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "customer": None})


@login_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a customer's profile; every change goes to its history."""
    user = request_user(request)
    customer = services.get_editable_customer(user, pk)
    owners = assignable_owners(user) or [customer.owner]
    if customer.owner not in owners:
        owners.append(customer.owner)
    form = CustomerForm(request.POST or None, instance=customer, owners=owners)
    if not can_reassign(user):
        form.fields["owner"].disabled = True
    if request.method == "POST" and _save_form(request, form, customer):
        messages.success(request, _("Changes saved."))
        return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "customer": customer})


@login_required
@require_POST
def customer_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive a customer, or bring an archived one back."""
    user = request_user(request)
    customer = services.get_editable_customer(user, pk)
    if customer.is_archived:
        services.restore_customer(user, customer)
        messages.success(request, _("Customer restored."))
    else:
        services.archive_customer(user, customer)
        messages.success(request, _("Customer archived."))
    return redirect("customers:detail", pk=pk)


@login_required
@require_POST
def customer_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a customer's permission or opt-out for one channel."""
    user = request_user(request)
    customer = services.get_editable_customer(user, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        services.set_consent(user, customer, data["channel"], data["granted"], data["source"])
        messages.success(request, _("Consent updated."))
    else:
        messages.error(
            request, _("The consent could not be saved: choose a channel and a permission.")
        )
    return redirect("customers:detail", pk=pk)


@login_required
@require_POST
def customer_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge a duplicate into this customer."""
    user = request_user(request)
    survivor = services.get_editable_customer(user, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return redirect("customers:detail", pk=pk)
    duplicate = services.get_editable_customer(user, form.cleaned_data["duplicate"])
    # A refused merge answers as every refusal does (DomainErrorMiddleware: 422, the reason).
    services.merge_customers(user, survivor, duplicate)
    messages.success(
        request, _("%(name)s was merged into this customer.") % {"name": duplicate.name}
    )
    return redirect("customers:detail", pk=pk)


@login_required
@require_POST
def customer_reassign(request: HttpRequest) -> HttpResponse:
    """Move the ticked customers to another owner (a manager action, recorded)."""
    user = request_user(request)
    services.check_may_reassign(user)
    form = ReassignForm(request.POST, owners=assignable_owners(user))
    if form.is_valid():
        moved = services.reassign_customers(
            user, form.cleaned_data["customer_ids"], form.cleaned_data["new_owner"]
        )
        text = ngettext("%(count)d customer reassigned.", "%(count)d customers reassigned.", moved)
        messages.success(request, text % {"count": moved})
    else:
        messages.error(request, _("Tick at least one customer and choose the new owner."))
    return redirect("customers:list")


@login_required
def customer_autocomplete(request: HttpRequest) -> JsonResponse:
    """Return matching visible customers for a search box, as JSON."""
    customers = services.autocomplete(request_user(request), request.GET.get("q", ""))
    results = [
        {"id": c.pk, "name": c.name, "mobile": c.mobile, "company": c.company} for c in customers
    ]
    return JsonResponse({"results": results})


@login_required
def customer_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask an admin to confirm, with a reason, then erase the customer's personal data."""
    user = request_user(request)
    services.check_may_erase(user)
    customer = services.get_visible_customer(user, pk)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erase_customer(user, customer, form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The customer's personal data was erased."))
            return redirect("customers:detail", pk=pk)
    return render(request, "customers/erase.html", {"customer": customer, "form": form})
