"""Replay the first answer to a write retried with the same `Idempotency-Key` header.

A client that did not hear the answer to a write sends it again with the same key. The
first request's answer is stored with the key in the same transaction as the write, so a
retry gets exactly that answer (status and body) and writes nothing; the same key with a
different body is a client bug and is rejected with 409. Error answers (422) roll the whole
transaction back, key included: nothing was written, so nothing needs replaying.

Two identical requests racing each other both miss the stored key; the unique constraint on
(user, endpoint, key) lets only one insert it, and the loser replays the winner's answer.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.params import functions as params

from core.models import IdempotencyKey
from core.redact import json_containing, redact

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100
REPLAY_HEADER = "Idempotent-Replayed"
KEY_DESCRIPTION = (
    "A unique string (at most 100 characters, e.g. a UUID) per logical request. A retry with "
    "the same key and the same body returns the first answer and writes nothing; the same key "
    "with another body answers 409."
)

# The optional header as an endpoint parameter: `idempotency_key: KeyHeader = None`.
KeyHeader = Annotated[str | None, params.Header(None, alias=HEADER, description=KEY_DESCRIPTION)]

# (status, JSON-ready body) of a successful write.
Answer = tuple[int, Any]


def error_json(status: int, field: str, message: str) -> JsonResponse:
    """Return an answer in the one error format with one error."""
    return JsonResponse({"errors": [{"field": field, "message": message}]}, status=status)


def json_ready(data: Any) -> Any:
    """Return data as plain JSON types, encoded exactly as the API renders responses."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def body_hash(request: HttpRequest) -> str:
    """Return the SHA-256 of the request body as canonical JSON (sorted keys, no spaces)."""
    try:
        parsed = json.loads(request.body or b"null")
    except ValueError:
        canonical = request.body
    else:
        text = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        canonical = text.encode()
    return hashlib.sha256(canonical).hexdigest()


def _checked_key(key: str | None, required: bool) -> str | None:
    key = (key or "").strip()
    if not key:
        if required:
            raise ValidationError({HEADER: _("This header is required.")})
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            {HEADER: _("The key must be at most %(max)d characters.") % {"max": MAX_KEY_LENGTH}}
        )
    return key


def _replay(stored: IdempotencyKey, request_hash: str) -> JsonResponse:
    if stored.request_hash != request_hash:
        return error_json(
            409,
            HEADER,
            _("This key was already used for a different request; use a new key."),
        )
    response = JsonResponse(stored.response, status=stored.status_code, safe=False)
    response[REPLAY_HEADER] = "true"
    return response


def _stored(user: AbstractBaseUser, endpoint: str, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user_id=user.pk, endpoint=endpoint, key=key).first()


def idempotent(
    request: HttpRequest,
    user: AbstractBaseUser,
    key: str | None,
    write: Callable[[], Answer],
    *,
    required: bool = False,
) -> JsonResponse:
    """Run `write` once per key and return its answer; replay that answer on a retry.

    `write` returns (status, body) and raises (ValidationError, PermissionDenied, ...) to
    refuse; a refusal is not stored. Without a key (allowed unless `required`), `write`
    simply runs in a transaction.
    """
    checked = _checked_key(key, required)
    if checked is None:
        with transaction.atomic():
            status, body = write()
        return JsonResponse(json_ready(body), status=status, safe=False)
    endpoint = request.path[:100]
    request_hash = body_hash(request)
    stored = _stored(user, endpoint, checked)
    if stored is not None:
        return _replay(stored, request_hash)
    try:
        with transaction.atomic():
            # Claim the key first: a concurrent twin blocks here (or fails) instead of
            # doing the work a second time.
            claim = IdempotencyKey.objects.create(
                user_id=user.pk, endpoint=endpoint, key=checked, request_hash=request_hash,
                status_code=0, response={},
            )  # fmt: skip
            status, body = write()
            claim.status_code = status
            claim.response = json_ready(body)
            claim.save(update_fields=["status_code", "response"])
    except IntegrityError:
        stored = _stored(user, endpoint, checked)
        if stored is None:
            raise
        return _replay(stored, request_hash)
    return JsonResponse(claim.response, status=status, safe=False)


def redact_answers(texts: tuple[str, ...]) -> int:
    """Replace the texts in every stored answer holding them; return how many changed.

    The keys stay: a retry must still replay (now without the person's data), not write
    a second time.
    """
    changed = 0
    for stored in json_containing(IdempotencyKey.objects.all(), "response", texts):
        redacted = redact(stored.response, texts)
        if redacted != stored.response:
            IdempotencyKey.objects.filter(pk=stored.pk).update(response=redacted)
            changed += 1
    return changed


def prune_answers(now: datetime.datetime | None = None) -> int:
    """Delete answers stored longer than IDEMPOTENCY_RETENTION_DAYS; return how many.

    A client retries within minutes or hours; a week later the answer is only a copy of
    the customer data it carried.
    """
    days = settings.IDEMPOTENCY_RETENTION_DAYS
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
