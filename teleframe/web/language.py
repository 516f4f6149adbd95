"""Which language the client page speaks: a choice the client made (remembered in a cookie),
else the browser's Accept-Language, else English.

The languages are the catalogues under `translations/` plus English, the source language: a
new language is a new catalogue, not code.
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel import Locale
from flask import Flask, g, request
from flask_babel import Babel, get_locale
from werkzeug.wrappers import Response

SOURCE_LANGUAGE = "en"
COOKIE_NAME = "tf_lang"
COOKIE_PATH = "/c"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).parent / "translations"

babel = Babel()


@functools.cache
def languages() -> tuple[str, ...]:
    """English and every language with a compiled catalogue."""
    found = sorted(path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/*.mo"))
    return (SOURCE_LANGUAGE, *found)


def language_names() -> list[tuple[str, str]]:
    """Each language named in itself, as the switch shows it."""
    return [
        (code, str(Locale.parse(code).get_display_name(code)).capitalize()) for code in languages()
    ]


def _select() -> str:
    asked = request.args.get("lang", "")
    if asked in languages():
        g.language_chosen = asked
        return asked
    remembered = request.cookies.get(COOKIE_NAME, "")
    if remembered in languages():
        return remembered
    return request.accept_languages.best_match(languages(), default=SOURCE_LANGUAGE)


def current() -> str:
    return str(get_locale() or SOURCE_LANGUAGE)


def remember_choice(response: Response) -> None:
    """Keeps a language picked with the switch (`?lang=`) for the client's next pages."""
    chosen = g.get("language_chosen")
    if chosen:
        response.set_cookie(
            COOKIE_NAME,
            chosen,
            max_age=COOKIE_MAX_AGE,
            path=COOKIE_PATH,
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        default_locale=SOURCE_LANGUAGE,
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=_select,
    )
