"""Settings helpers fail loudly on unusable values."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_str


def test_values_and_defaults(monkeypatch):
    monkeypatch.setenv("HT_FLAG", "yes")
    monkeypatch.setenv("HT_NUMBER", "42")
    monkeypatch.setenv("HT_HOSTS", "a.example, b.example,")
    monkeypatch.delenv("HT_MISSING", raising=False)
    assert env_bool("HT_FLAG") is True
    assert env_int("HT_NUMBER", 1) == 42
    assert env_list("HT_HOSTS", []) == ["a.example", "b.example"]
    assert env_str("HT_MISSING", "fallback") == "fallback"
    assert env_int("HT_MISSING", 7) == 7


@pytest.mark.parametrize(("helper", "value"), [(env_bool, "maybe"), (env_int, "ten")])
def test_bad_values_name_the_variable(monkeypatch, helper, value):
    monkeypatch.setenv("HT_BAD", value)
    with pytest.raises(ImproperlyConfigured, match="HT_BAD"):
        helper("HT_BAD", 0) if helper is env_int else helper("HT_BAD")
