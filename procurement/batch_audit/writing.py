"""The ranges of a batch in file order: merged into the summary, findings written as they come."""

import gc
import mmap
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from procurement.batch_audit import evaluating
from procurement.batch_audit.evaluating import Chunk, audit_range, init_worker, load_book, process
from procurement.batch_audit.reading import CHUNK_BYTES, MAPPERS, plan_ranges, unrecorded_in
from procurement.batch_audit.summary import AuditSummary
from procurement.ocds.reader import detect_format, read_releases
from rules.vocabulary import EventKind


def _ordered(
    path: Path,
    workers: int,
    as_of: date,
    want_findings: bool,
    fmt: str,
    chunk_bytes: int,
    terms: bool,
    spool: str | None = None,
    unrecorded: frozenset[EventKind] = frozenset(),
    hot_findings: bool = True,
) -> Iterator[Chunk]:
    ranges = plan_ranges(path.stat().st_size, chunk_bytes)
    if workers <= 1 or len(ranges) <= 1:
        init_worker(as_of, want_findings, fmt, terms, unrecorded, hot_findings)
        try:
            base = 0
            for start, end in ranges:
                chunk = audit_range(str(path), start, end, spool, base)
                base += chunk.lines
                yield chunk
        finally:
            gc.enable()
        return
    load_book()
    context = multiprocessing.get_context("fork")
    initargs = (as_of, want_findings, fmt, terms, unrecorded, hot_findings)
    with (
        context.Pool(workers, init_worker, initargs) as pool,
        open(path, "rb") as f,
        mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data,
    ):
        # each range gets the number of its first line, so the workers write the findings' lines
        bases = _line_bases(data, ranges)
        # a bounded window of ranges in flight keeps memory flat whatever the file size
        window = 4 * workers
        pending = [
            pool.apply_async(audit_range, (str(path), s, e, spool, next(bases))) for s, e in ranges[:window]
        ]
        following = iter(ranges[window:])
        while pending:
            chunk = pending.pop(0).get()
            nxt = next(following, None)
            if nxt is not None:
                pending.append(pool.apply_async(audit_range, (str(path), *nxt, spool, next(bases))))
            yield chunk


def _line_bases(data: mmap.mmap, ranges: list[tuple[int, int]]) -> Iterator[int]:
    """The number of lines that start before each range (``reading.range_lines`` counts a line in
    the range where it starts), counted as the ranges are handed out."""
    base = 0
    for start, end in ranges:
        yield base
        base += (start == 0) + data[max(start - 1, 0) : end - 1].count(b"\n")


def merge(summary: AuditSummary, chunk: Chunk, line_base: int, where: str = "line") -> None:
    summary.lines += chunk.lines
    summary.releases += chunk.releases
    summary.contracts += chunk.contracts
    summary.quick += chunk.quick
    summary.findings.update(chunk.counts)
    summary.by_force.update(chunk.forces)
    summary.left_out.update(chunk.left_out)
    summary.left_out_fen.update(chunk.left_out_fen)
    for (rule, reason), n in chunk.coverage.items():
        summary.coverage.setdefault(rule, Counter())[reason] += n
    for number, message in chunk.errors:
        summary.add_error(f"{where} {line_base + number}", message)
    summary.stats.merge(chunk.stats)
    if chunk.purchasers_file is not None:
        summary._pending.append(chunk.purchasers_file)
    summary.spill.check(summary.stats)


def audit_file(
    path: Path,
    *,
    as_of: date,
    workers: int | None = None,
    findings_out: BinaryIO | None = None,
    on_finding: Callable[[dict[str, Any]], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    fmt: str = "ocds",
    chunk_bytes: int = CHUNK_BYTES,
    terms: bool = True,
    hot_findings: bool = True,
) -> AuditSummary:
    """Audit every release in ``path`` as of ``as_of``.

    Findings go to ``findings_out`` as JSON lines (each with the input line number) and to
    ``on_finding`` as dicts, in file order; ``progress(done_bytes, total_bytes)`` follows the work.
    ``terms=False`` leaves out the mandatory-term rules (``rules.terms``), the costliest part.
    ``hot_findings=False`` has every finding built by the full path (``map_release`` and
    ``rules.audits.audit_contract``), as before the hot path built them: the golden files' way.
    """
    if fmt not in MAPPERS:
        raise ValueError(f"unknown input format {fmt!r}; known: {', '.join(sorted(MAPPERS))}")
    want = findings_out is not None or on_finding is not None
    summary = AuditSummary(unrecorded=unrecorded_in(path, fmt))
    total = path.stat().st_size
    if detect_format(path) != "jsonl":
        return _audit_package(path, as_of, want, fmt, summary, findings_out, on_finding, terms, hot_findings)
    workers = workers or os.cpu_count() or 1
    done = 0
    spool = summary.spool()
    chunks = _ordered(
        path, workers, as_of, want, fmt, chunk_bytes, terms, spool, summary.unrecorded, hot_findings
    )
    for chunk in chunks:
        base = summary.lines
        merge(summary, chunk, base)
        if chunk.findings or chunk.line_base != base:
            raise AssertionError(f"range of line {base}: findings numbered from line {chunk.line_base}")
        if chunk.written:
            if findings_out is not None:
                findings_out.write(chunk.written)
            if on_finding is not None:
                for line in chunk.written.splitlines():
                    on_finding(orjson.loads(line))
        done += chunk.size
        if progress is not None:
            progress(done, total)
    return summary


def _emit(
    line: bytes,
    findings_out: BinaryIO | None,
    on_finding: Callable[[dict[str, Any]], None] | None,
) -> None:
    if findings_out is not None:
        findings_out.write(line + b"\n")
    if on_finding is not None:
        on_finding(orjson.loads(line))


def _audit_package(
    path: Path,
    as_of: date,
    want: bool,
    fmt: str,
    summary: AuditSummary,
    findings_out: BinaryIO | None,
    on_finding: Callable[[dict[str, Any]], None] | None,
    terms: bool,
    hot_findings: bool = True,
) -> AuditSummary:
    init_worker(as_of, want, fmt, terms, summary.unrecorded, hot_findings)
    gc.enable()
    state = evaluating.STATE
    assert state is not None
    for item in read_releases(path):
        chunk = Chunk(lines=0)
        if item.error is not None:
            summary.add_error(item.where, item.error)
            continue
        process(state, item.release, 0, chunk)
        chunk.settle()
        chunk.errors = [(0, m) for _, m in chunk.errors]
        for _, message in chunk.errors:
            summary.add_error(item.where, message)
        chunk.errors = []
        merge(summary, chunk, 0)
        for _, body in chunk.findings:
            _emit(b'{"where":"%s",' % item.where.encode() + body[1:], findings_out, on_finding)
    return summary
