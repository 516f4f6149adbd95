"""Extensions, created unbound and wired to an app in `create_app`."""

from __future__ import annotations

from typing import Any

from flask_smorest import Api
from flask_sqlalchemy_lite import SQLAlchemy
from werkzeug.exceptions import HTTPException

from teleframe.errors import from_http_exception


class ProblemApi(Api):
    """flask-smorest, answering errors as application/problem+json."""

    def handle_http_exception(self, error: HTTPException) -> Any:
        return from_http_exception(error)


# objects stay readable after commit, as API responses are built from them
db = SQLAlchemy(session_options={"expire_on_commit": False})
