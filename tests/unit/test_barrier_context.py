"""Context decides: section, project category, region, carve-outs; the catalogue's newer forms."""

from datetime import date

import pytest

from procurement.documents.services import scanner_for
from rules.barriers import BarrierScanner, ScanContext
from rules.barriers.catalogue import ProjectCategory
from rules.vocabulary import Severity


@pytest.fixture(scope="module")
def scanner() -> BarrierScanner:
    return scanner_for(date(2025, 7, 1))


def found(scanner: BarrierScanner, text: str, **context: object) -> dict[str, Severity]:
    return {f.category: f.severity for f in scanner.scan(text, ScanContext(**context))}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        # the false alarms: a carve-out for new firms, a response-time commitment
        "提供投标截止日前6个月内任意1个月依法缴纳社会保险的证明，新成立企业可提供成立以来的缴纳证明或书面承诺。",
        "新成立不足一年的企业，可提供开户银行出具的资信证明。",
        "接到故障报修后，供应商须在2小时内响应，4小时内到达现场，并提供书面承诺。",
        "供应商须承诺中标后在本市设立售后服务机构，响应时间不超过2小时。",
        # lawful look-alikes of the newer forms
        "投标保证金可以银行转账、支票、汇票、本票或保函等非现金形式提交。",
        "投标保证金为项目预算金额的2%。",
        "履约保证金为合同金额的10%。",
        "采购人应在验收合格后30日内支付合同款。",
        "法定代表人或其授权代表参加开标。",
        "供应商可自行踏勘现场。",
        "随机抽取评审专家。",
        "对小微企业给予10%的价格扣除。",
        "供应商须具有独立承担民事责任的能力。",
        "本项目不接受联合体投标。",
        "不得将资质证书作为评分因素。",
        "提供2023年度经审计的财务报告或银行出具的资信证明。",
        "提供近三年经审计的财务报告（成立不足三年的，提供成立以来的财务报告）。",
        "供应商净资产须在1,000万元以上（以2024年度审计报告为准）。".replace(
            "净资产须在1,000万元以上", "财务状况"
        ),
        "投标人可提供自有或租赁设备的证明。",
        "具有发明专利的，每项得0.5分，最高得1分。",
        "项目经理具有5年以上的行业经验。",
        "供应商应在中国政府采购网免费注册，以便下载文件。",
    ],
)
def test_lawful_clauses_and_carve_outs_do_not_fire(scanner: BarrierScanner, text: str) -> None:
    assert found(scanner, text) == {}


