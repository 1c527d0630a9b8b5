"""Message and clause templates (config/clauses.yaml) for the terms engine, loaded once and checked."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from rules.errors import PolicyPackError


@dataclass(frozen=True, slots=True)
class Texts:
    message_zh: str
    message_en: str
    clause_zh: str = ""
    remedy_zh: str = ""
    remedy_en: str = ""


@dataclass(frozen=True, slots=True)
class Templates:
    adjustments: dict[str, Texts]
    findings: dict[str, Texts]
    contract: dict[str, str]  # the clauses of a decided contract (rules/contract_text.py)


def _texts(file: str, key: str, raw: Any, *, finding: bool) -> Texts:
    def need(mapping: Any, name: str, path: str) -> Any:
        if not isinstance(mapping, dict) or name not in mapping:
            raise PolicyPackError(file, f"{path}.{name}", "缺少必填键", "missing required key")
        return mapping[name]

    allowed = {"message", "remedy"} if finding else {"message", "clause_zh"}
    if not isinstance(raw, dict) or set(raw) - allowed:
        raise PolicyPackError(file, key, f"只允许 {sorted(allowed)}", f"allowed: {sorted(allowed)}")
    message = need(raw, "message", key)
    if finding:
        remedy = need(raw, "remedy", key)
        return Texts(
            need(message, "zh", f"{key}.message"),
            need(message, "en", f"{key}.message"),
            remedy_zh=need(remedy, "zh", f"{key}.remedy"),
            remedy_en=need(remedy, "en", f"{key}.remedy"),
        )
    return Texts(
        need(message, "zh", f"{key}.message"),
        need(message, "en", f"{key}.message"),
        clause_zh=raw.get("clause_zh", ""),
    )


def load_templates(path: Path) -> Templates:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {"templates", "findings", "contract"}:
        raise PolicyPackError(
            path.name, "", "应含 templates、findings 与 contract", "needs templates, findings, contract"
        )
    contract = data["contract"]
    if not isinstance(contract, dict) or not all(isinstance(v, str) for v in contract.values()):
        raise PolicyPackError(path.name, "contract", "每项应为文本", "each entry must be a text")
    return Templates(
        {k: _texts(path.name, f"templates.{k}", v, finding=False) for k, v in data["templates"].items()},
        {k: _texts(path.name, f"findings.{k}", v, finding=True) for k, v in data["findings"].items()},
        dict(contract),
    )


@lru_cache(maxsize=1)
def default_templates() -> Templates:
    """The templates shipped in config/clauses.yaml (next to config/policies)."""
    from rules.policy import _default_directory

    return load_templates(_default_directory().parent / "clauses.yaml")
