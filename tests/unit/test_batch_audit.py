"""The batch audit: the hot path agrees with the rules, output order is stable, bad lines are named."""

import contextlib
import copy
import random
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from procurement.batch_audit import audit_file
from procurement.ocds.mapping import map_release
from procurement.ocds.quick import Quick, change_days
from procurement.reports.stats import StatsAccumulator, figures_of
from rules.audits import TERMS_MANDATORY, audit_contract, cached_policy_at
from rules.errors import RulesError
from rules.policy import load_policy_book
from tests.data_files import ocds_corpus_module

BOOK = load_policy_book()
POLICY = cached_policy_at(BOOK)


corpus_module = ocds_corpus_module


def releases(n: int, seed: int = 7) -> list[dict[str, Any]]:
    module = corpus_module()
    rnd = random.Random(seed)
    return [module.release(i, rnd) for i in range(n)]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def full_outcome(release: dict[str, Any], as_of: date, terms: bool = True) -> Any:
    """What the rules give for one release: (figures, coverage, rule ids), or the error raised."""
    try:
        mapped = map_release(release)
        assert len(mapped.contracts) == 1
        contract = mapped.contracts[0]
        audit = audit_contract(contract.facts, POLICY, as_of, with_terms=terms)
    except RulesError as err:
        return ("error", err.message_en)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return ("malformed", type(err).__name__)
    buyer = mapped.buyer
    figures = figures_of(
        audit,
        purchaser=buyer.id if buyer else "",
        purchaser_name=buyer.name if buyer else "",
        region=mapped.region or "",
        amount=contract.facts.amount,
        scale=contract.scale,
        as_of=as_of,
    )
    return (
        figures,
        tuple(audit.coverage.items()),
        Counter((f.rule_id, f.legal_force.value) for f in audit.findings),
    )


def quick_outcome(quick: Quick, release: dict[str, Any]) -> Any:
    result = quick.audit(release)
    if result is None:
        return None
    return result.figures, result.coverage, Counter(result.hits)


def rule_counts(outcome: Any) -> Counter[str]:
    """Findings by rule id, whatever their legal force."""
    counts: Counter[str] = Counter()
    for (rule, _), n in outcome[2].items():
        counts[rule] += n
    return counts


@pytest.mark.parametrize("as_of", [date(2024, 6, 1), date(2025, 6, 1), date(2026, 11, 26)])
def test_hot_path_agrees_with_the_rules_on_the_corpus(as_of: date) -> None:
    quick = Quick(POLICY, as_of, changes=change_days(BOOK))
    seen: Counter[str] = Counter()
    reasons: set[tuple[str, str | None]] = set()
    for release in releases(400):
        got = quick_outcome(quick, release)
        assert got is not None, release["ocid"]
        assert got == full_outcome(release, as_of), release["ocid"]
        seen.update(rule_counts(got))
        reasons.update(got[1])
    # by the last date the corpus exercises every rule the hot path stands for, terms included
    assert as_of < date(2026, 1, 1) or set(seen) >= {
        "payment.overdue",
        "terms.bond.over_cap",
        "terms.bond.cash_only",
        "terms.retention.works_over_cap",
    }
    # OCDS records no bond return and no retention release: absence is no evidence of either
    assert not {"bond.unreturned", "retention.overheld"} & set(seen)
    assert ("bond.unreturned", "not_applicable:source_records_no_bond_returns") in reasons
    assert ("retention.overheld", "not_applicable:source_records_no_retention_releases") in reasons


def test_hot_path_without_terms_agrees_with_the_rules() -> None:
    as_of = date(2026, 11, 26)
    quick = Quick(POLICY, as_of, terms_reason="not_requested")
    for release in releases(100):
        assert quick_outcome(quick, release) == full_outcome(release, as_of, terms=False)


