"""``smeproc terms FILE``: the SME terms check of a contract in the API's create format, as JSON.

The file holds what ``POST /v1/checks/terms`` takes (supplier facts inline). Exit status 1 when a
mandatory limit is broken, 0 when not, 2 on bad input (Chinese and English message on stderr).
"""

import argparse
import json
import sys
from pathlib import Path


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser(
        "terms",
        help="检查合同条款 / check a contract's SME terms",
        description="按签订日有效的政策检查合同条款（预付款、保证金、尾款、付款期限）。"
        " FILE is JSON in the API's contract format with inline supplier facts; - reads stdin."
        " Exit 1 when a mandatory limit is broken, 0 when not, 2 on bad input.",
    )
    parser.add_argument("file", metavar="FILE", help="contract JSON, or - for stdin")
    parser.set_defaults(func=run)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    return Path(name).read_text(encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    from marshmallow import ValidationError

    from api.cli.classify import emit, fail, rules_failure
    from api.cli.common import settings_from_env
    from api.errors import flatten_errors
    from api.schemas.checks import TermsCheckSchema
    from procurement.errors import DomainError
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
    try:
        fields = TermsCheckSchema().load(document)
        book = load_policy_book(settings_from_env().policy_dir)
        body = check_terms(fields, book=book, today=today_in_china())
    except ValidationError as exc:
        errors = flatten_errors(exc.messages)
        detail = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in errors.items())
        return fail(f"字段有误：{detail}", f"invalid fields: {detail}")
    except (RulesError, DomainError) as exc:
        return rules_failure(exc)
    emit(body)
    return 1 if any(f["severity"] == "violation" for f in body["findings"]) else 0
