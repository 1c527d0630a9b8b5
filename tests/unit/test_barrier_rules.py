"""Barrier rules one category at a time, the lawful look-alikes, clause kinds, size check, offsets."""

from datetime import date
from pathlib import Path

import pytest

from rules.barriers import (
    BarrierScanner,
    CatalogueError,
    ClauseKind,
    Requirement,
    ScanContext,
    load_catalogue,
    scan_requirements,
)
from rules.barriers.catalogue import DEFAULT_PATH, parse_catalogue
from rules.policy import default_policy_book
from rules.vocabulary import LegalForce

LAW_DOC_IDS = {"46号", "19号", "38号", "条例", "87号令", "728号令", "802号令", "300号", "国办38号"}


@pytest.fixture(scope="module")
def scanner() -> BarrierScanner:
    table = default_policy_book().at("cn", date(2025, 1, 1)).size_table
    return BarrierScanner(size_table=table)


def categories(scanner: BarrierScanner, text: str, industry: str | None = None) -> set[str]:
    return {f.category for f in scanner.scan(text, ScanContext(industry=industry))}


# Wordings that are not in the labelled corpus: the rules must generalise, not recite it.
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("参选单位的注册资本应当不低于人民币贰佰万元。", "scale.registered_capital"),
        ("申请人近两年平均营业收入须在3000万元以上。", "scale.revenue"),
        ("投标人净资产不得少于二千万元。", "scale.assets"),
        ("投标人签订劳动合同的从业人员应在80人以上。", "scale.employees"),
        ("近三年利润总额累计达到1000万元的得2分。", "scale.financial"),
        ("投标人自注册成立之日起须满五年。", "age.years_in_business"),
        ("参与本项目的供应商仅限国有独资企业。", "ownership.form"),
        ("投标人须在哈密市设有常驻机构。", "locality.presence"),
        ("工商注册地在本市的企业加1分。", "locality.registration"),
        ("具有本省类似项目业绩的优先。", "locality.record"),
        ("供应商须为本区政府采购供应商库入库企业。", "supplier_library"),
        ("投标人须购买招标代理机构指定的电子标书软件。", "software"),
        ("投标设备品牌须为西门子。", "brand"),
        ("须提供制造商授权书，否则投标无效。", "manufacturer_authorisation"),
        ("须提供法院出具的无诉讼证明。", "authority_proof_instead_of_declaration"),
        ("小微企业须提供税务部门出具的企业规模证明。", "sme_proof"),
        ("本项目只接受小微企业投标。", "set_aside"),
        ("投标人须具有AA级以上资信等级证书。", "credit_rating_certificates"),
    ],
)
def test_a_barrier_in_new_wording_is_found(scanner: BarrierScanner, text: str, category: str) -> None:
    assert category in categories(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "参加政府采购活动前三年内，在经营活动中没有重大违法记录。",
        "具有良好的商业信誉和健全的财务会计制度。",
        "具备建筑工程施工总承包三级及以上资质，并具有有效的安全生产许可证。",
        "本项目专门面向中小企业采购。",
        "投标保证金为项目预算金额的1%。",
        "履约保证金为合同金额的10%，可以银行保函形式提交。",
        "具有ISO9001质量管理体系认证的得1分。",
        "承诺接到报修电话后2小时内响应的得3分。",
        "项目负责人须具有3年以上相关工作经验。",
        "中标后须在项目所在地设立服务网点。",
        "采购人不得将营业收入、从业人员等规模条件作为资格要求。",
        "提供《中小企业声明函》。",
    ],
)
def test_a_lawful_look_alike_is_left_alone(scanner: BarrierScanner, text: str) -> None:
    assert categories(scanner, text) == set()


def test_findings_carry_rule_force_citations_and_bilingual_texts(scanner: BarrierScanner) -> None:
    [finding] = scanner.scan("投标人注册资本不低于500万元。", ScanContext(document="招标文件.txt"))
    assert finding.rule_id == "BAR-SCALE-CAPITAL"
    assert finding.legal_force is LegalForce.MANDATORY
    assert {c.doc_id for c in finding.citations} == {"46号", "87号令", "38号"}
    assert finding.message_zh and finding.message_en and finding.remedy_zh and finding.remedy_en
    assert finding.evidence["document"] == "招标文件.txt"
    assert finding.evidence["values"][0]["value"] == "5000000"
    assert finding.policy_version.startswith("barriers-")


def test_evidence_offsets_point_into_the_original_text(scanner: BarrierScanner) -> None:
    text = (
        "第一章 采购公告\n项目预算：500万元。\n第二章 资格要求\n"
        "（一）具有良好的商业信誉；\n  投标人须成立３年以上。\n"
    )
    [finding] = scanner.scan(text, ScanContext(), base_line=1, base_offset=100)
    ev = finding.evidence
    assert text[ev["start"] - 100 : ev["end"] - 100] == ev["clause"] == "投标人须成立３年以上"
    assert ev["location"] == {"line": 5}
    value = ev["values"][0]
    assert text[value["start"] - 100 : value["end"] - 100] == "３年"
    assert ev["clause_kind"] == "qualification"


def test_headings_and_scoring_markers_decide_the_clause_kind(scanner: BarrierScanner) -> None:
    text = (
        "二、资格要求\n投标人注册资本不低于100万元。\n"
        "三、评分标准\n企业规模：营业收入1亿元以上的得3分。\n本地企业优先。\n"
        "四、合同主要条款\n供应商须在本市设有分公司。\n"
    )
    kinds = {f.category: f.evidence["clause_kind"] for f in scanner.scan(text, ScanContext())}
    assert kinds == {
        "scale.registered_capital": "qualification",
        "scale.revenue": "scoring",
        "locality.registration": "scoring",
        "locality.presence": "contract",
    }


