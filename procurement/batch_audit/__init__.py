"""Batch audit of a file of releases without a database, on every core, in constant memory.

Workers read byte ranges of a JSON-lines file themselves (nothing but results crosses the pipe);
results come back in file order, so the findings file is the same whatever the number of workers.
The common e-mall shape takes the hot path (``procurement.ocds.quick``), which also builds the
findings it decides (``procurement.ocds.quick_findings``); anything else goes through
``map_release`` and ``rules.audits.audit_contract``. Packages are read whole, in one process.

Modules along the seams: ``reading`` (input formats, what a file records, byte ranges),
``evaluating`` (one worker's audit of a range), ``summary`` (what the audit counted) and
``writing`` (the ranges in order, merged, and the findings file).
"""

from procurement.batch_audit.reading import (
    CHUNK_BYTES,
    MAPPERS,
    RECORDED_MARKERS,
    Mapper,
    plan_ranges,
    register_mapper,
    unrecorded_in,
)
from procurement.batch_audit.summary import AuditSummary
from procurement.batch_audit.writing import audit_file

__all__ = [
    "CHUNK_BYTES",
    "MAPPERS",
    "RECORDED_MARKERS",
    "AuditSummary",
    "Mapper",
    "audit_file",
    "plan_ranges",
    "register_mapper",
    "unrecorded_in",
]
