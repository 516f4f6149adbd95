"""Countries and their subdivisions for the location question, named in the client's language
where pycountry's catalogues have the name (English otherwise)."""

from __future__ import annotations

import functools
import gettext
import unicodedata

import pycountry

FIRST_COUNTRY = "US"  # most clients: listed first, the rest by name


@functools.cache
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _sort_key(name: str) -> str:
    """Accents do not move a name to the end of the list (Åland after Albania, not after Zambia)."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


@functools.cache
def countries(language: str) -> tuple[tuple[str, str], ...]:
    names = _catalogue("iso3166-1", language)
    listed = [(country.alpha_2, names.gettext(country.name)) for country in pycountry.countries]
    return tuple(sorted(listed, key=lambda item: (item[0] != FIRST_COUNTRY, _sort_key(item[1]))))


@functools.cache
def subdivisions(country: str, language: str) -> tuple[tuple[str, str], ...]:
    """(ISO 3166-2 code, name) for a country; empty when the country is unknown or has none."""
    if not country or pycountry.countries.get(alpha_2=country) is None:
        return ()
    found = pycountry.subdivisions.get(country_code=country) or []
    names = _catalogue("iso3166-2", language)
    listed = [(sub.code, names.gettext(sub.name)) for sub in found]
    return tuple(sorted(listed, key=lambda item: _sort_key(item[1])))
