"""Form helpers shared by every app's forms."""

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest

from core.errors import DomainError
from core.text import validate_text

# What <input type="date"> sends and accepts in every browser language.
ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """A browser date picker whose value is ISO in every language.

    Django fills date inputs in the active language's first input format ("2026/09/05" in
    Chinese), which a type="date" input rejects as empty, so a required date then fails.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


def style_fields(form: forms.BaseForm) -> None:
    """Give each widget the Bootstrap class for its kind, and mark invalid ones."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        # Read the errors only once validation has run: asking for them would validate the
        # form before a subclass has narrowed its choices.
        errors = getattr(form, "_errors", None)
        if errors is not None and name in errors:
            css += " is-invalid"
        widget.attrs["class"] = css


class CheckedTextMixin:
    """Mixin that refuses control characters in every text field of the form (core.text).

    The check joins each text field's validators, so it runs before the form's own
    clean_<field> methods, which may look the value up in the database.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self, forms.BaseForm)
        for field in self.fields.values():
            # The form's fields are its own copies, validators included.
            if isinstance(field, forms.CharField):
                # One message for NUL and the other control characters alike.
                field.validators = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [validate_text]


class StyledFormMixin(CheckedTextMixin):
    """Mixin that styles a form's widgets for Bootstrap once it has been validated or built."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self, forms.BaseForm)
        style_fields(self)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        assert isinstance(self, forms.BaseForm)
        style_fields(self)


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Put a service's refusal on the form: on its field when the form has it, else on top."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class CheckedTextAdminMixin:
    """ModelAdmin mixin: the admin's forms refuse control characters like every other form."""

    def get_form(self, *args: Any, **kwargs: Any) -> type[forms.ModelForm[Any]]:
        form: type[forms.ModelForm[Any]] = super().get_form(*args, **kwargs)  # type: ignore[misc]
        return type(form.__name__, (CheckedTextMixin, form), {})


class ReadOnlyAdminMixin:
    """ModelAdmin mixin for records that change only through their app's services (which
    keep history, summaries and events in step) or never change: the admin only shows them."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
