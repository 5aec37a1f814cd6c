"""Building campaigns for the campaign tests."""

import datetime
from decimal import Decimal
from typing import Any

from accounts.models import User
from core.channels import Channel
from engagement import campaigns
from engagement.models import Campaign, Segment

SEND_ON = datetime.date(2026, 3, 10)


def segment(author: User, **definition: Any) -> Segment:
    return campaigns.save_segment(author, None, "Everyone", definition)


def campaign(author: User, chosen: Segment, **fields: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": "Spring offer", "segment": chosen, "channel": Channel.SMS,
        "text": "Hi {name}, 10% off this week", "send_on": SEND_ON, "holdout_percent": 10,
        "seed": 7, "cost_per_contact": Decimal("0.05"), "fixed_cost": Decimal("100"),
    }  # fmt: skip
    values.update(fields)
    return campaigns.create_campaign(author, values)
