"""Forms of the communication log."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huitou.forms import StyledFormMixin
from interactions.models import Interaction


class InteractionForm(StyledFormMixin, forms.ModelForm[Interaction]):
    class Meta:
        model = Interaction
        fields = ["kind", "direction", "summary", "outcome", "next_contact_on"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "next_contact_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_next_contact_on(self) -> object:
        value = self.cleaned_data.get("next_contact_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("The next contact cannot be in the past."))
        return value
