"""Extensions, created unbound and wired to an app in `create_app`."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask_smorest import Api
from flask_sqlalchemy_lite import SQLAlchemy
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import HTTPException

from teleframe.errors import from_http_exception

PROBLEM_JSON = "application/problem+json"


class ProblemSchema(Schema):
    """RFC 9457 problem details, as `errors.problem` writes every error."""

    class Meta:
        unknown = INCLUDE  # a problem may carry extension members

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Raw(metadata={"description": "messages by field name"})


class ProblemApi(Api):
    """flask-smorest, answering errors as application/problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        return from_http_exception(error)


class ProblemResponses(BasePlugin):
    """Documents error responses with the content type they are served with: flask-smorest
    documents every response as application/json."""

    def response_helper(self, response: dict[str, Any], **_: Any) -> dict[str, Any] | None:
        content = response.get("content") or {}
        if "application/json" not in content:
            return None
        return {"content": {PROBLEM_JSON: content["application/json"]}}


# objects stay readable after commit, as API responses are built from them
db = SQLAlchemy(session_options={"expire_on_commit": False})
