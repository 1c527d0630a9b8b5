"""``smeproc terms FILE [--docx OUT]``: the SME terms check of a contract in the API's create format.

The file holds what ``POST /v1/contracts`` takes (also what ``POST /v1/checks/terms`` takes): the
supplier inline (its facts or its size) or by ``supplier_id``, the jurisdiction given or taken
from ``purchaser_id`` (ids are read from the configured database, SMEPROC_DATABASE_URL).
``--docx`` also writes the 合同补充条款 of the contract with every adjustment accepted. Exit status 1
when a mandatory limit is broken, 0 when not, 2 on bad input (Chinese and English message on stderr).
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser(
        "terms",
        help="检查合同条款 / check a contract's SME terms",
        description="按签订日有效的政策检查合同条款（预付款、保证金、尾款、付款期限）。"
        " FILE is JSON in the API's contract create format (supplier inline or by supplier_id);"
        " - reads stdin. Exit 1 when a mandatory limit is broken, 0 when not, 2 on bad input.",
    )
    parser.add_argument("file", metavar="FILE", help="contract JSON, or - for stdin")
    parser.add_argument(
        "--docx",
        metavar="OUT",
        help="also write the 合同补充条款 (.docx) of the contract with every adjustment accepted",
    )
    parser.set_defaults(func=run)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    return Path(name).read_text(encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    from marshmallow import ValidationError

    from api.cli.classify import emit, fail, rules_failure
    from api.cli.common import session_scope, settings_from_env
    from api.errors import flatten_errors
    from api.schemas.checks import TermsCheckSchema
    from procurement.errors import DomainError, InvalidInput
    from procurement.terms.check_input import needs_database, resolve_ids
    from procurement.terms.services import check_terms, today_in_china
    from rules.errors import RulesError
    from rules.policy import load_policy_book

    try:
        document = json.loads(_read(args.file))
    except OSError as exc:
        return fail(f"无法读取文件：{exc}", f"cannot read the file: {exc}")
    except (ValueError, UnicodeDecodeError) as exc:
        return fail(f"文件不是有效的JSON：{exc}", f"the file is not valid JSON: {exc}")
    if not isinstance(document, dict):
        return fail("合同应为JSON对象", "the contract must be a JSON object")
    settings = settings_from_env()
    try:
        fields = TermsCheckSchema().load(document)
        book = load_policy_book(settings.policy_dir)
        if needs_database(fields) and (fields.get("supplier_id") or fields.get("purchaser_id")):
            with session_scope(settings) as session:
                fields = resolve_ids(fields, session=session, actor=None)
        else:
            fields = resolve_ids(fields, session=None, actor=None)
        body = check_terms(fields, book=book, today=today_in_china())
    except ValidationError as exc:
        errors = flatten_errors(exc.messages)
        detail = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in errors.items())
        return fail(f"字段有误：{detail}", f"invalid fields: {detail}")
    except InvalidInput as exc:
        detail = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in exc.errors.items())
        return fail(f"字段有误：{detail}", f"invalid fields: {detail}")
    except (RulesError, DomainError) as exc:
        return rules_failure(exc)
    if args.docx:
        try:
            Path(args.docx).write_bytes(_docx(document, fields, body))
        except OSError as exc:
            return fail(f"无法写入文件：{exc}", f"cannot write the file: {exc}")
    emit(body)
    return 1 if any(f["severity"] == "violation" for f in body["findings"]) else 0


def _docx(document: dict[str, Any], fields: dict[str, Any], body: dict[str, Any]) -> bytes:
    from procurement.terms.supplement import BLANK, SupplementData, supplement_docx

    data = SupplementData(
        purchaser_name=BLANK,
        supplier_name=BLANK,
        contract_ref=str(document.get("external_ref") or BLANK),
        contract_title=str(document.get("title") or ""),
        amount=fields["amount"],
        signed_on=fields.get("signed_on"),
        clauses=body["clauses"],
        adjustments=body["adjustments"],
        accepted=[a["rule_id"] for a in body["adjustments"]],
        declined=[],
        policy_pack=body["policy_pack"],
        policy_version=body["policy_version"],
        evaluated_on=body["evaluated_on"],
        extra_notes=("本补充条款按全部采纳调整建议生成（smeproc terms）。",),
    )
    return supplement_docx(data)
