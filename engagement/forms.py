"""The form a person sends a message to one customer with."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.channels import Channel
from core.forms import DateInput, StyledFormMixin
from engagement.models import Purpose
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


class SnoozeForm(StyledFormMixin, forms.Form):
    """The day a Today line comes back (the service refuses one not after today)."""

    until = forms.DateField(label=_("Snooze until"), widget=DateInput())
