"""Every date picker holds an ISO date in any language (Chinese wrote 2026/09/05)."""

import datetime

import pytest
from django import forms
from django.utils import translation

from customers.forms import CustomerFilterForm, CustomerForm
from insights.forms import KpiForm
from interactions.forms import InteractionForm
from sales.forms import OrderForm

DAY = datetime.date(2026, 9, 5)


def date_widgets(form: forms.BaseForm) -> dict[str, str]:
    return {
        name: str(form[name])
        for name, field in form.fields.items()
        if isinstance(field.widget, forms.DateInput)
    }


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_date_input_shows_an_iso_date(language: str) -> None:
    built = [
        KpiForm(initial={"start": DAY, "end": DAY}, owners=[], teams=[]),
        OrderForm(initial={"ordered_on": DAY}),
        CustomerForm(initial={"birthday": DAY}, owners=[]),
        InteractionForm(initial={"next_contact_on": DAY}),
        CustomerFilterForm(initial={"last_from": DAY, "last_to": DAY}, owners=[]),
    ]
    with translation.override(language):
        rendered = {
            type(form).__name__ + "." + n: html
            for form in built
            for n, html in date_widgets(form).items()
        }
    assert len(rendered) == 7
    for name, html in rendered.items():
        assert 'type="date"' in html, name
        assert 'value="2026-09-05"' in html, (name, html)
