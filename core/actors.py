"""Who did something: a person, an API token, an import job or a scheduled job.

Every recorded change and every domain event names its actor the same way, so the
timeline can say "by Li Na through the API" or "by the nightly scoring" without knowing
which app wrote the record.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse


class ActorKind(StrEnum):
    USER = "user"
    TOKEN = "token"
    IMPORT = "import"
    JOB = "job"


@dataclass(frozen=True)
class Actor:
    """The acting party of a change: its kind, its id where it has one, and a display label.

    `user_id` is the person behind a token or an import job too, so that "what did this
    user do" covers every path they acted through.
    """

    kind: ActorKind
    label: str
    user_id: int | None = None
    ref: int | None = None  # the token or import job id

    @classmethod
    def of_user(cls, user: AbstractBaseUser) -> "Actor":
        """Return the actor for a signed-in person."""
        return cls(ActorKind.USER, user.get_username(), user_id=user.pk)

    @classmethod
    def of_token(cls, user: AbstractBaseUser, token_id: int, token_name: str) -> "Actor":
        """Return the actor for a request authenticated by an API token."""
        label = f"{user.get_username()} ({token_name})"
        return cls(ActorKind.TOKEN, label, user_id=user.pk, ref=token_id)

    @classmethod
    def of_import(cls, user: AbstractBaseUser | None, job_id: int) -> "Actor":
        """Return the actor for rows written by an import job."""
        label = user.get_username() if user is not None else ""
        return cls(ActorKind.IMPORT, label, user_id=user.pk if user else None, ref=job_id)

    @classmethod
    def of_job(cls, name: str) -> "Actor":
        """Return the actor for a scheduled or system job (e.g. "nightly-scoring")."""
        return cls(ActorKind.JOB, name)


# Set for the length of one request or job by the code that knows how the user acts (the
# API's token check, the import runner, a scheduled job), so that services keep taking the
# acting user and still record the path they acted through.
_current: ContextVar[Actor | None] = ContextVar("huitou_actor", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Record `actor` as the acting party of every change made inside the block."""
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_request_actor(actor: Actor) -> None:
    """Set the actor for the rest of the current request (ActorMiddleware clears it)."""
    _current.set(actor)


def actor_for(user: AbstractBaseUser | None) -> Actor:
    """Return who is acting: the actor set for this request or job if it is this user's,
    else the user in person, else (no user) the system."""
    current = _current.get()
    if current is not None and (user is None or current.user_id == user.pk):
        return current
    if user is None:
        return Actor.of_job("system")
    return Actor.of_user(user)


class ActorMiddleware:
    """Give each request a fresh actor context, so one request's token never leaks into
    the next request served by the same thread."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(None)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
