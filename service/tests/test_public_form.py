"""The public web form: a ticket and a status link for anyone, throttled, refusing
oversized and scripted sendings, telling nobody who is a customer."""

import time
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from customers.models import Customer
from service.forms import STARTED_SALT, WEB_TEXT_MAX
from service.models import Ticket

from .conftest import make_agent
from .test_workflow import open_complaint

CONTACT = "/service/contact/"


@pytest.fixture(autouse=True)
def quick_form(settings: Any) -> None:
    """Let a test send the form at once, and start every test with an empty throttle."""
    settings.SERVICE_WEB_FORM_MIN_SECONDS = 0
    cache.clear()


def started(seconds_ago: float = 10) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=STARTED_SALT)


def sending(**fields: str) -> dict[str, str]:
    return {
        "name": "Zhang Wei", "mobile": "13800139999", "email": "", "kind": "complaint",
        "category": "", "subject": "Broken lid", "description": "The lid was broken.",
        "website": "", "started": started(), **fields,
    }  # fmt: skip


def send(client: Client, **fields: str) -> Any:
    return client.post(CONTACT, sending(**fields))


def test_the_form_opens_a_ticket_and_shows_its_number_and_status(admin_user):
    make_agent("li", first_name="Li Na")
    client = Client()
    assert client.get(CONTACT).status_code == 200
    response = send(client)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == "web" and ticket.customer.name == "Zhang Wei"
    assert ticket.customer.owner == admin_user  # no SERVICE_WEB_FORM_OWNER: the first admin
    step = ticket.steps.get()
    assert step.actor is None and step.actor_label == "customer"
    assert step.note == "Zhang Wei · 13800139999"
    status = client.get(response.url)
    assert ticket.number in status.content.decode()
    assert "Li Na looks after your case." in status.content.decode()


def test_a_known_customer_gets_the_ticket_and_the_sender_the_same_answer(
    admin_user, rep, make_customer
):
    known = make_customer(rep, name="Real Name", mobile="13800138000")
    answers = []
    for mobile in ("13800138000", "13800137000"):
        client = Client()
        response = send(client, mobile=mobile, name="Someone")
        page = client.get(response.url).content.decode()
        ticket = Ticket.objects.order_by("-pk").first()
        assert ticket is not None
        answers.append(page.replace(ticket.number, "N").split("<main")[1])
        assert "Real Name" not in page and known.mobile not in page
    assert answers[0] == answers[1]
    assert Ticket.objects.order_by("pk").first().customer == known
    # The known customer's record is not changed by what the sender typed.
    assert Customer.objects.get(pk=known.pk).name == "Real Name"
    assert Customer.objects.filter(name="Someone").count() == 1


def test_an_archived_customer_gets_the_ticket_and_the_sender_is_told_nothing(
    admin_user, rep, make_customer
):
    from customers.services import archive_customer

    gone = make_customer(rep, mobile="13800138001")
    archive_customer(rep, gone)
    response = send(Client(), mobile="13800138001")
    assert response.status_code == 302
    assert Ticket.objects.get().customer == gone


def test_the_form_is_throttled_per_address(admin_user, settings):
    settings.SERVICE_WEB_FORM_LIMIT = 3
    client = Client()
    for number in range(3):
        assert send(client, mobile=f"1380013900{number}").status_code == 302
    refused = send(client, mobile="13800139005")
    assert refused.status_code == 429
    assert "Please try again in" in refused.content.decode()
    assert Ticket.objects.count() == 3
    # Another address is not held back.
    assert Client(REMOTE_ADDR="10.0.0.9").post(CONTACT, sending()).status_code == 302


def test_oversized_text_is_refused_and_nothing_stored(admin_user):
    response = send(Client(), description="x" * (WEB_TEXT_MAX + 1))
    assert response.status_code == 422
    assert "at most 5000 characters" in response.content.decode()
    assert not Ticket.objects.exists() and not Customer.objects.exists()


@pytest.mark.parametrize(
    ("fields", "words"),
    [({"website": "http://spam.example"}, "reload the page"),
     ({"started": "forged"}, "reload the page"),
     ({"started": "just now"}, "That was quick")],
)  # fmt: skip
def test_a_scripted_sending_is_refused(admin_user, settings, fields, words):
    settings.SERVICE_WEB_FORM_MIN_SECONDS = 3
    if fields.get("started") == "just now":
        fields = {"started": started(0)}
    response = send(Client(), **fields)
    assert response.status_code == 422 and words in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_mobile_or_an_email_is_needed_and_a_bad_mobile_named(admin_user):
    response = send(Client(), mobile="")
    assert response.status_code == 422 and 'data-field="mobile"' in response.content.decode()
    response = send(Client(), mobile="12")
    assert response.status_code == 422 and 'data-field="mobile"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_script_tags_are_stored_as_text_and_shown_escaped(admin_user, agent):
    script = '<script>alert("x")</script>'
    response = send(Client(), subject=f"Help {script}", description=f"Look {script}")
    ticket = Ticket.objects.get()
    assert ticket.subject == f"Help {script}" and ticket.description == f"Look {script}"
    for page in (
        Client().get(response.url),
        _signed_in(agent).get(f"/service/tickets/{ticket.pk}/"),
        _signed_in(agent).get("/service/?scope=all"),
    ):
        html = page.content.decode()
        assert script not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_forged_status_link_says_nothing(agent, rep, make_customer):
    ticket = open_complaint(agent, make_customer(rep))
    assert Client().get(f"/service/status/{ticket.pk}/").status_code == 404
    assert Client().get("/service/status/abc:def/").status_code == 404


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
