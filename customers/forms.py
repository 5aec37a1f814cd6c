"""Forms of the customer archive: they validate, the services write."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.channels import Channel
from core.forms import CheckedTextMixin, DateInput, StyledFormMixin
from customers.extensions import creation_fields
from customers.models import Customer, Tag


class CustomerForm(StyledFormMixin, forms.ModelForm[Customer]):
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.select_related("group"),
        required=False,
        label=_("Tags"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Customer
        fields = [
            "kind", "name", "gender", "mobile", "email", "wechat_id", "company", "title",
            "birthday_calendar", "birthday", "lunar_birth_month", "lunar_birth_day",
            "lunar_leap_month", "region", "city", "address", "source_channel", "language",
            "time_zone", "owner", "notes",
        ]  # fmt: skip
        widgets = {
            "birthday": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = User.objects.filter(pk__in=[owner.pk for owner in owners])
        if len(owners) == 1:
            owner_field.initial = owners[0].pk
        if self.instance.pk:
            self.fields["tags"].initial = list(self.instance.tags.all())
        else:
            for extra in creation_fields:
                self.fields[extra.name] = forms.CharField(
                    label=extra.label, help_text=extra.help_text, max_length=extra.max_length,
                    required=False,
                )  # fmt: skip
        # A form that does not send the language (an older page, a script) keeps the one set.
        self.fields["language"].required = False
        self.fields["time_zone"].help_text = _(
            "For quiet hours, e.g. Europe/Berlin; blank: %(zone)s."
        ) % {"zone": settings.CUSTOMER_TIME_ZONE}

    def clean_language(self) -> str:
        return str(self.cleaned_data["language"] or self.instance.language)

    def extra_fields(self) -> list[forms.BoundField]:
        """Return the other apps' inputs on a new-customer form, for the template."""
        return [self[extra.name] for extra in creation_fields if extra.name in self.fields]

    def extras(self) -> dict[str, str]:
        """Return the other apps' inputs given with a new customer, by name."""
        return {
            extra.name: self.cleaned_data.get(extra.name) or ""
            for extra in creation_fields
            if extra.name in self.fields
        }


class ConsentForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    granted = forms.TypedChoiceField(
        label=_("Permission"),
        choices=[("1", _("Allowed")), ("0", _("Opted out"))],
        coerce=lambda value: value == "1",
    )
    source = forms.CharField(label=_("Source"), max_length=100, required=False)


class CustomerFilterForm(StyledFormMixin, forms.Form):
    SORTS = [
        ("name", _("Name")),
        ("-last_purchase", _("Last purchase (newest)")),
        ("last_purchase", _("Last purchase (oldest)")),
        ("-total_spend", _("Total spend (highest)")),
        ("-created", _("Newest customers")),
    ]

    q = forms.CharField(label=_("Search"), required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Owner"))
    tag = forms.ModelChoiceField(queryset=Tag.objects.all(), required=False, label=_("Tag"))
    region = forms.CharField(label=_("Region"), required=False)
    last_from = forms.DateField(
        label=_("Last purchase from"),
        required=False,
        widget=DateInput(),
    )
    last_to = forms.DateField(label=_("Last purchase to"), required=False, widget=DateInput())
    spend_min = forms.DecimalField(label=_("Spend from"), required=False, min_value=0)
    spend_max = forms.DecimalField(label=_("Spend to"), required=False, min_value=0)
    archived = forms.BooleanField(label=_("Include archived"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORTS, required=False)

    def __init__(self, *args: Any, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = User.objects.filter(pk__in=[owner.pk for owner in owners])


class IdListField(forms.Field):
    """A list of ids sent as repeated form fields (the ticked rows of a list)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(item) for item in value or []]
        except (TypeError, ValueError):
            raise ValidationError(_("Invalid selection."), code="invalid") from None


class ReassignForm(StyledFormMixin, forms.Form):
    customer_ids = IdListField(label=_("Customers"))
    new_owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("New owner"))

    def __init__(self, *args: Any, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["new_owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = User.objects.filter(pk__in=[owner.pk for owner in owners])


class MergeForm(CheckedTextMixin, forms.Form):
    duplicate = forms.IntegerField(widget=forms.HiddenInput)


class ErasureForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("E.g. the date and channel of the person's request; do not repeat their name."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
