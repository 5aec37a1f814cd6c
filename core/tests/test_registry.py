"""A registry hands its contributors back by (order, name), whatever the registration order."""

from core.registry import Registry


def test_contributors_come_back_by_order_then_name():
    registry: Registry[str] = Registry("test")
    registry.register("zeta", "Z", order=10)
    registry.register("late", "L", order=50)
    registry.register("alpha", "A", order=10)
    registry.register("default", "D")
    assert list(registry) == ["A", "Z", "L", "D"]
    assert [c.name for c in registry.contributions()] == ["alpha", "zeta", "late", "default"]


def test_registration_order_does_not_matter():
    forwards: Registry[str] = Registry("forwards")
    backwards: Registry[str] = Registry("backwards")
    entries = [("b", "B", 1), ("a", "A", 1), ("c", "C", 0)]
    for name, item, order in entries:
        forwards.register(name, item, order)
    for name, item, order in reversed(entries):
        backwards.register(name, item, order)
    assert list(forwards) == list(backwards) == ["C", "A", "B"]


def test_registering_a_name_again_replaces_it_and_unregister_removes_it():
    registry: Registry[str] = Registry("test")
    registry.register("one", "first")
    registry.register("one", "second")  # AppConfig.ready() may run twice
    assert list(registry) == ["second"] and registry.get("one") == "second"
    registry.unregister("one")
    registry.unregister("absent")
    assert list(registry) == [] and "one" not in registry and registry.get("one") is None
