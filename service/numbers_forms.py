"""Forms of the service numbers' pages: the period and grouping of the figures, the review's
week or month, the R&D report's months, and recording and fixing a product issue."""

import datetime
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import DateInput, StyledFormMixin
from sales.models import Product
from service.models import Category
from service.numbers import Group
from service.review import Span

# The longest period the figures read at once: the tickets of two years fit in memory easily.
MAX_DAYS = 731
MONTH = "%Y-%m"  # what <input type="month"> sends

GROUP_CHOICES = [
    (Group.TOTAL, gettext_lazy("Whole period")),
    (Group.AGENT, gettext_lazy("Agent")),
    (Group.TEAM, gettext_lazy("Team")),
    (Group.CATEGORY, gettext_lazy("Category")),
    (Group.WEEK, gettext_lazy("Week")),
    (Group.MONTH, gettext_lazy("Month")),
]


class FiguresForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=gettext_lazy("First day"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Last day"), widget=DateInput())
    group = forms.ChoiceField(
        label=gettext_lazy("Group by"), choices=GROUP_CHOICES, required=False, initial=Group.AGENT
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end comes before the start."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("Choose at most two years."))
        return data

    @staticmethod
    def default_period(today: datetime.date | None = None) -> dict[str, str]:
        """Return the last 28 days up to today, by agent."""
        today = today or timezone.localdate()
        start = today - datetime.timedelta(days=27)
        return {"start": start.isoformat(), "end": today.isoformat(), "group": Group.AGENT}


class ReviewForm(StyledFormMixin, forms.Form):
    span = forms.ChoiceField(
        label=gettext_lazy("Review"),
        choices=[(Span.WEEK, gettext_lazy("Weekly")), (Span.MONTH, gettext_lazy("Monthly"))],
    )
    day = forms.DateField(label=gettext_lazy("Period containing"), widget=DateInput())

    @staticmethod
    def default(today: datetime.date | None = None) -> dict[str, str]:
        """Return last week: a review looks back on a finished week."""
        today = today or timezone.localdate()
        return {"span": Span.WEEK, "day": (today - datetime.timedelta(days=7)).isoformat()}


def last_day_of_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )


class MonthInput(forms.DateInput):
    """A browser month picker whose value is "2026-03" in every language."""

    input_type = "month"

    def __init__(self) -> None:
        super().__init__(format=MONTH)


class MonthsForm(StyledFormMixin, forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From month"), input_formats=[MONTH], widget=MonthInput()
    )
    end = forms.DateField(
        label=gettext_lazy("To month"), input_formats=[MONTH], widget=MonthInput()
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end comes before the start."))
            elif (end.year - start.year) * 12 + end.month - start.month >= 36:
                self.add_error("end", _("Choose at most three years."))
            else:
                data["end"] = (end + datetime.timedelta(days=32)).replace(
                    day=1
                ) - datetime.timedelta(days=1)
        return data

    @staticmethod
    def default(today: datetime.date | None = None) -> dict[str, str]:
        """Return the last twelve months, this one included."""
        today = today or timezone.localdate()
        first = today.replace(year=today.year - 1, day=1)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
        return {"start": first.strftime(MONTH), "end": today.strftime(MONTH)}


class IssueForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Issue"), max_length=200)
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"), queryset=Product.objects.filter(is_active=True),
        required=False,
    )  # fmt: skip
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.filter(active=True),
        required=False,
    )  # fmt: skip
    tickets = forms.CharField(
        label=gettext_lazy("Ticket numbers"), required=False, max_length=10_000,
        help_text=gettext_lazy("Separated by spaces or commas."),
    )  # fmt: skip

    def ticket_numbers(self) -> list[str]:
        return [n for n in re.split(r"[\s,，、;；]+", self.cleaned_data["tickets"]) if n]


class FixForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What was fixed"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    tell_customers = forms.BooleanField(
        label=gettext_lazy("Tell the affected customers"), required=False, initial=True
    )
