"""Policy packs: legal parameters by effective date, loaded strictly from config/policies/*.yaml.

``load_policy_book(dir).at(jurisdiction, on)`` gives an immutable, cached ``PolicySnapshot``.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from rules.errors import (
    ParameterNotInForce,
    PolicyNotInForce,
    PolicyPackError,
    UnknownJurisdiction,
)
from rules.findings import Citation
from rules.size_table import IndustryThresholds, Measure, SizeTable
from rules.vocabulary import Industry, LegalForce

T = TypeVar("T")
Value = Decimal | int | bool | str

UNITS = ("rate", "days", "working_days", "months", "count", "yuan", "bool", "choice")
CONFIDENCE = ("H", "M", "L")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_REGION_RE = re.compile(r"^\d{6}$")


@dataclass(frozen=True, slots=True)
class ParamValue:
    """One parameter's value on one date, with everything a user needs to trust it."""

    name: str
    value: Value
    unit: str
    legal_force: LegalForce
    citations: tuple[Citation, ...]
    is_default: bool
    effective_from: date
    confidence: str = "H"
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        value: Any = str(self.value) if isinstance(self.value, Decimal) else self.value
        return {
            "name": self.name,
            "value": value,
            "unit": self.unit,
            "legal_force": self.legal_force.value,
            "citations": [c.as_dict() for c in self.citations],
            "is_default": self.is_default,
            "effective_from": self.effective_from.isoformat(),
            "confidence": self.confidence,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class _Entry:
    effective_from: date
    value: Value | None  # None: repealed from this date
    citations: tuple[Citation, ...]
    is_default: bool
    confidence: str
    note: str


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    unit: str
    legal_force: LegalForce
    description_zh: str
    description_en: str
    entries: tuple[_Entry, ...]

    def at(self, on: date) -> ParamValue | None:
        chosen = None
        for entry in self.entries:
            if entry.effective_from > on:
                break
            chosen = entry
        if chosen is None or chosen.value is None:
            return None
        return ParamValue(
            self.name,
            chosen.value,
            self.unit,
            self.legal_force,
            chosen.citations,
            chosen.is_default,
            chosen.effective_from,
            chosen.confidence,
            chosen.note,
        )

    def spans(self) -> str:
        parts = []
        for i, entry in enumerate(self.entries):
            if entry.value is None:
                continue
            nxt = self.entries[i + 1].effective_from if i + 1 < len(self.entries) else None
            end = (nxt - timedelta(days=1)).isoformat() if nxt else "…"
            parts.append(f"{entry.effective_from.isoformat()}–{end}")
        return ", ".join(parts) or "never"


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date | None  # inclusive; None: open

    def covers(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}–{self.end.isoformat() if self.end else '…'}"


@dataclass(frozen=True, slots=True)
class PackInfo:
    id: str
    title_zh: str
    title_en: str
    extends: str | None
    regions: tuple[str, ...]
    periods: tuple[Period, ...]
    version: str
    file: str

    def covers(self, on: date) -> bool:
        return any(p.covers(on) for p in self.periods)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "extends": self.extends,
            "regions": list(self.regions),
            "coverage": [
                {"from": p.start.isoformat(), "to": p.end.isoformat() if p.end else None}
                for p in self.periods
            ],
            "version": self.version,
        }


class _Segment:
    """The resolved values of one pack between two change dates, shared by its snapshots."""

    __slots__ = ("memo", "params", "size_table")

    def __init__(self, params: dict[str, ParamValue], size_table: SizeTable | None) -> None:
        self.params = params
        self.size_table = size_table
        self.memo: dict[str, Any] = {}


