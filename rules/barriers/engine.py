"""The barrier scanner: keyword prefilter, clause bounds, rule conditions, findings with evidence.

A text is scanned once by the keyword prefilter; only the clauses around a trigger are cut out,
normalised and checked, so text without any trigger costs one pass of the automaton.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from rules.barriers.catalogue import (
    BarrierRule,
    Catalogue,
    CatalogueError,
    ClauseKind,
    ProjectCategory,
    load_catalogue,
)
from rules.barriers.cn_numbers import FULLWIDTH_CHARS, to_halfwidth
from rules.barriers.memo import Memo
from rules.barriers.normalize import Quantity, extract_quantities
from rules.barriers.prefilter import Match, Prefilter, variants
from rules.barriers.size import ceilings_for, row_for, size_check, threshold_in_table_unit
from rules.barriers.verdicts import Verdict, findings_of, value_fields
from rules.findings import Finding
from rules.size_table import SizeTable
from rules.vocabulary import Industry

_CLAUSE_END = re.compile(r"[。；;！？!?\n\r]")
_WIDE = re.compile(f"[{re.escape(FULLWIDTH_CHARS)}]")
_QUANTITY_TAIL_CHARS = 12  # a quantity that starts in scope may end past it (5亿元以上)
_MAX_CLAUSE_CHARS = 600  # how far back a clause start is looked for
_INDUSTRY_CHARS = 40  # 所属行业为…: the marker and the longest industry name
_SECTION = "section"
_INDUSTRY = "industry"
_CATEGORY = "category"
_CATEGORY_WORDS = {
    "货物": ProjectCategory.GOODS,
    "服务": ProjectCategory.SERVICES,
    "工程": ProjectCategory.WORKS,
}
_CATEGORY_VALUE = re.compile(r"[^。；;\n]{0,12}?(货物|服务|工程)")


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


CLAUSE_CACHE_SIZE = 8192  # verdicts kept per scanner: a few MB at most (clauses are <= ~600 chars)
_MAX_LINE_CHARS = 600  # a longer line is judged every time: the line memory stays a few MB
_READS_ON = 1  # an industry marker read past the end of the line
_SETS_INDUSTRY = 2  # an industry marker named the industry


class _Judged(NamedTuple):
    """A clause that some rule fired on: the verdict without a size check, the rules with a
    ``measure`` and their quantities (empty: no size claim), and the verdict per industry."""

    verdict: Verdict
    sizing: tuple[tuple[BarrierRule, list[Quantity]], ...]
    sized: dict[str, Verdict]


_NOTHING = _Judged(None, (), {})  # type: ignore[arg-type]  # a clause no rule fired on
_SAME: Any = object()  # the industry of the context (not one the line itself named)
# a line judged: (clause start in the line, clause, its industry or _SAME), and the context after
# it (section, category, industry or _SAME) when the line changed it
_Line = tuple[tuple[tuple[int, _Judged, Any], ...], tuple[ClauseKind, ProjectCategory | None, Any] | None]
_EMPTY_LINE: _Line = ((), None)
_NO_CONTEXTS: dict[int, _Line] = {}


class BarrierScanner:
    """Finds barrier clauses in text; build once per process (it compiles the catalogue)."""

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        size_table: SizeTable | None = None,
        parameters: Mapping[str, Decimal] | None = None,
        use_automaton: bool = True,
        clause_cache: int = CLAUSE_CACHE_SIZE,
    ) -> None:
        """``size_table`` (the policy pack's) lets a scale threshold above the SME ceiling be named;
        ``parameters`` are the pack's values that rules with a ``limit`` compare against (a rule
        whose parameter is missing never fires: no number is guessed). ``clause_cache`` is how many
        clause verdicts are remembered, and as many lines (0: none, every clause is judged afresh)."""
        self._verdicts: Memo[tuple[Any, ...], _Judged] = Memo(clause_cache)
        # per line text, what it gives in each context (_context_id; negative: a text's last part)
        self._lines: Memo[str, dict[int, _Line]] = Memo(clause_cache)
        self._context_ids: dict[tuple[Any, ...], int] = {}
        self.catalogue = catalogue or load_catalogue()
        self.size_table = size_table
        self.parameters = dict(parameters or {})
        self._roles: dict[str, list[BarrierRule | str]] = {}
        for rule in self.catalogue.rules:
            for word in rule.triggers:
                self._add_role(word, rule)
        for word in self.catalogue.sections:
            self._add_role(word, _SECTION)
        for word in self.catalogue.industry_markers:
            self._add_role(word, _INDUSTRY)
        for word in self.catalogue.category_markers:
            self._add_role(word, _CATEGORY)
        # the automaton reports the longest keyword at a place and no overlaps: a keyword that
        # contains another rule's keyword (生产厂家 ⊃ 厂家) must carry that rule too
        by_length = sorted(self._roles, key=len)
        for word in by_length:
            roles = self._roles[word]
            for inner in by_length:
                if len(inner) >= len(word):
                    break
                if inner in word:
                    extra = [r for r in self._roles[inner] if isinstance(r, BarrierRule)]
                    roles.extend(r for r in extra if r not in roles)
        self._sections = {v: kind for word, kind in self.catalogue.sections.items() for v in variants(word)}
        self._rules_of = {
            word: tuple(r for r in roles if isinstance(r, BarrierRule)) for word, roles in self._roles.items()
        }
        # the rules a keyword can fire in each part of a document: a keyword whose rules all hold
        # elsewhere (资质 for "qualification scored", in 资格条件) cuts no clause there at all
        self._rules_in = {
            part: {
                word: tuple(
                    r for r in rules if not r.applies_to or part in r.applies_to or part is ClauseKind.UNKNOWN
                )
                for word, rules in self._rules_of.items()
            }
            for part in ClauseKind
        }
        self._context_words = {
            word for word, roles in self._roles.items() if any(isinstance(r, str) for r in roles)
        }
        self.prefilter = Prefilter(self._roles, use_automaton=use_automaton)
        self._keywords_within_clause = not any(_CLAUSE_END.search(word) for word in self.prefilter.words)
        if any("\n" in word for word in self.prefilter.words):
            raise CatalogueError("a trigger or a section word cannot span lines: text is read line by line")
        self._size_rows: dict[str | None, tuple[Any, Any]] = {}
        negations = "|".join(re.escape(n) for n in self.catalogue.negations)
        self._negation = re.compile(negations)
        industries = "|".join(re.escape(i.value) for i in Industry)
        self._industry = re.compile(rf"所属行业\s*(?:为|是|:)?\s*[“\"]?({industries})")

    def forget(self) -> None:
        """Drop the remembered clause and line verdicts (a benchmark's cold start; tests)."""
        self._verdicts.clear()
        self._lines.clear()
        self._context_ids.clear()

    def _add_role(self, word: str, role: BarrierRule | str) -> None:
        for variant in variants(word) | {to_halfwidth(word)}:
            self._roles.setdefault(variant, []).append(role)

    def scan(
        self,
        text: str,
        context: ScanContext,
        *,
        location: Mapping[str, Any] | None = None,
        base_offset: int = 0,
        base_line: int | None = None,
        kind: ClauseKind | None = None,
    ) -> Iterator[Finding]:
        """Findings of ``text`` in order. Offsets in evidence are ``base_offset`` + index in text.

        ``location`` (page, paragraph, table cell ...) is copied into each finding; with
        ``base_line`` the line of each clause is added. ``kind`` forces the clause kind (a
        structured requirement); otherwise scoring markers and the current section decide.
        """
        # No clause and no keyword crosses a line end, so what a line gives (its judged clauses and
        # the context after it) is a function of the line and the context before it. Tender
        # documents repeat whole lines (every lot, every template): a line read before in the same
        # context costs a look-up, with no automaton pass and no clause cutting (a generated
        # tender: 89% of its characters). The industry is not part of that context: it only
        # names the size-table row of a threshold, added when a clause is given out.
        parts = text.split("\n")
        last = len(parts) - 1
        lines, document = self._lines, context.document
        remembered = lines.get
        memo_key = self._context_id(kind, context)
        offset = 0
        for index, part in enumerate(parts):
            if index == last:  # the last part has no line end: kept apart from the same words as a line
                memo_key = ~memo_key
            contexts = remembered(part)
            known = None if contexts is None else contexts.get(memo_key)
            if known is None:
                end = offset + len(part) + (index != last)
                # an industry marker may read its value past the line end (所属行业\n工业)
                tail = text[end : end + _INDUSTRY_CHARS]
                known, reads_on = self._judge_line(text[offset:end], context, kind, tail)
                if not reads_on and len(part) <= _MAX_LINE_CHARS and lines.size:
                    by_context = lines.get(part)
                    if by_context is None:
                        lines.put(part, by_context := {})
                    by_context[memo_key] = known
            if known is not _EMPTY_LINE:
                judged, after = known
                if after is not None:  # the line changed the context (a heading, 所属行业为…)
                    section, category, industry = after
                    context.section, context.category = section, category
                    if industry is not _SAME:
                        context.industry = industry
                    memo_key = self._context_id(kind, context)
                line = None if base_line is None else base_line + index
                for start, clause, industry in judged:
                    verdict = self._verdict_in(clause, context.industry if industry is _SAME else industry)
                    yield from findings_of(verdict, document, location, base_offset + offset + start, line)
            offset += len(part) + 1

    def _context_id(self, kind: ClauseKind | None, context: ScanContext) -> int:
        """A small number for what a line's reading depends on besides its text."""
        key = (kind, context.section, context.category, context.region)
        found = self._context_ids.get(key)
        if found is None:
            found = self._context_ids.setdefault(key, len(self._context_ids))
        return found

    def _judge_line(
        self, text: str, context: ScanContext, kind: ClauseKind | None, tail: str
    ) -> tuple[_Line, bool]:
        """The judged clauses of one line and the context after it (None: unchanged), updating
        ``context``; and whether an industry marker read on into ``tail``, the text after the line."""
        matches = self.prefilter.find(text)
        if not matches:
            return _EMPTY_LINE, False
        rules_in = self._rules_in
        before = (context.section, context.category)
        rules_of = rules_in[kind or context.section]
        # most text has no full-width digit or letter: then a clause is its own normal form
        wide = _WIDE.search(text) is not None
        count, size = len(matches), len(text)
        i = previous_end = 0
        flags = 0
        judged: list[tuple[int, _Judged, Any]] = []
        clause_end, rfind = _CLAUSE_END.search, text.rfind
        context_words, rules_of_word = self._context_words, self._rules_of
        verdicts, within = self._verdicts, self._keywords_within_clause
        while i < count:
            first = matches[i]
            if not rules_of[first[2]]:
                if first[2] in context_words:
                    flags |= self._context_word(text, first, context, kind, tail)
                    rules_of = rules_in[kind or context.section]
                i += 1
                continue
            at, low = first[0], max(previous_end, first[0] - _MAX_CLAUSE_CHARS)
            start = max(rfind("\n", low, at), rfind("。", low, at)) + 1 or low
            while rare := clause_end(text, start, at):  # the rarer delimiters
                start = rare.end()
            end_m = clause_end(text, first[1])
            end = end_m.start() if end_m else size
            j = i + 1
            while j < count and matches[j][0] < end:
                word = matches[j][2]
                if word in context_words and not rules_of_word[word]:
                    flags |= self._context_word(text, matches[j], context, kind, tail)
                j += 1
            hits, i, previous_end = matches[i:j], j, end
            body = text[start:end]
            # the verdict on a clause is a function of its text, where its keywords are and the
            # context it is read in: a clause seen before (in another line) costs a look-up instead
            # of the rules. No keyword holds a clause delimiter, so the keywords from the first
            # trigger on are a function of the clause's text: where the first one is (and how many)
            # says the rest.
            key = (
                body,
                (at - start, j - i) if within else tuple([(s - start, e - start, w) for s, e, w in hits]),
                kind,
                context.section,
                context.category,
                context.region,
            )
            clause = verdicts.get(key)
            if clause is None:
                relative = tuple([(s - start, e - start, w) for s, e, w in hits])
                clause = self._judge(body, relative, context, kind, wide, rules_of) or _NOTHING
                verdicts.put(key, clause)
            rules_of = rules_in[kind or context.section]
            if clause is not _NOTHING:
                # a clause after an industry marker of its own line is sized for that industry
                judged.append((start, clause, context.industry if flags & _SETS_INDUSTRY else _SAME))
        changed = flags & _SETS_INDUSTRY or (context.section, context.category) != before
        after = None
        if changed:
            industry = context.industry if flags & _SETS_INDUSTRY else _SAME
            after = (context.section, context.category, industry)
        known = (tuple(judged), after) if judged or after else _EMPTY_LINE
        return known, bool(flags & _READS_ON)

    def _verdict_in(self, clause: _Judged, industry: str | None) -> Verdict:
        """The clause's verdict with the size check of ``industry`` (once per clause and industry)."""
        if not clause.sizing or industry is None:
            return clause.verdict
        verdict = clause.sized.get(industry)
        if verdict is None:
            size = self._size(clause.sizing, industry)
            verdict = clause.sized[industry] = clause.verdict._replace(size=size)
        return verdict

    def _context_word(
        self, text: str, match: Match, context: ScanContext, kind: ClauseKind | None, tail: str = ""
    ) -> int:
        """A heading word or an industry marker updates the context on the spot, without cutting
        a clause: most keyword hits of a document are of that kind. Flags: _SETS_INDUSTRY, and
        _READS_ON when an industry marker read on into ``tail`` (the text after ``text``)."""
        at, end, word = match
        if word in self._sections:
            heading_max = self.catalogue.heading_max_chars
            line_start = text.rfind("\n", max(0, at - heading_max), at) + 1
            line_end = text.find("\n", end, end + heading_max)
            if line_end == -1 and end + heading_max >= len(text):
                line_end = len(text)
            heading = (line_start > 0 or at < heading_max) and line_end != -1
            if kind is None and heading and line_end - line_start <= heading_max:
                context.section = self._sections[word]
        elif _CATEGORY in self._roles.get(word, ()):
            if value := _CATEGORY_VALUE.match(text, end, end + 16):
                context.category = _CATEGORY_WORDS[value.group(1)]
        else:
            window = text[at : at + _INDUSTRY_CHARS]
            flags = 0
            if len(window) < _INDUSTRY_CHARS and tail:
                window += tail[: _INDUSTRY_CHARS - len(window)]
                flags = _READS_ON
            if found := self._industry.match(to_halfwidth(window)):
                context.industry = found.group(1)
                flags |= _SETS_INDUSTRY
            return flags
        return 0

    def kind_of_heading(self, heading: str) -> ClauseKind | None:
        """The part a heading (a section title, a table's column header) opens, if it names one."""
        plain = to_halfwidth(heading)
        for found in self.prefilter.find(plain):
            if found[2] in self._sections:
                return self._sections[found[2]]
        return None

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
    ) -> _Judged | None:
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
            matched=tuple(
                (
                    rule,
                    hit.text,
                    hit.start,
                    tuple((value_fields(q), q.start, q.end) for q in values),
                )
                for rule, hit, values in matched
            ),
            policy_version=self.catalogue.version,
        )
        sizing = tuple((rule, values) for rule, _hit, values in matched if rule.measure is not None)
        return _Judged(found, sizing, {})

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
            values = [
                q
                for q in extract_quantities(clause.text, scope_start, tail, plain=plain)
                if q.kind in rule.quantity_kinds
                and q.start < scope_end
                and not hit.start <= q.start < hit.end
            ]
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
