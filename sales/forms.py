"""Forms for entering orders by hand."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import max_length
from core.forms import DateInput, StyledFormMixin
from sales.limits import MAX_LINES_PER_ORDER, MAX_QUANTITY, MAX_REASON_LENGTH, MAX_UNIT_PRICE
from sales.models import Order, Product
from sales.validators import validate_order_date


class OrderForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=max_length(Order, "number"))
    ordered_on = forms.DateField(label=_("Order date"), widget=DateInput())
    channel = forms.CharField(
        label=_("Channel"), max_length=max_length(Order, "channel"), required=False
    )

    def clean_number(self) -> str:
        number: str = self.cleaned_data["number"].strip()
        if Order.objects.filter(number=number).exists():
            raise forms.ValidationError(_("An order with this number already exists."))
        return number

    def clean_ordered_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["ordered_on"]
        validate_order_date(value)
        return value


class OrderLineForm(StyledFormMixin, forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True)
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=0, max_value=MAX_UNIT_PRICE, decimal_places=2
    )
    discount = forms.DecimalField(
        label=_("Discount"), min_value=0, max_value=MAX_UNIT_PRICE, decimal_places=2, initial=0
    )


OrderLineFormSet = forms.formset_factory(
    OrderLineForm,
    extra=3,
    min_num=1,
    validate_min=True,
    max_num=MAX_LINES_PER_ORDER,
    validate_max=True,
)


class RefundForm(StyledFormMixin, forms.Form):
    """The reason for a refund or its reversal; sending the form is the confirmation."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept on the customer's timeline with your name and the time."),
    )
