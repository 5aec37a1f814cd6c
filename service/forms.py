"""Forms of the service pages: a new ticket, a step of the workflow, the public web form."""

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from customers.models import Customer
from sales.models import Order, Product
from service.models import TICKET_CHANNELS, Branch, Category, Kind, Priority, ProposalAnswer
from service.services import possible_owners

# The most a customer may write in the web form (the API and agents have the model's limits).
WEB_TEXT_MAX = 5000
STARTED_SALT = "service.web-form"


class CategoryField(forms.ModelChoiceField[Category]):
    """The active categories, each under its parent's name."""

    def __init__(self, **kwargs: Any) -> None:
        queryset = Category.objects.filter(active=True).select_related("parent")
        super().__init__(queryset=queryset, required=False, label=_("Category"), **kwargs)

    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.parent.label} › {obj.label}" if obj.parent else obj.label


class TicketForm(StyledFormMixin, forms.Form):
    """A ticket an agent takes down, for one customer."""

    kind = forms.ChoiceField(label=_("Type"), choices=Kind.choices)
    category = CategoryField()
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices,
                                 initial=Priority.NORMAL)  # fmt: skip
    channel = forms.ChoiceField(label=_("Channel"), choices=TICKET_CHANNELS)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("In the customer's words"), widget=forms.Textarea(attrs={"rows": 5})
    )
    order = forms.ModelChoiceField(queryset=Order.objects.none(), required=False,
                                   label=_("Order"))  # fmt: skip
    product = forms.ModelChoiceField(queryset=Product.objects.order_by("name"), required=False,
                                     label=_("Product"))  # fmt: skip

    def __init__(self, customer: Customer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orders = self.fields["order"]
        assert isinstance(orders, forms.ModelChoiceField)
        orders.queryset = Order.objects.filter(customer=customer).order_by("-ordered_on", "-pk")


class DateTimeLocalInput(forms.DateTimeInput):
    """A browser date-and-time picker, its value ISO in every language."""

    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class StepForm(StyledFormMixin, forms.Form):
    """The fields of every step; the button pressed names the step, the service says which
    of them it needs."""

    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    branch = forms.ChoiceField(label=_("The complaint is"), required=False,
                               choices=[("", "—"), *Branch.choices])  # fmt: skip
    answer = forms.ChoiceField(label=_("The customer's answer"), required=False,
                               choices=[("", "—"), *ProposalAnswer.choices])  # fmt: skip
    root_cause = forms.CharField(label=_("Root cause"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    outcome = forms.CharField(label=_("Outcome"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    assignee_id = forms.ModelChoiceField(queryset=possible_owners(), required=False,
                                         label=_("New owner"))  # fmt: skip
    promised_by = forms.DateTimeField(label=_("Promised resolution"), required=False,
                                      widget=DateTimeLocalInput())  # fmt: skip

    def step_fields(self) -> dict[str, Any]:
        """Return the cleaned fields as the service takes them (the owner by id)."""
        fields = dict(self.cleaned_data)
        owner = fields.pop("assignee_id", None)
        fields["assignee_id"] = owner.pk if owner is not None else None
        return fields


def started_token() -> str:
    """Return the signed moment the web form was shown, for the form to send back."""
    return signing.dumps(time.time(), salt=STARTED_SALT)


class WebTicketForm(StyledFormMixin, forms.Form):
    """The public form: who the customer is, and their complaint or question in their words.

    No CAPTCHA: the page is throttled per address (views), and a form sent back sooner than
    SERVICE_WEB_FORM_MIN_SECONDS after it was shown, or with the hidden field a person never
    sees filled in, came from a script and is refused.
    """

    name = forms.CharField(label=_("Your name"), max_length=120)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    kind = forms.ChoiceField(label=_("What is it about?"), choices=Kind.choices)
    category = CategoryField()
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Tell us in your own words"), max_length=WEB_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip
    # A person never sees this field (hidden by CSS); a script filling every field does.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    def clean_started(self) -> float:
        """Refuse a form sent back too soon after it was shown, or one not shown here."""
        try:
            shown = float(signing.loads(self.cleaned_data["started"], salt=STARTED_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            raise forms.ValidationError(
                _("Please reload the page and send the form again.")
            ) from None
        if time.time() - shown < settings.SERVICE_WEB_FORM_MIN_SECONDS:
            raise forms.ValidationError(
                _("That was quick; please check the form and send it again.")
            )
        return shown

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("website"):
            raise forms.ValidationError(_("Please reload the page and send the form again."))
        if not cleaned.get("mobile") and not cleaned.get("email"):
            self.add_error("mobile", _("Give a mobile or an email, so that we can answer you."))
        return cleaned
