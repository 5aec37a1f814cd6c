"""Who did something: a person, an API token, an import job or a scheduled job.

Every recorded change and every domain event names its actor the same way, so the
timeline can say "by Li Na through the API" or "by the nightly scoring" without knowing
which app wrote the record.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.base_user import AbstractBaseUser


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