def _mutations(release: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """One release changed in one or two places, the way real files go wrong (or edge right)."""
    r = copy.deepcopy(release)
    c = r["contracts"][0]
    impl = c["implementation"]
    value = c["value"]["amount"]
    choices: list[Callable[[], None]] = [
        lambda: c.pop("dateSigned"),
        lambda: c.__setitem__("dateSigned", "not a date"),
        lambda: c.__setitem__("dateSigned", "2019-01-01T00:00:00+08:00"),
        lambda: c.__setitem__("value", {"amount": True, "currency": "CNY"}),
        lambda: c.__setitem__("value", {"amount": str(value)}),
        lambda: c.__setitem__("value", {"amount": value, "currency": "USD"}),
        lambda: c.__setitem__("value", {"amount": 0}),
        lambda: c.__setitem__("value", {"amount": value + 0.004}),
        lambda: c.__setitem__("value", {"amount": 0.1 + 0.2}),
        lambda: r["parties"][1].pop("details"),
        lambda: r["parties"][1].__setitem__("details", {"scale": rnd.choice(["", "SME", 3, "medium"])}),
        lambda: r["parties"][1].__setitem__("details", []),
        lambda: r["parties"].append(dict(r["parties"][1], details={"scale": "large"})),
        lambda: r["parties"].append(dict(r["parties"][0], address={"region": "110000"})),
        lambda: r["parties"][0].__setitem__("id", 7),
        lambda: r["parties"][0].__setitem__("address", {"region": "6501"}),
        lambda: r["parties"][0].__setitem__("address", "650100"),
        lambda: r.__setitem__("buyer", {"id": r["buyer"]["id"]}),
        lambda: r.pop("buyer"),
        lambda: r["tender"].__setitem__(
            "mainProcurementCategory", rnd.choice([None, "consultingServices", ["works"]])
        ),
        lambda: r["awards"][0].__setitem__("suppliers", []),
        lambda: r["awards"].append(dict(r["awards"][0], suppliers=[{"id": r["buyer"]["id"]}])),
        lambda: c.__setitem__("awardID", "nope"),
        lambda: c.__setitem__("implementation", []),
        lambda: impl.__setitem__("milestones", []),
        lambda: impl["milestones"][1].__setitem__("status", "scheduled"),
        lambda: impl["milestones"][1].__setitem__("dateMet", "someday"),
        lambda: impl["milestones"][0].__setitem__("type", "other"),
        lambda: impl["milestones"][1].__setitem__("title", ["验收"]),
        lambda: impl["milestones"][1].__setitem__("type", "x") or impl["milestones"][1].pop("title"),
        lambda: impl.__setitem__("transactions", []),
        lambda: impl.__setitem__("transactions", impl["transactions"] * 2),
        lambda: impl["transactions"] and impl["transactions"][0].__setitem__("value", {"amount": 0.005}),
        lambda: impl["transactions"] and impl["transactions"][0].pop("date"),
        lambda: impl["transactions"] and impl["transactions"][0].__setitem__("date", "2019-01-01"),
        lambda: impl["transactions"].append({"date": "2030-01-01", "value": {"amount": value}}),
        lambda: impl["transactions"].append({"date": "2025-12-31", "amount": {"amount": 1.0}}),
        lambda: c["milestones"][0].__setitem__("value", {"amount": value * 1.5}),
        lambda: c["milestones"][0].__setitem__("value", {"amount": -1.0}),
        lambda: c["milestones"][0].__setitem__("value", {"amount": round(value * 0.125, 3) + 0.0005}),
        lambda: c["milestones"][0].pop("value"),
        lambda: c["milestones"][0].__setitem__("code", rnd.choice(["progress", "Retention", None])),
        lambda: c["milestones"][-1].__setitem__("dueAfterDate", "2020-01-01T00:00:00+08:00"),
        lambda: c["milestones"][-1].__setitem__("dueAfterDate", "bad"),
        lambda: c["milestones"].append(dict(c["milestones"][-1])),
        lambda: c.__setitem__("milestones", []),
        lambda: c.__setitem__(
            "guarantees",
            [
                {
                    "type": "performanceBond",
                    "form": rnd.choice(["cash", "Guarantee", "cheque", "bank_guarantee"]),
                    "value": {"amount": round(value * rnd.choice([0.1, 0.1000001, 0.05, 1.0, 1.2]), 2)},
                }
            ],
        ),
        lambda: c.__setitem__("guarantees", [{"type": "bidBond", "form": "cash", "value": {"amount": 1.0}}]),
        lambda: c.__setitem__("guarantees", [{"type": "performanceBond", "form": "cash"}]),
        lambda: c.__setitem__(
            "guarantees",
            [{"type": "performanceBond", "form": "cash", "value": {"amount": 1.0}, "period": "2024"}],
        ),
        lambda: c.__setitem__("guarantees", []),
        lambda: r.__setitem__("contracts", [c, dict(c, id="c2")]),
    ]
    for _ in range(rnd.choice([1, 1, 2])):
        with contextlib.suppress(IndexError, KeyError, TypeError, AttributeError):
            rnd.choice(choices)()  # a second change may find the first one took its target away
    return r


@pytest.mark.parametrize("as_of", [date(2025, 6, 1), date(2026, 11, 26)])
def test_hot_path_declines_or_agrees_on_mutated_releases(as_of: date) -> None:
    rnd = random.Random(5)
    quick = Quick(POLICY, as_of, changes=change_days(BOOK))
    taken = 0
    for release in releases(600, seed=3):
        mutated = _mutations(release, rnd)
        got = quick_outcome(quick, mutated)
        if got is None:
            continue  # the full path decides: nothing to compare
        taken += 1
        assert got == full_outcome(mutated, as_of), mutated
    assert 100 < taken < 600  # both paths were exercised


def test_rates_at_a_cap_are_decided_as_the_rules_decide() -> None:
    """A bond of exactly the cap is no breach, one fen over it is (the float band falls to Decimal)."""
    as_of = date(2026, 11, 26)
    quick = Quick(POLICY, as_of)
    release = releases(1)[0]
    c = release["contracts"][0]
    c["value"]["amount"] = 1234567.0
    c["milestones"] = []
    c["implementation"]["transactions"] = []
    cap = POLICY(release["parties"][0]["address"]["region"], date.fromisoformat(c["dateSigned"][:10]))
    rate = cap.value("bond.performance.max_rate")
    at_cap = float(Decimal("1234567") * rate)
    for amount, breach in ((at_cap, False), (round(at_cap + 0.01, 2), True)):
        c["guarantees"] = [{"type": "performanceBond", "form": "guarantee", "value": {"amount": amount}}]
        got = quick_outcome(quick, release)
        assert got is not None and got == full_outcome(release, as_of)
        assert (rule_counts(got)["terms.bond.over_cap"] == 1) is breach


def test_a_bond_of_exactly_the_cap_in_rounded_amounts_is_no_breach_one_fen_over_is() -> None:
    """10% of 8,543,210.99 is 854,321.099: stated 854,321.10, the rate is 0.1000000011… (not over)."""
    as_of = date(2026, 11, 26)
    quick = Quick(POLICY, as_of)
    release = releases(1)[0]
    c = release["contracts"][0]
    c["value"]["amount"] = 8543210.99
    c["milestones"] = []
    c["implementation"]["transactions"] = []
    for amount, breach in ((854321.10, False), (854321.09, False), (854321.11, True)):
        c["guarantees"] = [{"type": "performanceBond", "form": "guarantee", "value": {"amount": amount}}]
        got = quick_outcome(quick, release)
        assert got is not None and got == full_outcome(release, as_of)
        assert (rule_counts(got)["terms.bond.over_cap"] == 1) is breach


def test_a_file_without_any_transaction_records_no_payments(tmp_path: Path) -> None:
    unpaid = releases(50)
    for release in unpaid:
        release["contracts"][0]["implementation"].pop("transactions", None)
    path = write_jsonl(tmp_path / "unpaid.jsonl", unpaid)
    summary = audit_file(path, as_of=date(2026, 11, 26), workers=1)
    assert summary.findings["payment.overdue"] == 0
    reasons = summary.coverage["payment.overdue"]
    assert reasons["not_applicable:source_records_no_payments"] > 0
    assert "evaluated" not in reasons
    # one payment anywhere in the file: the file records payments, the others are judged
    unpaid[0]["contracts"][0]["implementation"]["transactions"] = []
    judged = audit_file(write_jsonl(tmp_path / "one.jsonl", unpaid), as_of=date(2026, 11, 26), workers=1)
    assert judged.findings["payment.overdue"] > 0


def test_release_outside_the_common_shape_takes_the_full_path() -> None:
    release = releases(1)[0]
    release["contracts"].append(dict(release["contracts"][0], id="c2"))
    assert Quick(POLICY, date(2026, 1, 1)).audit(release) is None


def test_findings_file_is_identical_whatever_the_workers_and_chunks(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", releases(300))
    outputs = []
    for workers, chunk in ((1, 1 << 20), (2, 4096)):
        out = tmp_path / f"f{workers}.jsonl"
        with out.open("wb") as f:
            summary = audit_file(
                path, as_of=date(2026, 1, 1), workers=workers, findings_out=f, chunk_bytes=chunk
            )
        outputs.append((out.read_bytes(), summary.findings, summary.stats.overall()))
        assert summary.lines == 300 and summary.contracts == 300
    assert outputs[0] == outputs[1]
    lines = [orjson.loads(x)["line"] for x in outputs[0][0].splitlines()]
    assert lines == sorted(lines) and lines[0] >= 1


@pytest.mark.parametrize("chunk", [97, 1000, 4096, 1 << 20])
def test_findings_carry_their_line_numbers_across_blank_and_long_lines(tmp_path: Path, chunk: int) -> None:
    """The workers number the findings' lines themselves (from the newlines before their range):
    blank lines, lines longer than a range and a last line without a newline keep the count."""
    rows = [orjson.dumps(r) for r in releases(40, seed=3)]
    body = b"\n\n".join(rows[:10]) + b"\n" + b"\n".join(rows[10:]) + b"\n\n\n" + rows[0]
    path = tmp_path / "b.jsonl"
    path.write_bytes(body)
    starts = [n for n, line in enumerate(body.split(b"\n"), 1) if line]
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"f{workers}.jsonl"
        with out.open("wb") as f:
            summary = audit_file(
                path, as_of=date(2026, 1, 1), workers=workers, findings_out=f, chunk_bytes=chunk
            )
        assert summary.lines == len(body.split(b"\n")) and summary.releases == 41
        found = [orjson.loads(x) for x in out.read_bytes().splitlines()]
        # each finding names the line its release is on
        assert all(
            body.split(b"\n")[r["line"] - 1].startswith(b'{"ocid":"%s"' % r["ocid"].encode()) for r in found
        )
        assert {r["line"] for r in found} <= set(starts) and len(found) > 20
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_counts_agree_with_and_without_a_findings_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", releases(200))
    with (tmp_path / "f.jsonl").open("wb") as f:
        full = audit_file(path, as_of=date(2026, 1, 1), workers=1, findings_out=f)
    quick = audit_file(path, as_of=date(2026, 1, 1), workers=1)
    assert quick.findings == full.findings
    assert quick.by_force == full.by_force and sum(full.by_force.values()) == sum(full.findings.values())
    assert quick.coverage == full.coverage
    assert quick.stats.overall() == full.stats.overall()
    assert sum(full.findings.values()) == len((tmp_path / "f.jsonl").read_bytes().splitlines())
    # every finding names what it is about, once: the key a re-run over the file finds again
    keys = [orjson.loads(x)["key"] for x in (tmp_path / "f.jsonl").read_bytes().splitlines()]
    assert len(set(keys)) == len(keys) and all(k.startswith("ocds:") for k in keys)


def test_bad_lines_are_named_by_line_number_and_the_rest_is_audited(tmp_path: Path) -> None:
    good = releases(3)
    paid_early = releases(1, seed=99)[0]
    paid_early["contracts"][0]["implementation"]["transactions"] = [
        {"date": "2020-01-01T00:00:00+08:00", "value": {"amount": 1.0, "currency": "CNY"}}
    ]
    path = tmp_path / "m.jsonl"
    path.write_bytes(
        orjson.dumps(good[0])
        + b"\n{not json\n"
        + orjson.dumps(good[1])
        + b"\n"
        + orjson.dumps(paid_early)
        + b"\n[1]\n"
        + orjson.dumps(good[2])
        + b"\n"
    )
    summary = audit_file(path, as_of=date(2026, 1, 1), workers=2, chunk_bytes=1024)
    where = [w for w, _ in summary.errors]
    assert where == ["line 2", "line 4", "line 5"]
    assert "早于合同签订日期" in summary.errors[1][1] and paid_early["ocid"] in summary.errors[1][1]
    assert summary.contracts == 3


def test_release_package_is_audited_in_one_process(tmp_path: Path) -> None:
    path = tmp_path / "pkg.json"
    path.write_bytes(orjson.dumps({"releases": releases(5)}, option=orjson.OPT_INDENT_2))
    found: list[dict[str, Any]] = []
    summary = audit_file(path, as_of=date(2026, 1, 1), on_finding=found.append)
    assert summary.releases == 5 and summary.contracts == 5
    assert len(found) == sum(summary.findings.values())
    assert all(f["where"].startswith("releases[") for f in found)


def test_without_terms_the_performance_findings_are_unchanged(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", releases(100))
    every = audit_file(path, as_of=date(2026, 1, 1), workers=1)
    lean = audit_file(path, as_of=date(2026, 1, 1), workers=1, terms=False)
    assert lean.coverage[TERMS_MANDATORY] == Counter({"not_requested": 100})
    assert not any(rule.startswith("terms.") for rule in lean.findings)
    assert lean.findings == Counter({k: v for k, v in every.findings.items() if not k.startswith("terms.")})


def test_statistics_per_purchaser_match_the_rules_whatever_the_workers(tmp_path: Path) -> None:
    """Purchaser counters spooled by the workers come back as the rules' figures would add up."""
    rows = releases(120)
    for i, release in enumerate(rows):  # a few purchasers with several contracts, names first-seen
        if i % 3 == 0:
            release["buyer"]["id"] = release["parties"][0]["id"] = "B-shared"
            release["parties"][0]["name"] = f"name {i}"
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    as_of = date(2026, 1, 1)
    expected = StatsAccumulator()
    for release in rows:
        figures, _, _ = full_outcome(release, as_of)
        expected.add(figures)
    for workers, chunk in ((1, 1 << 20), (2, 8192)):
        summary = audit_file(path, as_of=as_of, workers=workers, chunk_bytes=chunk)
        try:
            assert list(summary.by_purchaser()) == list(expected.by_purchaser())
            assert list(summary.stats.by_region()) == list(expected.by_region())
            assert summary.stats.overall() == expected.overall()
        finally:
            summary.close()


def test_contracts_in_another_currency_cancelled_or_unsigned_are_left_out_of_the_figures(
    tmp_path: Path,
) -> None:
    rows = releases(6)
    rows[0]["contracts"][0]["value"]["currency"] = "USD"
    rows[1]["contracts"][0]["status"] = "cancelled"
    del rows[2]["contracts"][0]["dateSigned"]
    summary = audit_file(write_jsonl(tmp_path / "mixed.jsonl", rows), as_of=date(2026, 11, 26), workers=1)
    assert summary.contracts == 6
    assert summary.stats.overall().contracts == 3
    assert summary.left_out == Counter(
        {("currency", "USD"): 1, ("terminated", "CNY"): 1, ("draft", "CNY"): 1}
    )
    usd = round(Decimal(str(rows[0]["contracts"][0]["value"]["amount"])) * 100)
    assert summary.left_out_fen[("currency", "USD")] == usd
