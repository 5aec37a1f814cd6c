"""In a real browser, the pages run under the Content Security Policy without a violation."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from core.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_and_api_docs_work_under_the_policy(
    live_server: Any, page: Page, manager: Any, make_customer: Any
) -> None:
    make_customer(manager, name="Wang Fang", mobile="13912345678")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, live_server.url, "manager", PASSWORD)
    expect(page.locator("h1")).to_have_text("Customers")

    # The handlers moved out of the HTML still work: tick all, then the language switch.
    page.check("input[data-tick-all]")
    expect(page.locator("input[name=customer_ids]").first).to_be_checked()
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("h1")).to_have_text("客户")

    page.goto(f"{live_server.url}/insights/")
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert violations == []
