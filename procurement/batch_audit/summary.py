"""What a batch audit found: counts, coverage per rule, statistics and the bad records."""

import marshal
import os
import shutil
import tempfile
import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from procurement.reports.spill import PurchaserSpill
from procurement.reports.stats import (
    GroupStats,
    StatsAccumulator,
)
from rules.audits import RULES
from rules.vocabulary import EventKind

MAX_ERRORS_KEPT = 1000
EVALUATED = "evaluated"


@dataclass
class AuditSummary:
    """What a batch audit found: counts, coverage per rule, statistics and the bad records."""

    lines: int = 0
    releases: int = 0
    contracts: int = 0
    quick: int = 0
    findings: Counter[str] = field(default_factory=Counter)
    # (rule id, legal force): mandatory violations and encouraged-target misses counted apart
    by_force: Counter[tuple[str, str]] = field(default_factory=Counter)
    coverage: dict[str, Counter[str]] = field(default_factory=lambda: {rule: Counter() for rule in RULES})
    errors: list[tuple[str, str]] = field(default_factory=list)
    error_count: int = 0
    unrecorded: frozenset[EventKind] = frozenset()  # kinds of event the file records nowhere
    # contracts left out of the figures, by (reason, currency): count and amount in its currency's fen
    left_out: Counter[tuple[str, str]] = field(default_factory=Counter)
    left_out_fen: Counter[tuple[str, str]] = field(default_factory=Counter)
    stats: StatsAccumulator = field(default_factory=StatsAccumulator)
    spill: PurchaserSpill = field(default_factory=PurchaserSpill)
    # the workers leave each range's purchaser counters in a file here: most runs never read
    # them (only a report per purchaser does), so they are merged only when asked for
    _spool: weakref.finalize | None = None
    _spool_dir: str = ""
    _pending: list[str] = field(default_factory=list)

    def spool(self) -> str:
        if self._spool is None:
            # removed on close, or when the summary is collected (callers that never close)
            self._spool_dir = tempfile.mkdtemp(prefix="smeproc-audit-")
            self._spool = weakref.finalize(self, shutil.rmtree, self._spool_dir, ignore_errors=True)
        return self._spool_dir

    def by_purchaser(self) -> Iterator[GroupStats]:
        """Statistics per purchaser, sorted (read back from disk where they were spilled)."""
        for name in self._pending:
            with open(name, "rb") as f:
                purchasers, names = marshal.load(f)
            os.unlink(name)
            self.stats.merge(_purchasers_only(purchasers, names))
            self.spill.check(self.stats)
        self._pending.clear()
        return self.spill.by_purchaser(self.stats)

    def close(self) -> None:
        """Remove the spill file and the spooled counters, if any."""
        self.spill.close()
        if self._spool is not None:
            self._spool()
            self._spool = None
        self._pending.clear()

    def add_error(self, where: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append((where, message))


def _purchasers_only(purchasers: dict[str, list[int]], names: dict[str, str]) -> StatsAccumulator:
    acc = StatsAccumulator()
    acc.purchasers, acc.names = purchasers, names
    return acc
