"""The form a person sends a message to one customer with."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.channels import Channel
from core.forms import DateInput, StyledFormMixin
from customers.models import Tag
from engagement.models import LifeEventKind, Purpose
from engagement.services import SENDABLE_CHANNELS


class SendMessageForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("channel"), choices=[c for c in Channel.choices if c[0] in SENDABLE_CHANNELS]
    )
    purpose = forms.ChoiceField(label=_("purpose"), choices=Purpose.choices)
    template_code = forms.CharField(label=_("template"), max_length=60, required=False)
    text = forms.CharField(
        label=_("text"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# Care calendar (关怀日历) ------------------------------------------------------------------


class LifeEventForm(StyledFormMixin, forms.Form):
    """A life event a rep records on the customer's page."""

    kind = forms.ChoiceField(label=_("kind"), choices=LifeEventKind.choices)
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    yearly = forms.BooleanField(label=_("every year"), required=False, initial=True)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class SeasonalCareForm(StyledFormMixin, forms.Form):
    """The group a manager sends seasonal care to (a tag or a value tier) and the day."""

    tag = forms.ModelChoiceField(label=_("tag"), queryset=Tag.objects.all(), required=False)
    tier = forms.ChoiceField(
        label=_("value tier"), choices=[("", "—"), ("A", "A"), ("B", "B"), ("C", "C")],
        required=False,
    )  # fmt: skip
    day = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))


class SnoozeForm(StyledFormMixin, forms.Form):
    """The day a Today line comes back (the service refuses one not after today)."""

    until = forms.DateField(label=_("Snooze until"), widget=DateInput())
