"""Schema errors come back in the user's language, worded as Django words them."""

import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("body", "field", "english", "chinese"),
    [
        ({"name": ""}, "name", "This field cannot be blank.", "此字段不能为空。"),
        ({"name": "x" * 121}, "name", "Enter at most 120 characters.", "最多输入 120 个字符。"),
        ({"name": 5}, "name", "Enter a valid value.", "请输入有效的值。"),
        ({"name": "Li", "tag_ids": "3"}, "tag_ids", "Enter a valid value.", "请输入有效的值。"),
    ],
)
def test_schema_errors_are_translated(rep, body, field, english, chinese):
    client = Client()
    client.force_login(rep)
    for language, expected in (("en", english), ("zh-hans", chinese)):
        rep.language = language
        rep.save(update_fields=["language"])
        response = client.post("/api/v1/customers", body, content_type="application/json")
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == [field]
        assert expected in errors[0]["message"], errors[0]["message"]
