"""Real judged clauses (tests/data/barrier_cases/): loading, the schema, the fixed split, families.

Each YAML file holds ONE source document (a complaint decision, an inspection decision, a MOF
answer, a finance department's notice or a press analysis) and the clauses it judged. The file's
split (``dev`` or ``test``) is fixed by the source URL alone (``split_of``), so adding cases never
moves an existing one. The bench (bench/barrier_accuracy.py) and the schema test read the files
through this module.
"""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SPLITS = ("dev", "test")
LEVELS = ("complaint_decision", "inspection_decision", "mof_answer", "regulator_notice", "press_analysis")
VERDICTS = ("illegal", "lawful")
SECTIONS = ("qualification", "scoring", "requirement", "contract")
CATEGORIES = ("goods", "services", "works")
TEXT_KINDS = ("clause", "description")
# sha256(url) first byte below this goes to test: 102/256 ≈ 40 % of source documents
TEST_BYTE_BELOW = 102
FAMILIES_FILE = "families.yaml"


class CaseError(ValueError):
    """A data file breaks the schema: names the file and the field."""


@dataclass(frozen=True, slots=True)
class Source:
    url: str
    title: str
    issuer: str
    number: str | None
    date: str | None
    level: str


@dataclass(frozen=True, slots=True)
class JudgedCase:
    case_id: str  # file stem and position: "js781-aircon-gov-perf#1"
    split: str
    source: Source
    text: str
    text_kind: str
    verdict: str
    family: str
    form: str
    section: str | None
    category: str | None
    finding: str

    @property
    def illegal(self) -> bool:
        return self.verdict == "illegal"


@dataclass(frozen=True, slots=True)
class Families:
    """BARRIERS.md forms and the engine's finding categories, each mapped to a family."""

    of_form: Mapping[str, str]
    of_category: Mapping[str, str]

    def family_of_finding(self, category: str) -> str:
        """The family a finding category counts for; unknown categories count as themselves."""
        if category in self.of_category:
            return self.of_category[category]
        if category in self.of_form:  # a rule may name its BARRIERS.md form directly
            return self.of_form[category]
        head = category.split(".", 1)[0]
        families = set(self.of_form.values())
        if head in families:
            return head
        if head in self.of_form:
            return self.of_form[head]
        return f"unmapped:{category}"


def split_of(url: str) -> str:
    """The fixed split of a source document: by the first byte of sha256(url)."""
    return "test" if hashlib.sha256(url.encode("utf-8")).digest()[0] < TEST_BYTE_BELOW else "dev"


def load_families(root: Path) -> Families:
    data = yaml.safe_load((root / FAMILIES_FILE).read_text(encoding="utf-8"))
    of_form = {form: family for family, forms in data["forms"].items() for form in forms}
    return Families(of_form=of_form, of_category=dict(data["finding_categories"]))


def _required(data: Mapping[str, Any], key: str, where: str) -> Any:
    value = data.get(key)
    if value is None or value == "":
        raise CaseError(f"{where}: missing {key}")
    return value


def _one_of(value: Any, allowed: Iterable[str | None], key: str, where: str) -> Any:
    allowed = tuple(allowed)
    if value not in allowed:
        raise CaseError(f"{where}: {key}={value!r} is not one of {allowed}")
    return value


def _source(data: Any, where: str) -> Source:
    if not isinstance(data, Mapping):
        raise CaseError(f"{where}: missing source")
    url = str(_required(data, "url", where))
    if not url.startswith(("http://", "https://")):
        raise CaseError(f"{where}: source url {url!r} is not http(s)")
    number, date = data.get("number"), data.get("date")
    if number is None and date is None:
        raise CaseError(f"{where}: source needs the decision's number or its date")
    return Source(
        url=url,
        title=str(_required(data, "title", where)),
        issuer=str(_required(data, "issuer", where)),
        number=None if number is None else str(number),
        date=None if date is None else str(date),
        level=_one_of(_required(data, "level", where), LEVELS, "level", where),
    )


def load_file(path: Path, families: Families) -> list[JudgedCase]:
    """The cases of one source file; CaseError names the file, the case and the field at fault."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    if not isinstance(data, Mapping):
        raise CaseError(f"{where}: not a mapping")
    source = _source(data.get("source"), where)
    split = path.parent.name
    if split_of(source.url) != split:
        raise CaseError(f"{where}: lies in {split}/ but its url puts it in {split_of(source.url)}/")
    rows = data.get("cases")
    if not isinstance(rows, list) or not rows:
        raise CaseError(f"{where}: no cases")
    cases = []
    for index, row in enumerate(rows, start=1):
        at = f"{where} case {index}"
        form = str(_required(row, "form", at))
        if form not in families.of_form:
            raise CaseError(f"{at}: form {form!r} is not a BARRIERS.md form in {FAMILIES_FILE}")
        family = str(_required(row, "family", at))
        if families.of_form[form] != family:
            raise CaseError(f"{at}: form {form} belongs to family {families.of_form[form]}, not {family}")
        cases.append(
            JudgedCase(
                case_id=f"{path.stem}#{index}",
                split=split,
                source=source,
                text=str(_required(row, "text", at)).strip(),
                text_kind=_one_of(row.get("text_kind", "clause"), TEXT_KINDS, "text_kind", at),
                verdict=_one_of(_required(row, "verdict", at), VERDICTS, "verdict", at),
                family=family,
                form=form,
                section=_one_of(row.get("section"), (*SECTIONS, None), "section", at),
                category=_one_of(row.get("category"), (*CATEGORIES, None), "category", at),
                finding=str(_required(row, "finding", at)),
            )
        )
    return cases


def load_cases(root: Path, splits: Iterable[str] = SPLITS) -> list[JudgedCase]:
    """Every case of the given splits, in file-name order (stable between runs)."""
    families = load_families(root)
    cases: list[JudgedCase] = []
    for split in splits:
        for path in sorted((root / split).glob("*.yaml")):
            cases.extend(load_file(path, families))
    return cases
