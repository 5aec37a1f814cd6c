"""Forms of the survey page, the standard answers and the goodwill gifts."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import DateInput, StyledFormMixin
from service.gifts import DESCRIPTION_MAX
from service.models import Category, ObjectionType
from service.surveys import COMMENT_MAX


class SurveyForm(StyledFormMixin, forms.Form):
    csat = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your case?"),
        choices=[(n, str(n)) for n in range(1, 6)], coerce=int, widget=forms.RadioSelect,
    )  # fmt: skip
    nps = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend?"),
        choices=[(n, str(n)) for n in range(11)], coerce=int, widget=forms.RadioSelect,
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Anything you would like to tell us?"), required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class StandardAnswerForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    title_zh = forms.CharField(label=_("Chinese title"), max_length=120, required=False)
    text = forms.CharField(
        label=_("text in English"), max_length=4000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    text_zh = forms.CharField(
        label=_("text in Chinese"), max_length=4000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    category = forms.ModelChoiceField(
        label=_("category"), queryset=Category.objects.filter(active=True), required=False
    )
    objection = forms.ChoiceField(
        label=_("objection type"), choices=[("", "—"), *ObjectionType.choices], required=False
    )
    owner = forms.ModelChoiceField(
        label=_("owner"), queryset=User.objects.filter(is_active=True).order_by("username")
    )
    review_on = forms.DateField(label=_("review by"), required=False, widget=DateInput())
    active = forms.BooleanField(label=_("active"), required=False, initial=True)


class AnswerFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("category"), queryset=Category.objects.all(), required=False
    )
    objection = forms.ChoiceField(
        label=_("objection type"), choices=[("", "—"), *ObjectionType.choices], required=False
    )
    due = forms.BooleanField(label=_("due for review"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-check-input" if isinstance(field, forms.BooleanField) else "form-select"
            )


class GiftForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label=_("gift"), max_length=DESCRIPTION_MAX)
    cost = forms.DecimalField(
        label=_("cost"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
