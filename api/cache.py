"""A small thread-safe LRU of serialized representations, keyed by (id, version).

A representation is valid exactly as long as its version is current, so a cache hit still costs one
narrow query for the version (which also checks the caller may see the item), never a stale answer.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable


class RepresentationCache:
    def __init__(self, max_entries: int = 10_000) -> None:
        self._max = max_entries
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        with self._lock:
            self._entries[key] = body
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
