"""Revoking a token: only one's own; anyone else's is not found, on the page and the API alike."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken
from accounts.services import revoke_token
from core.errors import NotFound


def test_the_rule_at_the_service(rep, other_rep):
    mine, _raw = ApiToken.objects.issue(rep, "script")
    theirs, _raw = ApiToken.objects.issue(other_rep, "theirs")
    with pytest.raises(NotFound):
        revoke_token(rep, theirs.pk)
    assert revoke_token(rep, mine.pk) is True
    assert revoke_token(rep, mine.pk) is False  # again: a no-op
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_page_and_api_answer_404_for_anyone_elses(rep, other_rep):
    theirs, _raw = ApiToken.objects.issue(other_rep, "theirs")
    client = Client()
    client.force_login(rep)
    page = client.post(reverse("accounts:revoke_api_token", args=[theirs.pk]))
    api = client.delete(f"/api/v1/tokens/{theirs.pk}")
    assert page.status_code == api.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
