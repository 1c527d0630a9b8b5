"""One-time desk links: a platform signs a named officer of one of its purchasers into the desk."""

from marshmallow import Schema, fields, validate

from api.schemas.common import Integer, StrictSchema
from procurement.signin.services import DESK_LINK_MAX_MINUTES, DESK_LINK_MINUTES, PERSON_NAME_MAX_CHARS


class DeskLinkCreateSchema(StrictSchema):
    purchaser_id = Integer(required=True, metadata={"description": "a purchaser in the platform's region"})
    officer_name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=PERSON_NAME_MAX_CHARS),
        metadata={"description": "the officer's name as the platform knows it (shown on the desk)"},
    )
    valid_minutes = Integer(
        load_default=DESK_LINK_MINUTES,
        validate=validate.Range(min=1, max=DESK_LINK_MAX_MINUTES),
        metadata={"description": f"how long the link may wait to be opened (default {DESK_LINK_MINUTES})"},
    )


class DeskLinkSchema(Schema):
    url = fields.String(metadata={"description": "open once in the officer's browser; signs in to /desk/"})
    purchaser_id = Integer()
    officer_name = fields.String()
    expires_at = fields.DateTime()
