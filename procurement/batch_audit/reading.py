"""Reading a batch: the input formats, the kinds of event a file records, and byte ranges."""

import mmap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from procurement.imports.contract_format import map_contract
from procurement.ocds.mapping import MappedRelease, map_release
from procurement.ocds.recorded import RECORDED_MARKERS, unrecorded_kinds
from rules.vocabulary import EventKind

Mapper = Callable[[Any], MappedRelease]
# input formats: OCDS first; the API's contract format is plugged in by whoever owns its schema
MAPPERS: dict[str, Mapper] = {"ocds": map_release}
CHUNK_BYTES = 4 << 20


def register_mapper(name: str, mapper: Mapper) -> None:
    """Add an input format: ``mapper`` turns one JSON record into a ``MappedRelease``."""
    MAPPERS[name] = mapper


register_mapper("contract", map_contract)  # the API's contract-create format, supplier inline


def unrecorded_in(path: Path, fmt: str) -> frozenset[EventKind]:
    """The event kinds ``path`` records nowhere (one pass over the bytes, without parsing)."""
    if fmt not in RECORDED_MARKERS or path.stat().st_size == 0:
        return frozenset()
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return unrecorded_kinds(data, fmt)


def plan_ranges(size: int, chunk_bytes: int = CHUNK_BYTES) -> list[tuple[int, int]]:
    return [(start, min(start + chunk_bytes, size)) for start in range(0, size, chunk_bytes)]


def range_lines(path: str, start: int, end: int) -> list[bytes]:
    """The lines that start in [start, end) of a JSON-lines file, without their newlines."""
    with open(path, "rb") as f:
        skip_first = False
        if start > 0:
            f.seek(start - 1)
            skip_first = f.read(1) != b"\n"
        data = f.read(end - start)
        if data and not data.endswith(b"\n"):
            data += f.readline()  # the last line starts in range: it is ours to finish
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if skip_first and lines:
        lines.pop(0)  # it began in the previous range
    return lines
