"""What an operator meets running `make run`: a quick second start, quiet refusals, a favicon."""

import io
import logging

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from customers.models import Customer
from huitou.management.commands.prepare_demo import unapplied_migrations
from insights.models import ScoreRun

pytestmark = pytest.mark.django_db


def test_prepare_demo_with_nothing_to_do_only_prints_the_logins() -> None:
    call_command("load_demo", limit=120, stdout=io.StringIO())
    call_command("score", stdout=io.StringIO())
    customers, runs = Customer.objects.count(), ScoreRun.objects.count()

    out = io.StringIO()
    call_command("prepare_demo", stdout=out)

    assert unapplied_migrations() == 0
    assert (Customer.objects.count(), ScoreRun.objects.count()) == (customers, runs)
    text = out.getvalue()
    assert "Loading" not in text and "Scored" not in text and "Applying" not in text
    assert "Demo logins (password for all:" in text


def test_the_demo_load_says_how_far_the_dates_moved_in_words() -> None:
    out = io.StringIO()
    call_command("load_demo", limit=5, stdout=out)
    assert "every date moved" in out.getvalue()
    assert "days later so that the last purchase was yesterday" in out.getvalue()
    assert ", 0:00:00" not in out.getvalue()


def test_a_refused_page_logs_one_line_without_a_traceback(
    client: Client, rep: User, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(rep)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/insights/returning/export/")
    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert refusals and all(r.exc_info is None for r in refusals)
    assert "Forbidden" in refusals[0].getMessage()


def test_the_favicon_is_served(client: Client) -> None:
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("favicon.ico")
    assert response.getvalue().startswith(b"\x00\x00\x01\x00")  # an ICO
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page