class PolicySnapshot:
    """The policy of one pack on one date. Immutable; derived data is memoised per segment."""

    __slots__ = ("_pack", "_segment", "on")
    _pack: PolicyPack
    _segment: _Segment
    on: date

    def __init__(self, pack: PolicyPack, segment: _Segment, on: date) -> None:
        object.__setattr__(self, "_pack", pack)
        object.__setattr__(self, "_segment", segment)
        object.__setattr__(self, "on", on)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"PolicySnapshot is immutable (cannot set {name})")

    @property
    def pack_id(self) -> str:
        return self._pack.info.id

    @property
    def version(self) -> str:
        return self._pack.info.version

    @property
    def size_table(self) -> SizeTable:
        table = self._segment.size_table
        if table is None:
            raise ParameterNotInForce(self.pack_id, "size_table", self.on, "see pack")
        return table

    def get(self, name: str) -> ParamValue | None:
        return self._segment.params.get(name)

    def param(self, name: str) -> ParamValue:
        found = self._segment.params.get(name)
        if found is None:
            parameter = self._pack.parameters.get(name)
            spans = parameter.spans() if parameter else "unknown parameter"
            raise ParameterNotInForce(self.pack_id, name, self.on, spans)
        return found

    def value(self, name: str) -> Value:
        return self.param(name).value

    def params(self) -> Iterator[ParamValue]:
        return iter(sorted(self._segment.params.values(), key=lambda p: p.name))

    def memo(self, key: str, factory: Callable[[PolicySnapshot], T]) -> T:
        """Compute ``factory(self)`` once per pack segment (rules precompute their plans here)."""
        cache = self._segment.memo
        try:
            return cache[key]
        except KeyError:
            result = cache[key] = factory(self)
            return result

    def __repr__(self) -> str:
        return f"PolicySnapshot({self.pack_id!r}, {self.on.isoformat()}, {self.version!r})"


class PolicyPack:
    """A pack with inheritance resolved: its own parameters over its parent's."""

    def __init__(
        self,
        info: PackInfo,
        parameters: dict[str, Parameter],
        size_tables: tuple[SizeTable, ...],
    ) -> None:
        self.info = info
        self.parameters = parameters
        self.size_tables = size_tables
        changes = {e.effective_from for p in parameters.values() for e in p.entries}
        changes |= {t.effective_from for t in size_tables}
        for period in info.periods:
            changes.add(period.start)
            if period.end is not None:
                changes.add(period.end + timedelta(days=1))
        self.change_dates = tuple(sorted(changes))
        self._segments: dict[int, _Segment] = {}

    def segment(self, on: date) -> _Segment:
        index = bisect_right(self.change_dates, on)
        found = self._segments.get(index)
        if found is None:
            params = {}
            for name, parameter in self.parameters.items():
                value = parameter.at(on)
                if value is not None:
                    params[name] = value
            table = None
            for candidate in self.size_tables:
                if candidate.effective_from <= on:
                    table = candidate
            found = self._segments[index] = _Segment(params, table)
        return found


class PolicyBook:
    """Every pack loaded from one directory; ``at`` picks the pack and the date's values."""

    def __init__(self, packs: dict[str, PolicyPack]) -> None:
        self._packs = packs
        self._cache: dict[tuple[str, date], PolicySnapshot] = {}

    @property
    def packs(self) -> tuple[PackInfo, ...]:
        return tuple(p.info for p in self._packs.values())

    def pack(self, pack_id: str) -> PolicyPack:
        return self._packs[pack_id]

    def coverage(self) -> dict[str, str]:
        return {p.info.id: ", ".join(str(period) for period in p.info.periods) for p in self._packs.values()}

    def at(self, jurisdiction: str, on: date) -> PolicySnapshot:
        key = (jurisdiction, on)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        pack = self._resolve(jurisdiction, on)
        snapshot = PolicySnapshot(pack, pack.segment(on), on)
        if len(self._cache) > 100_000:  # a bound for long batch runs over many dates
            self._cache.clear()
        self._cache[key] = snapshot
        return snapshot

    def _resolve(self, jurisdiction: str, on: date) -> PolicyPack:
        if jurisdiction in self._packs:
            pack = self._packs[jurisdiction]
            if not pack.info.covers(on):
                raise PolicyNotInForce(jurisdiction, on, self.coverage(), field="jurisdiction")
            return pack
        if not _REGION_RE.match(jurisdiction):
            raise UnknownJurisdiction(jurisdiction, self._packs)
        best: PolicyPack | None = None
        best_len = -1
        for pack in self._packs.values():
            for prefix in pack.info.regions:
                longer = jurisdiction.startswith(prefix) and len(prefix) > best_len
                if longer and pack.info.covers(on):
                    best, best_len = pack, len(prefix)
        if best is None:
            raise PolicyNotInForce(jurisdiction, on, self.coverage(), field="jurisdiction")
        return best


