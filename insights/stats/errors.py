"""Exceptions raised by the statistical models."""

from typing import Any


def gettext_noop(message: str) -> str:
    """Return the message unchanged; the name marks it for the translators' catalogue.

    This package imports no Django, so messages are translated where they are shown
    (insights.models.ScoreRun.failure_text, the commands), from the template kept here.
    """
    return message


class ModelError(ValueError):
    """Data or a fit that a model cannot use; the message is meant for the user."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)
