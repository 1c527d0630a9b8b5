"""The barrier rule catalogue: config/barriers.yaml read into typed, compiled rules.

This is the only file I/O of ``rules.barriers`` (the policy-loader exception of the working
agreement); everything legal -- ids, citations, messages, vocabularies -- comes from the YAML.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from rules.barriers.normalize import QuantityKind
from rules.findings import Citation
from rules.vocabulary import LegalForce

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "barriers.yaml"


class ClauseKind(StrEnum):
    """The part of a tender document a clause sits in: the same words are lawful in one part and
    a barrier in another (a licence in 资格条件 vs a certificate scored in 评分办法)."""

    QUALIFICATION = "qualification"  # 资格条件
    SCORING = "scoring"  # 评分办法 / 评审因素
    REQUIREMENTS = "requirements"  # 采购需求 / 技术要求 / 商务要求
    CONTRACT = "contract"  # 合同条款
    PROCEDURE = "procedure"  # 采购公告 / 投标须知 (获取文件, 保证金, 开标)
    UNKNOWN = "unknown"


class ProjectCategory(StrEnum):
    """What is bought (采购类别): some forms are barriers only for one of them."""

    GOODS = "goods"  # 货物
    SERVICES = "services"  # 服务
    WORKS = "works"  # 工程


class CatalogueError(ValueError):
    """config/barriers.yaml is malformed: names the rule and the field."""


QUANTITY_CONDITIONS = {kind.value: kind for kind in QuantityKind}
OTHER_CONDITIONS = {"scoring", "requirement", "pattern"}


@dataclass(frozen=True, slots=True)
class BarrierRule:
    id: str
    category: str
    legal_force: LegalForce
    citations: tuple[Citation, ...]
    triggers: tuple[str, ...]
    quantity_kinds: frozenset[QuantityKind]
    when_scoring: bool
    when_requirement: bool
    # each list of the YAML compiled into one alternation (one C-level search per clause)
    patterns: re.Pattern[str] | None
    also: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    negatable: bool
    window_before: int
    window_after: int
    measure: str | None
    # where the rule applies; an empty set is everywhere. A clause of unknown kind is checked by
    # every rule (text without headings), a clause of a known kind only by the rules for it.
    applies_to: frozenset[ClauseKind]
    categories: frozenset[ProjectCategory]
    # region codes (prefixes) of a local rule; empty = national
    regions: tuple[str, ...]
    # a quantity of ``limit_kind`` must exceed the policy pack's parameter (e.g. bond.bid.max_rate)
    limit_parameter: str | None
    rows: tuple[str, ...]  # the BARRIERS.md catalogue rows this rule covers
    confidence: str  # H / M / L of the best source the rule cites (BARRIERS.md)
    message_zh: str
    message_en: str
    remedy_zh: str
    remedy_en: str


@dataclass(frozen=True, slots=True)
class SizeTexts:
    """How a clause that reaches the size table's SME ceiling is named (the numbers are the pack's)."""

    measures: Mapping[str, Mapping[str, str]]
    beyond_ceiling_zh: str
    beyond_ceiling_en: str
    excludes_all_zh: str
    excludes_all_en: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    rules: tuple[BarrierRule, ...]
    negations: tuple[str, ...]
    negation_window: int
    # exceptions a clause writes in (新成立企业可…, 进口产品除外): a trigger inside one is no barrier
    carve_outs: re.Pattern[str]
    carve_out_hints: tuple[str, ...]  # a carve-out contains one of these words
    scoring: re.Pattern[str]
    requirement: re.Pattern[str]
    sections: Mapping[str, ClauseKind]
    heading_max_chars: int
    industry_markers: tuple[str, ...]
    category_markers: tuple[str, ...]
    size: SizeTexts


def _require(raw: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in raw:
        raise CatalogueError(f"{where}: missing '{key}'")
    return raw[key]


def _compile(pattern: str, place: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern.replace("{place}", f"(?:{place})"))
    except re.error as exc:
        raise CatalogueError(f"{where}: bad pattern {pattern!r}: {exc}") from exc


def _union(raw: Any, place: str, where: str) -> re.Pattern[str] | None:
    patterns = [str(p) for p in raw or ()]
    for p in patterns:
        _compile(p, place, where)  # names the bad one
    return _compile("|".join(f"(?:{p})" for p in patterns), place, where) if patterns else None


def _rule(raw: Mapping[str, Any], citations: Mapping[str, Citation], place: str) -> BarrierRule:
    rid = str(_require(raw, "id", "rule"))
    when = [str(w) for w in _require(raw, "when", rid)]
    unknown = set(when) - set(QUANTITY_CONDITIONS) - OTHER_CONDITIONS
    if unknown:
        raise CatalogueError(f"{rid}: unknown conditions {sorted(unknown)}")
    try:
        cites = tuple(citations[c] for c in _require(raw, "citations", rid))
    except KeyError as exc:
        raise CatalogueError(f"{rid}: unknown citation {exc}") from exc
    patterns = _union(raw.get("patterns"), place, rid)
    if "pattern" in when and patterns is None:
        raise CatalogueError(f"{rid}: 'pattern' condition without patterns")
    force = LegalForce(_require(raw, "legal_force", rid))
    if raw.get("confidence") == "L" and force is LegalForce.MANDATORY:
        # a form that only secondary reports name is a lead, not settled law (BARRIERS.md)
        raise CatalogueError(f"{rid}: a rule backed only by secondary reports cannot be mandatory")
    if raw.get("limit") and not QUANTITY_CONDITIONS.keys() & set(when):
        raise CatalogueError(f"{rid}: 'limit' needs a quantity condition")
    return BarrierRule(
        id=rid,
        category=str(_require(raw, "category", rid)),
        legal_force=force,
        citations=cites,
        triggers=tuple(str(t) for t in _require(raw, "triggers", rid)),
        quantity_kinds=frozenset(QUANTITY_CONDITIONS[w] for w in when if w in QUANTITY_CONDITIONS),
        when_scoring="scoring" in when,
        when_requirement="requirement" in when,
        patterns=patterns,
        also=_union(raw.get("also"), place, rid),
        unless=_union(raw.get("unless"), place, rid),
        negatable=bool(raw.get("negatable", False)),
        window_before=int(raw.get("window_before", 0)),
        window_after=int(raw.get("window_after", 24)),
        measure=raw.get("measure"),
        applies_to=frozenset(ClauseKind(k) for k in raw.get("applies_to", ())),
        categories=frozenset(ProjectCategory(c) for c in raw.get("categories", ())),
        regions=tuple(str(r) for r in raw.get("regions", ())),
        limit_parameter=raw.get("limit"),
        rows=tuple(str(r) for r in _require(raw, "rows", rid)),
        confidence=str(_require(raw, "confidence", rid)),
        message_zh=str(_require(raw, "message_zh", rid)),
        message_en=str(_require(raw, "message_en", rid)),
        remedy_zh=str(_require(raw, "remedy_zh", rid)),
        remedy_en=str(_require(raw, "remedy_en", rid)),
    )


def _size(raw: Mapping[str, Any]) -> SizeTexts:
    return SizeTexts(
        measures={str(m): {str(k): str(v) for k, v in d.items()} for m, d in raw["measures"].items()},
        beyond_ceiling_zh=raw["beyond_ceiling_zh"],
        beyond_ceiling_en=raw["beyond_ceiling_en"],
        excludes_all_zh=raw["excludes_all_zh"],
        excludes_all_en=raw["excludes_all_en"],
    )


def parse_catalogue(data: bytes) -> Catalogue:
    """Build a catalogue from the YAML bytes; its version is the content's hash."""
    raw = yaml.safe_load(data)
    citations = {
        key: Citation(
            doc_id=str(c["doc_id"]), article=str(c["article"]), title=str(c["title"]), url=c.get("url")
        )
        for key, c in _require(raw, "citations", "catalogue").items()
    }
    vocab = _require(raw, "vocabulary", "catalogue")
    place = str(vocab["place"])
    listed = list(_require(raw, "rules", "catalogue")) + list(raw.get("regional_rules") or ())
    rules = tuple(_rule(r, citations, place) for r in listed)
    for rule in rules[len(raw["rules"]) :]:
        if not rule.regions:
            raise CatalogueError(f"{rule.id}: a regional rule needs 'regions'")
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise CatalogueError("duplicate rule ids")
    sections = {str(word): ClauseKind(kind) for kind, words in vocab["sections"].items() for word in words}
    return Catalogue(
        version="barriers-" + hashlib.sha256(data).hexdigest()[:12],
        rules=rules,
        negations=tuple(vocab["negations"]),
        negation_window=int(vocab["negation_window_chars"]),
        carve_outs=_compile("|".join(f"(?:{p})" for p in vocab["carve_outs"]), place, "carve_outs"),
        carve_out_hints=tuple(vocab["carve_out_hints"]),
        scoring=re.compile(vocab["scoring"]),
        requirement=re.compile(vocab["requirement"]),
        sections=sections,
        heading_max_chars=int(vocab["heading_max_chars"]),
        industry_markers=tuple(vocab["industry_markers"]),
        category_markers=tuple(vocab["category_markers"]),
        size=_size(_require(raw, "size_check", "catalogue")),
    )


@lru_cache(maxsize=4)
def load_catalogue(path: Path = DEFAULT_PATH) -> Catalogue:
    """The catalogue at ``path`` (config/barriers.yaml by default), read once per process."""
    return parse_catalogue(path.read_bytes())
