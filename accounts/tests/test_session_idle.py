"""Reading pages does not write the session; the idle sign-out still holds."""

import datetime
import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SEEN_KEY

pytestmark = pytest.mark.django_db
FIVE_MINUTES = datetime.timedelta(minutes=5)


def session_writes(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]


def test_pages_read_within_the_refresh_interval_write_nothing(rep: Any) -> None:
    client = Client()
    client.force_login(rep)
    session_writes(client, reverse("customers:list"))  # the first view after login refreshes
    for _ in range(3):
        assert session_writes(client, reverse("customers:list")) == []


def test_use_after_the_interval_moves_the_expiry_back(rep: Any) -> None:
    client = Client()
    client.force_login(rep)
    client.get(reverse("customers:list"))
    key = client.session.session_key
    stale = client.session
    stale[SEEN_KEY] = int(time.time()) - settings.SESSION_REFRESH_SECONDS
    stale.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + FIVE_MINUTES)

    assert session_writes(client, reverse("customers:list")) != []
    left = (Session.objects.get(session_key=key).expire_date - timezone.now()).total_seconds()
    assert left > settings.SESSION_COOKIE_AGE - 60


def test_an_idle_session_is_signed_out(rep: Any) -> None:
    client = Client()
    client.force_login(rep)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now()
    )
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_idle_window_is_the_setting_and_the_cookie_lasts_the_browser_session(rep: Any) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "rep", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 8 * 3600
