"""The form a person sends a message to one customer with."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.channels import Channel
from core.forms import DateInput, StyledFormMixin
from customers.models import Tag
from engagement.models import Campaign, LifeEventKind, Purpose
from engagement.services import SENDABLE_CHANNELS
from insights.forms import SEGMENT_LABELS
from insights.stats.segments import SEGMENTS
from sales.models import Product


class SendMessageForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("channel"), choices=[c for c in Channel.choices if c[0] in SENDABLE_CHANNELS]
    )
    purpose = forms.ChoiceField(label=_("purpose"), choices=Purpose.choices)
    template_code = forms.CharField(label=_("template"), max_length=60, required=False)
    text = forms.CharField(
        label=_("text"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# Care calendar (关怀日历) ------------------------------------------------------------------


class LifeEventForm(StyledFormMixin, forms.Form):
    """A life event a rep records on the customer's page."""

    kind = forms.ChoiceField(label=_("kind"), choices=LifeEventKind.choices)
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    yearly = forms.BooleanField(label=_("every year"), required=False, initial=True)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class SeasonalCareForm(StyledFormMixin, forms.Form):
    """The group a manager sends seasonal care to (a tag or a value tier) and the day."""

    tag = forms.ModelChoiceField(label=_("tag"), queryset=Tag.objects.all(), required=False)
    tier = forms.ChoiceField(
        label=_("value tier"), choices=[("", "—"), ("A", "A"), ("B", "B"), ("C", "C")],
        required=False,
    )  # fmt: skip
    day = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))


class SnoozeForm(StyledFormMixin, forms.Form):
    """The day a Today line comes back (the service refuses one not after today)."""

    until = forms.DateField(label=_("Snooze until"), widget=DateInput())


# Segments and campaigns -------------------------------------------------------------------


def _split(raw: str) -> list[str]:
    """Return the items of a comma-separated field (，、 count as commas too)."""
    for comma in ("，", "、"):
        raw = raw.replace(comma, ",")
    return [item.strip() for item in raw.split(",") if item.strip()]


class SegmentForm(StyledFormMixin, forms.Form):
    """A segment's name and conditions; `definition()` is what engagement.segments reads."""

    name = forms.CharField(label=_("name"), max_length=100)
    value_tiers = forms.MultipleChoiceField(
        label=_("value tier"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(t, t) for t in "ABC"],
    )  # fmt: skip
    segments = forms.MultipleChoiceField(
        label=_("RFM segment"), required=False,
        choices=[(s, SEGMENT_LABELS[s]) for s in SEGMENTS],
    )  # fmt: skip
    lifecycle = forms.ChoiceField(label=_("lifecycle"), required=False, choices=[
        ("", _("returning and new")), ("returning", _("returning customers")),
        ("new", _("new customers")),
    ])  # fmt: skip
    p_alive_min = forms.FloatField(
        label=_("P(alive) from"), required=False, min_value=0, max_value=1
    )
    p_alive_max = forms.FloatField(label=_("P(alive) to"), required=False, min_value=0, max_value=1)
    clv_min = forms.FloatField(label=_("lifetime value from"), required=False, min_value=0)
    clv_max = forms.FloatField(label=_("lifetime value to"), required=False, min_value=0)
    tags = forms.ModelMultipleChoiceField(
        label=_("tags (any of)"), queryset=Tag.objects.all(), required=False
    )
    regions = forms.CharField(
        label=_("regions"), required=False, max_length=500,
        help_text=_("Separate several with commas."),
    )  # fmt: skip
    products = forms.CharField(
        label=_("bought products (SKUs)"), required=False, max_length=1000,
        help_text=_("Separate several with commas."),
    )  # fmt: skip
    categories = forms.CharField(
        label=_("bought categories"), required=False, max_length=500,
        help_text=_("Separate several with commas."),
    )  # fmt: skip
    bought_within_days = forms.IntegerField(
        label=_("bought them in the last (days)"), required=False, min_value=1, max_value=3650
    )
    not_contacted_days = forms.IntegerField(
        label=_("no contact for at least (days)"), required=False, min_value=1, max_value=3650
    )
    consent = forms.ChoiceField(
        label=_("not opted out of"), required=False,
        choices=[("", "—"), *(c for c in Channel.choices if c[0] in SENDABLE_CHANNELS)],
    )  # fmt: skip

    def clean_products(self) -> list[int]:
        skus = _split(self.cleaned_data["products"])
        found = dict(Product.objects.filter(sku__in=skus).values_list("sku", "pk"))
        unknown = [sku for sku in skus if sku not in found]
        if unknown:
            raise forms.ValidationError(
                _("No product with SKU %(skus)s.") % {"skus": ", ".join(unknown)}
            )
        return [found[sku] for sku in skus]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        bought = data.get("products") or _split(data.get("categories") or "")
        if bought and not data.get("bought_within_days"):
            self.add_error("bought_within_days", _("Say in how many days they bought them."))
        if data.get("bought_within_days") and not bought:
            self.add_error("products", _("Name the products or categories they bought."))
        for low, high in (("p_alive_min", "p_alive_max"), ("clv_min", "clv_max")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, _("Enter a value not below the first one."))
        return data

    def definition(self) -> dict[str, Any]:
        """Return the conditions as engagement.segments reads them (empty ones left out)."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            "value_tiers": data["value_tiers"], "segments": data["segments"],
            "lifecycle": data["lifecycle"], "tags": [tag.pk for tag in data["tags"]],
            "regions": _split(data["regions"]), "products": data["products"],
            "categories": _split(data["categories"]),
            "bought_within_days": data["bought_within_days"],
            "not_contacted_days": data["not_contacted_days"], "consent": data["consent"],
        }  # fmt: skip
        for name in ("p_alive", "clv"):
            low, high = data[f"{name}_min"], data[f"{name}_max"]
            if low is not None or high is not None:
                values[name] = [low, high]
        return {name: value for name, value in values.items() if value}

    @classmethod
    def initial_from(cls, name: str, definition: dict[str, Any]) -> dict[str, Any]:
        """Return the form's initial values for a saved segment."""
        skus = Product.objects.filter(pk__in=definition.get("products", [])).values_list(
            "sku", flat=True
        )
        p_alive = definition.get("p_alive") or [None, None]
        clv = definition.get("clv") or [None, None]
        return {
            "name": name, **{k: definition.get(k) for k in (
                "value_tiers", "segments", "lifecycle", "tags", "bought_within_days",
                "not_contacted_days", "consent")},
            "regions": ", ".join(definition.get("regions", [])), "products": ", ".join(skus),
            "categories": ", ".join(definition.get("categories", [])),
            "p_alive_min": p_alive[0], "p_alive_max": p_alive[1],
            "clv_min": clv[0], "clv_max": clv[1],
        }  # fmt: skip


class CampaignForm(StyledFormMixin, forms.ModelForm[Campaign]):
    channel = forms.ChoiceField(
        label=_("channel"), choices=[c for c in Channel.choices if c[0] in SENDABLE_CHANNELS]
    )

    class Meta:
        model = Campaign
        fields = [
            "name", "segment", "channel", "template_code", "text", "offer", "send_on",
            "holdout_percent", "window_days", "cost_per_contact", "fixed_cost",
        ]  # fmt: skip
        widgets = {"send_on": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "holdout_percent": _("Held out at random within each value tier and recency band, "
                                 "and sent nothing: the comparison that measures the campaign."),
            "window_days": _("Purchases from the send day on count for this many days."),
            "text": _("Or a template's code above, in both languages."),
        }  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holdout_percent"].widget.attrs.update({"min": 1, "max": 50})
