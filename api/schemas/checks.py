"""Stateless checks for platforms: contract terms, SME size and price deduction (nothing stored)."""

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.schemas.common import BilingualSchema, CitationSchema, StrictSchema, money, percent
from api.schemas.contracts import ContractFieldsSchema, check_consortium_shares
from api.schemas.suppliers import SizeFactsSchema
from api.schemas.terms import RuleFindingSchema, TermsResultFields
from rules.errors import UnknownIndustry
from rules.evaluation import DeductionKind
from rules.sme_size import parse_industry
from rules.vocabulary import Category, Industry, PurchaserType, Size, SpecialStatus

JURISDICTION = validate.Regexp(r"^(\d{6}|cn(-\d{2})?)$")


class IndustryField(fields.String):
    """A size-table industry by its Chinese name (or English member name); unknown ones list the valid."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Industry:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_industry(text)
        except UnknownIndustry as exc:
            raise ValidationError(f"{exc.message_zh} / {exc.message_en}") from exc


def industry(**kwargs: Any) -> IndustryField:
    return IndustryField(
        metadata={
            "enum": [i.value for i in Industry],
            "description": "size-table industry (划型标准, 工信部联企业〔2011〕300号)",
        },
        **kwargs,
    )


class SupplierFactsSchema(SizeFactsSchema):
    name = fields.String(validate=validate.Length(max=200), metadata={"description": "named in reasons"})
    industry = industry(allow_none=True)
    special_status = fields.Enum(SpecialStatus, by_value=True, load_default=SpecialStatus.NONE)
    linked_to_large = fields.Boolean(load_default=False)
    is_enterprise = fields.Boolean(
        load_default=True, metadata={"description": "false for public institutions, social organisations"}
    )


class ConsortiumMemberFactsSchema(SupplierFactsSchema):
    """A consortium member with its size facts inline (or only its declared size)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    share_percent = percent(required=True)


class TermsCheckSchema(ContractFieldsSchema):
    """The contract create format: the supplier by ``supplier_id`` or inline (its facts, or only its
    size), the jurisdiction given or taken from the purchaser (``purchaser_id``; an officer's own)."""

    class Meta(ContractFieldsSchema.Meta):
        exclude = ()  # consortium is redefined below: members with their facts inline

    category = fields.Enum(Category, by_value=True, required=True)
    amount = money(required=True)
    purchaser_type = fields.Enum(PurchaserType, by_value=True, required=True)
    jurisdiction = fields.String(
        validate=JURISDICTION,
        metadata={
            "description": "region code (6 digits) or pack id, e.g. 650102 or cn-65; default the "
            "purchaser's region"
        },
    )
    supplier = fields.Nested(SupplierFactsSchema)
    supplier_size = fields.Enum(
        Size, by_value=True, metadata={"description": "when the figures are not known"}
    )
    consortium = fields.List(
        fields.Nested(ConsortiumMemberFactsSchema),
        metadata={"description": "every member, the lead included, with its facts; shares add up to 100"},
    )

    @validates_schema
    def _consortium(self, data: dict[str, Any], **_: Any) -> None:
        check_consortium_shares(data.get("consortium") or [], "name")  # no ids here: names

    @validates_schema
    def _one_supplier(self, data: dict[str, Any], **_: Any) -> None:
        given = [name for name in ("supplier", "supplier_id", "supplier_size") if data.get(name) is not None]
        if len(given) > 1:
            raise ValidationError(
                "supplier、supplier_id 与 supplier_size 只能给一个 / give one of supplier, supplier_id, "
                "supplier_size",
                given[-1],
            )


class SupplierSizeSchema(StrictSchema):
    size = fields.String()
    reason = fields.Nested(BilingualSchema)
    figures_used = fields.Dict()
    figures_missing = fields.List(fields.String())
    possible_sizes = fields.List(fields.String())
    declared_only = fields.Boolean()
    citations = fields.List(fields.Nested(CitationSchema))


class TermsCheckResultSchema(TermsResultFields):
    supplier_size = fields.Nested(SupplierSizeSchema, allow_none=True)


class SizeCheckSchema(SupplierFactsSchema):
    industry = industry(required=True)
    jurisdiction = fields.String(load_default="cn", validate=JURISDICTION)
    on = fields.Date(metadata={"description": "the date of the figures' use; default today (Beijing)"})


class SizeCheckResultSchema(StrictSchema):
    size = fields.String(validate=validate.OneOf([s.value for s in Size]))
    is_sme = fields.Boolean()
    is_small_or_micro = fields.Boolean()
    reason = fields.Nested(BilingualSchema)
    computed_size = fields.String(allow_none=True, metadata={"description": "from the figures alone"})
    figures_used = fields.Dict(metadata={"description": "the figures the answer rests on"})
    figures_missing = fields.List(
        fields.String(), metadata={"description": "figures the table uses, not given"}
    )
    possible_sizes = fields.List(
        fields.String(), metadata={"description": "every class the missing figures could still make it"}
    )
    declared_only = fields.Boolean(metadata={"description": "accepted on the declaration letter alone"})
    citations = fields.List(fields.Nested(CitationSchema))
    finding = fields.Nested(RuleFindingSchema, allow_none=True)
    policy_pack = fields.String()
    policy_version = fields.String()


class PriceDeductionCheckSchema(StrictSchema):
    jurisdiction = fields.String(required=True, validate=JURISDICTION)
    announced_on = fields.Date(
        required=True, metadata={"description": "the procurement announcement date selects the rules"}
    )
    category = fields.Enum(Category, by_value=True, required=True)
    quote = money(required=True)
    stated_percent = percent(required=True, metadata={"description": "the deduction the tender states"})
    kind = fields.Enum(DeductionKind, by_value=True, load_default=DeductionKind.SMALL_MICRO)
    bidder_size = fields.Enum(Size, by_value=True, allow_none=True)
    small_micro_share_percent = percent(allow_none=True)
    reserved = fields.Boolean(load_default=False)


class PercentRangeSchema(StrictSchema):
    min = fields.String()
    max = fields.String()


class PriceDeductionResultSchema(StrictSchema):
    applies = fields.Boolean()
    percent = fields.String(metadata={"description": "the deduction applied (0 where none)"})
    quote = fields.String()
    evaluated_price = fields.String()
    allowed_percent = fields.Nested(PercentRangeSchema)
    reason = fields.Nested(BilingualSchema)
    citations = fields.List(fields.Nested(CitationSchema))
    policy_pack = fields.String()
    policy_version = fields.String()
