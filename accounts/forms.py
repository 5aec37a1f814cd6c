"""Forms of the accounts app."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedTextMixin, StyledFormMixin


class LanguageForm(CheckedTextMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
