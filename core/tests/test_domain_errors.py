"""A service's refusal is answered the same way by pages and API: one status per kind."""

import json

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation

from core.errors import Conflict, DomainError, DomainErrorMiddleware, Forbidden, Invalid, NotFound
from huitou.api import on_domain_error

KINDS = [(Invalid, 422), (Forbidden, 403), (NotFound, 404), (Conflict, 409)]


@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_page_answers_with_the_kinds_status(kind: type[DomainError], status: int) -> None:
    request = RequestFactory().get("/somewhere/")
    middleware = DomainErrorMiddleware(lambda r: HttpResponse())
    response = middleware.process_exception(request, kind("The customer is archived."))
    assert response is not None
    assert response.status_code == status
    assert "The customer is archived." in response.content.decode()


def test_page_leaves_other_exceptions_alone() -> None:
    middleware = DomainErrorMiddleware(lambda r: HttpResponse())
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("x")) is None


@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_api_answers_the_kinds_status_on_the_field(kind: type[DomainError], status: int) -> None:
    request: HttpRequest = RequestFactory().post("/api/v1/x")
    response = on_domain_error(request, kind("Unknown tag.", field="tag_ids"))
    assert response.status_code == status
    assert json.loads(response.content) == {
        "errors": [{"field": "tag_ids", "message": "Unknown tag."}]
    }


def test_refused_page_is_in_the_users_language() -> None:
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = DomainErrorMiddleware(lambda r: HttpResponse()).process_exception(
            request, Forbidden("x")
        )
    assert response is not None
    assert "无法完成" in response.content.decode()
