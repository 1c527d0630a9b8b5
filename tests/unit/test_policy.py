"""The policy loader: strict validation (one test per error kind), lookup by date and region."""

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rules.errors import (
    ParameterNotInForce,
    PolicyNotInForce,
    PolicyPackError,
    UnknownJurisdiction,
)
from rules.policy import default_policy_book, load_policy_book
from rules.vocabulary import LegalForce

POLICIES = Path(__file__).resolve().parents[2] / "config" / "policies"

MINIMAL = """\
id: xx
title: {zh: 测试, en: test}
in_force:
  - from: 2020-01-01
documents:
  D1: {title: 测试文件}
  300号: {title: 划型}
  46号: {title: 办法}
size_table: SIZE
parameters:
  a.rate:
    unit: rate
    legal_force: mandatory
    description: {zh: 甲, en: a}
    values:
      - from: 2020-01-01
        value: 0.10
        confidence: H
        citations: [{doc: D1, article: 第一条}]
"""


def _pack_dir(tmp_path: Path, text: str, name: str = "xx") -> Path:
    # the real size table keeps these fixtures short while staying valid
    size = (POLICIES / "cn.yaml").read_text(encoding="utf-8").split("size_table:\n", 1)[1]
    size = size.split("\nparameters:", 1)[0]
    (tmp_path / f"{name}.yaml").write_text(text.replace(" SIZE\n", "\n" + size + "\n"), "utf-8")
    return tmp_path


def _error(tmp_path: Path, text: str) -> PolicyPackError:
    with pytest.raises(PolicyPackError) as caught:
        load_policy_book(_pack_dir(tmp_path, text))
    return caught.value


def test_minimal_pack_loads(tmp_path: Path) -> None:
    book = load_policy_book(_pack_dir(tmp_path, MINIMAL))
    assert book.at("xx", date(2020, 1, 1)).value("a.rate") == Decimal("0.10")


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    err = _error(tmp_path, MINIMAL.replace("    unit: rate\n", "    unit: rate\n    colour: red\n"))
    assert err.file == "xx.yaml"
    assert err.key == "parameters.a.rate.colour"
    assert "unknown key" in err.message_en


def test_unsorted_dates_are_an_error(tmp_path: Path) -> None:
    text = MINIMAL + (
        "      - from: 2019-01-01\n        value: 0.2\n        confidence: H\n"
        "        citations: [{doc: D1, article: 第二条}]\n"
    )
    err = _error(tmp_path, text)
    assert err.key == "parameters.a.rate.values[1].from"
    assert "not sorted" in err.message_en


def test_same_date_twice_is_an_error(tmp_path: Path) -> None:
    text = MINIMAL + (
        "      - from: 2020-01-01\n        value: 0.2\n        confidence: H\n"
        "        citations: [{doc: D1, article: 第二条}]\n"
    )
    assert _error(tmp_path, text).key == "parameters.a.rate.values[1].from"


@pytest.mark.parametrize("bad", ["1.01", "-0.01", "10"])
def test_percent_out_of_range_is_an_error(tmp_path: Path, bad: str) -> None:
    err = _error(tmp_path, MINIMAL.replace("value: 0.10", f"value: {bad}"))
    assert err.key == "parameters.a.rate.values[0].value"
    assert "out of range" in err.message_en


def test_rate_of_exactly_one_is_accepted(tmp_path: Path) -> None:
    book = load_policy_book(_pack_dir(tmp_path, MINIMAL.replace("value: 0.10", "value: 1.0")))
    assert book.at("xx", date(2021, 1, 1)).value("a.rate") == Decimal("1.0")


def test_missing_citation_is_an_error(tmp_path: Path) -> None:
    err = _error(tmp_path, MINIMAL.replace("[{doc: D1, article: 第一条}]", "[]"))
    assert err.key == "parameters.a.rate.values[0].citations"
    assert "missing citation" in err.message_en


def test_citation_of_unlisted_document_is_an_error(tmp_path: Path) -> None:
    err = _error(tmp_path, MINIMAL.replace("{doc: D1,", "{doc: D9,"))
    assert err.key == "parameters.a.rate.values[0].citations[0].doc"


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    err = _error(tmp_path, MINIMAL.replace("    unit: rate\n", "    unit: rate\n    unit: days\n"))
    assert err.key == "unit"
    assert "duplicate" in err.message_en


def test_unknown_unit_is_an_error(tmp_path: Path) -> None:
    assert _error(tmp_path, MINIMAL.replace("unit: rate", "unit: furlongs")).key.endswith(".unit")


def test_unknown_legal_force_is_an_error(tmp_path: Path) -> None:
    err = _error(tmp_path, MINIMAL.replace("legal_force: mandatory", "legal_force: maybe"))
    assert err.key == "parameters.a.rate.legal_force"


def test_id_must_match_file_name(tmp_path: Path) -> None:
    assert _error(tmp_path, MINIMAL.replace("id: xx", "id: yy")).key == "id"


