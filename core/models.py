"""Records no single capability owns: stored API answers (and, next, the event outbox)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The first answer to a write request, replayed when the same key is sent again.

    A retried request gets the stored answer and never writes twice; the same key with a
    different body is rejected, because it is a client bug, not a retry.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Created by the project shell's first migration, before core existed; the table
        # keeps its name so that an existing database needs no copy.
        db_table = "huitou_idempotencykey"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="unique_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return self.key
