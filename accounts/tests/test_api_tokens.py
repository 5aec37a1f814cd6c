"""API tokens: they authenticate, are stored only hashed, and stop working when revoked."""

import hashlib
import json

from django.test import Client

from accounts.models import ApiToken

TOKENS = "/api/v1/tokens"
CUSTOMERS = "/api/v1/customers"


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_token_authenticates_and_is_marked_used(rep, make_customer):
    customer = make_customer(rep)
    token, raw = ApiToken.objects.issue(rep, "script")
    response = bearer(raw).get(CUSTOMERS)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [customer.pk]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_acts_as_its_user_only(rep, other_rep, make_customer):
    hidden = make_customer(other_rep)
    _token, raw = ApiToken.objects.issue(rep, "script")
    assert bearer(raw).get(f"{CUSTOMERS}/{hidden.pk}").status_code == 404


def test_only_the_hash_is_stored(rep):
    response = session(rep).post(
        TOKENS, json.dumps({"name": "ci"}), content_type="application/json"
    )
    assert response.status_code == 201
    raw = response.json()["token"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert all(raw not in value for value in stored)
    assert raw.startswith(token.prefix) and len(token.prefix) < len(raw) // 2
    assert bearer(raw).get(CUSTOMERS).status_code == 200


def test_the_secret_is_shown_once(rep):
    client = session(rep)
    client.post(TOKENS, json.dumps({"name": "ci"}), content_type="application/json")
    listed = client.get(TOKENS).json()
    assert [item["name"] for item in listed] == ["ci"]
    assert "token" not in listed[0]


def test_a_revoked_token_gets_401(rep):
    token, raw = ApiToken.objects.issue(rep, "script")
    token.revoke()
    response = bearer(raw).get(CUSTOMERS)
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == ""


def test_unknown_token_and_inactive_user_get_401(rep):
    _token, raw = ApiToken.objects.issue(rep, "script")
    assert bearer(raw + "x").get(CUSTOMERS).status_code == 401
    rep.is_active = False
    rep.save()
    assert bearer(raw).get(CUSTOMERS).status_code == 401


def test_revoke_through_the_api(rep, other_rep):
    token, raw = ApiToken.objects.issue(rep, "script")
    others, _raw = ApiToken.objects.issue(other_rep, "theirs")
    client = bearer(raw)
    assert client.delete(f"{TOKENS}/{others.pk}").status_code == 404
    others.refresh_from_db()
    assert others.revoked_at is None
    assert client.delete(f"{TOKENS}/{token.pk}").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(raw).get(CUSTOMERS).status_code == 401


def test_a_token_cannot_issue_tokens(rep):
    _token, raw = ApiToken.objects.issue(rep, "script")
    response = bearer(raw).post(
        TOKENS, json.dumps({"name": "more"}), content_type="application/json"
    )
    assert response.status_code == 401
    assert ApiToken.objects.count() == 1


def test_issuing_needs_the_csrf_token_in_a_browser(rep):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    response = client.post(TOKENS, json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == ""
    assert not ApiToken.objects.exists()


def test_use_is_recorded_at_most_once_a_minute(rep):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import ApiToken

    token, _raw = ApiToken.objects.issue(rep, "script")
    now = timezone.now()
    token.note_use(now)
    with CaptureQueriesContext(connection) as writes:
        token.note_use(now + datetime.timedelta(seconds=30))
    assert len(writes) == 0
    token.note_use(now + datetime.timedelta(minutes=2))
    token.refresh_from_db()
    assert token.last_used_at == now + datetime.timedelta(minutes=2)
