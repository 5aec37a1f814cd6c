"""The JSON API under /api/v1: authentication, one error format, and each app's router."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from accounts.models import ApiToken, hash_token
from core.actors import Actor, set_request_actor
from core.errors import DomainError
from core.ratelimit import client_address, token_failures


class TokenAuth(HttpBearer):
    """Authenticate `Authorization: Bearer <token>` against the stored token hashes."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """Return the token's user; a wrong or revoked token is a 401 (the session is not
        tried: its CSRF check would answer 403), too many of them from one address a 429."""
        failures = token_failures()
        client = client_address(request)
        if failures.locked(client):
            message = _(
                "Too many wrong API tokens from this address; try again in %(minutes)d minutes."
            ) % {"minutes": settings.API_TOKEN_LOCK_MINUTES}
            raise HttpError(429, message)
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_token is None:
            failures.fail(client)
            raise HttpError(401, _("The API token is wrong, revoked or its user is inactive."))
        api_token.note_use(timezone.now())
        request.user = api_token.user
        set_request_actor(Actor.of_token(api_token.user, api_token.pk, api_token.name))
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


# Pydantic's error types, worded as Django words them where Django has the words, so the
# catalogues translate them. Ninja drops the rejected input, so no message quotes it.
SCHEMA_MESSAGES: dict[str, Promise] = {
    "missing": gettext_lazy("This field is required."),
    "list_too_short": gettext_lazy("This field is required."),
    "string_too_short": gettext_lazy("This field cannot be blank."),
    "string_type": gettext_lazy("Enter a valid value."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "finite_number": gettext_lazy("Enter a number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "enum": gettext_lazy("Select a valid choice. That choice is not one of the available choices."),
    "literal_error": gettext_lazy(
        "Select a valid choice. That choice is not one of the available choices."
    ),
}
# Those that name a limit: (the limit's key in pydantic's context, the message).
SCHEMA_LIMITS: dict[str, tuple[str, Promise]] = {
    "greater_than_equal": (
        "ge", gettext_lazy("Ensure this value is greater than or equal to %(limit)s.")
    ),
    "less_than_equal": (
        "le", gettext_lazy("Ensure this value is less than or equal to %(limit)s.")
    ),
    "string_too_long": ("max_length", ngettext_lazy(
        "Enter at most %(limit)d character.", "Enter at most %(limit)d characters.", "limit"
    )),
    "decimal_max_digits": ("max_digits", ngettext_lazy(
        "Enter at most %(limit)d digit in total.", "Enter at most %(limit)d digits in total.",
        "limit",
    )),
    "decimal_max_places": ("decimal_places", ngettext_lazy(
        "Enter at most %(limit)d decimal place.", "Enter at most %(limit)d decimal places.",
        "limit",
    )),
}  # fmt: skip


def schema_message(error: dict[str, Any]) -> str:
    """Return the error message in the user's language where Django has the words for it."""
    kind = error.get("type", "")
    if kind.startswith("datetime_"):
        return _("Enter a valid date/time.")
    if kind.startswith("date_"):
        return _("Enter a valid date.")
    if kind in SCHEMA_MESSAGES:
        return str(SCHEMA_MESSAGES[kind])
    if kind in SCHEMA_LIMITS:
        key, message = SCHEMA_LIMITS[kind]
        return str(message % {"limit": (error.get("ctx") or {}).get(key)})
    if kind in ("value_error", "assertion_error"):  # our own validators' words, translated
        return str(error.get("msg", ""))
    # Any other kind (a list or an object where a value was expected, ...): pydantic's
    # English would reach a Chinese user, so the general words are used.
    return _("Enter a valid value.")


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": schema_field(error.get("loc", ())), "message": schema_message(error)}
        for error in exc.errors
    ]
    return error_response(request, 422, errors)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """Answer a service's refusal with its kind's status and its message on its field."""
    return error_response(request, exc.status, [{"field": exc.field, "message": exc.message}])


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, [{"field": "", "message": _("Not found.")}])


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
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
from engagement.api import router as engagement_router  # noqa: E402
from interactions.api import router as interactions_router  # noqa: E402
from loyalty.api import router as loyalty_router  # noqa: E402
from sales.api import orders_router, products_router  # noqa: E402
from service.api import router as service_router  # noqa: E402

api.add_router("/customers", customers_router)
api.add_router("/products", products_router)
api.add_router("/orders", orders_router)
api.add_router("/", interactions_router)
api.add_router("/tokens", accounts_router)
api.add_router("/", engagement_router)
api.add_router("/", service_router)
api.add_router("/", loyalty_router)
