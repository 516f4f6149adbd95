"""The `consent` section: telehealth informed consent, asked once per client for each version
of the practice's text (California B&P 2290.5, Maryland COMAR 10.42.10.04 A(3), Ohio OAC
4757-5-13). None of these asks for it every session, so the page carries an earlier agreement
to the same version forward."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .fields import LocalisedText, flag, severity_choice

DEFAULT_VERSION = "2026-12"
DEFAULT_TEXT = {
    "en": (
        "Your sessions happen by video or phone, not in person. A video or phone call can drop, "
        "and it can be less private than an office. We keep your information private and use "
        "secure tools. If the call drops, your clinician will call you at the number you give "
        "us. In an emergency, call the emergency number we show you after you check in. You can "
        "stop using telehealth at any time and ask about other choices."
    ),
    "es": (
        "Sus sesiones son por video o por teléfono, no en persona. Una llamada de video o de "
        "teléfono puede cortarse y puede ser menos privada que una oficina. Mantenemos su "
        "información privada y usamos herramientas seguras. Si la llamada se corta, su clínico "
        "le llamará al número que usted nos dé. En una emergencia, llame al número de emergencia "
        "que le mostramos después de registrarse. Puede dejar la telesalud en cualquier momento "
        "y preguntar por otras opciones."
    ),
}


class Consent(Schema):
    required = flag(False)
    severity = severity_choice("block")
    # a new version is asked again of every client
    version = fields.String(load_default=DEFAULT_VERSION, validate=validate.Length(1, 40))
    text = LocalisedText(5000, load_default=lambda: dict(DEFAULT_TEXT))
