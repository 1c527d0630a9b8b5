"""OCDS imports: the body (documented loosely: OCDS's own schema validates releases) and the result."""

from marshmallow import Schema, fields

from api.schemas.common import Integer, StrictSchema


class OcdsPackageSchema(Schema):
    """An OCDS release package, record package or one compiled release."""

    releases = fields.List(fields.Dict())
    records = fields.List(fields.Dict())


class OcdsLinesSchema(Schema):
    """JSON lines: one compiled release (an object with ``ocid``) per line."""

    ocid = fields.String()


class ImportQuerySchema(StrictSchema):
    filename = fields.String(metadata={"description": "the file's name, kept with the import"})


class OcdsImportSchema(Schema):
    id = Integer()
    organization_id = Integer()
    filename = fields.String()
    sha256 = fields.String()
    counts = fields.Dict(
        metadata={
            "description": "releases, contracts, created, updated, unchanged, rejected, events_added, "
            "purchasers_created, suppliers_created, problems, obligations_written"
        }
    )
    problems = fields.List(
        fields.Dict(),
        metadata={"description": "where (line N / releases[i]), ocid, kind (error|missing), message"},
    )
    created_by = fields.String()
    created_at = fields.AwareDateTime()
