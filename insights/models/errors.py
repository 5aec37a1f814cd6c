"""Exceptions raised by the statistical models."""


class ModelError(ValueError):
    """Data or a fit that a model cannot use; the message is meant for the user."""
