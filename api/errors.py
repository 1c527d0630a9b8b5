"""Every error leaves as RFC 9457 problem+json with a stable ``code`` and an ``errors`` map.

Domain, marshmallow, rules and Falcon's own HTTP errors are mapped in this one place;
anything unexpected is logged and answered 500 without internals.
"""

import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

import falcon
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from api.retry import UNAVAILABLE
from procurement import errors as domain
from procurement.integrity import classify
from rules.errors import RulesError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("smeproc.api")

STATUS_OF: tuple[tuple[type[domain.DomainError], int], ...] = (
    (domain.NotAuthenticated, 401),
    (domain.NotPermitted, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.StaleVersion, 412),
    (domain.InvalidInput, 422),
)
TITLES = {
    400: ("请求有误", "Bad request"),
    401: ("未认证", "Unauthorized"),
    403: ("无权操作", "Forbidden"),
    404: ("未找到", "Not found"),
    405: ("不支持的方法", "Method not allowed"),
    406: ("不支持的响应格式", "Not acceptable"),
    409: ("冲突", "Conflict"),
    412: ("版本已变化", "Precondition failed"),
    413: ("请求体过大", "Content too large"),
    415: ("不支持的内容类型", "Unsupported media type"),
    422: ("输入有误", "Unprocessable content"),
    428: ("缺少前提条件", "Precondition required"),
    429: ("请求过多", "Too many requests"),
    500: ("服务器内部错误", "Internal server error"),
    503: ("服务暂不可用", "Service unavailable"),
}
# marshmallow's own messages, with the Chinese an officer reads first
MESSAGE_ZH = {
    "Unknown field.": "未知字段",
    "Missing data for required field.": "缺少必填字段",
    "Field may not be null.": "字段不能为空",
    "Not a valid date.": "不是有效日期（应为YYYY-MM-DD）",
    "Not a valid integer.": "不是有效整数",
    "Not a valid number.": "不是有效数字",
    "Not a valid string.": "不是有效字符串",
    "Not a valid boolean.": "不是有效布尔值",
    "Invalid input type.": "输入类型无效",
    "Invalid input.": "输入无效",
    "Not a valid list.": "不是有效列表",
}


