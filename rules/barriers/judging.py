"""Judging one clause: the rules its keywords carry, their conditions (where they apply, carve-outs,
negations, quantities, scoring and requirement markers) and the size check of a threshold.

``ClauseRules`` is the half of ``BarrierScanner`` that reads a clause already cut out; the scanner
(engine.py) finds the keywords, cuts the clauses and remembers what it has judged.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from re import Pattern
from typing import Any, NamedTuple

from rules.barriers.catalogue import BarrierRule, Catalogue, ClauseKind, ProjectCategory
from rules.barriers.cn_numbers import to_halfwidth
from rules.barriers.normalize import Quantity, extract_quantities
from rules.barriers.prefilter import Match
from rules.barriers.size import ceilings_for, row_for, size_check, threshold_in_table_unit
from rules.barriers.verdicts import Verdict, value_fields
from rules.size_table import SizeTable

_QUANTITY_TAIL_CHARS = 12  # a quantity that starts in scope may end past it (5亿元以上)


@dataclass(slots=True)
class ScanContext:
    """What a document has said so far: its name, the current part, the size-table industry,
    what is bought (采购类别) and the region whose local rules apply (none: national rules only)."""

    document: str = ""
    section: ClauseKind = ClauseKind.UNKNOWN
    industry: str | None = None
    category: ProjectCategory | None = None
    region: str | None = None


class _Hit(NamedTuple):
    start: int  # into the clause
    end: int
    text: str
    rule: BarrierRule


class _Clause(NamedTuple):
    text: str
    plain: str


class JudgedClause(NamedTuple):
    """A clause that some rule fired on: the verdict without a size check, the rules with a
    ``measure`` and their quantities (empty: no size claim), and the verdict per industry."""

    verdict: Verdict
    sizing: tuple[tuple[BarrierRule, list[Quantity]], ...]
    sized: dict[str, Verdict]


NO_VERDICT = JudgedClause(None, (), {})  # type: ignore[arg-type]  # a clause no rule fired on


class ClauseRules:
    """What the rules say of one clause; the scanner sets these attributes."""

    catalogue: Catalogue
    size_table: SizeTable | None
    parameters: dict[str, Decimal]
    _negation: Pattern[str]
    _size_rows: dict[str | None, tuple[Any, Any]]

    def _verdict_in(self, clause: JudgedClause, industry: str | None) -> Verdict:
        """The clause's verdict with the size check of ``industry`` (once per clause and industry)."""
        if not clause.sizing or industry is None:
            return clause.verdict
        verdict = clause.sized.get(industry)
        if verdict is None:
            size = self._size(clause.sizing, industry)
            verdict = clause.sized[industry] = clause.verdict._replace(size=size)
        return verdict

    def _applies(self, rule: BarrierRule, kind: Callable[[], ClauseKind], context: ScanContext) -> bool:
        if rule.applies_to and (found := kind()) is not ClauseKind.UNKNOWN and found not in rule.applies_to:
            return False
        if rule.categories and context.category is not None and context.category not in rule.categories:
            return False
        if rule.regions:
            return context.region is not None and context.region.startswith(rule.regions)
        return True

    def _judge(
        self,
        body: str,
        matches: tuple[Match, ...],
        context: ScanContext,
        kind: ClauseKind | None,
        wide: bool,
        rules_of: Mapping[str, tuple[BarrierRule, ...]],
    ) -> JudgedClause | None:
        """What the rules say of one clause (``matches`` are offsets into ``body``); None: nothing."""
        start = 0
        if body[:1].isspace() or body[-1:].isspace():
            stripped = body.lstrip()
            start = len(body) - len(stripped)
            body = stripped.rstrip()
        plain = to_halfwidth(body) if wide else body
        # what holds for the whole clause (also, unless, patterns) is decided once per rule, not
        # once per trigger (保证金 may occur five times in one clause), and before anything else:
        # most clauses end here
        allowed: dict[str, bool] = {}
        for _m_start, _m_end, word in matches:
            for rule in rules_of[word]:
                if rule.id not in allowed:
                    allowed[rule.id] = _clause_allows(rule, plain)
        if not any(allowed.values()):
            return None
        hits = [
            _Hit(m_start - start, m_end - start, word, rule)
            for m_start, m_end, word in matches
            for rule in rules_of[word]
            if allowed[rule.id]
        ]
        clause = _Clause(body, plain)
        # the kind costs a regex search: it is read only for a clause that some rule looks at further
        resolved: list[ClauseKind] = [kind] if kind is not None else []

        def clause_kind() -> ClauseKind:
            if not resolved:
                scoring = self.catalogue.scoring.search(plain) is not None
                resolved.append(ClauseKind.SCORING if scoring else context.section)
            return resolved[0]

        matched: list[tuple[BarrierRule, _Hit, list[Quantity]]] = []
        done: set[str] = set()
        applies: dict[str, bool] = {}
        carve_outs: list[tuple[int, int]] | None = None
        for hit in hits:
            rule = hit.rule
            if rule.id in done:
                continue
            verdict = applies.get(rule.id)
            if verdict is None:
                verdict = applies[rule.id] = self._applies(rule, clause_kind, context)
            if not verdict:
                continue
            if hit.rule.negatable:
                if carve_outs is None:  # the regex runs only on a clause with a carve-out's word
                    hinted = any(word in plain for word in self.catalogue.carve_out_hints)
                    carve_outs = (
                        [m.span() for m in self.catalogue.carve_outs.finditer(plain)] if hinted else []
                    )
                if any(lo <= hit.start < hi for lo, hi in carve_outs):
                    continue
            values = self._match(hit, hits, clause, clause_kind)
            if values is not None:
                matched.append((hit.rule, hit, values))
                done.add(hit.rule.id)
        if not matched:
            return None
        found = Verdict(
            shift=start,
            body=body,
            kind=clause_kind().value,
            size=None,
            # lists into tuples: cheaper than generator expressions on a clause judged once
            matched=tuple(
                [
                    (rule, hit.text, hit.start, tuple([(value_fields(q), q.start, q.end) for q in values]))
                    for rule, hit, values in matched
                ]
            ),
            policy_version=self.catalogue.version,
        )
        sizing = tuple([(rule, values) for rule, _hit, values in matched if rule.measure is not None])
        return JudgedClause(found, sizing, {})

    def _match(
        self, hit: _Hit, hits: list[_Hit], clause: _Clause, kind: Callable[[], ClauseKind]
    ) -> list[Quantity] | None:
        """The quantities that make ``hit`` a barrier ([] when no number is needed), or None.

        In 资格条件 every statement is a requirement ("具有ISO9001认证" needs no 须), in 评分办法 a
        scoring item (a cell of the 评分标准 column needs no 得…分)."""
        rule, plain = hit.rule, clause.plain
        if rule.negatable and self._negation.search(
            plain, max(0, hit.start - self.catalogue.negation_window), hit.start
        ):
            return None
        if rule.quantity_kinds:
            # a scope stops at the comma next to the trigger: the next phrase is another matter
            low = max(0, hit.start - rule.window_before)
            scope_start = max(low, plain.rfind("，", low, hit.start) + 1)
            scope_end = hit.end + rule.window_after
            comma = plain.find("，", hit.end, scope_end)
            if comma != -1 and rule.limit_parameter is None:  # "履约保证金须以现金缴纳，金额为15%"
                scope_end = comma
            for other in hits if rule.limit_parameter is None else ():  # a ratio's phrase is whole
                if other.rule is not rule and other.start >= hit.end:
                    scope_end = min(scope_end, other.start)
                    break
            tail = min(len(plain), scope_end + _QUANTITY_TAIL_CHARS)
            kinds = rule.quantity_kinds
            found = extract_quantities(
                clause.text, scope_start, tail, plain=plain, kinds=kinds, starts_before=scope_end
            )
            values = [q for q in found if not hit.start <= q.start < hit.end]
            if rule.limit_parameter is not None:
                limit = self.parameters.get(rule.limit_parameter)
                # only a quantity above the pack's limit is a barrier; nothing else makes it one
                over = [q for q in values if limit is not None and q.value > limit]
                return over or None
            if values:
                return values
        if rule.when_scoring and (kind() is ClauseKind.SCORING or self.catalogue.scoring.search(plain)):
            return []
        if rule.when_requirement and (
            kind() is ClauseKind.QUALIFICATION or self.catalogue.requirement.search(plain)
        ):
            return []
        if rule.patterns is not None and rule.patterns.search(plain):
            return []
        return None

    def _size(
        self, sizing: tuple[tuple[BarrierRule, list[Quantity]], ...], industry: str
    ) -> dict[str, Any] | None:
        """The size check of the rules with a ``measure`` (at least one) in ``industry``."""
        known = self._size_rows.get(industry)
        if known is None:  # the table's row of an industry, looked up once
            known = self._size_rows[industry] = (
                ceilings_for(self.size_table, industry),
                row_for(self.size_table, industry),
            )
        ceilings, row = known
        if ceilings is None:
            return None
        thresholds: dict[str, Decimal] = {}
        for rule, values in sizing:
            assert rule.measure is not None
            for q in values:
                bound = threshold_in_table_unit(rule.measure, q)
                if bound is not None:
                    thresholds[rule.measure] = max(bound, thresholds.get(rule.measure, bound))
        result = size_check(self.catalogue.size, industry, ceilings, thresholds, row)
        if result is not None and self.size_table is not None:
            result["citations"] = [c.as_dict() for c in self.size_table.citations]
        return result


def _clause_allows(rule: BarrierRule, plain: str) -> bool:
    """The rule's clause-wide conditions: no ``unless``, an ``also``, and for a rule that only
    has patterns, one of them."""
    if rule.also is not None and not rule.also.search(plain):
        return False  # most clauses fail here: checked first
    if rule.unless is not None and rule.unless.search(plain):
        return False
    only_patterns = not (rule.quantity_kinds or rule.when_scoring or rule.when_requirement)
    return not only_patterns or (rule.patterns is not None and rule.patterns.search(plain) is not None)
