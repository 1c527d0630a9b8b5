"""Signing in (API-key form, one-time desk link), signing out, the language switch, and ``/``."""

import falcon

from api.pages import web
from api.pages.web import Redirect, page
from procurement import errors as domain
from procurement.signin import services


class Home:
    auth_required = False

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.signed_in(req)
        raise Redirect(web.HOME_OF.get(person.actor.role, "/signin") if person else "/signin")


class SlashRedirect:
    """/desk and /audit as typed: to /desk/ and /audit/."""

    auth_required = False
    read_only = True

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise Redirect(req.path + "/")


class SignIn:
    auth_required = False

    def _form(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        *,
        status: int = 200,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        token = req.cookies.get(web.SIGNIN_CSRF_COOKIE) or web.new_csrf_token()
        web.set_cookie(req, resp, web.SIGNIN_CSRF_COOKIE, token, max_age=3600)
        web.render(
            req,
            resp,
            "signin.html",
            status=status,
            csrf_token=token,
            errors=errors or {},
            next=web.safe_next(req.get_param("next") or "", ""),
        )

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._form(req, resp)

    @page
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        values = web.form(req)
        web.check_csrf(web.first(values, "csrf_token"), req.cookies.get(web.SIGNIN_CSRF_COOKIE, ""))
        key = web.first(values, "api_key")
        if not key:
            self._form(req, resp, status=422, errors={"api_key": ["请填写API密钥 / enter your API key"]})
            return
        try:
            started = services.sign_in_with_key(req.context.session, key)
        except (domain.NotAuthenticated, domain.NotPermitted) as error:
            status = 401 if isinstance(error, domain.NotAuthenticated) else 403
            self._form(
                req, resp, status=status, errors={"api_key": [f"{error.message_zh} / {error.message_en}"]}
            )
            return
        web.set_cookie(req, resp, web.SESSION_COOKIE, started.token, max_age=web.SESSION_MAX_AGE_SECONDS)
        home = web.HOME_OF.get(started.row.role, "/signin")
        raise Redirect(web.safe_next(web.first(values, "next"), home))


class DeskLinkSignIn:
    """GET /desk/link/{token}: the platform sends the officer's browser here, once."""

    auth_required = False
    writes_on_get = True

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response, token: str) -> None:
        started = services.redeem_desk_link(req.context.session, token)
        web.set_cookie(req, resp, web.SESSION_COOKIE, started.token, max_age=web.SESSION_MAX_AGE_SECONDS)
        raise Redirect(web.HOME_OF.get(started.row.role, "/desk/"))


class SignOut:
    auth_required = False

    @page
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        values = web.form(req)
        person = web.signed_in(req)
        token = req.cookies.get(web.SESSION_COOKIE, "")
        if person is not None:
            web.check_csrf(web.first(values, "csrf_token"), person.csrf_token)
            services.end_session(req.context.session, token)
        resp.unset_cookie(web.SESSION_COOKIE, path="/")
        raise Redirect("/signin")


class Language:
    """GET /lang/{code}?next=...: remember the reader's language (a preference, changes no data)."""

    auth_required = False
    read_only = True

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response, code: str) -> None:
        if code not in web.LANGUAGES:
            raise web.PageError(404, "不支持该语言", "no such language")
        web.set_cookie(req, resp, web.LANG_COOKIE, code, max_age=365 * 86400)
        raise Redirect(web.safe_next(req.get_param("next") or "", "/"))