def problem(
    status: int,
    code: str,
    detail_zh: str,
    detail_en: str,
    errors: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    title_zh, title_en = TITLES.get(status, ("错误", "Error"))
    body: dict[str, Any] = {
        "type": f"urn:smeproc:problem:{code}",
        "title": title_en,
        "status": status,
        "detail": detail_en,
        "code": code,
        "message": {"zh": detail_zh or title_zh, "en": detail_en or title_en},
    }
    if errors:
        body["errors"] = dict(errors)
    return body


def _respond(resp: falcon.Response, status: int, body: Mapping[str, Any]) -> None:
    resp.status = status
    resp.content_type = PROBLEM_JSON
    resp.media = body


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested error dict as dotted field paths (``payment_terms.0.percent``)."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "_schema"
            for field, texts in flatten_errors(value, path).items():
                flat.setdefault(field, []).extend(texts)
        return flat
    texts = messages if isinstance(messages, list) else [messages]
    return {prefix or "_schema": [_bilingual(str(t)) for t in texts]}


def _bilingual(text: str) -> str:
    if " / " in text or text in ("",):
        return text
    for english, chinese in MESSAGE_ZH.items():
        if text == english:
            return f"{chinese} / {english}"
    if text.startswith("Must be one of:"):
        return f"取值必须为以下之一：{text.removeprefix('Must be one of:').strip()} / {text}"
    if text.startswith("Must be greater than or equal to") or text.startswith("Must be less than"):
        return f"超出允许范围 / {text}"
    return text


def validation_error(req: falcon.Request, resp: falcon.Response, ex: ValidationError, params: Any) -> None:
    errors = flatten_errors(ex.messages)
    names = ", ".join(errors)
    _respond(
        resp,
        422,
        problem(422, "invalid_input", f"字段有误：{names}", f"invalid fields: {names}", errors),
    )


def domain_error(req: falcon.Request, resp: falcon.Response, ex: domain.DomainError, params: Any) -> None:
    status = next((code for kind, code in STATUS_OF if isinstance(ex, kind)), 400)
    errors = ex.errors if isinstance(ex, domain.InvalidInput) else None
    _respond(resp, status, problem(status, ex.code, ex.message_zh, ex.message_en, errors))
    if status == 401:
        resp.set_header("WWW-Authenticate", 'Bearer realm="smeproc"')


def rules_error(req: falcon.Request, resp: falcon.Response, ex: RulesError, params: Any) -> None:
    field = getattr(ex, "field", None) or "_schema"
    errors = {field: [f"{ex.message_zh} / {ex.message_en}"]}
    _respond(resp, 422, problem(422, ex.code, ex.message_zh, ex.message_en, errors))


def data_error(req: falcon.Request, resp: falcon.Response, ex: DataError, params: Any) -> None:
    """The database refused a value (out of its column's range): the caller's input, not our fault.

    Schemas bound what they know (money, counts, ids); this is the net for what slips past them.
    """
    log.info("database refused a value on %s %s: %s", req.method, req.path, ex.orig)
    _respond(
        resp,
        422,
        problem(
            422,
            "value_out_of_range",
            "某个数值超出了可存储的范围",
            "a value is outside the range the service can store",
        ),
    )


# kind of violation -> status, code, Chinese, English ({fields}: the columns or the constraint)
INTEGRITY_ANSWERS = {
    "unique": (409, "conflict", "已有相同的记录", "a record with the same {fields} exists"),
    "not_null": (422, "missing_value", "缺少必填值", "{fields} is required"),
    "foreign_key": (422, "unknown_reference", "引用的记录不存在", "a referenced record does not exist"),
    "check": (422, "invalid_value", "取值不符合约束", "a value breaks the constraint {fields}"),
}


def integrity_error(req: falcon.Request, resp: falcon.Response, ex: IntegrityError, params: Any) -> None:
    """A constraint the services did not foresee, answered by its kind (never a 500, never a guess):
    unique 409, NOT NULL / foreign key / check 422 naming the column."""
    violation = classify(ex)
    log.info("integrity error on %s %s: %s %s", req.method, req.path, violation, ex.orig)
    fields = ", ".join(violation.columns) or violation.constraint or "_schema"
    status, code, zh, en = INTEGRITY_ANSWERS.get(violation.kind, INTEGRITY_ANSWERS["check"])
    en = en.format(fields=fields)
    errors = {name: [f"{zh} / {en}"] for name in violation.columns} or None
    _respond(resp, status, problem(status, code, f"{zh}：{fields}", en, errors))


RETRY_AFTER_SECONDS = 1
# SQLSTATE classes of a lost or refused connection: 08 connection exception, 57P0x the server shut
# the session down (administrator command, crash, cannot connect now)
LOST_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")


def database_unavailable(exc: DBAPIError) -> bool:
    """The database could not be reached or dropped us: our trouble, worth a retry."""
    if exc.connection_invalidated:
        return True
    state = getattr(exc.orig, "sqlstate", None) or ""
    if state.startswith(LOST_CONNECTION_STATES):
        return True
    text = str(exc.orig)
    if isinstance(exc, OperationalError) and "database is locked" in text:
        return True  # SQLite's write lock not had within the busy timeout
    # psycopg's connection failure (refused, server gone) carries no SQLSTATE
    return isinstance(exc, OperationalError) and not state and "sqlite" not in type(exc.orig).__module__


def dbapi_error(
    req: falcon.Request, resp: falcon.Response, ex: DBAPIError | sqlite3.OperationalError, params: Any
) -> None:
    # the SQLite write gate raises the driver's own error, unwrapped, when it is not had in time
    locked = isinstance(ex, sqlite3.OperationalError) and "database is locked" in str(ex)
    if not locked and not (isinstance(ex, DBAPIError) and database_unavailable(ex)):
        unexpected_error(req, resp, ex, params)
        return
    log.warning("database unavailable on %s %s: %s", req.method, req.path, getattr(ex, "orig", ex))
    req.env[UNAVAILABLE] = True  # api/retry.py runs a safe request once more
    _respond(
        resp,
        503,
        problem(
            503,
            "database_unavailable",
            f"数据库暂时不可用，请{RETRY_AFTER_SECONDS}秒后重试",
            f"the database is unavailable for the moment; retry in {RETRY_AFTER_SECONDS} s",
        ),
    )
    resp.set_header("Retry-After", str(RETRY_AFTER_SECONDS))


def unexpected_error(req: falcon.Request, resp: falcon.Response, ex: Exception, params: Any) -> None:
    if isinstance(ex, falcon.HTTPError):  # Falcon's own, raised past a more specific handler
        raise ex
    log.exception("unhandled error on %s %s", req.method, req.path)
    _respond(
        resp,
        500,
        problem(500, "internal_error", "服务器内部错误，已记录", "internal error; it was logged"),
    )


def serialize_http_error(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
    status = exc.status_code
    title_zh, title_en = TITLES.get(status, ("错误", exc.title or "Error"))
    code = exc.code if isinstance(exc.code, str) else title_en.lower().replace(" ", "_")
    detail_en = exc.description or exc.title or title_en
    detail_zh = getattr(exc, "detail_zh", None) or title_zh
    resp.content_type = PROBLEM_JSON
    resp.media = problem(status, code, detail_zh, detail_en)


def register(app: falcon.App) -> None:
    app.add_error_handler(Exception, unexpected_error)
    app.add_error_handler(ValidationError, validation_error)
    app.add_error_handler(domain.DomainError, domain_error)
    app.add_error_handler(RulesError, rules_error)
    app.add_error_handler(DataError, data_error)
    app.add_error_handler(IntegrityError, integrity_error)
    app.add_error_handler(DBAPIError, dbapi_error)
    app.add_error_handler(sqlite3.OperationalError, dbapi_error)
    app.set_error_serializer(serialize_http_error)
