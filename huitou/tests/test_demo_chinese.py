"""The demo's invented data reads as a Chinese shop's staff would write it."""

import io
import re

import pytest
from django.core.management import call_command

from accounts.models import Team
from customers.models import Customer, Tag, TagGroup
from interactions.models import Interaction
from sales.models import Order, Product

CHINESE = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.django_db


def test_tags_channels_notes_teams_and_contacts_are_in_chinese() -> None:
    call_command("load_demo", limit=400, stdout=io.StringIO())
    words = [
        *Team.objects.values_list("name", flat=True),
        *TagGroup.objects.values_list("name", flat=True),
        *Tag.objects.values_list("name", flat=True),
        *Product.objects.values_list("name", flat=True),
        *Product.objects.values_list("category", flat=True),
        *Customer.objects.values_list("source_channel", flat=True).distinct(),
        *Customer.objects.exclude(notes="").values_list("notes", flat=True),
        *Order.objects.values_list("channel", flat=True).distinct(),
        *Interaction.objects.values_list("summary", flat=True),
        *Interaction.objects.values_list("outcome", flat=True),
    ]
    assert len(words) > 30
    assert [word for word in words if not CHINESE.search(word)] == []
