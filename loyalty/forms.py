"""Forms of priority purchase: they validate, the services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from loyalty.priority import MAX_PER_CUSTOMER, MAX_QUANTITY
from sales.models import Product


class ReserveForm(StyledFormMixin, forms.Form):
    limited = forms.IntegerField(label=_("Limited product"), min_value=1)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_PER_CUSTOMER, initial=1
    )


class LimitedProductForm(StyledFormMixin, forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True).order_by("name")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    per_customer = forms.IntegerField(
        label=_("Most per customer"), min_value=1, max_value=MAX_PER_CUSTOMER, initial=1
    )
    sale_starts_at = forms.DateTimeField(
        label=_("General sale from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        label=_("Reservations close"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
