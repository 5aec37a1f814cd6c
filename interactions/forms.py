"""Forms of the communication log."""

import datetime

from django import forms

from core.forms import DateInput, StyledFormMixin
from interactions.models import Interaction
from interactions.services import check_not_past


class InteractionForm(StyledFormMixin, forms.ModelForm[Interaction]):
    class Meta:
        model = Interaction
        fields = ["kind", "direction", "summary", "outcome", "next_contact_on"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "next_contact_on": DateInput(),
        }

    def clean_next_contact_on(self) -> datetime.date | None:
        """Return the next-contact day, refusing one in the past (the API's rule too)."""
        value: datetime.date | None = self.cleaned_data.get("next_contact_on")
        check_not_past(value)
        return value
