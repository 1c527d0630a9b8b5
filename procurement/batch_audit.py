"""Batch audit of a file of releases without a database, on every core, in constant memory.

Workers read byte ranges of a JSON-lines file themselves (nothing but results crosses the pipe);
results come back in file order, so the findings file is the same whatever the number of workers.
The common e-mall shape takes the hot path (``procurement.ocds.quick``); anything else goes through
``map_release`` and ``rules.audits.audit_contract``. Packages are read whole, in one process.
"""

import gc
import marshal
import mmap
import multiprocessing
import os
import shutil
import tempfile
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from operator import add
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from procurement.findings.identity import keyed
from procurement.imports.contract_format import map_contract
from procurement.ocds.mapping import MappedRelease, map_release
from procurement.ocds.quick import Quick, QuickResult, change_days
from procurement.ocds.reader import detect_format, read_releases
from procurement.reports.regions import UNKNOWN_REGION
from procurement.reports.spill import PurchaserSpill
from procurement.reports.stats import (
    SMALL_MICRO_SCALES,
    SME_SCALES,
    ContractFigures,
    GroupStats,
    StatsAccumulator,
    figures_of,
)
from rules.audits import RULES, audit_contract, cached_policy_at, terms_hook
from rules.errors import RulesError
from rules.findings import Finding
from rules.policy import PolicyBook, load_policy_book
from rules.vocabulary import EventKind

Mapper = Callable[[Any], MappedRelease]
# input formats: OCDS first; the API's contract format is plugged in by whoever owns its schema
MAPPERS: dict[str, Mapper] = {"ocds": map_release}
CHUNK_BYTES = 4 << 20
MAX_ERRORS_KEPT = 1000
EVALUATED = "evaluated"


def register_mapper(name: str, mapper: Mapper) -> None:
    """Add an input format: ``mapper`` turns one JSON record into a ``MappedRelease``."""
    MAPPERS[name] = mapper


register_mapper("contract", map_contract)  # the API's contract-create format, supplier inline


# Per input format, the event kinds a file may or may not record and the text that shows it does:
# an OCDS file without any transaction is not expected to record payments
# (``rules.contract.ContractFacts.unrecorded``). The contract format is the platform's own record,
# which has a field for every kind of event: it is expected to record them all.
RECORDED_MARKERS: dict[str, dict[EventKind, tuple[bytes, ...]]] = {
    "ocds": {EventKind.PAID: (b'"transactions"',)},
}


def unrecorded_in(path: Path, fmt: str) -> frozenset[EventKind]:
    """The event kinds ``path`` records nowhere (one pass over the bytes, without parsing)."""
    markers = RECORDED_MARKERS.get(fmt, {})
    if not markers or path.stat().st_size == 0:
        return frozenset()
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return frozenset(kind for kind, texts in markers.items() if all(data.find(t) < 0 for t in texts))


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


# (is an SME, is small or micro) per published scale, as ``procurement.reports.stats`` counts them
_SCALE_FLAGS: dict[str | None, tuple[int, int]] = {
    s: (int(s in SME_SCALES), int(s in SMALL_MICRO_SCALES)) for s in SME_SCALES | SMALL_MICRO_SCALES
}


def _purchasers_only(purchasers: dict[str, list[int]], names: dict[str, str]) -> StatsAccumulator:
    acc = StatsAccumulator()
    acc.purchasers, acc.names = purchasers, names
    return acc


@dataclass
class _Worker:
    """Per-process state: caches live as long as the process."""

    as_of: date
    want_findings: bool
    mapper: Mapper
    quick: Quick | None
    policy_at: Any
    terms: bool = True
    unrecorded: frozenset[EventKind] = frozenset()


_STATE: _Worker | None = None


@lru_cache(maxsize=1)
def _book() -> PolicyBook:
    # loaded once in the parent before the fork: the workers inherit it instead of reparsing YAML
    terms_hook()
    return load_policy_book()


