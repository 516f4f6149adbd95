"""Every text the client reads is in every catalogue, and an install ships the compiled ones."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "teleframe" / "web" / "translations"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "client_text": None}
METHODS = [("teleframe/**.py", "python"), ("teleframe/web/templates/**.html", "jinja2")]


def _client_texts() -> set[str]:
    found = extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def _catalogues() -> list[Path]:
    return sorted(CATALOGUES.glob("*/LC_MESSAGES/messages.po"))


def test_there_is_a_spanish_catalogue():
    assert [path.parts[-3] for path in _catalogues()] == ["es"]


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda path: path.parts[-3])
def test_every_client_text_is_translated(po_path: Path):
    texts = _client_texts()
    assert "Where are you right now?" in texts  # a template text
    assert "Please add the state or region you are in." in texts  # a finding's text
    with po_path.open("rb") as po_file:
        catalogue = read_po(po_file)
    untranslated = sorted(t for t in texts if not (catalogue.get(t) and catalogue.get(t).string))
    assert untranslated == [], f"run `make messages` and translate these in {po_path}"
    for message in catalogue:
        if message.id:  # a value filled in must survive the translation
            assert _placeholders(str(message.id)) == _placeholders(str(message.string))


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)s", text))


@pytest.mark.slow
def test_a_built_wheel_carries_the_compiled_catalogues(tmp_path: Path):
    """`pip install .` on a fresh machine installs the wheel built here: its .mo must be in it."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=600,
    )
    [wheel] = tmp_path.glob("teleframe-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        mo_bytes = archive.read("teleframe/web/translations/es/LC_MESSAGES/messages.mo")
        assert "teleframe/web/translations/es/LC_MESSAGES/messages.po" in archive.namelist()
    catalogue = read_mo(BytesIO(mo_bytes))
    assert catalogue.get("Where are you right now?").string == "¿Dónde está ahora mismo?"
