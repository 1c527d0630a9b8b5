"""The barrier scanner: keyword prefilter, clause bounds, rule conditions, findings with evidence.

A text is read line by line: a line read before in the same context is a look-up; a new one is
scanned by the keyword prefilter and only the clauses around a trigger are cut out, normalised and
judged (judging.py), so text without any trigger costs one pass of the automaton.
"""

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from rules.barriers.catalogue import (
    BarrierRule,
    Catalogue,
    CatalogueError,
    ClauseKind,
    ProjectCategory,
    load_catalogue,
)
from rules.barriers.cn_numbers import FULLWIDTH_CHARS, to_halfwidth
from rules.barriers.judging import NO_VERDICT, ClauseRules, JudgedClause, ScanContext
from rules.barriers.memo import Memo
from rules.barriers.prefilter import Match, Prefilter, variants
from rules.barriers.verdicts import findings_of
from rules.findings import Finding
from rules.size_table import SizeTable
from rules.vocabulary import Industry

_CLAUSE_END = re.compile(r"[。；;！？!?\n\r]")
_WIDE = re.compile(f"[{re.escape(FULLWIDTH_CHARS)}]")
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


CLAUSE_CACHE_SIZE = 8192  # verdicts kept per scanner: a few MB at most (clauses are <= ~600 chars)
_MAX_LINE_CHARS = 600  # a longer line is judged every time: the line memory stays a few MB
_READS_ON = 1  # an industry marker read past the end of the line
_SETS_INDUSTRY = 2  # an industry marker named the industry


_SAME: Any = object()  # the industry of the context (not one the line itself named)
# a line judged: (clause start in the line, clause, its industry or _SAME), and the context after
# it (section, category, industry or _SAME) when the line changed it
_Line = tuple[
    tuple[tuple[int, JudgedClause, Any], ...], tuple[ClauseKind, ProjectCategory | None, Any] | None
]
_EMPTY_LINE: _Line = ((), None)
_NO_CONTEXTS: dict[int, _Line] = {}


class BarrierScanner(ClauseRules):
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
        self._verdicts: Memo[tuple[Any, ...], JudgedClause] = Memo(clause_cache)
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
        judged: list[tuple[int, JudgedClause, Any]] = []
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
                clause = self._judge(body, relative, context, kind, wide, rules_of) or NO_VERDICT
                verdicts.put(key, clause)
            rules_of = rules_in[kind or context.section]
            if clause is not NO_VERDICT:
                # a clause after an industry marker of its own line is sized for that industry
                judged.append((start, clause, context.industry if flags & _SETS_INDUSTRY else _SAME))
        changed = flags & _SETS_INDUSTRY or (context.section, context.category) != before
        after = None
        if changed:
            industry = context.industry if flags & _SETS_INDUSTRY else _SAME
            after = (context.section, context.category, industry)
        known = (tuple(judged), after) if judged or after else _EMPTY_LINE
        return known, bool(flags & _READS_ON)

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
