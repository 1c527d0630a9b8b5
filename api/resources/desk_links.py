"""/v1/desk-links: a platform key asks for a one-time URL that signs an officer into the desk."""

import falcon

from api.body import load_json
from api.resources.base import actor_of, session_of
from api.schemas.desk_links import DeskLinkCreateSchema, DeskLinkSchema
from procurement.signin import services

CREATE = DeskLinkCreateSchema()
OUT = DeskLinkSchema()


class DeskLinks:
    # a retry with the same Idempotency-Key gets the same link back (the first answer may have been
    # lost on the way), never a second one
    idempotent = True

    def on_post_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = load_json(req, CREATE)
        issued = services.issue_desk_link(
            session_of(req),
            actor_of(req),
            purchaser_id=fields["purchaser_id"],
            person_name=fields["officer_name"],
            valid_minutes=fields["valid_minutes"],
        )
        resp.status = falcon.HTTP_201
        resp.cache_control = ("no-store",)  # the URL is a credential until used
        resp.media = OUT.dump(
            {
                "url": f"{req.prefix}/desk/link/{issued.token}",
                "purchaser_id": issued.link.organization_id,
                "officer_name": issued.link.person_name,
                "expires_at": issued.link.expires_at,
            }
        )
