"""Playwright driving Debian's Chromium, shared by the browser tests."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are plain synchronous code, so Django's async guard must not stop them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> None:
    """Keep a picture of the page under var/screenshots for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, username: str, password: str, language: str = "") -> None:
    """Sign in through the login form and land on the customer list (not Today, where a
    signed-in person starts): for the tests that start from the list. With `language`, the
    pages come in that language from the first one on."""
    if language:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/accounts/login/?next=/customers/")
    _submit_login(page, username, password)
    page.wait_for_url(f"{base}/customers/")


def sign_in_at_the_front_door(page: Page, base: str, username: str, password: str) -> None:
    """Open the site's address, sign in, and land where a person starts the day: Today."""
    page.goto(f"{base}/")
    _submit_login(page, username, password)
    page.wait_for_url(f"{base}/engagement/today/")


def _submit_login(page: Page, username: str, password: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
