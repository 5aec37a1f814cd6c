"""A named, ordered registry: the shape of every extension point.

A lower app owns a registry of some typed protocol; higher apps add to it in their
AppConfig.ready(), so the lower app never imports them. Contributors come back in a fixed
order, (order, name), whatever the order in which the apps happened to be loaded.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Contribution(Generic[T]):
    """One registered contributor, with the name and rank it was registered under."""

    name: str
    order: int
    item: T


class Registry(Generic[T]):
    """Contributors of one kind, each under a unique name, iterated by (order, name)."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        self._contributions: dict[str, Contribution[T]] = {}

    def register(self, name: str, item: T, order: int = 100) -> None:
        """Add a contributor; registering a name again replaces it (ready() may run twice)."""
        self._contributions[name] = Contribution(name, order, item)

    def unregister(self, name: str) -> None:
        """Remove a contributor, if it is there."""
        self._contributions.pop(name, None)

    def get(self, name: str) -> T | None:
        """Return the contributor registered under the name, or None."""
        contribution = self._contributions.get(name)
        return None if contribution is None else contribution.item

    def contributions(self) -> list[Contribution[T]]:
        """Return every contribution in its fixed order: by order, then by name."""
        return sorted(self._contributions.values(), key=lambda c: (c.order, c.name))

    def __iter__(self) -> Iterator[T]:
        return iter([contribution.item for contribution in self.contributions()])

    def __contains__(self, name: object) -> bool:
        return name in self._contributions

    def __repr__(self) -> str:
        return f"<Registry {self.purpose}: {', '.join(self._contributions)}>"
