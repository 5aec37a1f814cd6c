"""Any page number gets the last page (pages) or a 404 naming it (API), never a 500 or a 409
(issue 10, item 4): PostgreSQL answered "bigint out of range", SQLite a misleading 409."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HUGE = "100000000000000000000"
PAGES = ["/customers/", "/insights/warnings/", "/insights/returning/"]


@pytest.fixture
def customer(rep, make_customer):
    return make_customer(rep, name="Only one")


def client_for(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def api_lists(customer):
    return [
        "/api/v1/customers",
        "/api/v1/orders",
        "/api/v1/products",
        "/api/v1/follow-ups",
        f"/api/v1/customers/{customer.pk}/interactions",
    ]


@pytest.mark.parametrize("page", [HUGE, "2", "9" * 400])
def test_every_api_list_answers_404_naming_the_last_page(admin_user, customer, page):
    client = client_for(admin_user)
    for path in api_lists(customer):
        response = client.get(path, {"page": page})
        assert response.status_code == 404, (path, response.content)
        [error] = response.json()["errors"]
        assert error["field"] == "page"
        assert error["message"].endswith("the last page is 1.")


def test_the_first_page_of_an_empty_list_is_empty_not_404(admin_user, customer):
    response = client_for(admin_user).get("/api/v1/orders", {"page": 1})
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_the_last_page_still_answers(admin_user, rep, make_customer):
    for _ in range(3):
        make_customer(rep)
    response = client_for(admin_user).get("/api/v1/customers", {"page": 2, "page_size": 2})
    assert response.status_code == 200
    assert len(response.json()["items"]) == 1


def test_the_api_refusal_speaks_chinese(admin_user, customer):
    response = client_for(admin_user, "zh-hans").get("/api/v1/customers", {"page": HUGE})
    assert response.status_code == 404
    assert "最后一页" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("path", PAGES)
def test_every_list_page_shows_its_last_page(admin_user, customer, path):
    response = client_for(admin_user).get(path, {"page": HUGE})
    assert response.status_code == 200
    page = response.context["page"]
    if page is not None:  # the insights lists need a scoring run to list anything
        assert page.number == page.paginator.num_pages
