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
from engagement.effect_page import MONTH, MonthInput
from sales.models import Product
from service.models import Category
from service.numbers import Group, months
from service.review import Span

# The longest period the figures read at once: the tickets of two years fit in memory easily.
MAX_DAYS = 731
# Three years of months: a month form's end is the last day of its month.
MAX_MONTHS_DAYS = 3 * 366

GROUP_CHOICES = [
    (Group.TOTAL, gettext_lazy("Whole period")),
    (Group.AGENT, gettext_lazy("Agent")),
    (Group.TEAM, gettext_lazy("Team")),
    (Group.CATEGORY, gettext_lazy("Category")),
    (Group.WEEK, gettext_lazy("Week")),
    (Group.MONTH, gettext_lazy("Month")),
]


def _check_range(form: forms.Form, data: dict[str, Any], longest_days: int, too_long: str) -> None:
    """Put an error on the end field when it comes before the start or too long after it."""
    start, end = data.get("start"), data.get("end")
    if start and end:
        if end < start:
            form.add_error("end", _("The end comes before the start."))
        elif (end - start).days >= longest_days:
            form.add_error("end", too_long)


class FiguresForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=gettext_lazy("First day"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Last day"), widget=DateInput())
    group = forms.ChoiceField(
        label=gettext_lazy("Group by"), choices=GROUP_CHOICES, required=False, initial=Group.AGENT
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_range(self, data, MAX_DAYS, _("Choose at most two years."))
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


class MonthsForm(StyledFormMixin, forms.Form):
    """The months from `start` to `end`; cleaned, `end` is the last day of its month."""

    start = forms.DateField(
        label=gettext_lazy("From month"), input_formats=[MONTH], widget=MonthInput()
    )
    end = forms.DateField(
        label=gettext_lazy("To month"), input_formats=[MONTH], widget=MonthInput()
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end"):
            following = (data["end"].replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
            data["end"] = following - datetime.timedelta(days=1)
        _check_range(self, data, MAX_MONTHS_DAYS, _("Choose at most three years."))
        return data

    @staticmethod
    def default(today: datetime.date | None = None) -> dict[str, str]:
        """Return the last twelve months, this one included."""
        today = today or timezone.localdate()
        first = months(today.replace(year=today.year - 1, day=1), today)[1]
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
