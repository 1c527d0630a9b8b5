#!/usr/bin/env python3
"""Write a deterministic corpus of OCDS compiled releases, one JSON text a line.

The releases look like what a provincial e-mall publishes for government
purchases from SMEs: a buyer and a supplier (with parties[].details.scale),
a contract with value, signing date, payment milestones (OCDS 1.2
Milestone.value), a performance guarantee (guarantees extension), and
implementation milestones and transactions (delivery, acceptance, payments).
Some contracts break the SME rules on purpose (late payment, large bond,
long retention), so an audit has something to find.

Usage: ocds_corpus.py N [--seed S] > corpus.jsonl
Only the standard library is used, so it runs anywhere the project does.
"""

import argparse
import datetime as dt
import json
import random
import sys

INDUSTRIES = [
    ("goods", "办公设备"),
    ("goods", "计算机设备"),
    ("goods", "家具用具"),
    ("services", "物业管理服务"),
    ("services", "信息技术服务"),
    ("services", "印刷服务"),
    ("works", "维修工程"),
    ("works", "装修工程"),
]
REGIONS = ["650100", "650200", "650400", "652300", "652800", "654000", "659001"]
SCALES = ["micro", "sme", "sme", "sme", "large"]
BOND_FORMS = ["cash", "guarantee", "insurance", "cheque"]


def day(base: dt.date, offset: int) -> str:
    return (base + dt.timedelta(days=offset)).isoformat() + "T00:00:00+08:00"


def release(i: int, rnd: random.Random) -> dict:
    category, item = rnd.choice(INDUSTRIES)
    region = rnd.choice(REGIONS)
    scale = rnd.choice(SCALES)
    amount = rnd.choice([8_000, 45_000, 120_000, 480_000, 1_900_000, 3_600_000, 12_000_000])
    amount = round(amount * rnd.uniform(0.6, 1.4), 2)
    signed = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(0, 700))
    prepay = rnd.choice([0, 0, 10, 20, 30, 40, 50])
    retention = rnd.choice([0, 0, 3, 5, 10])
    bond = rnd.choice([0, 2, 5, 5, 10, 15])
    rest = 100 - prepay - retention
    buyer_id = f"CN-USCC-11{region}MB{rnd.randrange(10**7):07d}"
    supplier_id = f"CN-USCC-91{region}MA{rnd.randrange(10**7):07d}"
    ocid = f"ocds-xj0001-{region}-{i:09d}"
    delivered = 20 + rnd.randrange(0, 90)
    accepted = delivered + rnd.choice([3, 5, 7, 15, 30])
    pay_after = rnd.choice([10, 20, 28, 30, 45, 60, 90, 150])
    milestones = []
    transactions = []
    if prepay:
        milestones.append(
            {
                "id": "pre",
                "type": "financing",
                "code": "prepayment",
                "title": "预付款",
                "dueAfterDate": day(signed, 0),
                "value": {"amount": round(amount * prepay / 100, 2), "currency": "CNY"},
            }
        )
        transactions.append(
            {
                "id": f"{ocid}-t1",
                "date": day(signed, rnd.choice([5, 10, 40])),
                "value": {"amount": round(amount * prepay / 100, 2), "currency": "CNY"},
                "payer": {"id": buyer_id},
                "payee": {"id": supplier_id},
            }
        )
    milestones.append(
        {
            "id": "final",
            "type": "payment",
            "code": "postpayment",
            "title": "验收合格后付款",
            "dueAfterDate": day(signed, accepted),
            "value": {"amount": round(amount * rest / 100, 2), "currency": "CNY"},
        }
    )
    if rnd.random() < 0.9:
        transactions.append(
            {
                "id": f"{ocid}-t2",
                "date": day(signed, accepted + pay_after),
                "value": {"amount": round(amount * rest / 100, 2), "currency": "CNY"},
                "payer": {"id": buyer_id},
                "payee": {"id": supplier_id},
            }
        )
    if retention:
        milestones.append(
            {
                "id": "retention",
                "type": "payment",
                "code": "retention",
                "title": "质量保证金",
                "dueAfterDate": day(signed, accepted + 365),
                "value": {"amount": round(amount * retention / 100, 2), "currency": "CNY"},
            }
        )
    guarantees = []
    if bond:
        guarantees.append(
            {
                "id": "g1",
                "type": "performanceBond",
                "form": rnd.choice(BOND_FORMS),
                "value": {"amount": round(amount * bond / 100, 2), "currency": "CNY"},
                "period": {"startDate": day(signed, 0), "endDate": day(signed, accepted + 30)},
            }
        )
    return {
        "ocid": ocid,
        "id": f"{ocid}-compiled",
        "date": day(signed, accepted + pay_after),
        "tag": ["compiled"],
        "initiationType": "tender",
        "language": "zh",
        "buyer": {"id": buyer_id, "name": f"某{region}单位{i % 997}"},
        "parties": [
            {
                "id": buyer_id,
                "name": f"某{region}单位{i % 997}",
                "roles": ["buyer"],
                "address": {"region": region},
            },
            {
                "id": supplier_id,
                "name": f"新疆某{item}有限公司{i % 5003}",
                "roles": ["supplier"],
                "details": {"scale": scale},
            },
        ],
        "tender": {
            "id": f"{ocid}-tender",
            "title": f"{item}采购",
            "mainProcurementCategory": category,
            "procurementMethod": rnd.choice(["open", "selective", "limited"]),
            "procurementMethodDetails": rnd.choice(["公开招标", "竞争性磋商", "询价", "电子卖场直购"]),
            "value": {"amount": amount, "currency": "CNY"},
        },
        "awards": [
            {
                "id": f"{ocid}-a1",
                "status": "active",
                "suppliers": [{"id": supplier_id}],
                "value": {"amount": amount, "currency": "CNY"},
            }
        ],
        "contracts": [
            {
                "id": f"{ocid}-c1",
                "awardID": f"{ocid}-a1",
                "status": "terminated",
                "title": f"{item}采购合同",
                "dateSigned": day(signed, 0),
                "value": {"amount": amount, "currency": "CNY"},
                "milestones": milestones,
                "guarantees": guarantees,
                "implementation": {
                    "milestones": [
                        {
                            "id": "delivery",
                            "type": "delivery",
                            "status": "met",
                            "dateMet": day(signed, delivered),
                        },
                        {
                            "id": "acceptance",
                            "type": "assessment",
                            "title": "验收",
                            "status": "met",
                            "dateMet": day(signed, accepted),
                        },
                    ],
                    "transactions": transactions,
                },
            }
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    out = sys.stdout
    for i in range(args.count):
        out.write(json.dumps(release(i, rnd), ensure_ascii=False, separators=(",", ":")))
        out.write("\n")


if __name__ == "__main__":
    main()
