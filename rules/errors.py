"""The exceptions of the rules engine; each carries a Chinese and an English message.

RulesError                      rules_error: message_zh, message_en, field (the API maps all to 422)
├── PolicyPackError             policy_pack_error: a policy pack file is malformed (file, key)
├── PolicyNotInForce            policy_not_in_force: no pack covers the jurisdiction on the date
│   └── ParameterNotInForce     parameter_not_in_force: the pack is in force, the parameter is not
├── UnknownJurisdiction         unknown_jurisdiction: neither a pack id nor a region code
└── InvalidInput                invalid_input: a value handed to a rule is out of its domain
    ├── UnknownIndustry         unknown_industry: not one of the size table's industries
    ├── RateOutOfRange          rate_out_of_range: a stated rate lies outside the range the law allows
    └── InsufficientSizeData    insufficient_size_data: no figure the size table needs was given

Each class's ``code`` is the stable snake_case name the API answers with (README, error table).
"""

from collections.abc import Iterable
from datetime import date


class RulesError(Exception):
    """Base of every error the rules raise; ``field`` names the offending input where known."""

    code = "rules_error"

    def __init__(self, message_zh: str, message_en: str, *, field: str | None = None) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"message_zh": self.message_zh, "message_en": self.message_en, "field": self.field}


class PolicyPackError(RulesError):
    """A policy pack is malformed; ``file`` and ``key`` say where."""

    code = "policy_pack_error"

    def __init__(self, file: str, key: str, message_zh: str, message_en: str) -> None:
        super().__init__(
            f"政策包 {file} 的 {key}：{message_zh}",
            f"policy pack {file}, key {key}: {message_en}",
            field=key,
        )
        self.file = file
        self.key = key


class PolicyNotInForce(RulesError):
    """No pack covers the date; ``coverage`` maps pack id to its periods in force."""

    code = "policy_not_in_force"

    def __init__(
        self,
        jurisdiction: str,
        on: date,
        coverage: dict[str, str],
        *,
        field: str | None = None,
    ) -> None:
        cover_zh = "；".join(f"{pack} 覆盖 {span}" for pack, span in coverage.items())
        cover_en = "; ".join(f"{pack} covers {span}" for pack, span in coverage.items())
        super().__init__(
            f"{jurisdiction} 在 {on.isoformat()} 没有有效的政策包（{cover_zh}）",
            f"no policy pack for {jurisdiction} is in force on {on.isoformat()} ({cover_en})",
            field=field,
        )
        self.jurisdiction = jurisdiction
        self.on = on
        self.coverage = coverage


class ParameterNotInForce(PolicyNotInForce):
    """The pack is in force on the date, but the named parameter has no value then."""

    code = "parameter_not_in_force"

    def __init__(self, pack_id: str, name: str, on: date, spans: str) -> None:
        RulesError.__init__(
            self,
            f"政策包 {pack_id} 的参数 {name} 在 {on.isoformat()} 未生效（有效期：{spans}）",
            f"parameter {name} of pack {pack_id} is not in force on {on.isoformat()} (in force: {spans})",
            field=name,
        )
        self.jurisdiction = pack_id
        self.on = on
        self.coverage = {pack_id: spans}
        self.name = name


class UnknownJurisdiction(RulesError):
    code = "unknown_jurisdiction"

    def __init__(self, jurisdiction: str, known: Iterable[str]) -> None:
        listed = ", ".join(known)
        super().__init__(
            f"未知的辖区 {jurisdiction!r}：应为政策包编号（{listed}）或六位行政区划代码",
            f"unknown jurisdiction {jurisdiction!r}: expected a pack id ({listed}) "
            "or a 6-digit administrative region code",
            field="jurisdiction",
        )


class InvalidInput(RulesError):
    """A value handed to a rule is out of its domain (negative amount, rate over 100% ...)."""

    code = "invalid_input"


class UnknownIndustry(InvalidInput):
    code = "unknown_industry"

    def __init__(self, industry: str, valid: Iterable[str]) -> None:
        listed = "、".join(valid)
        super().__init__(
            f"未知的行业 {industry!r}，有效行业为：{listed}",
            f"unknown industry {industry!r}; valid industries are: {listed}",
            field="industry",
        )
        self.valid = tuple(valid)


class RateOutOfRange(InvalidInput):
    code = "rate_out_of_range"

    def __init__(self, rate: str, low: str, high: str, *, field: str, basis_zh: str = "") -> None:
        super().__init__(
            f"比例 {rate} 超出法定范围 {low}–{high}{basis_zh}",
            f"rate {rate} lies outside the legal range {low}–{high}",
            field=field,
        )
        self.low = low
        self.high = high


class InsufficientSizeData(InvalidInput):
    code = "insufficient_size_data"

    def __init__(self, industry: str, needed: Iterable[str]) -> None:
        listed = ", ".join(needed)
        super().__init__(
            f"行业 {industry} 划型至少需要以下一项数据：{listed}"
            "（当年或上一年新成立的企业可不填，请提供成立日期 founded_on 和声明规模 declared_size）",
            f"classifying industry {industry} needs at least one of: {listed} "
            "(a firm founded this year or last may leave them blank: give founded_on and declared_size)",
            field="size_data",
        )
