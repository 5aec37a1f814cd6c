"""Fixtures of the service tests: the seeded categories and notice templates, agents."""

from typing import Any

import pytest

from accounts.models import Role, User
from conftest import make_user
from engagement.models import MessageTemplate
from service.defaults import seed_defaults
from service.models import Category, ServiceAgent


@pytest.fixture(autouse=True)
def service_defaults(db: Any) -> None:
    """Seed what the migration seeds (a transactional test before this one flushed it)."""
    seed_defaults(Category, MessageTemplate)


def make_agent(username: str, senior: bool = False, **fields: Any) -> User:
    """Return a service agent whom routing may give tickets to."""
    user = make_user(username, Role.AGENT)
    user.first_name = fields.pop("first_name", "")
    user.save()
    categories = fields.pop("categories", ())
    profile = ServiceAgent.objects.create(user=user, senior=senior, **fields)
    profile.categories.set(categories)
    return user
