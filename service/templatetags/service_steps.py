"""The workflow steps' names in the reader's language, for the ticket pages."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STEP_NAMES = {
    "created": _("received"),
    "acknowledged": _("acknowledged, apology sent"),
    "proposed": _("solution proposed"),
    "answered": _("customer answered"),
    "resolved": _("resolved"),
    "followed_up": _("followed up"),
    "closed": _("closed"),
    "reopened": _("reopened"),
    "reassigned": _("new owner"),
    "waiting": _("waiting on the customer"),
    "resumed": _("clock running again"),
    "promised": _("resolution promised"),
    "noted": _("note"),
}


@register.filter
def step_name(action: str) -> str:
    """Return the step's name in the reader's language (the code for an unknown one)."""
    return str(STEP_NAMES.get(action, action))