@pytest.mark.parametrize(
    ("text", "category", "severity"),
    [
        ("成立不足3年的企业不得参加本项目。", "age.years_in_business", Severity.VIOLATION),
        ("近三年无亏损的得3分。", "financial_ratio_thresholds", Severity.VIOLATION),
        (
            "投标人须具有近三年单项合同金额不低于500万元的同类项目业绩。",
            "perf_specific_amount",
            Severity.VIOLATION,
        ),
        ("投标保证金为采购预算的3%。", "deposit_over_cap", Severity.VIOLATION),
        ("履约保证金为合同价的15%。", "deposit_over_cap", Severity.VIOLATION),
        ("投标保证金只能以现金形式缴纳。", "cash_only_deposit", Severity.VIOLATION),
        ("投标保证金须以转账方式缴纳，不接受保函。", "cash_only_deposit", Severity.VIOLATION),
        ("采购人应在验收合格后90日内支付合同款。", "payment_term_over_limit", Severity.VIOLATION),
        ("最终结算价以审计部门审定的金额为准。", "audit_result_settlement", Severity.VIOLATION),
        (
            "供应商须在购买招标文件时提供营业执照原件及社保证明。",
            "doc_acquisition_preconditions",
            Severity.VIOLATION,
        ),
        ("未参加现场踏勘的，投标无效。", "site_visit_mandatory_or_scored", Severity.VIOLATION),
        ("法定代表人须亲自到场参加开标。", "legal_rep_presence", Severity.VIOLATION),
        (
            "投标人须为上海市政府采购网注册并审核通过的供应商。",
            "platform_registration_as_qualification",
            Severity.VIOLATION,
        ),
        (
            "投标人营业执照经营范围须包含“信息系统集成”字样。",
            "business_scope_wording",
            Severity.VIOLATION,
        ),
        ("具有建筑工程施工总承包二级资质的得5分。", "qualification_as_scoring", Severity.VIOLATION),
        ("小微企业价格扣除比例为25%。", "sme_price_deduction_wrong", Severity.VIOLATION),
        ("中标人以商业承兑汇票支付。", "forced_noncash_payment", Severity.VIOLATION),
        ("以摇号方式确定中标人。", "random_award", Severity.VIOLATION),
        ("电子招标文件售价500元。", "e_docs_charged", Severity.VIOLATION),
        ("投标人须提供近三年经审计的财务报告。", "establishment_age", Severity.VIOLATION),
        ("投标人须在本市设有售后服务机构或承诺中标后设立。", "locality.presence", Severity.VIOLATION),
        # the catalogue's forms as decisions describe them ("将…作为…")
        ("将特定金额的合同业绩作为评审因素。", "perf_specific_amount", Severity.VIOLATION),
        ("将成立年限作为资格条件。", "age.years_in_business", Severity.VIOLATION),
        ("将行业协会颁发的证书作为加分条件。", "honours_awards_scoring", Severity.VIOLATION),
        ("要求提供由税务部门出具的纳税证明。", "authority_proof_instead_of_declaration", Severity.VIOLATION),
        ("投标人须在省政府采购网注册。", "platform_registration_as_qualification", Severity.VIOLATION),
        ("拒收电子保函。", "cash_only_deposit", Severity.VIOLATION),
        # forms only secondary reports name: advice
        ("投标人拥有与本项目相关的发明专利数量5个以上的得3分。", "patent_count_scoring", Severity.ADVICE),
        ("投标人须提供自有设备的购置发票。", "owned_equipment_proof", Severity.ADVICE),
        ("企业资信等级为AAA的得3分。", "credit_rating_certificates", Severity.ADVICE),
        ("距离采购人10公里以内的得3分。", "proximity_radius", Severity.ADVICE),
        ("投标人须具有3个以上同类项目业绩。", "perf_count_cap", Severity.ADVICE),
    ],
)
def test_catalogue_forms_are_found_with_their_legal_force(
    scanner: BarrierScanner, text: str, category: str, severity: Severity
) -> None:
    assert found(scanner, text).get(category) is severity


def test_a_certification_is_a_barrier_as_a_qualification_not_as_a_scored_quality_factor(
    scanner: BarrierScanner,
) -> None:
    qualification = "第三章 资格条件\n具有ISO9001质量管理体系认证证书。\n"
    scoring = "第四章 评分办法\n具有ISO9001质量管理体系认证证书的得1分。\n"
    assert "non_mandatory_certification" in found(scanner, qualification)
    assert "non_mandatory_certification" not in found(scanner, scoring)


def test_a_quality_deposit_is_a_barrier_in_goods_not_in_works(scanner: BarrierScanner) -> None:
    text = "中标人须缴纳合同金额3%的质量保证金。"
    assert "deposit_without_legal_basis" in found(scanner, text, category=ProjectCategory.GOODS)
    assert "deposit_without_legal_basis" not in found(scanner, text, category=ProjectCategory.WORKS)
    stated = "采购类别：工程\n" + text
    assert "deposit_without_legal_basis" not in found(scanner, stated)


def test_a_local_rule_fires_only_in_its_region(scanner: BarrierScanner) -> None:
    text = "投标人须缴纳投标保证金2万元。"
    assert "bid_deposit_where_abolished" in found(scanner, text, region="440703")
    assert "bid_deposit_where_abolished" not in found(scanner, text, region="650100")
    assert "bid_deposit_where_abolished" not in found(scanner, text)


def test_a_limit_rule_without_its_pack_value_never_fires() -> None:
    assert "deposit_over_cap" not in found(BarrierScanner(), "投标保证金为采购预算的30%。")


def test_a_scoring_table_column_makes_its_cells_scoring_items(scanner: BarrierScanner) -> None:
    from procurement.documents import TextSegment, iter_findings

    cell = TextSegment(
        "具有建筑工程施工总承包二级资质", {"table": 1, "row": 2, "column": 2, "column_header": "评分标准"}
    )
    findings = list(iter_findings([cell], document="t.docx", scanner=scanner))
    assert [f.evidence["clause_kind"] for f in findings if f.category == "qualification_as_scoring"] == [
        "scoring"
    ]
