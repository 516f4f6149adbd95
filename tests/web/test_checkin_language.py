"""The page speaks the client's language: Accept-Language first, a remembered switch over it."""

from __future__ import annotations

import re

from teleframe.web import language
from tests.conftest import wait_for
from tests.web.forms import GOOD_FORM, new_link

SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", page)


def test_spanish_and_english_are_offered_from_the_catalogues():
    assert language.languages() == ("en", "es")
    assert ("es", "Español") in language.language_names()


def test_a_spanish_browser_gets_the_page_in_spanish(app, make_practice):
    practice = make_practice()
    path = new_link(practice, practice.session())
    page = app.test_client().get(path, headers=SPANISH).get_data(as_text=True)
    assert '<html lang="es">' in page
    for spanish in (
        "¿Dónde está ahora mismo?",
        "Enviar mis respuestas",
        "¿Hay alguien más con usted?",
    ):
        assert spanish in page
    assert "Where are you right now?" not in page
    assert '<option value="DE">Alemania</option>' in page  # pycountry's own catalogue
    english = app.test_client().get(path, headers={"Accept-Language": "fr, en;q=0.5"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Where are you right now?" in english.get_data(as_text=True)


def test_the_switch_is_a_link_and_the_choice_is_remembered(app, make_practice):
    practice = make_practice()
    path = new_link(practice, practice.session())
    browser = app.test_client()
    english = browser.get(path).get_data(as_text=True)
    assert f'<a href="{path}?lang=es" lang="es" hreflang="es">Español</a>' in english
    switched = browser.get(f"{path}?lang=es")
    assert '<html lang="es">' in switched.get_data(as_text=True)
    cookie = switched.headers["Set-Cookie"]
    assert cookie.startswith("tf_lang=es;") and "Path=/c" in cookie
    # remembered over the browser's own English preference
    again = browser.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in again and "Where are you right now?" not in again
    back = browser.get(f"{path}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in back
    # the switch back to English is remembered too, over a Spanish browser
    assert '<html lang="en">' in browser.get(path, headers=SPANISH).get_data(as_text=True)


def test_an_unknown_language_is_ignored(app, make_practice):
    practice = make_practice()
    path = new_link(practice, practice.session())
    for asked in ("xx", "<script>", "es-ES-x" * 50):
        response = app.test_client().get(path, query_string={"lang": asked})
        assert response.status_code == 200
        assert '<html lang="en">' in response.get_data(as_text=True)
        assert "tf_lang" not in response.headers.get("Set-Cookie", "")


def test_form_errors_are_in_spanish(app, make_practice):
    practice = make_practice()
    path = new_link(practice, practice.session())
    form = {**GOOD_FORM, "backup.callback_phone": "llame a mi mamá"}
    response = app.test_client().post(path, data=form, headers=SPANISH)
    assert response.status_code == 422
    page = _text(response.get_data(as_text=True))
    assert "Revise algunas respuestas" in page
    assert "Escriba el número con el código del país" in page
    assert "Enter the number" not in page


def _verdict_page(browser) -> str | None:  # type: ignore[no-untyped-def]
    page = browser.get("/c/status", headers=SPANISH).get_data(as_text=True)
    return None if "Revisando…" in page else page


def test_findings_are_shown_to_the_client_in_spanish(app, worker, make_practice):
    practice = make_practice()
    session = practice.session()
    browser = app.test_client()
    form = {
        **GOOD_FORM,
        "location.place_type": "vehicle",
        "privacy.private_space": "no",
        "others_present.0.client_consents_to_hear": "no",
        "backup.callback_phone": "",
    }
    assert browser.post(new_link(practice, session), data=form, headers=SPANISH).status_code == 303
    page = _text(wait_for(lambda: _verdict_page(browser), timeout=10))
    findings = practice.get(f"/v1/sessions/{session}/frame").get_json()["evaluation"]["findings"]
    codes = {finding["code"] for finding in findings}
    assert {"PLACE_UNSAFE", "PRIVACY_NOT_PRIVATE", "OTHERS_PRESENT_WITHOUT_CONSENT"} <= codes
    assert "BACKUP_PHONE_MISSING" in codes
    for finding in findings:
        assert finding["message"] not in page  # the stored English is not shown
    assert "Corrija esto antes de su sesión" in page
    assert "no desde un vehículo" in page
    assert "Usted dijo que hay alguien con usted (persona 1)" in page
    assert "Agregue un número de teléfono donde su clínico pueda llamarle" in page
    # the emergency lines for California, as links a phone can dial
    assert '<a class="phone" href="tel:911">911</a>' in page
    assert '<a class="phone" href="tel:988">988</a>' in page
    assert "En una emergencia donde usted está, llame al" in page