def _init_worker(
    as_of: date,
    want_findings: bool,
    fmt: str,
    terms: bool = True,
    unrecorded: frozenset[EventKind] = frozenset(),
    hot_findings: bool = True,
) -> None:
    global _STATE
    book = _book()
    policy_at = cached_policy_at(book)
    quick = None
    if fmt == "ocds":
        # the hot path stands for ``rules.terms.mandatory_findings`` (the hook) when terms are on
        reason = None if terms and terms_hook() is not None else _terms_reason(terms)
        quick = Quick(
            policy_at,
            as_of,
            terms_reason=reason,
            changes=change_days(book),
            payments_unrecorded=EventKind.PAID in unrecorded,
            want_findings=want_findings and hot_findings,
        )
    _STATE = _Worker(as_of, want_findings, MAPPERS[fmt], quick, policy_at, terms, unrecorded)
    # the hot path makes no reference cycles: collecting once per range instead of every few
    # hundred allocations saves a fifth of the time; startup objects are frozen out of the scans
    gc.freeze()
    gc.disable()


def _terms_reason(terms: bool) -> str:
    return "terms_engine_missing" if terms else "not_requested"


def _dumps(value: Any) -> str:
    return str(value)


@dataclass
class _Chunk:
    lines: int = 0
    size: int = 0
    releases: int = 0
    contracts: int = 0
    quick: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    findings: list[tuple[int, bytes]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    forces: Counter[tuple[str, str]] = field(default_factory=Counter)  # by (rule id, legal force)
    left_out: Counter[tuple[str, str]] = field(default_factory=Counter)
    left_out_fen: Counter[tuple[str, str]] = field(default_factory=Counter)
    coverage: Counter[tuple[str, str]] = field(default_factory=Counter)
    stats: StatsAccumulator = field(default_factory=StatsAccumulator)
    purchasers_file: str | None = None
    quick_outcomes: dict[Any, int] = field(default_factory=dict)
    # counters per purchaser (first name seen) and, to be summed by column once, per region
    purchasers: dict[str, list[int]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    by_region: dict[str, list[list[int]]] = field(default_factory=dict)

    def tally(self, fig: ContractFigures) -> None:
        amount = fig.amount_fen
        sme, small = _SCALE_FLAGS.get(fig.scale, (0, 0))
        # the layout of ``procurement.reports.stats`` (CONTRACTS, VALUE, SME_CONTRACTS, ...)
        counters = [1, amount, sme, amount * sme, small, amount * small, *fig[5:]]
        rows = self.by_region.get(fig.region)
        if rows is None:
            self.by_region[fig.region] = [counters]
        else:
            rows.append(counters)
        purchaser = fig.purchaser
        row = self.purchasers.get(purchaser)
        if row is None:
            self.purchasers[purchaser] = counters
            self.names[purchaser] = fig.purchaser_name
        else:  # a new list: ``counters`` is also a region's row
            self.purchasers[purchaser] = list(map(add, row, counters))

    def settle(self) -> "_Chunk":
        for (coverage, hits), n in self.quick_outcomes.items():
            for rule, reason in coverage:
                self.coverage[(rule, reason or EVALUATED)] += n
            for rule, force in hits:
                self.counts[rule] += n
                self.forces[(rule, force)] += n
        self.quick_outcomes.clear()
        stats = self.stats
        for region, rows in self.by_region.items():
            sums = list(map(sum, zip(*rows, strict=True)))
            stats.total[:] = map(add, stats.total, sums)
            mine = stats.regions.get(region)
            stats.regions[region] = sums if mine is None else list(map(add, mine, sums))
        if not stats.purchasers:  # the usual case: every contract went through ``tally``
            stats.purchasers, stats.names = self.purchasers, self.names
        else:
            for purchaser, row in self.purchasers.items():
                mine = stats.purchasers.get(purchaser)
                stats.purchasers[purchaser] = row if mine is None else list(map(add, mine, row))
                stats.names.setdefault(purchaser, self.names[purchaser])
        self.by_region.clear()
        self.purchasers = {}
        self.names = {}
        return self


def _finding_bytes(key: str, ocid: str, contract_id: str, finding: Finding) -> bytes:
    body = finding.as_dict()
    body = {"key": key, "ocid": ocid, "contract_id": contract_id, **body}
    return orjson.dumps(body, default=_dumps)


def _full(state: _Worker, release: Any, line: int, out: _Chunk) -> None:
    """Map and audit one release through the rules; raises RulesError for a bad record."""
    mapped = state.mapper(release)
    for contract in mapped.contracts:
        facts = contract.facts
        if not state.unrecorded <= facts.unrecorded:
            facts = replace(facts, unrecorded=facts.unrecorded | state.unrecorded)
        audit = audit_contract(
            facts, state.policy_at, state.as_of, record=mapped.ocid, with_terms=state.terms
        )
        out.contracts += 1
        for rule, reason in audit.coverage.items():
            out.coverage[(rule, reason or EVALUATED)] += 1
        # the same key on every run over the file: what a finding is about, as stored findings key it
        scope = f"ocds:{mapped.ocid}:{contract.contract_id}"
        for key, finding in keyed(scope, audit.findings):
            out.counts[finding.rule_id] += 1
            out.forces[(finding.rule_id, finding.legal_force.value)] += 1
            if state.want_findings:
                out.findings.append((line, _finding_bytes(key, mapped.ocid, contract.contract_id, finding)))
        reason = _left_out(release, contract.contract_id, facts)
        if reason is not None:  # counted apart, never summed into the yuan figures
            out.left_out[(reason, facts.currency)] += 1
            out.left_out_fen[(reason, facts.currency)] += round(facts.amount * 100)
            continue
        buyer = mapped.buyer
        out.tally(
            figures_of(
                audit,
                purchaser=buyer.id if buyer else "",
                purchaser_name=buyer.name if buyer else "",
                region=mapped.region or UNKNOWN_REGION,
                amount=contract.facts.amount,
                scale=contract.scale,
                as_of=state.as_of,
            )
        )


def _left_out(release: Any, contract_id: str, facts: Any) -> str | None:
    """Why the figures leave a contract out (as the database report does), or None: another
    currency than CNY, not signed (a draft) or cancelled (terminated)."""
    if facts.currency != "CNY":
        return "currency"
    if facts.signed_on is None:
        return "draft"
    contracts = release.get("contracts") if isinstance(release, dict) else None
    raw: dict[str, Any] = next((c for c in contracts or () if str(c.get("id")) == contract_id), {})
    return "terminated" if raw.get("status") == "cancelled" else None


def _one(state: _Worker, release: Any, line: int, out: _Chunk, tried: bool = False) -> None:
    out.releases += 1
    quick = state.quick
    result = None
    if quick is not None and not tried and type(release) is dict:
        result = quick.audit(release)
    want = state.want_findings
    if result is None or (want and result.hits and result.found is None):
        _full(state, release, line, out)  # findings the hot path did not build: the rules build them
        return
    _count_quick(result, out, line, want)


def _count_quick(result: QuickResult, out: _Chunk, line: int = 0, want: bool = False) -> None:
    if want and result.found is not None:
        ocid, contract_id, found = result.found
        # keyed as ``_full`` keys them: the same key whichever path built the finding
        for key, finding in keyed(f"ocds:{ocid}:{contract_id}", found):
            out.findings.append((line, _finding_bytes(key, ocid, contract_id, finding)))
    out.quick += 1
    out.contracts += 1
    # counted per distinct outcome here and expanded once per chunk: cheaper on the hot path
    key = (result.coverage, result.hits)
    outcomes = out.quick_outcomes
    outcomes[key] = outcomes.get(key, 0) + 1
    out.tally(result.figures)


def _process(state: _Worker, release: Any, where: int, out: _Chunk, tried: bool = False) -> None:
    try:
        _one(state, release, where, out, tried)
    except RulesError as err:
        out.errors.append((where, f"{err.message_zh} ({err.message_en})"))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        out.errors.append((where, f"malformed release 发布格式错误: {type(err).__name__}: {err}"))


def _audit_range(path: str, start: int, end: int, spool: str | None = None) -> _Chunk:
    """Audit the lines that start in [start, end) of a JSON-lines file.

    With ``spool`` (a directory), the purchaser counters go to a file there instead of the result.
    """
    state = _STATE
    assert state is not None
    out = _Chunk()
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
    out.size = end - start
    out.lines = len(lines)
    loads = orjson.loads
    quick = state.quick
    want = state.want_findings
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        if quick is not None:
            # the hot path reads the bytes itself; the rest is parsed whole for the full path
            result = quick.audit_line(raw)
            if result is not None and not (want and result.hits and result.found is None):
                out.releases += 1
                _count_quick(result, out, number, want)
                continue
        try:
            release = loads(raw)
        except orjson.JSONDecodeError as err:
            out.errors.append((number, f"invalid JSON 无效的 JSON: {err}"))
            continue
        _process(state, release, number, out, tried=quick is not None)
    gc.collect()
    out.settle()
    if spool is not None and out.stats.purchasers:
        name = os.path.join(spool, f"{start}.marshal")
        with open(name, "wb") as f:
            marshal.dump((out.stats.purchasers, out.stats.names), f)
        out.purchasers_file = name
        out.stats.purchasers, out.stats.names = {}, {}
    return out


def plan_ranges(size: int, chunk_bytes: int = CHUNK_BYTES) -> list[tuple[int, int]]:
    return [(start, min(start + chunk_bytes, size)) for start in range(0, size, chunk_bytes)]


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
) -> Iterator[_Chunk]:
    ranges = plan_ranges(path.stat().st_size, chunk_bytes)
    if workers <= 1 or len(ranges) <= 1:
        _init_worker(as_of, want_findings, fmt, terms, unrecorded, hot_findings)
        try:
            for start, end in ranges:
                yield _audit_range(str(path), start, end, spool)
        finally:
            gc.enable()
        return
    _book()
    context = multiprocessing.get_context("fork")
    with context.Pool(
        workers, _init_worker, (as_of, want_findings, fmt, terms, unrecorded, hot_findings)
    ) as pool:
        # a bounded window of ranges in flight keeps memory flat whatever the file size
        window = 4 * workers
        pending = [pool.apply_async(_audit_range, (str(path), s, e, spool)) for s, e in ranges[:window]]
        following = iter(ranges[window:])
        while pending:
            chunk = pending.pop(0).get()
            nxt = next(following, None)
            if nxt is not None:
                pending.append(pool.apply_async(_audit_range, (str(path), *nxt, spool)))
            yield chunk


def _merge(summary: AuditSummary, chunk: _Chunk, line_base: int, where: str = "line") -> None:
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
        _merge(summary, chunk, base)
        for number, body in chunk.findings:
            _emit(b'{"line":%d,' % (base + number) + body[1:], findings_out, on_finding)
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
    _init_worker(as_of, want, fmt, terms, summary.unrecorded, hot_findings)
    gc.enable()
    state = _STATE
    assert state is not None
    for item in read_releases(path):
        chunk = _Chunk(lines=0)
        if item.error is not None:
            summary.add_error(item.where, item.error)
            continue
        _process(state, item.release, 0, chunk)
        chunk.settle()
        chunk.errors = [(0, m) for _, m in chunk.errors]
        for _, message in chunk.errors:
            summary.add_error(item.where, message)
        chunk.errors = []
        _merge(summary, chunk, 0)
        for _, body in chunk.findings:
            _emit(b'{"where":"%s",' % item.where.encode() + body[1:], findings_out, on_finding)
    return summary
