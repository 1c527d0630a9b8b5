"""One worker's audit of a byte range: the hot path, else the mapping and the rules.

Per-process state (policy caches, the hot path) is set up once by ``init_worker``; ranges come back
as ``Chunk`` results with their findings already serialised, so the parent only concatenates.
"""

import gc
import marshal
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from operator import add
from typing import Any

import orjson

from procurement.batch_audit.reading import MAPPERS, Mapper, range_lines
from procurement.batch_audit.summary import EVALUATED
from procurement.findings.identity import keyed
from procurement.ocds.quick import Quick, QuickResult, change_days
from procurement.reports.regions import UNKNOWN_REGION
from procurement.reports.stats import (
    SMALL_MICRO_SCALES,
    SME_SCALES,
    ContractFigures,
    StatsAccumulator,
    figures_of,
)
from rules.audits import audit_contract, cached_policy_at, terms_hook
from rules.errors import RulesError
from rules.findings import Finding
from rules.policy import PolicyBook, load_policy_book
from rules.vocabulary import EventKind

# (is an SME, is small or micro) per published scale, as ``procurement.reports.stats`` counts them
_SCALE_FLAGS: dict[str | None, tuple[int, int]] = {
    s: (int(s in SME_SCALES), int(s in SMALL_MICRO_SCALES)) for s in SME_SCALES | SMALL_MICRO_SCALES
}


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


STATE: _Worker | None = None


@lru_cache(maxsize=1)
def load_book() -> PolicyBook:
    # loaded once in the parent before the fork: the workers inherit it instead of reparsing YAML
    terms_hook()
    return load_policy_book()


def init_worker(
    as_of: date,
    want_findings: bool,
    fmt: str,
    terms: bool = True,
    unrecorded: frozenset[EventKind] = frozenset(),
    hot_findings: bool = True,
) -> None:
    global STATE
    book = load_book()
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
    STATE = _Worker(as_of, want_findings, MAPPERS[fmt], quick, policy_at, terms, unrecorded)
    # the hot path makes no reference cycles: collecting once per range instead of every few
    # hundred allocations saves a fifth of the time; startup objects are frozen out of the scans
    gc.freeze()
    gc.disable()


def _terms_reason(terms: bool) -> str:
    return "terms_engine_missing" if terms else "not_requested"


def _dumps(value: Any) -> str:
    return str(value)


@dataclass
class Chunk:
    lines: int = 0
    size: int = 0
    releases: int = 0
    contracts: int = 0
    quick: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    findings: list[tuple[int, bytes]] = field(default_factory=list)
    # with the range's first line number known: the findings as the lines of the findings file
    written: bytes = b""
    line_base: int | None = None
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

    def settle(self) -> "Chunk":
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


def _finding_bytes(key: str, ocid: str, contract_id: str, f: Finding) -> bytes:
    """``{"key", "ocid", "contract_id", **f.as_dict()}`` as JSON, without the copies: orjson writes
    the citations (slotted dataclasses) field by field and the enums by value, as ``as_dict`` does."""
    evidence = f.evidence
    return orjson.dumps(
        {
            "key": key,
            "ocid": ocid,
            "contract_id": contract_id,
            "rule_id": f.rule_id,
            "category": f.category,
            "legal_force": f.legal_force,
            "severity": f.severity,
            "citations": f.citations,
            "message": {"zh": f.message_zh, "en": f.message_en},
            "remedy": {"zh": f.remedy_zh, "en": f.remedy_en},
            "evidence": evidence if type(evidence) is dict else dict(evidence),
            "policy_version": f.policy_version,
        },
        default=_dumps,
    )


def _full(state: _Worker, release: Any, line: int, out: Chunk) -> None:
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


def _one(state: _Worker, release: Any, line: int, out: Chunk, tried: bool = False) -> None:
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


def _count_quick(result: QuickResult, out: Chunk, line: int = 0, want: bool = False) -> None:
    if want and result.found is not None:
        # already the JSON ``_finding_bytes`` writes, keyed as ``_full`` keys them
        out.findings += [(line, body) for body in result.found]
    out.quick += 1
    out.contracts += 1
    # counted per distinct outcome here and expanded once per chunk: cheaper on the hot path
    key = (result.coverage, result.hits)
    outcomes = out.quick_outcomes
    outcomes[key] = outcomes.get(key, 0) + 1
    out.tally(result.figures)


def process(state: _Worker, release: Any, where: int, out: Chunk, tried: bool = False) -> None:
    try:
        _one(state, release, where, out, tried)
    except RulesError as err:
        out.errors.append((where, f"{err.message_zh} ({err.message_en})"))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        out.errors.append((where, f"malformed release 发布格式错误: {type(err).__name__}: {err}"))


def audit_range(
    path: str, start: int, end: int, spool: str | None = None, line_base: int | None = None
) -> Chunk:
    """Audit the lines that start in [start, end) of a JSON-lines file.

    With ``spool`` (a directory), the purchaser counters go to a file there instead of the result.
    With ``line_base`` (the lines before ``start``), the findings come back as the lines of the
    findings file (``Chunk.written``): the worker numbers them, the parent only writes them.
    """
    state = STATE
    assert state is not None
    out = Chunk()
    lines = range_lines(path, start, end)
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
        process(state, release, number, out, tried=quick is not None)
    out.line_base = line_base
    if line_base is not None and out.findings:
        out.written = b"".join(
            [b'{"line":%d,%b\n' % (line_base + number, body[1:]) for number, body in out.findings]
        )
        out.findings = []
    gc.collect()
    out.settle()
    if spool is not None and out.stats.purchasers:
        name = os.path.join(spool, f"{start}.marshal")
        with open(name, "wb") as f:
            marshal.dump((out.stats.purchasers, out.stats.names), f)
        out.purchasers_file = name
        out.stats.purchasers, out.stats.names = {}, {}
    return out
