"""One way to cut a list into pages, for the pages and the API.

A page number comes from the address and may be anything, 10**20 included. Pages answer
the last page for a number past it (Django's get_page); the API answers 404 naming the
last page. Neither ever hands the database an offset it cannot hold (PostgreSQL answered
"bigint out of range", SQLite an overflow).
"""

import math
from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination, paginate

from core.errors import NotFound
from core.schemas import MAX_PAGE_SIZE, PAGE_SIZE


def page_of(
    request: HttpRequest,
    items: Any,
    per_page: int,
    paginator: type[Paginator[Any]] = Paginator,
    **options: Any,
) -> Page[Any]:
    """Return the page the request's `page` asks for: the first for a number that is not
    one, the last for a number past it."""
    return paginator(items, per_page, **options).get_page(request.GET.get("page"))


class ApiPagination(PageNumberPagination):
    """The API lists' `page` and `page_size`; a page past the last is a 404 naming the last."""

    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int | None = Field(None, ge=1)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page_size = self._get_page_size(pagination.page_size)
        count = self._items_count(queryset)
        last = max(1, math.ceil(count / page_size))
        if pagination.page > last:
            message = _("There is no page %(page)s; the last page is %(last)d.") % {
                "page": pagination.page,
                "last": last,
            }
            raise NotFound(message, field="page")
        offset = (pagination.page - 1) * page_size
        return {self.items_attribute: queryset[offset : offset + page_size], "count": count}


def paginated(view: Callable[..., Any]) -> Callable[..., Any]:
    """Return the API list view answering one page at a time (ApiPagination)."""
    return paginate(ApiPagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)(view)
