"""/static/{path}: the pages' own CSS and scripts and the vendored libraries, from api/static/."""

import mimetypes
from pathlib import Path

import falcon

STATIC = Path(__file__).resolve().parent.parent / "static"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}


class StaticFiles:
    auth_required = False
    read_only = True

    def __init__(self, root: Path = STATIC) -> None:
        self._root = root.resolve()

    def on_get(self, req: falcon.Request, resp: falcon.Response, path: str) -> None:
        target = (self._root / path).resolve()
        if not target.is_file() or not target.is_relative_to(self._root):
            raise falcon.HTTPNotFound()
        resp.content_type = (
            TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        )
        # vendored files carry their version in the name, so they may be cached for long
        resp.cache_control = ("public", "max-age=86400")
        resp.data = target.read_bytes()
