"""The pieces `create_app` wires together: database, API blueprints, Celery."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Celery, Task
from flask import Flask, Response, request
from kombu import Queue
from sqlalchemy import event
from werkzeug.exceptions import HTTPException

from config.settings import Settings
from teleframe import tasks
from teleframe.db import crypto, outbox
from teleframe.db.engine import bound_replies, postgresql_engine_options
from teleframe.errors import (
    dependency_unavailable,
    from_http_exception,
    problem,
    service_unavailable,
)
from teleframe.extensions import ProblemApi, ProblemResponses, db
from teleframe.services.json_depth import MAX_DEPTH, too_deep


def _sqlite_engine_options(settings: Settings) -> dict[str, Any]:
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # a logged SQL error must not carry the row's values
    return {"url": settings.database_url, "connect_args": {"timeout": 30}, "hide_parameters": True}


def configure_database(app: Flask, settings: Settings, celery: Celery) -> None:
    """The app's engine, keys and relay; `celery` is the app's own (`register_celery`)."""
    if settings.database_url.startswith("sqlite"):
        engine: dict[str, Any] = _sqlite_engine_options(settings)
    else:
        engine = postgresql_engine_options(settings)
    app.config["SQLALCHEMY_ENGINES"] = {"default": engine}
    db.init_app(app)
    _drop_async_teardown(app)
    with app.app_context():
        # the app's own keys, on its own engine: never shared with another app in the process
        crypto.attach(db.engine, crypto.Keyring(settings.encryption_keys))
        # likewise its sessions publish staged work to its own Celery app
        outbox.bind(db.sessionmaker, _relay(settings, celery))
        if settings.database_url.startswith("sqlite"):
            _tune_sqlite(db.engine)
        else:
            bound_replies(db.engine, settings)


def _relay(settings: Settings, celery: Celery) -> outbox.Relay:
    grace = timedelta(seconds=settings.relay_grace_seconds)
    return outbox.Relay(celery, grace, float(settings.broker_down_seconds))


def _drop_async_teardown(app: Flask) -> None:
    """teleframe has no async engines; flask-sqlalchemy-lite's async teardown would still run
    through asgiref on every request and task (a thread pool each time, about 0.8 ms)."""
    from flask_sqlalchemy_lite import _extension

    if _extension._close_async_sessions in app.teardown_appcontext_funcs:
        app.teardown_appcontext_funcs.remove(_extension._close_async_sessions)


def _tune_sqlite(engine: Any) -> None:
    """WAL with a busy timeout, and BEGIN IMMEDIATE so a read-then-write never hits BUSY."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_api(app: Flask) -> None:
    from teleframe.api.api_keys.resources import blp as api_keys
    from teleframe.api.audit_events.resources import blp as audit_events
    from teleframe.api.auth import key_cache, require_api_key
    from teleframe.api.checkin_links.resources import blp as checkin_links
    from teleframe.api.clients.resources import blp as clients
    from teleframe.api.clinicians.resources import blp as clinicians
    from teleframe.api.docs import blp as docs_assets
    from teleframe.api.events.resources import blp as events
    from teleframe.api.health.resources import blp as health
    from teleframe.api.hooks.resources import blp as hooks
    from teleframe.api.integrations.resources import blp as integrations
    from teleframe.api.links import LinksPlugin
    from teleframe.api.parked_work.resources import blp as parked_work
    from teleframe.api.policy.resources import blp as policy
    from teleframe.api.practice.resources import blp as practice
    from teleframe.api.reports.people import require_caller
    from teleframe.api.reports.resources import blp as reports
    from teleframe.api.sessions.resources import blp as sessions
    from teleframe.api.users.resources import blp as users
    from teleframe.api.webhook_endpoints.resources import blp as webhook_endpoints
    from teleframe.web.views import blp as web

    # one per app: the OpenAPI document belongs to it
    api = ProblemApi(app, spec_kwargs={"extra_plugins": [LinksPlugin(), ProblemResponses()]})
    app.extensions["teleframe.api_keys"] = key_cache(
        app.config["TELEFRAME_SETTINGS"].api_key_cache_seconds
    )
    api.spec.components.security_scheme(
        "apiKey", {"type": "http", "scheme": "bearer", "description": "tf_... practice key"}
    )
    api.spec.options["security"] = [{"apiKey": []}]
    for blueprint in (
        clinicians,
        clients,
        sessions,
        events,
        integrations,
        policy,
        checkin_links,
        reports,
        webhook_endpoints,
        users,
        parked_work,
        api_keys,
        practice,
        audit_events,
    ):
        api.register_blueprint(blueprint)
        # on the app, not the blueprint: blueprints are shared by every app made in a process
        hook = require_caller if blueprint is reports else require_api_key
        app.before_request_funcs.setdefault(blueprint.name, []).append(hook)
    app.register_blueprint(health)
    app.register_blueprint(web)
    register_dashboard(app)
    app.register_blueprint(docs_assets)
    app.register_blueprint(hooks)
    # errors raised outside flask-smorest views (404 on unknown paths, 413, 405) too
    app.register_error_handler(HTTPException, from_http_exception)

    @app.before_request
    def _bounded_json() -> Response | None:
        if request.is_json and too_deep(request.get_data(cache=True)):
            return problem(400, f"The JSON body nests more than {MAX_DEPTH} levels deep.")
        return None

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return from_http_exception(error)
        if dependency_unavailable(error):
            app.logger.warning("database unavailable: %s", type(error).__name__)
            retry_after = app.config["TELEFRAME_SETTINGS"].retry_after_seconds
            return service_unavailable(retry_after)
        app.logger.exception("unhandled error")
        return problem(500, "Something went wrong on our side.")


