"""The check-in in a real browser (Debian's chromium through Playwright): a client with a
Spanish phone checks in for a session in California, sees the verdict with 911 and 988, and
axe-core finds no serious or critical problem on any page. Screenshots go to test-results/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser import serious_violations
from tests.web.forms import new_link

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(os.environ.get("TELEFRAME_TEST_OUTPUT", ROOT / "test-results")) / "browser"
PHONE = {"width": 375, "height": 667}

pytestmark = pytest.mark.slow


def _screenshots(page: Any, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for width in (320, 390, 1280):
        page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
        if width != 320:
            page.screenshot(path=str(OUTPUT / f"{name}-{width}.png"), full_page=True)
        # nothing wider than the screen: no sideways scrolling, even on the smallest phone
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size(PHONE)


def _answer(page: Any, question: str, choice: str) -> None:
    page.get_by_role("group", name=question, exact=True).get_by_label(choice, exact=True).check()


def test_a_spanish_client_checks_in_on_a_phone(app, worker, make_practice, live_url, chromium, axe):
    practice = make_practice()
    session = practice.session()
    context = chromium.new_context(locale="es-MX", viewport=PHONE)
    page = context.new_page()
    page.goto(live_url + new_link(practice, session))
    assert page.get_attribute("html", "lang") == "es"
    assert serious_violations(axe, page) == []
    _screenshots(page, "checkin")

    page.get_by_label("País").select_option("US")
    page.get_by_role("button", name="Mostrar los estados o regiones de este país").click()
    page.get_by_label("Estado, provincia o región").select_option(label="California")
    page.get_by_label("Pueblo o ciudad").fill("Oakland")
    page.get_by_label("Dirección").fill("1200 Lakeshore Ave")
    _answer(page, "¿Qué tipo de lugar es?", "Casa")
    _answer(page, "¿Está en un lugar privado, como un cuarto con la puerta cerrada?", "Sí")
    _answer(page, "¿Puede hablar con libertad sin que nadie le oiga?", "Sí")
    _answer(page, "¿Está usando audífonos?", "Sí")
    _answer(page, "¿Hay alguien más con usted?", "No")
    page.get_by_label("¿A qué número podemos llamar si se corta el video?").fill("+1 510 555 0123")
    contact = page.get_by_role("group", name="¿A quién podemos llamar en una emergencia?")
    contact.get_by_label("Su nombre").fill("Alex Client")
    contact.get_by_label("¿Quién es para usted?").fill("hermano")
    contact.get_by_label("Su número de teléfono").fill("+1 415 555 0188")
    _answer(page, "¿Es un buen momento para su sesión?", "Sí")
    _answer(page, "¿Está manejando ahora mismo?", "No")
    page.get_by_role("button", name="Enviar mis respuestas").click()

    # the status page's script fetches the verdict and shows it without a per-second reload
    heading = page.get_by_role("heading", level=1)
    heading.filter(has_text="Todo está listo").wait_for(timeout=20_000)
    assert page.get_attribute("html", "lang") == "es"
    assert page.get_by_role("link", name="911").get_attribute("href") == "tel:911"
    assert page.get_by_role("link", name="988").get_attribute("href") == "tel:988"
    assert page.get_by_role("link", name="+1 510-555-0123").get_attribute("href") == (
        "tel:+15105550123"
    )
    assert serious_violations(axe, page) == []
    _screenshots(page, "status")

    # the switch to English is remembered on the next page
    page.get_by_role("link", name="English").click()
    assert page.get_attribute("html", "lang") == "en"
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "You're all set"
    context.close()


def test_the_form_works_from_the_keyboard_alone(app, make_practice, live_url, chromium, axe):
    practice = make_practice()
    context = chromium.new_context(locale="en-US", viewport=PHONE)
    page = context.new_page()
    page.goto(live_url + new_link(practice, practice.session()))
    page.keyboard.press("Tab")  # the language switch comes first
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Español"
    page.get_by_label("Country").focus()
    page.keyboard.press("ArrowDown")  # the United States are listed first
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('value')") == "places"
    page.keyboard.press("Enter")  # shows the country's regions
    page.get_by_label("State, province or region").wait_for()
    assert page.get_by_label("Country").input_value() == "US"
    page.get_by_label("What number can we call if video drops?").focus()
    page.keyboard.type("call my mum")
    page.get_by_role("button", name="Send my answers").focus()
    page.keyboard.press("Enter")
    # the summary takes the focus and links to the question to fix
    page.locator("#error-summary").wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#backup-callback_phone"
    assert serious_violations(axe, page) == []
    _screenshots(page, "errors")
    context.close()
