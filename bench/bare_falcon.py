"""The floor for bench/checks_load.py: a bare Falcon app answering a small JSON body, nothing else.

Served by gunicorn exactly like ``smeproc serve`` (gthread, same workers and threads).
"""

import falcon


class Tiny:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.bounded_stream.read()  # read the body as the real endpoint must
        resp.media = {"ok": True}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok"}


app = falcon.App()
app.add_route("/v1/checks/terms", Tiny())
app.add_route("/v1/health", Tiny())  # the readiness probe of bench/api_load.server