def test_regional_low_confidence_value_must_be_labelled_default(tmp_path: Path) -> None:
    _pack_dir(tmp_path, MINIMAL)
    child = (
        "id: xx-1\nextends: xx\ntitle: {zh: 子, en: child}\nin_force:\n  - from: 2020-01-01\n"
        "documents: {}\nparameters:\n  b.days:\n    unit: days\n    legal_force: encouraged\n"
        "    description: {zh: 乙, en: b}\n    values:\n      - from: 2020-01-01\n"
        "        value: 15\n        confidence: L\n        citations: [{doc: D1, article: 一}]\n"
    )
    (tmp_path / "xx-1.yaml").write_text(child, "utf-8")
    with pytest.raises(PolicyPackError) as caught:
        load_policy_book(tmp_path)
    assert caught.value.file == "xx-1.yaml"
    assert caught.value.key == "parameters.b.days.values[0].default"
    (tmp_path / "xx-1.yaml").write_text(
        child.replace("confidence: L", "confidence: L\n        default: true"), "utf-8"
    )
    snapshot = load_policy_book(tmp_path).at("xx-1", date(2020, 6, 1))
    assert snapshot.param("b.days").is_default
    assert snapshot.value("a.rate") == Decimal("0.10")  # inherited


def test_child_may_not_change_a_parameters_unit(tmp_path: Path) -> None:
    _pack_dir(tmp_path, MINIMAL)
    child = (
        "id: xx-1\nextends: xx\ntitle: {zh: 子, en: child}\nin_force:\n  - from: 2020-01-01\n"
        "documents: {}\nparameters:\n  a.rate:\n    unit: days\n    legal_force: mandatory\n"
        "    description: {zh: 甲, en: a}\n    values:\n      - from: 2020-01-01\n"
        "        value: 15\n        confidence: H\n        citations: [{doc: D1, article: 一}]\n"
    )
    (tmp_path / "xx-1.yaml").write_text(child, "utf-8")
    with pytest.raises(PolicyPackError) as caught:
        load_policy_book(tmp_path)
    assert caught.value.key == "parameters.a.rate.unit"


def test_null_value_repeals_a_parameter(tmp_path: Path) -> None:
    text = MINIMAL + (
        "      - from: 2021-01-01\n        value: null\n        confidence: H\n"
        "        citations: [{doc: D1, article: 第二条}]\n"
    )
    book = load_policy_book(_pack_dir(tmp_path, text))
    assert book.at("xx", date(2020, 12, 31)).value("a.rate") == Decimal("0.10")
    assert book.at("xx", date(2021, 1, 1)).get("a.rate") is None
    with pytest.raises(ParameterNotInForce) as caught:
        book.at("xx", date(2021, 1, 1)).value("a.rate")
    assert "2020-01-01–2020-12-31" in caught.value.message_en


def test_version_is_the_hash_of_the_content(tmp_path: Path) -> None:
    first = load_policy_book(_pack_dir(tmp_path, MINIMAL)).packs[0].version
    second = load_policy_book(_pack_dir(tmp_path, MINIMAL.replace("第一条", "第二条"))).packs[0]
    assert first.startswith("xx@")
    assert first != second.version


def test_shipped_packs_load_and_child_version_depends_on_parent() -> None:
    book = load_policy_book(POLICIES)
    versions = {p.id: p.version for p in book.packs}
    assert set(versions) == {"cn", "cn-65"}
    assert default_policy_book().at("cn", date(2025, 1, 1)).version == versions["cn"]


def test_region_code_of_xinjiang_selects_the_xinjiang_pack() -> None:
    book = default_policy_book()
    assert book.at("650102", date(2025, 8, 1)).pack_id == "cn-65"
    assert book.at("110101", date(2025, 8, 1)).pack_id == "cn"
    assert book.at("cn-65", date(2025, 8, 1)).pack_id == "cn-65"


def test_unknown_jurisdiction_is_an_error() -> None:
    with pytest.raises(UnknownJurisdiction):
        default_policy_book().at("xinjiang", date(2025, 8, 1))


def test_a_date_no_pack_covers_says_which_packs_cover_what() -> None:
    with pytest.raises(PolicyNotInForce) as caught:
        default_policy_book().at("650102", date(2015, 2, 28))
    assert "cn covers 2015-03-01" in caught.value.message_en
    assert "cn-65 覆盖 2015-03-01" in caught.value.message_zh


def test_regional_defaults_are_labelled_and_encouraged() -> None:
    snapshot = default_policy_book().at("cn-65", date(2025, 8, 1))
    floor = snapshot.param("prepayment.goods_services.small_micro_min_rate")
    assert floor.is_default
    assert floor.legal_force is LegalForce.ENCOURAGED
    assert floor.citations[0].doc_id == "新政办发〔2019〕90号"
    assert not snapshot.param("bond.performance.max_rate").is_default


def test_snapshots_are_cached_and_share_memo_within_a_segment() -> None:
    book = default_policy_book()
    a = book.at("cn-65", date(2025, 8, 1))
    assert book.at("cn-65", date(2025, 8, 1)) is a
    calls: list[int] = []

    def factory(snapshot: object) -> int:
        calls.append(1)
        return len(calls)

    assert a.memo("t", factory) == 1
    assert book.at("cn-65", date(2025, 9, 1)).memo("t", factory) == 1
    assert calls == [1]


def test_directory_copy_loads_the_same_versions(tmp_path: Path) -> None:
    shutil.copytree(POLICIES, tmp_path / "p")
    assert load_policy_book(tmp_path / "p").packs == load_policy_book(POLICIES).packs


def test_snapshot_is_immutable() -> None:
    snapshot = default_policy_book().at("cn", date(2025, 1, 1))
    with pytest.raises(AttributeError):
        snapshot.on = date(2000, 1, 1)  # type: ignore[misc]
    assert snapshot.on == date(2025, 1, 1)
