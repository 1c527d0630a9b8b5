"""``smeproc classify``, ``smeproc terms`` and ``smeproc policy`` as real processes."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

SMEPROC = shutil.which("smeproc", path=str(Path(sys.executable).parent)) or "smeproc"


def smeproc(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SMEPROC, *args], capture_output=True, text=True, timeout=120, input=stdin)


def contract(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "goods",
        "amount": "1000000.00",
        "purchaser_type": "public_body",
        "jurisdiction": "650102",
        "signed_on": "2025-08-01",
        "status": "signed",
        "acceptance_period_days": 15,
        "payment_terms": [
            {"kind": "final", "percent": "90", "trigger": "acceptance", "days": 60},
            {"kind": "retention", "percent": "10", "trigger": "warranty_end", "days": 30, "held_months": 12},
        ],
        "bonds": [{"kind": "performance", "percent": "10", "forms": ["cash"]}],
        "supplier": {"industry": "工业", "employees": 50, "revenue_wan": "800"},
    }
    body.update(overrides)
    return body


def test_classify_prints_the_size_and_the_reason() -> None:
    result = smeproc("classify", "--industry", "工业", "--employees", "50", "--revenue-wan", "800")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["size"] == "small"
    assert "小型企业" in body["reason"]["zh"] and "small" in body["reason"]["en"]


def test_classify_exactly_at_the_medium_floors_is_medium() -> None:
    result = smeproc("classify", "--industry", "工业", "--employees", "300", "--revenue-wan", "2000")
    assert json.loads(result.stdout)["size"] == "medium"
    below = smeproc("classify", "--industry", "工业", "--employees", "299", "--revenue-wan", "2000")
    assert json.loads(below.stdout)["size"] == "small"


def test_classify_with_an_unknown_industry_exits_2_with_both_languages() -> None:
    result = smeproc("classify", "--industry", "采矿业", "--employees", "5")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "未知的行业" in result.stderr and "unknown industry" in result.stderr
    assert "批发业" in result.stderr


def test_classify_with_a_negative_figure_exits_2() -> None:
    result = smeproc("classify", "--industry", "工业", "--revenue-wan", "-1")
    assert result.returncode == 2
    assert "非负数" in result.stderr and "non-negative" in result.stderr


def test_terms_prints_the_adjustments_and_exits_1_on_a_violation(tmp_path: Path) -> None:
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(contract(), ensure_ascii=False), encoding="utf-8")
    result = smeproc("terms", str(path))
    assert result.returncode == 1, result.stderr  # the cash-only bond breaks 802号令
    body = json.loads(result.stdout)
    assert set(body) >= {"adjustments", "findings", "policy_version"}
    fields = {a["field"]: a["after"] for a in body["adjustments"]}
    assert fields["prepayment.percent"] == "40"
    assert fields["payment_terms[0].days"] == 15
    assert [f["rule_id"] for f in body["findings"]] == ["terms.bond.cash_only"]


def test_terms_of_a_compliant_contract_exits_0() -> None:
    bonds = [{"kind": "performance", "percent": "5", "forms": ["bank_guarantee", "insurance", "cash"]}]
    result = smeproc("terms", "-", stdin=json.dumps(contract(bonds=bonds)))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["findings"] == []


def test_terms_with_a_percent_over_100_exits_2_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(contract(bonds=[{"kind": "performance", "percent": "120", "forms": ["cash"]}]))
    )
    result = smeproc("terms", str(path))
    assert result.returncode == 2
    assert "bonds.0.percent" in result.stderr and "字段有误" in result.stderr


def test_terms_with_a_missing_file_or_bad_json_exits_2(tmp_path: Path) -> None:
    missing = smeproc("terms", str(tmp_path / "none.json"))
    assert missing.returncode == 2 and "无法读取文件" in missing.stderr
    broken = smeproc("terms", "-", stdin="{not json")
    assert broken.returncode == 2 and "not valid JSON" in broken.stderr


def test_policy_show_lists_the_parameters_in_force() -> None:
    result = smeproc("policy", "show", "cn-65", "--on", "2025-07-01")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["policy_pack"] == "cn-65"
    names = {p["name"] for p in body["parameters"]}
    assert {"prepayment.goods_services.small_micro_min_rate", "bond.performance.max_rate"} <= names


def test_policy_show_on_a_date_no_pack_covers_exits_2() -> None:
    result = smeproc("policy", "show", "cn-65", "--on", "2015-02-28")
    assert result.returncode == 2
    assert "覆盖" in result.stderr and "covers 2015-03-01" in result.stderr


def test_policy_list_names_the_packs() -> None:
    result = smeproc("policy", "list")
    assert result.returncode == 0
    assert {p["id"] for p in json.loads(result.stdout)["packs"]} >= {"cn", "cn-65"}


def test_terms_takes_the_create_format_and_writes_the_supplement(tmp_path: Path) -> None:
    import io

    import docx

    body = contract(external_ref="XJ-2025-0007", purchaser_id=None)
    del body["purchaser_id"]
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "supplement.docx"

    result = smeproc("terms", str(path), "--docx", str(out))

    assert result.returncode == 1, result.stderr  # the cash-only bond breaks 802号令 Art. 13
    printed = json.loads(result.stdout)
    document = docx.Document(io.BytesIO(out.read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "XJ-2025-0007" in text
    for clause in printed["clauses"]:
        assert clause["text_zh"] in text


def test_terms_with_a_supplier_id_but_no_database_row_is_exit_2(tmp_path: Path) -> None:
    body = contract(supplier_id=987654)
    del body["supplier"]
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    env_db = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    import os

    migrate = subprocess.run(
        [SMEPROC, "db", "upgrade"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SMEPROC_DATABASE_URL": env_db},
    )
    assert migrate.returncode == 0, migrate.stderr
    result = subprocess.run(
        [SMEPROC, "terms", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SMEPROC_DATABASE_URL": env_db},
    )
    assert result.returncode == 2
    assert "supplier_id" in result.stderr


def test_reservation_prints_the_duty_with_citations() -> None:
    result = smeproc(
        "reservation",
        *("--jurisdiction", "cn-65", "--announced-on", "2022-07-01"),
        *("--category", "works", "--budget", "4000000.01"),
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["min_reserved_percent"], body["min_small_micro_percent"]) == ("40", "60")
    assert body["citations"] and body["policy_version"].startswith("cn-65@")


def test_deduction_in_a_reserved_package_takes_0_and_refuses_10() -> None:
    common = ("deduction", "--jurisdiction", "cn-65", "--announced-on", "2022-07-01", "--category", "goods")
    zero = smeproc(*common, "--quote", "1000000", "--stated-percent", "0", "--reserved")
    assert zero.returncode == 0, zero.stderr
    assert json.loads(zero.stdout)["evaluated_price"] == "1000000.00"
    ten = smeproc(*common, "--quote", "1000000", "--stated-percent", "10", "--reserved")
    assert ten.returncode == 2 and "预留" in ten.stderr


def test_terms_of_a_consortium_with_a_large_member_give_no_sme_terms_and_say_why() -> None:
    members = [
        {
            "name": "小微科技",
            "share_percent": "60",
            "industry": "工业",
            "employees": 50,
            "revenue_wan": "800",
        },
        {
            "name": "大型集团",
            "share_percent": "40",
            "industry": "工业",
            "employees": 2000,
            "revenue_wan": "90000",
        },
    ]
    result = smeproc("terms", "-", stdin=json.dumps(contract(category="services", consortium=members)))
    assert result.returncode in (0, 1), result.stderr
    body = json.loads(result.stdout)
    assert body["benefit"]["size"] == "large" and "大型集团" in body["benefit"]["reason"]["zh"]
    assert "prepayment.percent" not in {a["field"] for a in body["adjustments"]}


def test_classify_checks_the_welfare_unit_conditions_and_takes_a_new_firm_as_declared() -> None:
    common = ("classify", "--industry", "工业", "--on", "2025-08-01")
    short = smeproc(*common, "--employees", "400", "--revenue-wan", "5000", "--special-status",
                    "disabled_welfare_unit", "--disabled-staff", "9")  # fmt: skip
    assert short.returncode == 0, short.stderr
    body = json.loads(short.stdout)
    assert body["size"] == "medium" and "141号" in {c["doc_id"] for c in body["citations"]}
    new = smeproc(*common, "--declared-size", "small", "--founded-on", "2025-02-01")
    assert new.returncode == 0, new.stderr
    assert json.loads(new.stdout)["declared_only"] is True
