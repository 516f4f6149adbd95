"""teleframe: a telehealth session-frame checker."""

from __future__ import annotations

from typing import Any

from flask import Flask

from config.settings import Settings, load_settings
from teleframe.api.docs import REDOC_URL


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    from teleframe.api import telemetry
    from teleframe.app_setup import configure_database, register_api, register_celery
    from teleframe.runtime import logs

    settings = settings or load_settings()
    logs.configure(settings.log_format, settings.log_level)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        TELEFRAME_SETTINGS=settings,
        API_TITLE="teleframe",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="v1/openapi.json",
        OPENAPI_REDOC_PATH="docs",
        OPENAPI_REDOC_URL=REDOC_URL,
        JSON_SORT_KEYS=False,
    )
    app.config.update(overrides)
    # Celery first: the database's sessions are bound to the app's own Celery app
    configure_database(app, settings, register_celery(app, settings))
    telemetry.init_app(app)
    register_api(app)
    return app
