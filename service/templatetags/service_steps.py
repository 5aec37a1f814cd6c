"""The workflow steps' names in the reader's language, for the ticket pages."""

from django import template
from django.utils.translation import pgettext_lazy

register = template.Library()

STEP_NAMES = {
    "created": pgettext_lazy("ticket step", "received"),
    "acknowledged": pgettext_lazy("ticket step", "acknowledged, apology sent"),
    "proposed": pgettext_lazy("ticket step", "solution proposed"),
    "answered": pgettext_lazy("ticket step", "customer answered"),
    "resolved": pgettext_lazy("ticket step", "resolved"),
    "followed_up": pgettext_lazy("ticket step", "followed up"),
    "closed": pgettext_lazy("ticket step", "closed"),
    "reopened": pgettext_lazy("ticket step", "reopened"),
    "reassigned": pgettext_lazy("ticket step", "new owner"),
    "waiting": pgettext_lazy("ticket step", "waiting on the customer"),
    "resumed": pgettext_lazy("ticket step", "clock running again"),
    "promised": pgettext_lazy("ticket step", "resolution promised"),
    "noted": pgettext_lazy("ticket step", "note"),
}


@register.filter
def step_name(action: str) -> str:
    """Return the step's name in the reader's language (the code for an unknown one)."""
    return str(STEP_NAMES.get(action, action))
