"""Self-service for the user's own API tokens."""

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import SessionAuth

from accounts import services
from accounts.access import request_user
from core.schemas import Input

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(..., description="The secret; shown only in this answer, stored hashed.")


class TokenIn(Input):
    name: str = Field(..., min_length=1, max_length=100)


@router.get("", response=list[TokenOut], summary="List my API tokens")
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    """Return the user's tokens, newest first, revoked ones included."""
    tokens = request_user(request).api_tokens.order_by("-created_at", "-id")
    return [TokenOut.from_orm(token) for token in tokens]


@router.post(
    "",
    response={201: NewTokenOut},
    auth=SessionAuth(),
    summary="Issue an API token (signed-in session only)",
    description=(
        "Only a signed-in browser session may issue tokens, so a leaked token cannot mint "
        "others. The secret is in this answer only."
    ),
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[NewTokenOut]:
    """Issue a token for the user and return it with its secret, shown only once."""
    token, raw = services.issue_token(request_user(request), payload.name)
    return Status(201, NewTokenOut(**TokenOut.from_orm(token).model_dump(), token=raw))


@router.delete("/{token_id}", response={204: None}, summary="Revoke one of my API tokens")
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's tokens (again is a no-op; 404 for anyone else's)."""
    services.revoke_token(request_user(request), token_id)
    return HttpResponse(status=204)
