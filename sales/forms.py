"""Forms for entering orders by hand."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, StyledFormMixin
from sales.models import Order, OrderStatus, Product


class OrderForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=40)
    ordered_on = forms.DateField(label=_("Order date"), widget=DateInput())
    channel = forms.CharField(label=_("Channel"), max_length=40, required=False)

    def clean_number(self) -> str:
        number: str = self.cleaned_data["number"].strip()
        if Order.objects.filter(number=number).exists():
            raise forms.ValidationError(_("An order with this number already exists."))
        return number

    def clean_ordered_on(self) -> object:
        value = self.cleaned_data["ordered_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The order date cannot be in the future."))
        return value


class OrderLineForm(StyledFormMixin, forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True)
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=0, decimal_places=2)
    discount = forms.DecimalField(label=_("Discount"), min_value=0, decimal_places=2, initial=0)


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=3, min_num=1, validate_min=True)


class OrderStatusForm(forms.Form):
    status = forms.ChoiceField(choices=OrderStatus.choices)
