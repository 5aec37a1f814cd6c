"""The language switch is remembered per user, on every device."""

from django.test import Client
from django.urls import reverse


def test_switch_is_saved_on_the_user_and_followed_elsewhere(rep):
    phone = Client()
    phone.force_login(rep)
    response = phone.post(
        reverse("accounts:language"), {"language": "zh-hans", "next": "/customers/"}
    )
    assert response.status_code == 302 and response["Location"] == "/customers/"
    rep.refresh_from_db()
    assert rep.language == "zh-hans"

    laptop = Client()
    laptop.force_login(rep)
    page = laptop.get(reverse("customers:list"))
    assert page["Content-Language"] == "zh-hans"
    assert "客户" in page.content.decode()


def test_switch_refuses_an_outside_redirect(rep):
    client = Client()
    client.force_login(rep)
    response = client.post(
        reverse("accounts:language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_unknown_language_changes_nothing(rep):
    client = Client()
    client.force_login(rep)
    client.post(reverse("accounts:language"), {"language": "xx"})
    rep.refresh_from_db()
    assert rep.language == ""