# --- loading -------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """YAML that keeps decimals exact and refuses duplicate keys."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)).replace("_", ""))  # type: ignore[arg-type]


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in result:
            raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node)
    return result


_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


@dataclass
class _Raw:
    file: str
    data: dict[str, Any]
    digest: str
    documents: dict[str, tuple[str, str | None]] = field(default_factory=dict)


class _Checker:
    """Validation helpers that name the file and key of each error."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, zh: str, en: str) -> PolicyPackError:
        return PolicyPackError(self.file, key, zh, en)

    def mapping(
        self,
        value: Any,
        key: str,
        *,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "应为映射", "must be a mapping")
        allowed = set(required) | set(optional)
        for k in value:
            if k not in allowed:
                raise self.fail(
                    f"{key}.{k}" if key else str(k),
                    f"未知的键（允许：{', '.join(sorted(allowed))}）",
                    f"unknown key (allowed: {', '.join(sorted(allowed))})",
                )
        for k in required:
            if k not in value:
                raise self.fail(f"{key}.{k}" if key else k, "缺少必填键", "missing required key")
        return value

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "应为非空文本", "must be non-empty text")
        return value

    def day(self, value: Any, key: str) -> date:
        if not isinstance(value, date):
            raise self.fail(key, "应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD")
        return value

    def bilingual(self, value: Any, key: str) -> tuple[str, str]:
        m = self.mapping(value, key, required=("zh", "en"))
        return self.text(m["zh"], f"{key}.zh"), self.text(m["en"], f"{key}.en")


def _read(path: Path) -> _Raw:
    raw_bytes = path.read_bytes()
    try:
        data = yaml.load(raw_bytes, Loader=_StrictLoader)
    except _DuplicateKey as dup:
        raise PolicyPackError(
            path.name, dup.key, f"第 {dup.line} 行键重复", f"duplicate key on line {dup.line}"
        ) from None
    except yaml.YAMLError as exc:
        raise PolicyPackError(path.name, "", "YAML 语法错误", f"YAML syntax error: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyPackError(path.name, "", "顶层应为映射", "top level must be a mapping")
    return _Raw(path.name, data, hashlib.sha256(raw_bytes).hexdigest())


_TOP_REQUIRED = ("id", "title", "in_force", "documents", "parameters")
_TOP_OPTIONAL = ("extends", "regions", "size_table")


def _check_value(check: _Checker, key: str, unit: str, value: Any, choices: tuple[str, ...]) -> Value:
    if unit == "rate":
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise check.fail(key, "比例应为小数（如 0.1 表示 10%）", "a rate must be a decimal fraction")
        rate = Decimal(value)
        if not Decimal(0) <= rate <= Decimal(1):
            raise check.fail(
                key,
                f"比例 {rate} 超出 0–1（0%–100%）范围",
                f"rate {rate} is out of range 0–1 (0%–100%)",
            )
        return rate
    if unit in ("days", "working_days", "months", "count"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise check.fail(key, f"{unit} 应为非负整数", f"{unit} must be a non-negative integer")
        return value
    if unit == "yuan":
        if isinstance(value, bool) or not isinstance(value, int | Decimal) or value < 0:
            raise check.fail(key, "金额应为非负数（元）", "an amount must be non-negative yuan")
        return Decimal(value)
    if unit == "bool":
        if not isinstance(value, bool):
            raise check.fail(key, "应为 true 或 false", "must be true or false")
        return value
    if not isinstance(value, str) or value not in choices:
        raise check.fail(key, f"应为以下之一：{', '.join(choices)}", f"must be one of {choices}")
    return value


def _citations(
    check: _Checker, value: Any, key: str, documents: Mapping[str, tuple[str, str | None]]
) -> tuple[Citation, ...]:
    if not isinstance(value, list) or not value:
        raise check.fail(key, "缺少出处（citations）", "missing citation")
    result = []
    for i, item in enumerate(value):
        ikey = f"{key}[{i}]"
        m = check.mapping(item, ikey, required=("doc", "article"), optional=("url",))
        doc = check.text(m["doc"], f"{ikey}.doc")
        if doc not in documents:
            raise check.fail(
                f"{ikey}.doc",
                f"文件 {doc} 未在 documents 中登记",
                f"document {doc} is not listed under documents",
            )
        title, url = documents[doc]
        if "url" in m:
            url = check.text(m["url"], f"{ikey}.url")
        result.append(Citation(doc, check.text(m["article"], f"{ikey}.article"), title, url))
    return tuple(result)


def _parameter(
    check: _Checker,
    name: str,
    raw: Any,
    documents: Mapping[str, tuple[str, str | None]],
    *,
    regional: bool,
    parent: Parameter | None,
) -> Parameter:
    key = f"parameters.{name}"
    if not _NAME_RE.match(str(name)):
        raise check.fail(key, "参数名应为小写点分形式", "parameter names are dotted lower case")
    m = check.mapping(
        raw,
        key,
        required=("unit", "legal_force", "description", "values"),
        optional=("choices",),
    )
    unit = m["unit"]
    if unit not in UNITS:
        raise check.fail(f"{key}.unit", f"未知单位，应为 {', '.join(UNITS)}", f"unknown unit {unit}")
    if parent is not None and parent.unit != unit:
        raise check.fail(
            f"{key}.unit",
            f"与上级政策包的单位 {parent.unit} 不一致",
            f"differs from the parent pack's unit {parent.unit}",
        )
    try:
        force = LegalForce(m["legal_force"])
    except ValueError:
        raise check.fail(
            f"{key}.legal_force", "应为 mandatory 或 encouraged", "must be mandatory or encouraged"
        ) from None
    choices: tuple[str, ...] = ()
    if unit == "choice":
        if not isinstance(m.get("choices"), list) or not m["choices"]:
            raise check.fail(f"{key}.choices", "choice 单位需列出 choices", "choice needs choices")
        choices = tuple(str(c) for c in m["choices"])
    elif "choices" in m:
        raise check.fail(f"{key}.choices", "只有 choice 单位可用", "only for unit choice")
    zh, en = check.bilingual(m["description"], f"{key}.description")
    values = m["values"]
    if not isinstance(values, list) or not values:
        raise check.fail(f"{key}.values", "至少需要一个取值", "needs at least one value")
    entries: list[_Entry] = []
    for i, item in enumerate(values):
        vkey = f"{key}.values[{i}]"
        e = check.mapping(
            item,
            vkey,
            required=("from", "value", "citations", "confidence"),
            optional=("default", "note"),
        )
        start = check.day(e["from"], f"{vkey}.from")
        if entries and start <= entries[-1].effective_from:
            raise check.fail(
                f"{vkey}.from",
                f"日期未按升序排列（{start} 不晚于 {entries[-1].effective_from}）",
                f"dates are not sorted ({start} is not after {entries[-1].effective_from})",
            )
        value = (
            None if e["value"] is None else _check_value(check, f"{vkey}.value", unit, e["value"], choices)
        )
        confidence = e["confidence"]
        if confidence not in CONFIDENCE:
            raise check.fail(f"{vkey}.confidence", "应为 H、M 或 L", "must be H, M or L")
        is_default = e.get("default", False)
        if not isinstance(is_default, bool):
            raise check.fail(f"{vkey}.default", "应为 true 或 false", "must be true or false")
        if regional and confidence == "L" and not is_default:
            raise check.fail(
                f"{vkey}.default",
                "低可信度来源的地方取值必须标注为可由财政部门修改的默认值（default: true）",
                "a regional value from a low-confidence source must be labelled default: true",
            )
        note = e.get("note", "")
        if not isinstance(note, str):
            raise check.fail(f"{vkey}.note", "应为文本", "must be text")
        cites = _citations(check, e["citations"], f"{vkey}.citations", documents)
        entries.append(_Entry(start, value, cites, is_default, confidence, note))
    return Parameter(name, unit, force, zh, en, tuple(entries))


def _size_tables(
    check: _Checker, raw: Any, documents: Mapping[str, tuple[str, str | None]]
) -> tuple[SizeTable, ...]:
    if not isinstance(raw, list) or not raw:
        raise check.fail("size_table", "应为按日期排列的列表", "must be a list by date")
    tables: list[SizeTable] = []
    for i, item in enumerate(raw):
        key = f"size_table[{i}]"
        m = check.mapping(item, key, required=("from", "citations", "industries"))
        start = check.day(m["from"], f"{key}.from")
        if tables and start <= tables[-1].effective_from:
            raise check.fail(f"{key}.from", "日期未按升序排列", "dates are not sorted")
        cites = _citations(check, m["citations"], f"{key}.citations", documents)
        industries = check.mapping(
            m["industries"], f"{key}.industries", required=tuple(i.value for i in Industry)
        )
        rows = {}
        for industry in Industry:
            ikey = f"{key}.industries.{industry.value}"
            row = check.mapping(industries[industry.value], ikey, required=("sme_ceiling", "medium", "small"))
            ceiling = _measures(check, row["sme_ceiling"], f"{ikey}.sme_ceiling")
            medium = _measures(check, row["medium"], f"{ikey}.medium")
            small = _measures(check, row["small"], f"{ikey}.small")
            if set(medium) != set(small):
                raise check.fail(ikey, "中型与小型的指标不一致", "medium and small use different measures")
            for measure, floor in small.items():
                if medium[measure] < floor:
                    raise check.fail(
                        f"{ikey}.medium.{measure.value}",
                        "中型下限低于小型下限",
                        "medium floor is below small floor",
                    )
            rows[industry] = IndustryThresholds(industry, ceiling, medium, small)
        tables.append(SizeTable(start, cites, rows))
    return tuple(tables)


def _measures(check: _Checker, raw: Any, key: str) -> dict[Measure, Decimal]:
    m = check.mapping(raw, key, optional=tuple(x.value for x in Measure))
    if not m:
        raise check.fail(key, "至少需要一个指标", "needs at least one measure")
    result = {}
    for name, value in m.items():
        if isinstance(value, bool) or not isinstance(value, int | Decimal) or value <= 0:
            raise check.fail(f"{key}.{name}", "应为正数", "must be a positive number")
        result[Measure(name)] = Decimal(value)
    return result


def _periods(check: _Checker, raw: Any) -> tuple[Period, ...]:
    if not isinstance(raw, list) or not raw:
        raise check.fail("in_force", "应为期间列表", "must be a list of periods")
    periods: list[Period] = []
    for i, item in enumerate(raw):
        key = f"in_force[{i}]"
        m = check.mapping(item, key, required=("from",), optional=("to",))
        start = check.day(m["from"], f"{key}.from")
        end = None if m.get("to") is None else check.day(m["to"], f"{key}.to")
        if end is not None and end < start:
            raise check.fail(f"{key}.to", "结束日早于开始日", "ends before it starts")
        if periods and (periods[-1].end is None or start <= periods[-1].end):
            raise check.fail(f"{key}.from", "期间重叠或未排序", "periods overlap or are unsorted")
        periods.append(Period(start, end))
    return tuple(periods)


def _build(raw: _Raw, parent: PolicyPack | None, parent_docs: dict[str, Any]) -> PolicyPack:
    check = _Checker(raw.file)
    data = check.mapping(raw.data, "", required=_TOP_REQUIRED, optional=_TOP_OPTIONAL)
    pack_id = check.text(data["id"], "id")
    if pack_id != Path(raw.file).stem:
        raise check.fail("id", "应与文件名一致", f"must match the file name {Path(raw.file).stem}")
    title_zh, title_en = check.bilingual(data["title"], "title")
    documents = dict(parent_docs)
    for doc, spec in check.mapping(
        data["documents"], "documents", optional=tuple(data["documents"] or {})
    ).items():
        m = check.mapping(spec, f"documents.{doc}", required=("title",), optional=("url",))
        url = check.text(m["url"], f"documents.{doc}.url") if m.get("url") is not None else None
        documents[str(doc)] = (check.text(m["title"], f"documents.{doc}.title"), url)
    raw.documents = documents
    regions_raw = data.get("regions", [])
    if not isinstance(regions_raw, list) or not all(
        isinstance(r, str) and (r == "" or r.isdigit()) for r in regions_raw
    ):
        raise check.fail("regions", "应为行政区划代码前缀列表", "must be a list of region prefixes")
    parameters: dict[str, Parameter] = dict(parent.parameters) if parent else {}
    params_raw = check.mapping(data["parameters"], "parameters", optional=tuple(data["parameters"] or {}))
    for name, spec in params_raw.items():
        parameters[str(name)] = _parameter(
            check,
            str(name),
            spec,
            documents,
            regional=parent is not None,
            parent=parent.parameters.get(str(name)) if parent else None,
        )
    if "size_table" in data:
        size_tables = _size_tables(check, data["size_table"], documents)
    elif parent is not None:
        size_tables = parent.size_tables
    else:
        raise check.fail("size_table", "国家政策包必须包含划型标准", "the root pack needs a size_table")
    digest = (
        raw.digest
        if parent is None
        else hashlib.sha256((parent.info.version + raw.digest).encode()).hexdigest()
    )
    info = PackInfo(
        pack_id,
        title_zh,
        title_en,
        parent.info.id if parent else None,
        tuple(regions_raw),
        _periods(check, data["in_force"]),
        f"{pack_id}@{digest[:16]}",
        raw.file,
    )
    return PolicyPack(info, parameters, size_tables)


def _default_directory() -> Path:
    try:
        return Path(str(resources.files("config").joinpath("policies")))
    except NotADirectoryError:
        # an editable install can make ``config`` a namespace package with several paths
        import config

        for entry in config.__path__:
            candidate = Path(entry) / "policies"
            if candidate.is_dir():
                return candidate
        raise


def load_policy_book(directory: Path | None = None) -> PolicyBook:
    """Load and validate every ``*.yaml`` pack in ``directory`` (default: config/policies)."""
    if directory is None:
        directory = _default_directory()
    raws = {p.stem: _read(p) for p in sorted(directory.glob("*.yaml"))}
    if not raws:
        raise PolicyPackError(str(directory), "", "目录中没有政策包", "no policy packs found")
    built: dict[str, PolicyPack] = {}
    visiting: set[str] = set()

    def build(pack_id: str) -> PolicyPack:
        if pack_id in built:
            return built[pack_id]
        raw = raws[pack_id]
        if pack_id in visiting:
            raise PolicyPackError(raw.file, "extends", "继承关系成环", "inheritance cycle")
        visiting.add(pack_id)
        parent_id = raw.data.get("extends")
        parent = None
        parent_docs: dict[str, Any] = {}
        if parent_id is not None:
            if parent_id not in raws:
                raise PolicyPackError(
                    raw.file, "extends", f"上级政策包 {parent_id} 不存在", f"no pack {parent_id}"
                )
            parent = build(str(parent_id))
            parent_docs = raws[str(parent_id)].documents
        built[pack_id] = _build(raw, parent, parent_docs)
        return built[pack_id]

    for pack_id in raws:
        build(pack_id)
    return PolicyBook(built)


@lru_cache(maxsize=1)
def default_policy_book() -> PolicyBook:
    """The packs shipped in config/policies, loaded once per process."""
    return load_policy_book()