def test_a_structured_requirement_keeps_the_kind_it_was_given(scanner: BarrierScanner) -> None:
    items = [
        Requirement("注册资本500万元以上", ClauseKind.SCORING),
        Requirement("注册资本500万元以上", ClauseKind.QUALIFICATION),
        Requirement("注册资本500万元以上的得2分"),
    ]
    found = scan_requirements(items, scanner=scanner)
    assert [f.evidence["clause_kind"] for f in found] == ["scoring", "qualification", "scoring"]
    assert [f.evidence["location"]["item"] for f in found] == [0, 1, 2]


def test_revenue_at_the_software_ceiling_is_named_as_only_large_firms_can_meet_it(
    scanner: BarrierScanner,
) -> None:
    industry = "软件和信息技术服务业"
    [at] = scanner.scan("年营业收入不低于1亿元。", ScanContext(industry=industry))
    check = at.evidence["size_check"]
    assert check["beyond_sme_ceiling"] == {"revenue_wan": "10000"}
    assert check["excludes_every_sme"] is False  # an SME may still be under 300 employees
    assert "只有大型企业" in at.message_zh and "only a large enterprise" in at.message_en
    assert {c["doc_id"] for c in check["citations"]} >= {"300号"}
    [below] = scanner.scan("年营业收入不低于9999万元。", ScanContext(industry=industry))
    assert below.evidence["size_check"]["beyond_sme_ceiling"] == {}  # under the ceiling, but ...
    assert below.evidence["size_check"]["classes_shut_out"] == {"revenue_wan": ["micro", "small"]}


@pytest.mark.parametrize(
    ("text", "industry", "shut", "able"),
    [
        # the example: 工业 employees, bands micro <20, small <300, medium <1000
        ("从业人员不少于300人。", "工业", ["micro", "small"], ["medium", "large"]),
        ("从业人员不少于299人。", "工业", ["micro"], ["small", "medium", "large"]),
        ("从业人员不少于20人。", "工业", ["micro"], ["small", "medium", "large"]),
        ("营业收入不低于2000万元。", "工业", ["micro", "small"], ["medium", "large"]),
        ("从业人员不少于100人。", "其他未列明行业", ["micro", "small"], ["medium", "large"]),
    ],
)
def test_a_size_threshold_names_the_classes_it_shuts_out(
    scanner: BarrierScanner, text: str, industry: str, shut: list[str], able: list[str]
) -> None:
    [found] = scanner.scan(text, ScanContext(industry=industry))
    check = found.evidence["size_check"]
    measure = next(iter(check["classes_shut_out"]))
    assert check["classes_shut_out"][measure] == shut and check["classes_able"][measure] == able
    assert "达不到" in found.message_zh and "cannot meet" in found.message_en


def test_a_threshold_every_class_can_meet_names_none(scanner: BarrierScanner) -> None:
    [found] = scanner.scan("从业人员不少于19人。", ScanContext(industry="工业"))
    assert "size_check" not in found.evidence  # a micro firm may have 19 staff


def test_a_clause_above_every_ceiling_of_the_industry_excludes_every_sme(
    scanner: BarrierScanner,
) -> None:
    text = "本项目采购标的所属行业为软件和信息技术服务业。\n投标人营业收入不低于5亿元且从业人员不少于500人。"
    found = list(scanner.scan(text, ScanContext()))
    assert {f.category for f in found} == {"scale.revenue", "scale.employees"}
    assert all(f.evidence["size_check"]["excludes_every_sme"] for f in found)
    assert "任何中小企业都无法满足" in found[0].message_zh


def test_without_a_size_table_no_size_claim_is_made() -> None:
    [finding] = BarrierScanner().scan("营业收入不低于5亿元", ScanContext(industry="工业"))
    assert "size_check" not in finding.evidence


def test_the_regex_prefilter_finds_what_the_automaton_finds(scanner: BarrierScanner) -> None:
    fallback = BarrierScanner(use_automaton=False)
    assert fallback.prefilter.backend == "regex-trie"
    text = "投标人注册资本不低于500万元，ＡＡＡ级信用等级，须在本市设有分公司；净资产收益率高于10%的得2分。"
    assert [f.rule_id for f in fallback.scan(text, ScanContext())] == [
        f.rule_id for f in scanner.scan(text, ScanContext())
    ]


def test_every_rule_cites_documents_of_the_law_table_and_speaks_both_languages() -> None:
    catalogue = load_catalogue()
    assert len({r.category for r in catalogue.rules}) >= 12
    for rule in catalogue.rules:
        cited = {c.doc_id for c in rule.citations}
        if rule.regions:  # a local rule cites the local notice
            assert cited - LAW_DOC_IDS, rule.id
        else:  # a national rule has a national instrument among its sources (analogies beside it)
            assert cited & LAW_DOC_IDS or rule.legal_force is LegalForce.UNCONFIRMED, rule.id
        assert all((rule.message_zh, rule.message_en, rule.remedy_zh, rule.remedy_en)), rule.id


def test_a_malformed_catalogue_is_refused_with_the_rule_named() -> None:
    data = Path(DEFAULT_PATH).read_bytes()
    with pytest.raises(CatalogueError, match="BAR-AGE"):
        parse_catalogue(data.replace(b"when: [years, date, scoring, pattern]", b"when: [years, daily]"))
    with pytest.raises(CatalogueError, match="unknown citation"):
        parse_catalogue(data.replace(b"citations: [38\xe5\x8f\xb7-1-5]", b"citations: [nowhere]"))
