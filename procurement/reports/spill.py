"""Per-purchaser counters that spill to a temporary SQLite file, so memory stays flat.

A province has thousands of purchasers, a pathological file one per line: past ``limit`` keys the
counters held in memory are added into the file and dropped, and the report reads them back sorted.
"""

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from procurement.reports.stats import WIDTH, GroupStats, StatsAccumulator

_COLUMNS = ", ".join(f"c{i}" for i in range(WIDTH))
_UPSERT = (
    f"INSERT INTO purchaser (key, name, {_COLUMNS}) VALUES (?, ?, {', '.join('?' * WIDTH)}) "
    "ON CONFLICT(key) DO UPDATE SET " + ", ".join(f"c{i} = c{i} + excluded.c{i}" for i in range(WIDTH))
)


class PurchaserSpill:
    """Moves an accumulator's purchasers to disk once there are more than ``limit`` of them."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._db: sqlite3.Connection | None = None

    @property
    def spilled(self) -> bool:
        return self._db is not None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._dir = tempfile.TemporaryDirectory(prefix="smeproc-audit-")
            self._db = sqlite3.connect(Path(self._dir.name) / "purchasers.sqlite")
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute(
                f"CREATE TABLE purchaser (key TEXT PRIMARY KEY, name TEXT, "
                f"{', '.join(f'c{i} INTEGER' for i in range(WIDTH))})"
            )
        return self._db

    def check(self, stats: StatsAccumulator) -> None:
        """Spill ``stats``' purchasers if there are too many to keep in memory."""
        if len(stats.purchasers) > self.limit:
            self.flush(stats)

    def flush(self, stats: StatsAccumulator) -> None:
        db = self._connection()
        names = stats.names
        with db:
            db.executemany(
                _UPSERT,
                ((key, names.get(key, ""), *row) for key, row in stats.purchasers.items()),
            )
        stats.purchasers.clear()
        stats.names.clear()

    def by_purchaser(self, stats: StatsAccumulator) -> Iterator[GroupStats]:
        """Every purchaser's line, sorted by key, from memory or from the file."""
        if self._db is None:
            yield from stats.by_purchaser()
            return
        self.flush(stats)
        for key, name, *row in self._db.execute(f"SELECT key, name, {_COLUMNS} FROM purchaser ORDER BY key"):
            yield GroupStats.of(key, name, list(row))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
