"""A wrong or revoked bearer token is a 401 on every method (a write had answered "CSRF check
failed" 403), and a burst of them from one address is locked out with 429, like the login
(issue 10, item 7)."""

import pytest
from django.test import Client

from accounts.models import ApiToken
from customers.models import Customer

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers"


def bearer(raw: str, address: str = "203.0.113.7", language: str = "en") -> Client:
    # CSRF checks on, as for a real script (the test client skips them by default).
    return Client(
        enforce_csrf_checks=True,
        headers={"Authorization": f"Bearer {raw}", "Accept-Language": language},
        REMOTE_ADDR=address,
    )


def create(client: Client):
    return client.post(CUSTOMERS, {"name": "Li Lei"}, content_type="application/json")


def test_a_wrong_token_on_a_write_is_401_not_a_csrf_403(rep):
    response = create(bearer("not-a-token"))
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == (
        "The API token is wrong, revoked or its user is inactive."
    )
    assert not Customer.objects.exists()


def test_a_revoked_token_on_a_write_is_401(rep):
    token, raw = ApiToken.objects.issue(rep, "script")
    token.revoke()
    assert create(bearer(raw)).status_code == 401
    assert bearer(raw).get(CUSTOMERS).status_code == 401
    assert not Customer.objects.exists()


def test_a_good_token_writes(rep):
    _token, raw = ApiToken.objects.issue(rep, "script")
    assert create(bearer(raw)).status_code == 201


def test_a_burst_of_wrong_tokens_locks_the_address_out(rep, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 3
    _token, raw = ApiToken.objects.issue(rep, "script")
    for attempt in range(3):
        assert bearer(f"guess-{attempt}").get(CUSTOMERS).status_code == 401
    locked = bearer("guess-4", language="zh-hans").get(CUSTOMERS)
    assert locked.status_code == 429
    assert "分钟后再试" in locked.json()["errors"][0]["message"]
    # Even the right token waits: otherwise guessing could go on, told when it is right.
    assert create(bearer(raw)).status_code == 429
    assert not Customer.objects.exists()
    # Another address is not affected.
    assert bearer(raw, address="198.51.100.9").get(CUSTOMERS).status_code == 200


def test_the_lock_ends_after_its_minutes(rep, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 1
    settings.API_TOKEN_LOCK_MINUTES = 0  # the counter expires at once
    _token, raw = ApiToken.objects.issue(rep, "script")
    assert bearer("guess").get(CUSTOMERS).status_code == 401
    assert bearer(raw).get(CUSTOMERS).status_code == 200
