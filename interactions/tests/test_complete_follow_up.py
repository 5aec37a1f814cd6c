"""Only the assignee completes a follow-up: one rule, the same 403 on the page and the API."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import Forbidden
from interactions.services import complete_follow_up, create_follow_up


def test_the_rule_at_the_service(rep, manager, make_customer):
    follow_up = create_follow_up(rep, make_customer(rep), timezone.localdate(), "call back")
    with pytest.raises(Forbidden):
        complete_follow_up(manager, follow_up)
    follow_up.refresh_from_db()
    assert follow_up.done_at is None
    assert complete_follow_up(rep, follow_up).done_at is not None


def test_page_and_api_refuse_the_manager_alike(rep, manager, make_customer):
    follow_up = create_follow_up(rep, make_customer(rep), timezone.localdate(), "call back")
    client = Client()
    client.force_login(manager)
    page = client.post(reverse("interactions:complete", args=[follow_up.pk]))
    api = client.post(f"/api/v1/follow-ups/{follow_up.pk}/complete")
    assert page.status_code == api.status_code == 403
    assert api.json()["errors"][0]["message"] in page.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.done_at is None
