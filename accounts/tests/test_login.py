"""Signing in: Argon2 hashes, a lock after a burst of wrong passwords, idle expiry."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conftest import PASSWORD


@pytest.mark.argon2
def test_passwords_are_stored_as_argon2(rep):
    stored = User.objects.get(pk=rep.pk).password
    assert stored.startswith("argon2$")
    assert PASSWORD not in stored


def login(client, password):
    return client.post(reverse("accounts:login"), {"username": "rep", "password": password})


def test_burst_of_wrong_passwords_locks_the_username(rep):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(Client(), "wrong").status_code == 200
    assert login(Client(), "wrong").status_code == 429
    # Even the right password from a fresh browser is refused while the lock holds:
    # the count lives in the database, so every app process sees it.
    response = login(Client(), PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in Client().session


def test_a_success_resets_the_count(rep):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(Client(), "wrong")
    assert login(Client(), PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(Client(), "wrong")
    assert login(Client(), PASSWORD).status_code == 302
