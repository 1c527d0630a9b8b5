"""POST /v1/checks/barriers: the barrier audit of text or requirements, stored nowhere."""

import falcon

from api.body import load_json
from api.schemas.audits import BarrierCheckResultSchema, BarrierCheckSchema
from procurement.barrier_audits import services

IN = BarrierCheckSchema()
OUT = BarrierCheckResultSchema()
DEFAULT_TEXT_NAME = "document.txt"


class BarrierChecks:
    """Any authenticated role may check; nothing is written."""

    read_only = True

    def __init__(self, max_upload_bytes: int) -> None:
        self.max_body_bytes = max_upload_bytes  # a whole document's text may be sent

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load_json(req, IN)
        industry = body["industry"].value if body["industry"] else None
        if "requirements" in body:
            result = services.check_requirements(body["requirements"], industry=industry)
        else:
            name = body.get("filename", DEFAULT_TEXT_NAME)
            result = services.check_text(body["text"], name, industry=industry)
        resp.media = OUT.dump(result)
