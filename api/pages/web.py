"""What every page shares: templates, the signed-in person from the session cookie, CSRF, the
language switch, form bodies, and errors rendered as pages (not problem+json).
"""

import hmac
import secrets
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

import falcon
import jinja2
from marshmallow import ValidationError

from api.body import raw_body
from api.errors import STATUS_OF, flatten_errors
from api.pages.labels import field_label, label, value_label
from procurement import errors as domain
from procurement.organizations.models import Role
from procurement.signin.services import SESSION_HOURS, Person, person_of
from rules.errors import RulesError

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SESSION_COOKIE = "smeproc_session"
SIGNIN_CSRF_COOKIE = "smeproc_signin_csrf"  # double-submit token for the sign-in form (no session yet)
LANG_COOKIE = "smeproc_lang"
LANGUAGES = ("zh", "en")
HTML = "text/html; charset=utf-8"
# no inline script runs (the charts' data is a JSON block, read by /static/charts.js); ECharts and
# htmx set inline styles. Framing is left to the deployment: e-malls embed the desk.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HOME_OF = {Role.OFFICER: "/desk/", Role.AUDITOR: "/audit/", Role.ADMIN: "/audit/"}

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _yuan(value: object) -> str:
    """Money as 1,234,567.89 (from a Decimal or its string, never through a float)."""
    return "—" if value is None else f"{Decimal(str(value)):,.2f}"


def _percent(value: object) -> str:
    """A fraction (0-1, as Decimal or string) as a percentage with one decimal."""
    return "—" if value is None else f"{Decimal(str(value)) * 100:.1f}%"


_env.filters["yuan"] = _yuan
_env.filters["percent"] = _percent


class PageError(Exception):
    """A page-level refusal with a status and a bilingual message (rendered as the error page)."""

    def __init__(self, status: int, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status = status
        self.message_zh = message_zh
        self.message_en = message_en


class Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def language(req: falcon.Request) -> str:
    lang = req.cookies.get(LANG_COOKIE, "zh")
    return lang if lang in LANGUAGES else "zh"


def is_tls(req: falcon.Request) -> bool:
    return req.forwarded_scheme == "https"


def set_cookie(
    req: falcon.Request, resp: falcon.Response, name: str, value: str, *, max_age: int | None
) -> None:
    """HttpOnly, SameSite=Lax, Secure whenever the page came over TLS (directly or via a proxy)."""
    resp.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=is_tls(req),
        http_only=True,
        same_site="Lax",
    )


def render(
    req: falcon.Request,
    resp: falcon.Response,
    template: str,
    *,
    status: int = 200,
    person: Person | None = None,
    **context: Any,
) -> None:
    lang = language(req)

    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    def name_of(value: object) -> str:
        return label(value, lang)

    def field_of(path: str) -> str:
        return field_label(path, lang)

    def value_of(value: Any) -> str:
        return value_label(value, lang)

    resp.status = status
    resp.content_type = HTML
    resp.cache_control = ("no-store",)  # pages show what one person may see
    resp.set_headers(SECURITY_HEADERS)
    resp.text = _env.get_template(template).render(
        t=t,
        label=name_of,
        field_label=field_of,
        value_label=value_of,
        lang=lang,
        person=person,
        path=req.relative_uri,
        csrf_token=person.csrf_token if person else context.pop("csrf_token", ""),
        **context,
    )


def signed_in(req: falcon.Request) -> Person | None:
    token = req.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    person: Person | None = person_of(req.context.session, token)
    return person


def require(req: falcon.Request, *roles: Role) -> Person:
    """The signed-in person with one of ``roles`` (admins pass); GET without a session: to sign-in."""
    person = signed_in(req)
    req.context.person = person
    if person is None:
        if req.method == "GET":
            raise Redirect(f"/signin?next={falcon.uri.encode_value(req.relative_uri)}")
        raise PageError(401, "登录已失效，请重新登录", "your session has ended: sign in again")
    if person.actor.role not in roles and person.actor.role is not Role.ADMIN:
        raise PageError(403, "此页面不属于您的角色", "this page is not for your role")
    return person


def form(req: falcon.Request) -> dict[str, list[str]]:
    """An application/x-www-form-urlencoded body (within the body limit) as name -> values."""
    if not (req.content_type or "").startswith("application/x-www-form-urlencoded"):
        raise PageError(415, "表单格式不正确", "send the form as application/x-www-form-urlencoded")
    try:
        text = raw_body(req).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PageError(400, "表单不是UTF-8编码", "the form is not UTF-8") from exc
    return parse_qs(text, keep_blank_values=True)


def first(values: Mapping[str, list[str]], name: str) -> str:
    return (values.get(name) or [""])[0].strip()


def check_csrf(presented: str, expected: str) -> None:
    """A form from one of our own pages carries the token; a cross-site POST does not: 403."""
    if not presented or not expected or not hmac.compare_digest(presented, expected):
        raise PageError(
            403,
            "表单已失效或来自其他网站（缺少防伪令牌），请刷新页面后重试",
            "the form is stale or came from another site (no CSRF token): reload the page and retry",
        )


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def safe_next(target: str, default: str) -> str:
    """Only a local path: a sign-in page must not send people to another site."""
    return (
        target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default
    )


def field_errors(error: Exception) -> dict[str, list[str]]:
    if isinstance(error, ValidationError):
        return flatten_errors(error.messages)
    if isinstance(error, domain.InvalidInput):
        return dict(error.errors)
    if isinstance(error, RulesError):
        field = getattr(error, "field", None) or "_schema"
        return {field: [f"{error.message_zh} / {error.message_en}"]}
    return {}


F = TypeVar("F", bound=Callable[..., None])


def page(handler: F) -> F:
    """Domain errors, refusals and redirects of a page handler become pages, never problem+json."""

    @wraps(handler)
    def wrapper(self: Any, req: falcon.Request, resp: falcon.Response, *args: Any, **kwargs: Any) -> None:
        try:
            handler(self, req, resp, *args, **kwargs)
        except Redirect as redirect:
            resp.status = falcon.HTTP_303
            resp.location = redirect.location
            resp.text = None
        except PageError as error:
            error_page(req, resp, error.status, error.message_zh, error.message_en)
        except domain.DomainError as error:
            status = next((code for kind, code in STATUS_OF if isinstance(error, kind)), 400)
            error_page(req, resp, status, error.message_zh, error.message_en)

    return wrapper  # type: ignore[return-value]


def error_page(req: falcon.Request, resp: falcon.Response, status: int, zh: str, en: str) -> None:
    person = getattr(req.context, "person", None) if status != 401 else None
    render(req, resp, "error.html", status=status, person=person, status_code=status, zh=zh, en=en)


SESSION_MAX_AGE_SECONDS = SESSION_HOURS * 3600
