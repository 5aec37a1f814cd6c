"""The one vocabulary of contact channels: consent, interactions and outbound messages.

A customer's consent is kept per channel, an interaction happened on one (its kind maps to
a channel, see interactions.models.InteractionKind), and an outbound message will be sent
on one; all three speak these values, so "may we send this SMS?" is a look-up, not a
translation between vocabularies.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("Visit")
    POST = "post", _("Post")
    IN_APP = "in_app", _("In-app")
