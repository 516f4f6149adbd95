"""teleframe uses one private name of flask-sqlalchemy-lite: `_extension._close_async_sessions`,
removed from the teardown list because teleframe has no async engines and the hook costs a
thread pool per request. If an upgrade renames it, this test fails instead of the hook
silently coming back (or the removal raising at start-up)."""

from __future__ import annotations

from flask import Flask
from flask_sqlalchemy_lite import _extension


def test_the_async_teardown_hook_still_exists_and_is_removed(app: Flask) -> None:
    hook = getattr(_extension, "_close_async_sessions", None)
    assert callable(hook), "flask-sqlalchemy-lite renamed its async teardown: update app_setup"
    assert hook not in app.teardown_appcontext_funcs
    assert any(
        getattr(func, "__module__", "").startswith("flask_sqlalchemy_lite")
        for func in app.teardown_appcontext_funcs
    ), "the synchronous session teardown must stay"
