"""Template filters of the customer archive."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers.models import Channel, Customer

register = template.Library()

HISTORY_LABELS = {
    "tags": _("tags"),
    "created": _("created"),
    "merged": _("merged in"),
    "merged_into": _("merged into"),
    "erased": _("personal data erased"),
}


@register.filter
def history_label(field: str) -> str:
    """Return the translated name of a field named in the change history."""
    if field in HISTORY_LABELS:
        return str(HISTORY_LABELS[field])
    if field.startswith("consent_"):
        channel = dict(Channel.choices).get(field.removeprefix("consent_"), field)
        return gettext("consent: %(channel)s") % {"channel": channel}
    try:
        return str(getattr(Customer._meta.get_field(field), "verbose_name", field))
    except FieldDoesNotExist:
        return field
