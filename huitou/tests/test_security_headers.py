"""Every page carries a Content-Security-Policy; nothing loads from outside the app."""

from typing import Any

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_every_page_forbids_inline_and_foreign_scripts(client: Client, rep: Any) -> None:
    client.force_login(rep)
    for url in ("/accounts/login/", "/customers/", "/api/v1/docs"):
        policy = client.get(url, follow=True)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'", url
        assert directives["frame-ancestors"] == "'none'", url


def test_the_api_docs_load_swagger_ui_from_our_static_files(client: Client, rep: Any) -> None:
    client.force_login(rep)
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_the_language_cookie_is_secure_behind_https(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.cookies["django_language"]["secure"] is True


def test_the_https_setting_makes_the_language_cookie_secure(monkeypatch: Any) -> None:
    """The settings module ties the language cookie to HTTPS like the other cookies."""
    import importlib

    import huitou.settings

    monkeypatch.setenv("HTTPS", "true")
    try:
        assert importlib.reload(huitou.settings).LANGUAGE_COOKIE_SECURE is True
    finally:
        monkeypatch.delenv("HTTPS")
        importlib.reload(huitou.settings)
