"""Which kinds of event a source file records at all.

Per input format, the event kinds a file may or may not record and the text that shows it does: an
OCDS file without any transaction is not expected to record payments, so a payment it does not show
is not evidence of a late one (``rules.contract.ContractFacts.unrecorded``). The contract format is
the platform's own record, which has a field for every kind of event: it is expected to record them
all. Both the batch audit (a file on disk) and the OCDS import (a request body) ask this.
"""

from typing import Protocol

from rules.vocabulary import EventKind

RECORDED_MARKERS: dict[str, dict[EventKind, tuple[bytes, ...]]] = {
    "ocds": {EventKind.PAID: (b'"transactions"',)},
}


class Searchable(Protocol):
    def find(self, sub: bytes) -> int: ...


def unrecorded_kinds(data: Searchable, fmt: str) -> frozenset[EventKind]:
    """The event kinds ``data`` (bytes, or a mapped file) records nowhere: one pass, no parsing."""
    markers = RECORDED_MARKERS.get(fmt, {})
    return frozenset(kind for kind, texts in markers.items() if all(data.find(t) < 0 for t in texts))
