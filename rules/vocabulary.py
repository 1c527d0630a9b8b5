"""The closed vocabularies shared by rules, storage and API (enums whose values are stable strings)."""

from enum import StrEnum


class Category(StrEnum):
    GOODS = "goods"
    WORKS = "works"
    SERVICES = "services"


class PurchaserType(StrEnum):
    PUBLIC_BODY = "public_body"  # 机关、事业单位: the SME payment duty applies
    OTHER = "other"


class Size(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"

    @property
    def is_sme(self) -> bool:
        return self is not Size.LARGE

    @property
    def is_small_or_micro(self) -> bool:
        return self in (Size.SMALL, Size.MICRO)


class Industry(StrEnum):
    """The 16 industries of the size table (工信部联企业〔2011〕300号)."""

    AGRICULTURE = "农、林、牧、渔业"
    INDUSTRY = "工业"
    CONSTRUCTION = "建筑业"
    WHOLESALE = "批发业"
    RETAIL = "零售业"
    TRANSPORT = "交通运输业"
    WAREHOUSING = "仓储业"
    POSTAL = "邮政业"
    ACCOMMODATION = "住宿业"
    CATERING = "餐饮业"
    INFORMATION_TRANSMISSION = "信息传输业"
    SOFTWARE_IT = "软件和信息技术服务业"
    REAL_ESTATE = "房地产开发经营"
    PROPERTY_MANAGEMENT = "物业管理"
    LEASING_BUSINESS = "租赁和商务服务业"
    OTHER = "其他未列明行业"


class SpecialStatus(StrEnum):
    NONE = "none"
    PRISON_ENTERPRISE = "prison_enterprise"  # 监狱企业 (财库〔2014〕68号)
    DISABLED_WELFARE_UNIT = "disabled_welfare_unit"  # 残疾人福利性单位 (财库〔2017〕141号)


class OrganizationKind(StrEnum):
    PURCHASER = "purchaser"  # 采购人
    FINANCE_DEPARTMENT = "finance_department"  # 财政部门
    PLATFORM = "platform"  # 电子卖场


class ContractStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    PERFORMING = "performing"
    COMPLETED = "completed"
    TERMINATED = "terminated"


class PaymentKind(StrEnum):
    PREPAYMENT = "prepayment"  # 预付款
    PROGRESS = "progress"  # 进度款
    FINAL = "final"  # 尾款 / 结算款
    RETENTION = "retention"  # 质保金 / 尾款扣留


class Trigger(StrEnum):
    SIGNING = "signing"
    DELIVERY = "delivery"
    ACCEPTANCE = "acceptance"
    INVOICE = "invoice"
    WARRANTY_END = "warranty_end"


class DayType(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


class BondKind(StrEnum):
    BID = "bid"  # 投标保证金
    PERFORMANCE = "performance"  # 履约保证金
    QUALITY_RETENTION = "quality_retention"  # 质量保证金


class BondForm(StrEnum):
    CASH = "cash"
    BANK_GUARANTEE = "bank_guarantee"
    INSURANCE = "insurance"
    CHEQUE = "cheque"  # 支票、汇票、本票


class EventKind(StrEnum):
    DELIVERED = "delivered"
    ACCEPTED = "accepted"
    INVOICED = "invoiced"
    PAID = "paid"
    BOND_RECEIVED = "bond_received"
    BOND_RETURNED = "bond_returned"
    RETENTION_WITHHELD = "retention_withheld"
    RETENTION_RELEASED = "retention_released"


class LegalForce(StrEnum):
    MANDATORY = "mandatory"  # law, regulation, ministry rule: a breach is a violation
    ENCOURAGED = "encouraged"  # 鼓励 / 原则上 / 可以: a missed target is advice
    # only secondary reports (press, expert Q&A) name it: a lead to confirm, reported as advice
    UNCONFIRMED = "unconfirmed"


class Severity(StrEnum):
    VIOLATION = "violation"
    ADVICE = "advice"

    @classmethod
    def of(cls, force: LegalForce) -> "Severity":
        return cls.VIOLATION if force is LegalForce.MANDATORY else cls.ADVICE