def register_dashboard(app: Flask) -> None:
    from teleframe.dashboard import views
    from teleframe.dashboard.wiring import (
        before_dashboard_request,
        dashboard_headers,
        init_dashboard,
        template_globals,
    )

    init_dashboard(app, app.config["TELEFRAME_SETTINGS"])
    app.register_blueprint(views.blp)
    app.before_request_funcs.setdefault(views.blp.name, []).append(before_dashboard_request)
    app.after_request_funcs.setdefault(views.blp.name, []).append(dashboard_headers)
    app.template_context_processors.setdefault(views.blp.name, []).append(template_globals)


def register_celery(app: Flask, settings: Settings) -> Celery:
    """The Flask pattern: tasks run inside an app context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(celery_config(settings))
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def celery_config(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "broker_url": settings.broker_url,
        "task_default_queue": settings.queue,
        # a worker started without -Q consumes every queue; production splits them (README)
        # each queue bound by its own name: a message goes to exactly one queue
        "task_queues": [Queue(name, routing_key=name) for name in tasks.queues(settings.queue)],
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_time_limit": 120,
        "task_soft_time_limit": 90,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "imports": (
            "workers.tasks.checkin",
            "workers.tasks.outbox",
            "workers.tasks.report",
            "workers.tasks.continuity",
            "workers.tasks.webhooks",
            "workers.heartbeat",
            "workers.tasks.maintenance",
        ),
        "beat_scheduler": "workers.beat:HeartbeatScheduler",
        "beat_schedule": {
            "relay-outbox": {"task": tasks.RELAY_OUTBOX, "schedule": 2.0},
            "enforce-retention": {"task": tasks.ENFORCE_RETENTION, "schedule": 86400.0},
            # settles sessions whose events went quiet (services/session_progress.SETTLE)
            "check-disruptions": {"task": tasks.CHECK_DISRUPTIONS, "schedule": 5.0},
            "check-missing-checkins": {"task": tasks.CHECK_MISSING_CHECKINS, "schedule": 60.0},
            "purge-idempotency-keys": {"task": tasks.PURGE_IDEMPOTENCY_KEYS, "schedule": 3600.0},
            # staged work wakes a worker on commit; these catch a lost wake-up and due retries
            "drain-inbound": {"task": tasks.DRAIN_INBOUND, "schedule": 15.0},
            "drain-evaluations": {"task": tasks.DRAIN_EVALUATIONS, "schedule": 15.0},
            # deliveries are made with their events; this is a backstop (delivery_fanout.sweep)
            "fan-out-events": {"task": tasks.FAN_OUT_EVENTS, "schedule": 60.0},
            "deliver-due-webhooks": {"task": tasks.DELIVER_DUE, "schedule": 2.0},
        },
    }
    if not settings.embedded:
        # embedded, one solo worker does everything: every task on its one queue
        config["task_routes"] = tasks.routes(settings.queue)
    # visibility timeout well above the longest task, with no long countdowns anywhere;
    # short socket timeouts and one immediate retry, so a dead broker costs a request
    # milliseconds (the outbox keeps the work, and the breaker skips the broker meanwhile)
    config["broker_transport_options"] = {
        "visibility_timeout": 1800,
        "socket_connect_timeout": settings.broker_socket_timeout_seconds,
        "socket_timeout": settings.broker_socket_timeout_seconds,
    }
    config["task_publish_retry_policy"] = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0,
        "interval_max": 0,
    }
    if settings.embedded:
        config["beat_schedule_filename"] = str(settings.data_dir / "beat-schedule")
    return config
