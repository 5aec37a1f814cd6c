"""The JSON API under /api/v1: authentication, one error format, and each app's router."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from accounts.models import ApiToken, hash_token
from customers.services import AccessDenied


class TokenAuth(HttpBearer):
    """Authenticate `Authorization: Bearer <token>` against the stored token hashes."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        api_token.note_use(timezone.now())
        request.user = api_token.user
        # UserLanguageMiddleware ran before the token was read; apply the language now.
        if api_token.user.language:
            translation.activate(api_token.user.language)
            request.LANGUAGE_CODE = api_token.user.language
        return api_token.user


api = NinjaAPI(
    title="Huitou API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
)


def error_response(request: HttpRequest, status: int, errors: list[dict[str, str]]) -> HttpResponse:
    """Return the one error format: {"errors": [{"field": ..., "message": ...}]}."""
    return api.create_response(request, {"errors": errors}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "", "message": str(message)} for message in exc.messages]
    return error_response(request, 422, errors)


# Where Ninja found a value, and the body argument's name, are not part of a field name.
_LOCATION_PARTS = {"body", "payload", "query", "path", "header", "cookie", "form"}


def schema_field(location: Any) -> str:
    """Return a field name from a pydantic error location: ("orders", 3, "sku") -> orders[3].sku."""
    name = ""
    for part in location:
        if isinstance(part, int):
            name += f"[{part}]"
        elif part not in _LOCATION_PARTS:
            name += f".{part}" if name else str(part)
    return name


def schema_message(error: dict[str, Any]) -> str:
    """Return the error message in the user's language where Django has the words for it."""
    context = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind in ("greater_than_equal", "greater_than") and "ge" in context:
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": context["ge"]
        }
    if kind in ("less_than_equal", "less_than") and "le" in context:
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": context["le"]
        }
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return _("Enter a whole number.")
    if kind in ("decimal_parsing", "decimal_type", "float_parsing"):
        return _("Enter a number.")
    if kind.startswith("date_") or kind == "date_type":
        return _("Enter a valid date.")
    if kind.startswith("datetime_"):
        return _("Enter a valid date/time.")
    if kind in ("enum", "literal_error"):
        return _("Select a valid choice. %(value)s is not one of the available choices.") % {
            "value": error.get("input", "")
        }
    return str(error.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": schema_field(error.get("loc", ())), "message": schema_message(error)}
        for error in exc.errors
    ]
    return error_response(request, 422, errors)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, [{"field": "", "message": _("Not found.")}])


@api.exception_handler(PermissionDenied)
@api.exception_handler(AccessDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied | AccessDenied) -> HttpResponse:
    message = str(exc) or _("You do not have permission to do this.")
    return error_response(request, 403, [{"field": "", "message": message}])


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, [{"field": "", "message": _("Authentication required.")}])


@api.exception_handler(IntegrityError)
def on_conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    """Answer a write that lost a race for a unique value; nothing of it was kept."""
    message = _("Another change to the same record happened at the same time; try again.")
    return error_response(request, 409, [{"field": "", "message": message}])


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, [{"field": "", "message": str(exc)}])


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    message = _("The request body is too large: at most %(size)d bytes.") % {
        "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    }
    return error_response(request, 413, [{"field": "", "message": message}])


# Each app's endpoints; imported last, since they are registered on `api` above.
from accounts.api import router as accounts_router  # noqa: E402
from customers.api import router as customers_router  # noqa: E402
from interactions.api import router as interactions_router  # noqa: E402
from sales.api import orders_router, products_router  # noqa: E402

api.add_router("/customers", customers_router)
api.add_router("/products", products_router)
api.add_router("/orders", orders_router)
api.add_router("/", interactions_router)
api.add_router("/tokens", accounts_router)
