"""Numbers too large for the database are answered with the error format, not a 500."""

import pytest
from django.test import Client

BIG = 10**20


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("get", f"/api/v1/customers?owner_id={BIG}", None, "owner_id"),
        ("get", f"/api/v1/orders?customer_id={BIG}", None, "customer_id"),
        ("post", "/api/v1/customers", {"name": "A", "tag_ids": [BIG]}, "tag_ids[0]"),
        ("post", "/api/v1/follow-ups", {"customer_id": BIG, "due_on": "2030-01-01"}, "customer_id"),
    ],
)
def test_huge_ids_get_a_422_naming_the_field(rep, method, path, body, field):
    client = Client()
    client.force_login(rep)
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, body, content_type="application/json")
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_a_lost_race_for_a_unique_value_is_a_409_in_the_error_format(rf):
    import json

    from django.db import IntegrityError

    from huitou.api import api

    response = api.on_exception(rf.post("/api/v1/orders"), IntegrityError("UNIQUE failed"))
    assert response.status_code == 409
    assert json.loads(response.content)["errors"][0]["message"].endswith("try again.")
