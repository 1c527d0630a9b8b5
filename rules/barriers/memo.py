"""A bounded memory of judged lines and clauses for the barrier scanner.

Two generations of plain dicts: entries go into the young one; when it is full it becomes the old
one and the previous old one is dropped, and an entry found in the old one moves back to the young.
An approximate LRU at the cost of a dict look-up: boilerplate read on every page stays, a line
with a one-off project number passes through. Dict operations are atomic, so threads sharing a
scanner at worst judge a clause twice.
"""

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(Generic[K, V]):
    """At most ``size`` entries (0: nothing is kept)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._half = max(1, size // 2)
        self._young: dict[K, V] = {}
        self._old: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        found = self._young.get(key)
        if found is None:
            found = self._old.get(key)
            if found is not None:
                self.put(key, found)
        return found

    def put(self, key: K, value: V) -> None:
        if not self.size:
            return
        if len(self._young) >= self._half:
            self._old, self._young = self._young, {}
        self._young[key] = value

    def clear(self) -> None:
        self._young, self._old = {}, {}

    def __len__(self) -> int:
        return len(self._young) + len(self._old)
