"""One error vocabulary: every error class has its own snake_case code, and the README lists it."""

import re
from importlib import import_module
from pathlib import Path

import pytest

from procurement.errors import DomainError
from rules.errors import RulesError

README = Path(__file__).resolve().parents[2] / "README.md"
# the modules that define error classes, imported so every subclass is known
MODULES = (
    "procurement.errors",
    "procurement.documents.errors",
    "procurement.ocds.mapping",
    "rules.errors",
    "rules.payment_clock",
)


def every_subclass(base: type) -> list[type]:
    found, todo = [], [base]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def error_classes() -> list[type]:
    for name in MODULES:
        import_module(name)
    return [*every_subclass(DomainError), *every_subclass(RulesError)]


@pytest.mark.parametrize("cls", error_classes(), ids=lambda c: c.__name__)
def test_every_error_class_has_its_own_snake_case_code_in_the_readme(cls: type) -> None:
    code = cls.__dict__.get("code")
    assert isinstance(code, str) and re.fullmatch(r"[a-z]+(_[a-z]+)*", code), cls
    assert f"| `{code}` |" in README.read_text(encoding="utf-8"), code


def test_a_code_means_one_thing() -> None:
    # the rules' and the domain's InvalidInput share invalid_input: the same answer to the caller
    codes = [c.__dict__["code"] for c in error_classes()]
    assert sorted(c for c in set(codes) if codes.count(c) > 1) == ["invalid_input"]
