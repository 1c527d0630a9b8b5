"""A background job as the API shows it: state, progress and the error of a failed one."""

from marshmallow import Schema, fields

from api.schemas.common import Integer


class JobSchema(Schema):
    id = Integer()
    kind = fields.String(metadata={"description": "what the job does, e.g. audit_run"})
    state = fields.String(metadata={"enum": ["queued", "running", "succeeded", "failed"]})
    progress_done = Integer(metadata={"description": "units of work done (e.g. contracts audited)"})
    progress_total = Integer(allow_none=True, metadata={"description": "units in all, when known"})
    result = fields.Dict(allow_none=True, metadata={"description": "what the job produced, by kind"})
    error = fields.String(allow_none=True, metadata={"description": "why the last attempt failed"})
    attempts = Integer()
    max_attempts = Integer(metadata={"description": "a failed job is retried up to this many runs"})
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
